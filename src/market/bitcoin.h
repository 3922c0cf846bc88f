// Bitcoin hashprice (USD earned per TH/s per day): given directly, or computed from network data.
//
// Two routes, both from ../shared/data/markets/bitcoin:
//  (a) given directly: the derived CSVs, btc_miner_revenue_hashprice_4day_2009_2024.csv (column
//      hashprice_total_usd_per_ths_day, including fees) or btc_network_4day_2009_2024.csv (column
//      hashprice_subsidy_usd_per_ths_day, subsidy only), or any CSV with a date column and one of
//      those columns (or hashprice_usd_per_ths_day);
//  (b) computed from blockchain.com chart exports (JSON), in either export form:
//        two-metric   {"metric1": "difficulty", "metric2": "market-price",
//                      "difficulty": [{"x": ms_epoch, "y": v}, ...], "market-price": [...]}
//        single-metric {"name": "Miners Revenue", "unit": "USD",
//                      "values": [{"x": "2009-01-17 08:00:00", "y": v}, ...]}
//      - subsidy only: expected BTC per TH/s per day = 86400 * 1e12 * subsidy / (difficulty * 2^32)
//        times the BTC price, with the subsidy from the halving schedule (50 BTC at height 0,
//        halving every 210,000 blocks: 2012-11-28, 2016-07-09, 2020-05-11, 2024-04-20);
//      - with fees: miners' revenue (USD per day, subsidy + fees) / network hashrate (TH/s), the
//        hashrate linearly interpolated to the revenue sample times. The fee share is the
//        difference of the two. After the last revenue sample (the shared export ends 2024-01-15)
//        the with-fees
//        hashprice series continues as subsidy-only / (1 - fee share), the share of the block
//        reward that fees took at that date (btc_outlook.h's dated, sourced table), documented in
//        docs/market-data.md.
//
// Samples are every 4 days; HashPriceSeries are on a daily UTC grid. Each sample belongs to the
// UTC day its timestamp falls in; days between samples are interpolated linearly (default) or
// held at the previous sample (step), see Interpolation.
//
// Errors name the file and the JSON path or CSV line and column, e.g.
// "judista25_difficulty.json: difficulty[17].y: expected a number, found a string".
// Thread-safety: pure functions; the Load* wrappers only read files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "market/series.h"

