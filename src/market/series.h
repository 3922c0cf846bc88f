// Market time series on a regular grid: electricity prices per market node, bitcoin hashprice,
// and GPU-hour prices per GPU class. Loaders (electricity.h, bitcoin.h, gpu_prices.h) turn the
// public formats into these; the core reads them through At(t) without any I/O.
//
// A StepSeries holds one value per step starting at `start`; a value holds from its step's start
// to the next step. Outside the covered range At() clamps to the first/last value (documented:
// callers that must not extrapolate check Covers()). Thread-safety: immutable values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "market/btc_outlook.h"

namespace rigshift::market {

template <typename T>
struct StepSeries {
  std::string name;
  TimePoint start = 0;
  Duration step = kHour;
  std::vector<T> values;

  bool empty() const { return values.empty(); }
  TimePoint end() const { return start + step * static_cast<int64_t>(values.size()); }
  bool Covers(TimePoint t) const { return !values.empty() && t >= start && t < end(); }
  size_t IndexOf(TimePoint t) const {
    if (values.empty() || t < start) return 0;
    size_t i = static_cast<size_t>((t - start) / step);
    return i < values.size() ? i : values.size() - 1;
  }
  T At(TimePoint t) const { return values.empty() ? T() : values[IndexOf(t)]; }
};

using PriceSeries = StepSeries<EnergyPrice>;    // USD/MWh, usually hourly
using HashPriceSeries = StepSeries<HashPrice>;  // USD per TH/s per day, usually daily or 4-daily

// What a loader did to make a clean grid out of raw rows (reported to the user, not hidden).
struct SeriesRepairs {
  int gaps_filled = 0;          // missing steps filled by carrying the previous value
  int duplicates_averaged = 0;  // repeated timestamps (DST fall-back) averaged
  int negative_values = 0;      // kept as they are; negative prices are real
  int spikes = 0;               // values above 1000 USD/MWh; kept, counted
  int overlapping_hours = 0;    // hours present in more than one merged file; first file kept
};

// GPU-hour prices by GPU model (catalogue canonical name) with a fallback curve on
// BF16/FP16 TFLOPS and memory for models not listed.
struct GpuHourPriceTable {
  std::map<std::string, GpuHourPrice> by_model;
  std::string source;
  std::map<std::string, std::string> row_source;  // optional citation per model (gpu_prices.h)
};

// Everything the economics need about markets for one run.
struct MarketData {
  std::map<std::string, PriceSeries> electricity;  // by market name ("ercot", "nyiso", ...)
  HashPriceSeries hashprice;  // SHA-256: USD per TH/s per day
  // GPU mining revenue by algorithm ("Ethash", "KawPow", ...), in the same unit as hashprice:
  // uUSD per 1e12 H/s of that algorithm per day, so MiningRevenue() works for every algorithm.
  std::map<std::string, HashPriceSeries> gpu_mining;
  GpuHourPriceTable gpu_prices;
  // For the hashprice projection past the window (btc_outlook.h): monthly difficulty and price
  // history, and transaction fees as a dated share of the block reward.
  BtcHistory btc_history;
  FeeShareTable fee_shares;
  std::string description;  // "embedded default scenario" or the files used
};

}  // namespace rigshift::market
