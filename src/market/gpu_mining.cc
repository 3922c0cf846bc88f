#include "market/gpu_mining.h"

#include <algorithm>
#include <cstdio>

namespace rigshift::market {
namespace {

struct Anchor {
  int year;
  int month;
  double usd_per_mh_day;
  const char* source;
};

// Ethash anchors, USD per MH/s per day.
const Anchor kEthashAnchors[] = {
    {2021, 1, 0.05,
     "'around $0.05 per day per Mhash/s in January [2021]' (d1softballnews.com, 'Ethereum "
     "mining: new record for hashrate', 2021-12-28)"},
    {2021, 5, 0.161,
     "derived: May 2021 Ethereum miner revenue ~2.4 billion USD (Glassnode via ambcrypto.com, "
     "'Ethereum miners' revenue check amid Merge anticipation') / 31 days / 480 TH/s (the "
     "post-crackdown hashrate quoted by digitalcurrencyresearch.io, 2022-01-16; the May mean was "
     "higher, so this is an upper bound); the same source quotes a one-day peak of 0.28"},
    {2021, 6, 0.05,
     "'fallen as low as $0.05 between June and July [2021]' (digitalcurrencyresearch.io, "
     "'Ethereum: is mining no longer profitable', 2022-01-16)"},
    {2021, 7, 0.05, "as 2021-06 (digitalcurrencyresearch.io, 2022-01-16)"},
    {2021, 11, 0.09,
     "'rising to almost $0.09 per day in November [2021]' (digitalcurrencyresearch.io, "
     "2022-01-16)"},
    {2021, 12, 0.06, "'now it is around $0.06' (d1softballnews.com, 2021-12-28)"},
    {2022, 1, 0.05,
     "'its current $0.05 per day per MHash/s' (digitalcurrencyresearch.io, 2022-01-16)"},
    {2022, 4, 0.0463,
     "derived: April 2022 Ethereum miner revenue 1.39 billion USD (Glassnode via ambcrypto.com) / "
     "30 days / 1,000 TH/s (network hashrate 'peaking above 1,000 TH/s', same article)"},
    {2022, 5, 0.0327,
     "derived: May 2022 revenue 27% below April's 1.39 billion USD (Glassnode via ambcrypto.com) "
     "/ 31 days / 1,000 TH/s"},
    {2022, 9, 0.0233,
     "derived: an RTX 3090 'could gross around $2.80 per day' before the Merge at ~120 MH/s "
     "(Tom's Hardware, 'Ethereum's Merge Completed Without a Hitch', 2022-09-15)"},
};

// Post-Merge figures, one measurement each (Tom's Hardware, 2022-09-15, NiceHash on an RTX 3090).
const Anchor kEtchashAnchor = {
    2022, 9, 0.33 / 120.0,
    "derived: Ethereum Classic at 120 MH/s 'potentially bringing in $0.33 per day' on an RTX 3090 "
    "(Tom's Hardware, 2022-09-15)"};
const Anchor kAutolykosAnchor = {
    2022, 9, 0.65 / 245.0,
    "derived: Autolykos at 245 MH/s 'bringing in BTC equivalent to around $0.65 per day' on an "
    "RTX 3090 (Tom's Hardware, 2022-09-15)"};

int MonthIndex(int year, int month) { return year * 12 + (month - 1); }

std::vector<GpuMiningMonth> BuildTable() {
  std::vector<GpuMiningMonth> out;
  // Ethash 2021-01 .. 2022-09 (the Merge month keeps its pre-Merge figure for days 1..14).
  const int first = MonthIndex(2021, 1);
  const int last = MonthIndex(2022, 9);
  const size_t n = sizeof(kEthashAnchors) / sizeof(kEthashAnchors[0]);
  for (int m = first; m <= last; ++m) {
    GpuMiningMonth row;
    row.algorithm = "Ethash";
    row.year = m / 12;
    row.month = m % 12 + 1;
    size_t hi = 0;
    while (hi < n && MonthIndex(kEthashAnchors[hi].year, kEthashAnchors[hi].month) < m) ++hi;
    if (hi < n && MonthIndex(kEthashAnchors[hi].year, kEthashAnchors[hi].month) == m) {
      row.usd_per_mh_day = kEthashAnchors[hi].usd_per_mh_day;
      row.kind = MiningFigureKind::kAnchored;
      row.source = kEthashAnchors[hi].source;
    } else {
      const Anchor& a = kEthashAnchors[hi - 1];
      const Anchor& b = kEthashAnchors[hi];
      int ma = MonthIndex(a.year, a.month), mb = MonthIndex(b.year, b.month);
      double f = static_cast<double>(m - ma) / (mb - ma);
      row.usd_per_mh_day = a.usd_per_mh_day + (b.usd_per_mh_day - a.usd_per_mh_day) * f;
      row.kind = MiningFigureKind::kInterpolated;
      char buf[96];
      std::snprintf(buf, sizeof buf,
                    "interpolated linearly between the anchors %04d-%02d and %04d-%02d", a.year,
                    a.month, b.year, b.month);
      row.source = buf;
    }
    out.push_back(row);
  }
  for (int m = MonthIndex(2022, 10); m <= MonthIndex(2024, 12); ++m) {
    out.push_back(
        GpuMiningMonth{"Ethash", m / 12, m % 12 + 1, 0.0, MiningFigureKind::kAnchored,
                       "zero: no proof of work on Ethereum after the Merge (2022-09-15)"});
  }
  for (const auto* anchor : {&kEtchashAnchor, &kAutolykosAnchor}) {
    const char* algo = anchor == &kEtchashAnchor ? "Etchash" : "Autolykos2";
    for (int m = MonthIndex(2022, 9); m <= MonthIndex(2024, 12); ++m) {
      bool is_anchor = m == MonthIndex(anchor->year, anchor->month);
      out.push_back(GpuMiningMonth{
          algo, m / 12, m % 12 + 1, anchor->usd_per_mh_day,
          is_anchor ? MiningFigureKind::kAnchored : MiningFigureKind::kAssumedFlat,
          is_anchor ? std::string(anchor->source)
                    : std::string("ASSUMPTION: held flat at the 2022-09-15 figure (") +
                          anchor->source + ")"});
    }
  }
  return out;
}

}  // namespace

HashPrice UsdPerMhDay(double usd_per_mh_day) { return UsdPerThsDay(usd_per_mh_day * 1e6); }
double ToUsdPerMhDay(HashPrice p) { return ToUsdPerThsDay(p) / 1e6; }

TimePoint EthereumMergeDay() { return DaysFromCivil(2022, 9, 15) * kDay; }

const std::vector<GpuMiningMonth>& GpuMiningTable() {
  static const std::vector<GpuMiningMonth> kTable = BuildTable();
  return kTable;
}

std::map<std::string, HashPriceSeries> DefaultGpuMining(int from_year, int to_year) {
  std::map<std::string, std::vector<const GpuMiningMonth*>> by_algo;
  for (const GpuMiningMonth& m : GpuMiningTable()) by_algo[m.algorithm].push_back(&m);
  std::map<std::string, HashPriceSeries> out;
  const TimePoint begin = YearStart(from_year);
  const TimePoint end = YearStart(to_year + 1);
  for (const auto& [algo, months] : by_algo) {
    HashPriceSeries s;
    s.name = algo + " (rigshift default GPU mining table)";
    s.step = kDay;
    // Post-Merge algorithms start on the Merge day; Ethash covers the whole window.
    s.start = algo == "Ethash" ? begin : std::max(begin, EthereumMergeDay());
    for (TimePoint d = s.start; d < end; d += kDay) {
      int key = MonthIndex(YearOf(d), MonthOf(d));
      // Nearest month of the table (clamp at both ends).
      const GpuMiningMonth* pick = months.front();
      for (const GpuMiningMonth* m : months) {
        if (MonthIndex(m->year, m->month) <= key) pick = m;
      }
      double v = pick->usd_per_mh_day;
      if (algo == "Ethash" && d >= EthereumMergeDay()) v = 0;
      s.values.push_back(UsdPerMhDay(v));
    }
    if (!s.values.empty()) out[algo] = std::move(s);
  }
  return out;
}

}  // namespace rigshift::market
