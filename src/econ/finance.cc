#include "econ/finance.h"

#include <cmath>

namespace rigshift::econ {

Money TotalCapex(const std::vector<CapexItem>& items) {
  Money total;
  for (const auto& i : items) total += i.Total();
  return total;
}

CashFlow CashFlow::FromMargins(Money capex, const std::vector<Money>& monthly_margins,
                               Money monthly_opex, int months) {
  CashFlow cf;
  cf.flows.reserve(static_cast<size_t>(months) + 1);
  cf.flows.push_back(-capex);
  for (int m = 0; m < months; ++m) {
    Money margin = monthly_margins.empty()
                       ? Money()
                       : monthly_margins[static_cast<size_t>(m) % monthly_margins.size()];
    cf.flows.push_back(margin - monthly_opex);
  }
  return cf;
}

Money CashFlow::Sum() const {
  Money s;
  for (Money f : flows) s += f;
  return s;
}

Money Npv(double annual_rate, const std::vector<Money>& monthly_flows) {
  Money npv;
  const double monthly = std::pow(1.0 + annual_rate, 1.0 / 12.0);
  double factor = 1.0;
  for (size_t m = 0; m < monthly_flows.size(); ++m) {
    if (m > 0) factor /= monthly;
    npv += MicroUsd(internal::RoundToInt64(static_cast<double>(monthly_flows[m].raw()) * factor));
  }
  return npv;
}

std::optional<double> PaybackMonths(const std::vector<Money>& monthly_flows) {
  Money cumulative;
  std::optional<double> turned;
  for (size_t m = 0; m < monthly_flows.size(); ++m) {
    Money before = cumulative;
    cumulative += monthly_flows[m];
    if (cumulative.IsNegative()) {
      turned.reset();
      continue;
    }
    if (turned) continue;
    if (m == 0 || !before.IsNegative()) {
      turned = static_cast<double>(m);
    } else {
      // Fraction of month m needed to cover what was still owed at its start.
      double owed = -static_cast<double>(before.raw());
      turned = static_cast<double>(m - 1) + owed / static_cast<double>(monthly_flows[m].raw());
    }
  }
  return turned;
}

}  // namespace rigshift::econ
