#include "market/market_data.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/text.h"
#include "market/electricity.h"
#include "market/gpu_mining.h"
#include "market/gpu_prices.h"

namespace rigshift::market {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         ToLower(s.substr(s.size() - suffix.size())) == ToLower(suffix);
}

std::string RepairsText(const SeriesRepairs& r) {
  return std::to_string(r.gaps_filled) + " gap hours filled, " +
         std::to_string(r.duplicates_averaged) + " duplicate rows averaged, " +
         std::to_string(r.overlapping_hours) + " overlapping hours, " +
         std::to_string(r.negative_values) + " negative, " + std::to_string(r.spikes) +
         " spikes > 1000 USD/MWh";
}

std::string FileList(const std::vector<std::string>& files) {
  if (files.empty()) return "(none)";
  if (files.size() == 1) return files.front();
  return files.front() + " .. " + files.back() + " (" + std::to_string(files.size()) + " files)";
}

}  // namespace

Result<LoadedMarketData> LoadMarketDataWithReport(const MarketDataOptions& options) {
  if (options.from_year > options.to_year) {
    return Status::InvalidArgument("market data years " + std::to_string(options.from_year) + ".." +
                                   std::to_string(options.to_year) +
                                   ": the first year is after the last");
  }
  const MarketData defaults = DefaultScenario();
  LoadedMarketData out;
  MarketData& d = out.data;

  // Electricity.
  std::vector<std::string> markets = options.markets;
  if (markets.empty()) {
    for (const auto& m : ElectricityMarkets()) markets.push_back(m.name);
  }
  for (const auto& [name, files] : options.price_files) {
    if (std::find(markets.begin(), markets.end(), name) == markets.end()) markets.push_back(name);
  }
  for (const std::string& raw_name : markets) {
    const std::string name = ToLower(Trim(raw_name));
    if (auto it = options.price_files.find(raw_name); it != options.price_files.end()) {
      // A directory stands for its yearly files *_YYYY.csv over from_year..to_year.
      std::vector<std::string> files;
      for (const std::string& path : it->second) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
          ASSIGN_OR_RETURN(auto years,
                           ElectricityYearFiles(path, options.from_year, options.to_year));
          files.insert(files.end(), years.begin(), years.end());
        } else {
          files.push_back(path);
        }
      }
      ASSIGN_OR_RETURN(LoadedPrices p, LoadElectricityFiles(files, name));
      out.notes.push_back("electricity " + name + ": " + FileList(files) + "; " +
                          RepairsText(p.repairs));
      out.electricity_repairs[name] = p.repairs;
      d.electricity[name] = std::move(p.series);
      continue;
    }
    auto info = FindElectricityMarket(name);
    if (!options.data_dir.empty() && info.ok() &&
        std::filesystem::is_directory(ElectricityMarketDir(options.data_dir, *info))) {
      ASSIGN_OR_RETURN(LoadedPrices p, LoadElectricityMarket(options.data_dir, name,
                                                             options.from_year, options.to_year));
      out.notes.push_back("electricity " + name + ": " + FileList(p.sources) + "; " +
                          RepairsText(p.repairs));
      out.electricity_repairs[name] = p.repairs;
      d.electricity[name] = std::move(p.series);
      continue;
    }
    auto def = defaults.electricity.find(name);
    if (def == defaults.electricity.end()) {
      std::string known;
      for (const auto& [k, v] : defaults.electricity) known += (known.empty() ? "" : ", ") + k;
      return Status::NotFound("electricity market '" + raw_name +
                              "': no price files given and no default (defaults: " + known + ")");
    }
    d.electricity[name] = def->second;
    out.notes.push_back("electricity " + name + ": embedded default (monthly means 2021..2024 " +
                        "x daily shape)" +
                        (options.data_dir.empty() ? "" : "; not found under " + options.data_dir));
  }

  // The fee share of the block reward (the hashprice after the fee data end, and its projection)
  // and the network history the projection's trends are fitted to.
  d.fee_shares = defaults.fee_shares;
  d.btc_history = defaults.btc_history;
  if (!options.data_dir.empty()) {
    const std::string costs = options.data_dir + "/markets/reference/mining_costs.csv";
    if (std::filesystem::exists(costs)) {
      ASSIGN_OR_RETURN(std::string text, ReadFileToString(costs));
      ASSIGN_OR_RETURN(d.fee_shares, ParseFeeSharesCsv(text, costs));
    }
    const std::string network = options.data_dir + "/markets/bitcoin/btc_network_4day_2009_2024.csv";
    if (std::filesystem::exists(network)) {
      ASSIGN_OR_RETURN(std::string text, ReadFileToString(network));
      ASSIGN_OR_RETURN(auto samples, ParseBtcNetworkCsv(text, network));
      d.btc_history = MonthlyBtcHistory(samples, network + " (monthly means)");
    }
  }
  out.notes.push_back("fee share of the block reward after the fee data: " +
                      d.fee_shares.source + " (" + std::to_string(d.fee_shares.points.size()) +
                      " dated figures)");
  out.notes.push_back("BTC difficulty and price history for the projection: " +
                      d.btc_history.source);

  // Hashprice.
  std::vector<std::string> hp_files = options.hashprice_files;
  bool from_dir = false;
  if (hp_files.empty() && !options.data_dir.empty()) {
    const std::string dir = options.data_dir + "/markets/bitcoin/";
    std::vector<std::string> trio = {dir + "judista25_difficulty.json",
                                     dir + "trioxwater_miners-revenue.json",
                                     dir + "trioxwater_hash-rate.json"};
    bool all = true;
    for (const auto& f : trio) all = all && std::filesystem::exists(f);
    if (all) {
      hp_files = trio;
      from_dir = true;
    }
  }
  if (hp_files.empty()) {
    d.hashprice = defaults.hashprice;
    out.notes.push_back("hashprice: embedded default (monthly means 2021..2024, with fees)");
  } else {
    size_t json = 0;
    for (const auto& f : hp_files) json += EndsWith(f, ".json") ? 1 : 0;
    if (json == hp_files.size()) {
      ASSIGN_OR_RETURN(ComputedHashprice c,
                       LoadHashpriceCharts(hp_files, options.hashprice_interpolation, d.fee_shares));
      d.hashprice = std::move(c.daily_with_fees);
      out.notes.push_back(
          std::string("hashprice: computed from blockchain.com exports ") + FileList(hp_files) +
          (c.with_fees.samples.empty() ? " (subsidy only: no miners-revenue)" : " (with fees)") +
          (from_dir ? " found in the data directory" : ""));
    } else if (json == 0 && hp_files.size() == 1) {
      ASSIGN_OR_RETURN(d.hashprice,
                       LoadHashpriceCsv(hp_files.front(), options.hashprice_interpolation));
      out.notes.push_back("hashprice: " + hp_files.front() + " (" + d.hashprice.name + ")");
    } else {
      return Status::InvalidArgument(
          "hashprice files: give one CSV (date + hashprice column) or blockchain.com JSON "
          "exports, not " +
          FileList(hp_files));
    }
  }

  // GPU-hour prices.
  if (!options.gpu_price_file.empty()) {
    ASSIGN_OR_RETURN(d.gpu_prices, LoadGpuPriceFile(options.gpu_price_file));
    out.notes.push_back("GPU-hour prices: " + options.gpu_price_file + " (" +
                        std::to_string(d.gpu_prices.by_model.size()) +
                        " models; others by the default curve)");
  } else {
    d.gpu_prices = defaults.gpu_prices;
    out.notes.push_back("GPU-hour prices: embedded default table (" +
                        std::to_string(d.gpu_prices.by_model.size()) + " models) + curve");
  }

  d.gpu_mining = defaults.gpu_mining;
  out.notes.push_back(
      "GPU mining revenue: embedded table (Ethash to the Merge, Etchash and "
      "Autolykos2 after; see docs/market-data.md)");

  for (const std::string& n : out.notes) {
    d.description += (d.description.empty() ? "" : "\n") + n;
  }
  return out;
}

Result<MarketData> LoadMarketData(const MarketDataOptions& options) {
  ASSIGN_OR_RETURN(LoadedMarketData loaded, LoadMarketDataWithReport(options));
  return std::move(loaded.data);
}

}  // namespace rigshift::market