namespace rigshift::market {

// --- The halving schedule ---
inline constexpr int64_t kHalvingInterval = 210000;  // blocks
inline constexpr int64_t kSatoshiPerBtc = 100000000;

// Block subsidy in satoshi at a block height: 50 BTC >> (height / 210,000); 0 after 64 halvings.
int64_t BlockSubsidySatoshiAtHeight(int64_t height);

struct Halving {
  int64_t height;
  TimePoint time;  // UTC time of the halving block (for the future one: an estimate)
  bool estimated;
};
// The halvings so far (heights 210,000 .. 840,000, block times from the chain), then the next
// one estimated at 10-minute blocks after 2024-04-20.
const std::vector<Halving>& Halvings();
// Subsidy (BTC) of a block mined at time t, by the halving dates.
double BlockSubsidyBtcAt(TimePoint t);

// 86400 * 1e12 * subsidy / (difficulty * 2^32): BTC a TH/s earns per day from the subsidy alone.
double ExpectedBtcPerThsDay(double difficulty, double subsidy_btc);

// --- blockchain.com chart exports ---
struct ChartPoint {
  TimePoint t = 0;
  double y = 0;
};
struct ChartSeries {
  std::string metric;  // "difficulty", "market-price", "hash-rate", "miners-revenue", ...
  std::string unit;    // from the single-metric form when given
  std::string source;
  std::vector<ChartPoint> points;  // strictly increasing in t
};

// Parses one export. `metric` selects the array of the two-metric form ("difficulty",
// "market-price", ...); empty selects metric1 (two-metric) or "values" (single-metric, whose
// metric name is derived from "name": "Miners Revenue" -> "miners-revenue").
Result<ChartSeries> ParseBlockchainChartJson(std::string_view text, const std::string& source,
                                             std::string_view metric = "");
// Every metric in an export: both arrays of the two-metric form, the one of the other.
Result<std::vector<ChartSeries>> ParseBlockchainChartJsonAll(std::string_view text,
                                                             const std::string& source);

// --- Hashprice samples (4-daily) ---
struct HashpriceSample {
  TimePoint t = 0;
  double usd_per_ths_day = 0;
};
struct HashpriceSamples {
  std::string name;    // "hashprice (with fees)", "hashprice (subsidy only)"
  std::string source;  // files it came from
  bool includes_fees = false;
  std::vector<HashpriceSample> samples;  // strictly increasing in t
};

// The derived CSV forms (see the header comment). Picks, in order,
// hashprice_total_usd_per_ths_day, hashprice_usd_per_ths_day, hashprice_subsidy_usd_per_ths_day.
Result<HashpriceSamples> ParseHashpriceCsv(std::string_view text, const std::string& source);

// One row of btc_network_4day_2009_2024.csv.
struct BtcNetworkSample {
  TimePoint t = 0;
  double difficulty = 0;
  double hash_rate_ths = 0;
  double price_usd = 0;
  double subsidy_btc = 0;
};
Result<std::vector<BtcNetworkSample>> ParseBtcNetworkCsv(std::string_view text,
                                                         const std::string& source);

// Subsidy-only hashprice at each difficulty sample, the price linearly interpolated to it.
Result<HashpriceSamples> HashpriceSubsidyOnly(const ChartSeries& difficulty,
                                              const ChartSeries& price_usd);
// Same from the network CSV's own columns (difficulty, price, subsidy as written).
HashpriceSamples HashpriceSubsidyOnly(const std::vector<BtcNetworkSample>& network);
// Revenue (USD/day, subsidy + fees) / hashrate (TH/s) at each revenue sample inside the
// hashrate's range, the hashrate linearly interpolated.
Result<HashpriceSamples> HashpriceFromRevenue(const ChartSeries& miners_revenue_usd,
                                              const ChartSeries& hash_rate_ths);

// --- Daily series ---
enum class Interpolation {
  kLinear,  // days between two samples are interpolated linearly (default)
  kStep,    // a sample's value holds until the next sample
};
Result<HashPriceSeries> ToDailySeries(const HashpriceSamples& samples,
                                      Interpolation interpolation = Interpolation::kLinear);

// Everything computed from a set of chart exports.
struct ComputedHashprice {
  HashpriceSamples subsidy_only;  // empty when difficulty or price is missing
  HashpriceSamples with_fees;     // empty when revenue or hashrate is missing
  HashPriceSeries daily_subsidy_only;
  // With fees where revenue covers the day; subsidy-only / (1 - fee share) after (see the header
  // comment); subsidy-only alone when no revenue was given.
  HashPriceSeries daily_with_fees;
};
// `charts` may hold any of: difficulty, market-price, hash-rate, miners-revenue. At least
// difficulty + market-price, or miners-revenue + hash-rate, must be present.
// `fees` sets the fee share after the revenue data end.
Result<ComputedHashprice> ComputeHashprice(const std::vector<ChartSeries>& charts,
                                           Interpolation interpolation = Interpolation::kLinear,
                                           const FeeShareTable& fees = DefaultFeeShares());

// --- File wrappers ---
// A derived CSV -> daily series.
Result<HashPriceSeries> LoadHashpriceCsv(const std::string& path,
                                         Interpolation interpolation = Interpolation::kLinear);
// Chart exports (any number of files, each either form) -> ComputeHashprice.
Result<ComputedHashprice> LoadHashpriceCharts(const std::vector<std::string>& paths,
                                              Interpolation interpolation = Interpolation::kLinear,
                                              const FeeShareTable& fees = DefaultFeeShares());

}  // namespace rigshift::market
