// GPU mining revenue per algorithm (MarketData::gpu_mining): USD earned per unit of hashrate per
// day, in the same unit as bitcoin hashprice (uUSD per 1e12 H/s per day) so that
// MiningRevenue(hashrate, seconds, price) works for every algorithm.
//
// There is no series for this in ../shared/data, and the usual sources (whattomine, 2miners,
// NiceHash histories) are not in it either. What is here is small and says what it is:
//   - Ethash (Ethereum), 2021-01 .. the Merge (2022-09-15): monthly figures in USD per MH/s per
//     day. A month is either ANCHORED on a cited figure (press articles quoting the network-wide
//     revenue per MH/s, or a figure derived from a cited monthly miner revenue and network
//     hashrate, or from a cited per-card revenue and hashrate), or INTERPOLATED linearly between
//     the two anchors around it (marked, and its source names both anchors). From 2022-09-15 on,
//     Ethash earns zero: Ethereum no longer has proof of work.
//   - After the Merge: Etchash (Ethereum Classic) and Autolykos2 (Ergo) from the one cited
//     measurement on the day of the Merge (NiceHash on an RTX 3090, Tom's Hardware 2022-09-15),
//     held flat: an ASSUMPTION for every later month, said so in each row's source.
// Treat these as order-of-magnitude figures (docs/market-data.md); a user with real pool payouts
// should supply them instead.
//
// Thread-safety: pure functions over static tables.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/time.h"
#include "market/series.h"

namespace rigshift::market {

// 1 USD per MH/s per day = 1e6 USD per TH/s per day.
HashPrice UsdPerMhDay(double usd_per_mh_day);
double ToUsdPerMhDay(HashPrice p);

// The Merge: Ethereum's last proof-of-work block was mined on 2022-09-15 (06:42 UTC); the
// table treats the whole of that UTC day as post-Merge.
TimePoint EthereumMergeDay();

enum class MiningFigureKind { kAnchored, kInterpolated, kAssumedFlat };

struct GpuMiningMonth {
  std::string algorithm;  // "Ethash", "Etchash", "Autolykos2" (catalogue algorithm names)
  int year = 0;
  int month = 0;
  double usd_per_mh_day = 0;
  MiningFigureKind kind = MiningFigureKind::kAnchored;
  std::string source;  // citation, or how it was derived
};

// The monthly table of every algorithm, 2021-01 .. 2024-12, in time order per algorithm.
const std::vector<GpuMiningMonth>& GpuMiningTable();

// Daily series per algorithm over [from_year-01-01, to_year+1-01-01) built from the table
// (each day takes its month's figure; Ethash is zero from the Merge day on). Months outside
// 2021..2024 take the nearest month's figure (documented clamp).
std::map<std::string, HashPriceSeries> DefaultGpuMining(int from_year = 2021, int to_year = 2024);

}  // namespace rigshift::market
