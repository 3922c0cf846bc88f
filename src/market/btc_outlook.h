// Where the SHA-256 hashprice goes after a window of history: the halving schedule, a difficulty
// trend fitted to the network's history, BTC price scenarios and transaction fees as a dated share
// of the block reward. Assess uses it to value mining over an NPV horizon that runs past the data.
//
// The model, per month t after an anchor month a (the window's last month):
//   hashprice(t) / hashprice(a) = [price(t) / price(a)]
//                               x [reward(t) / reward(a)]        reward = subsidy / (1 - fee share)
//                               / [difficulty(t) / difficulty(a)]
// with subsidy from the halving schedule (bitcoin.h: 6.25 -> 3.125 BTC at block 840,000,
// 2024-04-20; the next halving estimated at 10-minute blocks), the fee share from the dated table
// below (the latest figure at or before t; the first one before it), difficulty growing at the
// log-linear trend of the monthly difficulty over a lookback that ends at the anchor, and the
// price by scenario:
//   flat           the anchor month's price for the whole horizon;
//   history drift  the log-linear trend of the monthly price over the same lookback;
//   stress         the anchor price times a stress factor (0.5: about 2022's fall) from the first
//                  projected month on.
// Every scenario keeps the fitted difficulty trend: hashrate that was built does not leave when
// the price stalls, which is what makes the flat case the conservative one.
//
// Only ratios to the anchor are used, so the projection applies to whatever hashprice series
// the window used (computed from the exports, a user's CSV or the embedded table).
// Thread-safety: pure functions over values; the embedded tables are immutable statics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace rigshift::market {

// Transaction fees as a share of the whole block reward, fees / (subsidy + fees), from a date on.
struct FeeSharePoint {
  TimePoint from = 0;
  double share = 0;  // 0 .. <1
  std::string source;
};
struct FeeShareTable {
  std::vector<FeeSharePoint> points;  // increasing in `from`
  std::string source;                 // where the table came from
  // Linear in time between the two points around t; the first/last point's share outside the
  // table; 0 when empty. (Interpolated rather than held: a figure dated April 2024 that the source
  // calls stable through the year says more about February 2024 than one from 2021 does.)
  double ShareAt(TimePoint t) const;
};
// The cited figures of ../shared/data/markets/reference/mining_costs.csv (category
// tx_fee_share), typed in so that the embedded scenario needs no data directory.
const FeeShareTable& DefaultFeeShares();
// Reads the rows of category tx_fee_share from a mining_costs.csv: rows in "% of block reward" or
// "% of miner revenue" with a dated value, and rows in "BTC per block" (converted with the subsidy
// of their date). Lower bounds ("lower bound" in the unit) and ranges are skipped: a one-day spike
// such as the halving day's 75 % is not a level to carry for a month.
Result<FeeShareTable> ParseFeeSharesCsv(std::string_view text, const std::string& source);

// Monthly network history for the trend fits.
struct BtcMonth {
  TimePoint start = 0;     // first second of the UTC month
  double difficulty = 0;   // mean over the month
  double price_usd = 0;    // mean over the month
};
struct BtcHistory {
  std::vector<BtcMonth> months;  // increasing, one per month (gaps allowed)
  std::string source;
};
// Monthly means of btc_network_4day_2009_2024.csv from 2016-01 to 2024-11, typed in.
const BtcHistory& DefaultBtcHistory();
// Monthly means of any 4-daily network samples (the CSV's rows through ParseBtcNetworkCsv).
struct BtcNetworkSample;
BtcHistory MonthlyBtcHistory(const std::vector<BtcNetworkSample>& samples, std::string source);

enum class PriceScenario : uint8_t { kFlat = 0, kHistoryDrift = 1, kStress = 2 };
const char* PriceScenarioName(PriceScenario s);  // "flat BTC price", "history drift", "stress"
inline constexpr PriceScenario kPriceScenarios[] = {PriceScenario::kFlat,
                                                    PriceScenario::kHistoryDrift,
                                                    PriceScenario::kStress};

struct OutlookOptions {
  int lookback_months = 48;          // one halving cycle of history for both trend fits
  double stress_price_factor = 0.5;  // stress: BTC price x this from the first projected month
};

// Log-linear trend: value(t) = value(a) x (1 + growth_per_year)^(years since a).
struct Trends {
  double difficulty_growth_per_year = 0;
  double price_growth_per_year = 0;
  int months_used = 0;  // history months inside the lookback
  TimePoint first = 0, last = 0;
};
// Least squares of ln(value) on time over the history months in (anchor - lookback, anchor].
// Fails when fewer than 6 months fall inside.
Result<Trends> FitTrends(const BtcHistory& history, TimePoint anchor_month,
                         const OutlookOptions& options);

// hashprice(t) / hashprice(anchor) for a month starting at t (evaluated at its middle, 15 days
// in, so a month that a halving splits takes the subsidy of most of its days).
double HashpriceRatio(const Trends& trends, const FeeShareTable& fees, TimePoint anchor_month,
                      TimePoint month, PriceScenario scenario, const OutlookOptions& options);

}  // namespace rigshift::market
