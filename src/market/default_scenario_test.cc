#include "market/default_scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "market/bitcoin.h"
#include "market/electricity.h"
#include "market/gpu_mining.h"
#include "market/gpu_prices.h"
#include "market/test_data_dir.h"

namespace rigshift::market {
namespace {

TimePoint T(const char* text) { return *ParseTimestamp(text); }

// Runs with no files at all: everything a run needs is there, on the documented window.
TEST(DefaultScenarioTest, HoldsEveryPieceOnThe2021To2024Window) {
  MarketData d = DefaultScenario();
  ASSERT_EQ(d.electricity.size(), 4u);
  const size_t hours = (YearStart(2025) - YearStart(2021)) / kHour;  // 35,064
  for (const char* m : {"ercot", "nyiso", "pjm", "caiso"}) {
    ASSERT_TRUE(d.electricity.count(m)) << m;
    const PriceSeries& s = d.electricity.at(m);
    EXPECT_EQ(s.start, YearStart(2021)) << m;
    EXPECT_EQ(s.step, kHour);
    EXPECT_EQ(s.values.size(), hours) << m;
  }
  EXPECT_EQ(d.hashprice.start, YearStart(2021));
  EXPECT_EQ(d.hashprice.step, kDay);
  EXPECT_EQ(d.hashprice.values.size(), 1461u);
  EXPECT_FALSE(d.gpu_prices.by_model.empty());
  for (const char* algo : {"Ethash", "Etchash", "Autolykos2"}) {
    EXPECT_TRUE(d.gpu_mining.count(algo)) << algo;
  }
  EXPECT_NE(d.description.find("default"), std::string::npos);
}

// The hourly series keeps each month's mean (shape normalised to 1) and follows the shape.
TEST(DefaultScenarioTest, HourlySeriesKeepsMonthlyMeans) {
  for (const DefaultElectricityMarket& m : DefaultElectricityMonthly()) {
    SCOPED_TRACE(m.market);
    ASSERT_EQ(m.months.size(), 48u);
    double shape_mean =
        std::accumulate(m.utc_hour_shape.begin(), m.utc_hour_shape.end(), 0.0) / 24.0;
    EXPECT_NEAR(shape_mean, 1.0, 0.002);
    EXPECT_NE(m.source.find("green-dcc"), std::string::npos);
    PriceSeries s = HourlyFromMonthly(m);
    auto means = MonthlyMeans(s, {});
    ASSERT_EQ(means.size(), m.months.size());
    for (size_t i = 0; i < means.size(); ++i) {
      EXPECT_EQ(means[i].year, m.months[i].year);
      EXPECT_EQ(means[i].month, m.months[i].month);
      EXPECT_NEAR(means[i].mean_usd_per_mwh, m.months[i].value, 1e-4);
    }
    // Evening peak above the night trough in every market's shape.
    auto [lo, hi] = std::minmax_element(m.utc_hour_shape.begin(), m.utc_hour_shape.end());
    EXPECT_GT(*hi / *lo, 1.4);
  }
  // ERCOT February 2021 (Uri) is in the table as a month mean.
  const auto& ercot = DefaultElectricityMonthly()[0];
  EXPECT_EQ(ercot.market, "ercot");
  EXPECT_NEAR(ercot.months[1].value, 1483.06, 1e-9);
}

TEST(DefaultScenarioTest, HashpriceIsStepByMonth) {
  MarketData d = DefaultScenario();
  const auto& months = DefaultHashpriceMonthly().months;
  ASSERT_EQ(months.size(), 48u);
  EXPECT_EQ(d.hashprice.At(T("2022-11-21")), UsdPerThsDay(months[22].value));
  EXPECT_EQ(d.hashprice.At(T("2022-11-01")), d.hashprice.At(T("2022-11-30")));
  // The halving month 2024-04 to 2024-05 roughly halves the subsidy part.
  EXPECT_LT(months[40].value, 0.75 * months[38].value);
}

TEST(DefaultScenarioTest, GpuMiningEthashEndsAtTheMerge) {
  auto mining = DefaultGpuMining(2021, 2024);
  const HashPriceSeries& eth = mining.at("Ethash");
  EXPECT_EQ(eth.start, YearStart(2021));
  EXPECT_NEAR(ToUsdPerMhDay(eth.At(T("2021-01-15"))), 0.05, 1e-9);
  EXPECT_NEAR(ToUsdPerMhDay(eth.At(T("2022-09-14"))), 0.0233, 1e-9);
  EXPECT_EQ(eth.At(T("2022-09-15")), HashPrice());
  EXPECT_EQ(eth.At(T("2024-12-31")), HashPrice());
  EXPECT_EQ(eth.At(T("2030-01-01")), HashPrice());  // clamps to the last value: zero
  const HashPriceSeries& etc = mining.at("Etchash");
  EXPECT_EQ(etc.start, EthereumMergeDay());
  EXPECT_NEAR(ToUsdPerMhDay(etc.At(T("2023-06-01"))), 0.33 / 120, 1e-9);
  // 0.05 USD per MH/s per day on a 120 MH/s card is 6 USD a day.
  EXPECT_EQ(MiningRevenue(MegahashPerSecond(120), kDay, UsdPerMhDay(0.05)), Usd(6.0));
}

TEST(DefaultScenarioTest, GpuMiningTableSaysWhatEachFigureIs) {
  int anchored = 0, interpolated = 0, assumed = 0;
  for (const GpuMiningMonth& m : GpuMiningTable()) {
    SCOPED_TRACE(m.algorithm + " " + std::to_string(m.year) + "-" + std::to_string(m.month));
    EXPECT_FALSE(m.source.empty());
    EXPECT_GE(m.usd_per_mh_day, 0);
    EXPECT_LT(m.usd_per_mh_day, 0.3);
    switch (m.kind) {
      case MiningFigureKind::kAnchored:
        ++anchored;
        break;
      case MiningFigureKind::kInterpolated:
        ++interpolated;
        EXPECT_NE(m.source.find("interpolated"), std::string::npos);
        break;
      case MiningFigureKind::kAssumedFlat:
        ++assumed;
        EXPECT_NE(m.source.find("ASSUMPTION"), std::string::npos);
        break;
    }
  }
  EXPECT_EQ(anchored, 10 + 27 + 2);  // Ethash anchors, Ethash zero months, post-Merge anchors
  EXPECT_EQ(interpolated, 21 - 10);
  EXPECT_EQ(assumed, 2 * 27);
}

// --- The embedded figures against ../shared/data ---

class SharedDefaultScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveSharedMarkets())
      GTEST_SKIP() << "no shared data at " << testing::SharedDataDir();
  }
};

