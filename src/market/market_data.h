// One call that assembles the MarketData of a run from whatever the user has, piece by piece,
// falling back to the embedded default scenario (default_scenario.h) for each piece not given.
//
// Rules (so that nothing is silently replaced):
//   - a file the user names (price file override, hashprice file, GPU price table) must load;
//     its errors are returned, never papered over by the default;
//   - with a data directory in the ../shared/data layout, each market in `markets` loads from
//     DATA_DIR/markets/electricity/FOLDER for from_year..to_year; a market whose folder is absent
//     takes the default (and says so in the notes); a folder that is present but lacks a year or
//     holds a malformed file is an error;
//   - hashprice from the data directory is computed from the blockchain.com exports
//     (DATA_DIR/markets/bitcoin/judista25_difficulty.json + trioxwater_miners-revenue.json +
//     trioxwater_hash-rate.json): subsidy from difficulty, price and the halvings, fees from
//     miners' revenue; absent exports -> the default;
//   - GPU mining revenue always comes from the embedded table (gpu_mining.h).
// MarketData::description lists what each piece came from; LoadedMarketData adds the repairs.
//
// Thread-safety: reads files; no shared state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "market/bitcoin.h"
#include "market/default_scenario.h"
#include "market/series.h"

namespace rigshift::market {

struct MarketDataOptions {
  std::string data_dir;              // ../shared/data layout; empty: no directory
  std::vector<std::string> markets;  // electricity markets; empty: ercot, nyiso, pjm, caiso
  int from_year = kDefaultFirstYear;
  int to_year = kDefaultLastYear;
  // Per market: CSV files in the green-dcc format that replace the directory/default for it
  // (the market name need not be one of the four: a user's own node, e.g. "miso-indiana"). A
  // directory stands for its yearly files *_YYYY.csv over from_year..to_year.
  std::map<std::string, std::vector<std::string>> price_files;
  // One derived CSV (btc_*_4day form) or any number of blockchain.com JSON exports.
  std::vector<std::string> hashprice_files;
  Interpolation hashprice_interpolation = Interpolation::kLinear;
  std::string gpu_price_file;  // CSV gpu,usd_per_hour; empty: the default table
};

struct LoadedMarketData {
  MarketData data;
  std::map<std::string, SeriesRepairs> electricity_repairs;  // markets loaded from files
  std::vector<std::string> notes;  // one line per piece: where it came from
};

Result<LoadedMarketData> LoadMarketDataWithReport(const MarketDataOptions& options);
Result<MarketData> LoadMarketData(const MarketDataOptions& options);

}  // namespace rigshift::market
