// Hourly wholesale electricity prices: the green-dcc CSV format (`Datetime,Price (USD/MWh)`) as
// found in ../shared/data/markets/electricity, turned into a PriceSeries on an hourly UTC grid.
//
// Start here: ParseElectricityCsv (pure: text + a source name for messages) and
// LoadElectricityMarket (reads the yearly files of one of the four shared markets).
//
// What the loader does to raw rows, and reports in SeriesRepairs (never silently):
//   - timestamps with an offset ("2021-01-01 00:00:00-06:00", ERCOT) are converted to UTC;
//     naive ones (NYISO, PJM, CAISO) are taken as UTC;
//   - rows that fall into the same UTC hour (a DST fall-back hour written twice in local time,
//     or sub-hourly rows) are averaged: `duplicates_averaged` counts the extra rows;
//   - a row may go back in time by up to one hour (a DST repeat); further back is an error;
//   - missing hours are filled by carrying the previous hour's value: `gaps_filled`, and the
//     `filled` mask marks them so that statistics can skip them;
//   - negative prices and spikes (> kSpikeUsdPerMwh) are kept as they are and counted;
//   - when several files are merged, hours present in more than one file (CAISO's yearly files
//     overlap by a day) keep the first file's value: `overlapping_hours` counts them.
// Errors name "file:line: column: what is wrong": bad header, unparsable time, a price that is
// not a number, time going backwards by more than a DST hour, a wrong column count, an empty
// file.
//
// Thread-safety: pure functions; the file wrappers only read files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "market/series.h"

namespace rigshift::market {

// Prices above this are counted as spikes (SeriesRepairs::spikes); they are kept.
inline constexpr double kSpikeUsdPerMwh = 1000.0;
// Prices outside +-this are rejected as garbage (ERCOT's cap was 9,000 USD/MWh in 2021).
inline constexpr double kMaxAbsUsdPerMwh = 1e6;
// A series may not span more hours than this (about 60 years): protects against a typo'd year
// turning into a gap of millions of filled hours.
inline constexpr int64_t kMaxSeriesHours = 60 * 8784;

// One UTC hour with its (averaged) price, before gap filling.
struct HourlyPrice {
  TimePoint hour = 0;  // start of the UTC hour
  EnergyPrice price;
  int rows = 1;  // raw rows averaged into it
};

// The rows of one file, bucketed into UTC hours, sorted, unique; no gap filling yet.
struct ParsedPrices {
  std::string source;
  std::vector<HourlyPrice> hours;
  SeriesRepairs repairs;  // duplicates_averaged only (gaps and counts are set when merging)
};

// An hourly series with what was done to it.
struct LoadedPrices {
  PriceSeries series;
  SeriesRepairs repairs;
  std::vector<bool> filled;          // per step: true where the value was carried over a gap
  std::vector<std::string> sources;  // files (or source names) in merge order
};

// Parses one CSV text. `source` names the input in messages (usually the file path).
Result<ParsedPrices> ParseElectricityRows(std::string_view text, const std::string& source);

// Merges parsed files into one hourly grid (see the header comment for overlaps and gaps).
// `name` becomes series.name. An empty list is an error.
Result<LoadedPrices> MergeHourlyPrices(const std::vector<ParsedPrices>& parts, std::string name);

// ParseElectricityRows + MergeHourlyPrices for a single text.
Result<LoadedPrices> ParseElectricityCsv(std::string_view text, const std::string& source,
                                         std::string name = "");

// Reads and merges the given files in order (a directory among them is an error).
Result<LoadedPrices> LoadElectricityFiles(const std::vector<std::string>& paths, std::string name);

// The yearly files `*_YYYY.csv` in `dir` for from_year..to_year, in year order; NotFound naming
// the first missing year and the years present.
Result<std::vector<std::string>> ElectricityYearFiles(const std::string& dir, int from_year,
                                                      int to_year);

// Loads the yearly files `*_YYYY.csv` in `dir` for from_year..to_year (inclusive). A year in the
// range without a file is an error that lists the years the folder has.
Result<LoadedPrices> LoadElectricityDir(const std::string& dir, int from_year, int to_year,
                                        std::string name = "");

// The four markets in ../shared/data/markets/electricity, by name.
struct ElectricityMarketInfo {
  std::string name;         // "ercot", "nyiso", "pjm", "caiso"
  std::string folder;       // relative to DATA_DIR/markets/electricity
  std::string file_prefix;  // files are PREFIX_YYYY.csv
  std::string node;         // "ERCOT HB_HUBAVG" ...
  std::string product;      // "day-ahead SPP", "real-time hourly LMP" ...
  std::string timestamps;   // "local with offset" or "naive UTC"
};
const std::vector<ElectricityMarketInfo>& ElectricityMarkets();
// Case-insensitive; NotFound with the known names otherwise.
Result<ElectricityMarketInfo> FindElectricityMarket(std::string_view name);
// DATA_DIR/markets/electricity/FOLDER
std::string ElectricityMarketDir(const std::string& data_dir, const ElectricityMarketInfo& m);
// Loads PREFIX_YYYY.csv for the years of one market from a shared-data directory.
Result<LoadedPrices> LoadElectricityMarket(const std::string& data_dir, std::string_view market,
                                           int from_year, int to_year);

// Mean price (USD/MWh) of each UTC calendar month that the series touches, over the hours not
// marked in `filled` (pass an empty mask to use every hour), in time order.
struct MonthlyMean {
  int year = 0;
  int month = 0;
  double mean_usd_per_mwh = 0;
  int hours = 0;
};
std::vector<MonthlyMean> MonthlyMeans(const PriceSeries& series, const std::vector<bool>& filled);

// Mean over the whole series (USD/MWh), skipping filled hours when a mask is given.
double MeanUsdPerMwh(const PriceSeries& series, const std::vector<bool>& filled);

}  // namespace rigshift::market