// Every embedded monthly mean within 0.5% of the same mean recomputed from the files; the shapes
// within 0.005; and the yearly means within 2% of the shared README's (which are per file, in
// local years for ERCOT and CAISO, so not exactly our UTC years).
TEST_F(SharedDefaultScenarioTest, ElectricityMonthsMatchTheSharedFiles) {
  const std::map<std::string, std::vector<double>> readme = {
      {"ercot", {145.6, 64.3, 55.9, 28.1}},
      {"nyiso", {44.6, 94.5, 36.4, 38.2}},
      {"pjm", {42.7, 89.5, 35.8, 36.2}},
      {"caiso", {52.3, 89.0, 61.5, 40.7}},
  };
  for (const DefaultElectricityMarket& m : DefaultElectricityMonthly()) {
    SCOPED_TRACE(m.market);
    auto loaded = LoadElectricityMarket(testing::SharedDataDir(), m.market, 2021, 2024);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    std::map<int, MonthlyMean> actual;
    for (const MonthlyMean& mm : MonthlyMeans(loaded->series, loaded->filled)) {
      actual[mm.year * 100 + mm.month] = mm;
    }
    std::map<int, std::pair<double, int>> years;
    for (const MonthlyFigure& f : m.months) {
      ASSERT_TRUE(actual.count(f.year * 100 + f.month)) << f.year << "-" << f.month;
      const MonthlyMean& a = actual.at(f.year * 100 + f.month);
      EXPECT_NEAR(f.value, a.mean_usd_per_mwh, 0.005 * std::abs(a.mean_usd_per_mwh))
          << f.year << "-" << f.month;
      years[f.year].first += f.value * a.hours;
      years[f.year].second += a.hours;
    }
    for (int y = 2021; y <= 2024; ++y) {
      double mean = years[y].first / years[y].second;
      EXPECT_NEAR(mean, readme.at(m.market)[y - 2021], 0.02 * readme.at(m.market)[y - 2021]) << y;
    }
    // The shape, recomputed as documented.
    std::vector<double> ratios[24];
    const PriceSeries& s = loaded->series;
    for (size_t i = 0; i + 24 <= s.values.size(); ++i) {
      TimePoint t = s.start + static_cast<int64_t>(i) * kHour;
      if (t % kDay != 0 || YearOf(t) < 2021 || YearOf(t) > 2024) continue;
      double mean = 0;
      bool gap = false;
      for (int h = 0; h < 24; ++h) {
        gap |= loaded->filled[i + h];
        mean += ToUsdPerMwh(s.values[i + h]) / 24;
      }
      if (gap || mean <= 5) continue;
      for (int h = 0; h < 24; ++h) ratios[h].push_back(ToUsdPerMwh(s.values[i + h]) / mean);
    }
    double med[24], total = 0;
    for (int h = 0; h < 24; ++h) {
      auto& v = ratios[h];
      std::sort(v.begin(), v.end());
      size_t n = v.size();
      med[h] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      total += med[h];
    }
    for (int h = 0; h < 24; ++h) {
      EXPECT_NEAR(m.utc_hour_shape[h], med[h] * 24 / total, 0.005) << "hour " << h;
    }
  }
}

