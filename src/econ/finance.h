// Capital budgeting on monthly cash flows: capex, opex, NPV at a discount rate, payback.
//
// Cash flows are exact Money per month; month 0 is "now" (the capex, undiscounted) and month m
// (1-based) is the end of the m-th month. The only double is the discount factor: NPV sums
// round(flow_m x (1 + annual_rate)^(-m/12)) in micro-USD, so each term is rounded once and the sum
// is exact. Pure; thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/quantity.h"

namespace rigshift::econ {

// One investment line: quantity x unit cost (what to buy, why, and where the price comes from).
struct CapexItem {
  std::string item;    // "8-GPU server host (board, 2 CPUs, PSUs)"
  std::string reason;  // "x1 risers: no tensor parallelism, 3 min to load a 70B model"
  int64_t quantity = 0;
  Money unit_cost;
  std::string source;  // cost-table key / citation
  Money Total() const { return unit_cost * quantity; }
};

Money TotalCapex(const std::vector<CapexItem>& items);

// Monthly cash flows of a strategy: flows[0] = -capex at t=0; flows[m] = margin of month m minus
// opex (positive = money in).
struct CashFlow {
  std::vector<Money> flows;

  // Builds [-capex, m1 - opex, m2 - opex, ...] for `months` months, repeating `monthly_margins`
  // cyclically (a year of history stands for every later year).
  static CashFlow FromMargins(Money capex, const std::vector<Money>& monthly_margins,
                              Money monthly_opex, int months);
  Money Sum() const;
};

// Net present value at `annual_rate` (0.12 = 12 %/year, compounded monthly as (1+r)^(1/12)).
Money Npv(double annual_rate, const std::vector<Money>& monthly_flows);

// Months until the undiscounted cumulative cash flow turns non-negative, interpolated linearly
// inside the month it turns; 0 when flows[0] >= 0 and nothing later dips below; nullopt when it
// never turns within the flows given.
std::optional<double> PaybackMonths(const std::vector<Money>& monthly_flows);

}  // namespace rigshift::econ
