// The embedded default scenario: market data that rigshift carries in itself, so that
// `rigshift assess` runs with no data files at all (issue 3, "an embedded default scenario that
// the project writes itself (cited monthly figures)").
//
// What it holds (2021-01-01 .. 2024-12-31 UTC), every figure typed in with its source:
//   - electricity, for ercot / nyiso / pjm / caiso: the monthly mean price of each UTC month,
//     computed once from the green-dcc files in ../shared/data/markets/electricity with this
//     module's loader (MonthlyMeans over the observed hours, gaps not counted); turned into an
//     hourly series by a typical daily shape: for each UTC hour of the day, the median over the
//     2021..2024 days (day mean above 5 USD/MWh, no gaps) of price / day mean, normalised to mean
//     1 (so each month's mean is kept exactly, up to rounding). Spikes are therefore smoothed
//     away: the default scenario has Uri's February mean (1,483 USD/MWh in ERCOT) spread over the
//     month, not its 8,995 USD/MWh hours. Load the real files for that.
//   - hashprice (with fees), monthly mean of the daily series that ComputeHashprice makes from
//     the blockchain.com exports in ../shared/data/markets/bitcoin (difficulty x price x subsidy,
//     plus fees from miners' revenue up to 2024-01-15 and the dated fee share after);
//     December 2024 is past the data (2024-11-23) and carries November's figure. Each day takes
//     its month's figure (step).
//   - the default GPU-hour price table (gpu_prices.h) and GPU mining table (gpu_mining.h).
// The shared README's yearly means cross-check the electricity tables; default_scenario_test.cc
// recomputes every monthly figure from ../shared/data when it is present (within 0.5%).
//
// Thread-safety: pure functions over static tables.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "market/series.h"

namespace rigshift::market {

inline constexpr int kDefaultFirstYear = 2021;
inline constexpr int kDefaultLastYear = 2024;

struct MonthlyFigure {
  int year = 0;
  int month = 0;
  double value = 0;  // USD/MWh for electricity, USD per TH/s per day for hashprice
};

struct DefaultElectricityMarket {
  std::string market;                       // "ercot", ...
  std::string source;                       // citation of the monthly figures
  std::vector<MonthlyFigure> months;        // 2021-01 .. 2024-12
  std::array<double, 24> utc_hour_shape{};  // multipliers by UTC hour, mean 1
};
const std::vector<DefaultElectricityMarket>& DefaultElectricityMonthly();

struct DefaultHashprice {
  std::string source;
  std::vector<MonthlyFigure> months;  // 2021-01 .. 2024-12
};
const DefaultHashprice& DefaultHashpriceMonthly();

// Hourly series over the table's months: month mean x shape[UTC hour].
PriceSeries HourlyFromMonthly(const DefaultElectricityMarket& m);
// Daily series: each day takes its month's figure.
HashPriceSeries DailyFromMonthly(const std::vector<MonthlyFigure>& months, std::string name);

// The whole scenario: four electricity markets, hashprice, GPU-hour prices, GPU mining.
MarketData DefaultScenario();

}  // namespace rigshift::market