TEST_F(SharedDefaultScenarioTest, HashpriceMonthsMatchTheSharedExports) {
  std::string dir = testing::SharedDataDir() + "/markets/bitcoin/";
  auto c = LoadHashpriceCharts({dir + "judista25_difficulty.json",
                                dir + "trioxwater_miners-revenue.json",
                                dir + "trioxwater_hash-rate.json"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const HashPriceSeries& w = c->daily_with_fees;
  double last = 0;
  for (const MonthlyFigure& f : DefaultHashpriceMonthly().months) {
    double sum = 0;
    int days = 0;
    for (TimePoint d = DaysFromCivil(f.year, f.month, 1) * kDay;
         YearOf(d) == f.year && MonthOf(d) == f.month; d += kDay) {
      if (!w.Covers(d)) continue;
      sum += ToUsdPerThsDay(w.At(d));
      ++days;
    }
    if (days == 0) {
      // Past the data (2024-12): the table carries the previous month.
      EXPECT_EQ(f.value, last) << f.year << "-" << f.month;
      continue;
    }
    EXPECT_NEAR(f.value, sum / days, 0.005 * sum / days) << f.year << "-" << f.month;
    last = f.value;
  }
  // And against the derived with-fees CSV (btc_miner_revenue_hashprice_4day_2009_2024.csv, the
  // same daily interpolation), 2021..2023: the monthly means agree within 1%.
  auto derived = LoadHashpriceCsv(dir + "btc_miner_revenue_hashprice_4day_2009_2024.csv");
  ASSERT_TRUE(derived.ok());
  for (const MonthlyFigure& f : DefaultHashpriceMonthly().months) {
    if (f.year > 2023) continue;
    double sum = 0;
    int days = 0;
    for (TimePoint d = DaysFromCivil(f.year, f.month, 1) * kDay;
         YearOf(d) == f.year && MonthOf(d) == f.month; d += kDay) {
      sum += ToUsdPerThsDay(derived->At(d));
      ++days;
    }
    EXPECT_NEAR(f.value, sum / days, 0.01 * sum / days) << f.year << "-" << f.month;
  }
}

}  // namespace
}  // namespace rigshift::market
