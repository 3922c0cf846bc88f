#include "market/bitcoin.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/text.h"
#include "market/test_data_dir.h"

namespace rigshift::market {
namespace {

TimePoint T(const char* text) { return *ParseTimestamp(text); }

TEST(BitcoinTest, SubsidyHalvesEvery210000Blocks) {
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(0), 50 * kSatoshiPerBtc);
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(209999), 50 * kSatoshiPerBtc);
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(210000), 25 * kSatoshiPerBtc);
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(840000), 312500000);
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(64 * kHalvingInterval), 0);
  EXPECT_EQ(BlockSubsidySatoshiAtHeight(-1), 0);
}

TEST(BitcoinTest, SubsidyByHalvingDates) {
  EXPECT_EQ(BlockSubsidyBtcAt(T("2009-01-03")), 50.0);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2012-11-28 15:00:00")), 50.0);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2012-11-28 16:00:00")), 25.0);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2016-07-10")), 12.5);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2020-05-11 00:00:00")), 12.5);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2020-05-12")), 6.25);
  EXPECT_EQ(BlockSubsidyBtcAt(T("2024-04-21")), 3.125);
  ASSERT_EQ(Halvings().size(), 5u);
  EXPECT_TRUE(Halvings().back().estimated);
  EXPECT_EQ(FormatDate(Halvings().back().time), "2028-04-17");
}

// 2020-05-12 row of btc_network_4day_2009_2024.csv: D = 16,101,239,502,493, subsidy 6.25 BTC,
// expected 7.808625389e-06 BTC per TH/s per day.
TEST(BitcoinTest, ExpectedBtcFormula) {
  EXPECT_NEAR(ExpectedBtcPerThsDay(16101239502493.129, 6.25), 7.808625389e-06, 1e-14);
  // By hand: 86400 * 1e12 * 6.25 / (1e13 * 2^32) = 5.4e17 / 4.294967296e22.
  EXPECT_NEAR(ExpectedBtcPerThsDay(1e13, 6.25), 5.4e17 / 4.294967296e22, 1e-18);
}

constexpr const char* kTwoMetric = R"({
  "metric1": "difficulty", "metric2": "market-price",
  "difficulty": [{"x": 1609459200000, "y": 18599593048299.49},
                 {"x": 1609804800000, "y": 18599593048299.49}],
  "market-price": [{"x": 1609459200000, "y": 29000}, {"x": 1609804800000, "y": 33000}],
  "type": "linear", "average": "7D"})";

constexpr const char* kSingleMetric = R"({
  "name": "Miners Revenue", "unit": "USD", "description": "...",
  "values": [{"x": "2021-01-01 08:00:00", "y": 40000000.0},
             {"x": "2021-01-05 08:00:00", "y": 44000000.0}]})";

TEST(BitcoinTest, ParsesBothExportForms) {
  auto all = ParseBlockchainChartJsonAll(kTwoMetric, "two.json");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].metric, "difficulty");
  EXPECT_EQ((*all)[1].metric, "market-price");
  EXPECT_EQ((*all)[0].points[0].t, T("2021-01-01"));
  auto price = ParseBlockchainChartJson(kTwoMetric, "two.json", "market-price");
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(price->points[1].y, 33000);
  auto rev = ParseBlockchainChartJson(kSingleMetric, "one.json");
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_EQ(rev->metric, "miners-revenue");
  EXPECT_EQ(rev->unit, "USD");
  EXPECT_EQ(rev->points[0].t, T("2021-01-01 08:00:00"));
}

TEST(BitcoinTest, SubsidyOnlyHashpriceFromCharts) {
  auto d = ParseBlockchainChartJson(kTwoMetric, "two.json", "difficulty");
  auto p = ParseBlockchainChartJson(kTwoMetric, "two.json", "market-price");
  ASSERT_TRUE(d.ok() && p.ok());
  auto hp = HashpriceSubsidyOnly(*d, *p);
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  ASSERT_EQ(hp->samples.size(), 2u);
  double expected = 86400.0 * 1e12 * 6.25 / (18599593048299.49 * 4294967296.0) * 29000;
  EXPECT_NEAR(hp->samples[0].usd_per_ths_day, expected, 1e-12);
  EXPECT_FALSE(hp->includes_fees);
}

// Revenue / hashrate, the hashrate interpolated linearly to the revenue sample time.
TEST(BitcoinTest, WithFeesHashpriceInterpolatesHashrate) {
  ChartSeries rev{"miners-revenue", "USD", "r.json", {{T("2021-01-03"), 30e6}}};
  ChartSeries hr{
      "hash-rate", "TH/s", "h.json", {{T("2021-01-01"), 100e6}, {T("2021-01-05"), 200e6}}};
  auto hp = HashpriceFromRevenue(rev, hr);
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  ASSERT_EQ(hp->samples.size(), 1u);
  EXPECT_DOUBLE_EQ(hp->samples[0].usd_per_ths_day, 30e6 / 150e6);
  EXPECT_TRUE(hp->includes_fees);
}

TEST(BitcoinTest, DailySeriesLinearOrStep) {
  HashpriceSamples s;
  s.name = "x";
  s.samples = {{T("2022-01-01 08:00:00"), 1.0}, {T("2022-01-05 08:00:00"), 2.0}};
  auto lin = ToDailySeries(s, Interpolation::kLinear);
  ASSERT_TRUE(lin.ok()) << lin.status().ToString();
  EXPECT_EQ(lin->start, T("2022-01-01"));
  EXPECT_EQ(lin->step, kDay);
  ASSERT_EQ(lin->values.size(), 5u);
  EXPECT_EQ(lin->values[0], UsdPerThsDay(1.0));
  EXPECT_EQ(lin->values[1], UsdPerThsDay(1.25));
  EXPECT_EQ(lin->values[4], UsdPerThsDay(2.0));
  auto step = ToDailySeries(s, Interpolation::kStep);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->values[3], UsdPerThsDay(1.0));
  EXPECT_EQ(step->values[4], UsdPerThsDay(2.0));
}

// After the revenue data end, the with-fees series is subsidy-only / (1 - the fee share of that
// date): with fees at 20 % of the block reward, 0.1 / 0.8 = 0.125 (not the 0.13 of the last
// revenue samples carried on).
TEST(BitcoinTest, WithFeesContinuesWithTheDatedFeeShare) {
  // Difficulty chosen so that subsidy-only is exactly 0.1 USD/TH/day at 1 USD per BTC... use a
  // price that makes it 0.1: price = 0.1 / expected.
  double expected = ExpectedBtcPerThsDay(5e13, 6.25);
  double price = 0.1 / expected;
  ChartSeries d{"difficulty", "", "d.json", {}};
  ChartSeries p{"market-price", "", "d.json", {}};
  for (int k = 0; k < 6; ++k) {
    TimePoint t = T("2021-03-01") + k * 4 * kDay;
    d.points.push_back({t, 5e13});
    p.points.push_back({t, price});
  }
  // Revenue for the first three samples: 0.13 USD/TH/day at 1e8 TH/s, i.e. 0.03 of fees.
  ChartSeries r{"miners-revenue", "USD", "r.json", {}};
  ChartSeries h{"hash-rate", "TH/s", "h.json", {}};
  for (int k = 0; k < 3; ++k) {
    TimePoint t = T("2021-03-01") + k * 4 * kDay;
    r.points.push_back({t, 0.13 * 1e8});
    h.points.push_back({t, 1e8});
  }
  FeeShareTable fees;
  fees.points = {{T("2021-01-01"), 0.2, "test"}};
  auto c = ComputeHashprice({d, p, r, h}, Interpolation::kLinear, fees);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NEAR(ToUsdPerThsDay(c->daily_subsidy_only.At(T("2021-03-17"))), 0.1, 1e-6);
  EXPECT_NEAR(ToUsdPerThsDay(c->daily_with_fees.At(T("2021-03-05"))), 0.13, 1e-6);
  EXPECT_NEAR(ToUsdPerThsDay(c->daily_with_fees.At(T("2021-03-17"))), 0.125, 1e-6);
  EXPECT_EQ(c->daily_with_fees.end(), c->daily_subsidy_only.end());
}

TEST(BitcoinTest, ComputeNeedsAPairOfMetrics) {
  ChartSeries d{"difficulty", "", "d.json", {{T("2021-01-01"), 1.0}}};
  auto c = ComputeHashprice({d});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the exports hold: difficulty"), std::string::npos);
}

struct BadCase {
  const char* text;
  const char* expected;
};

TEST(BitcoinTest, BadJsonGivesFileAndPath) {
  const std::vector<BadCase> cases = {
      {"", "bad.json: empty file"},
      {"{\"metric1\": ", "bad.json: parse error at line 1, column 13"},
      {"[1, 2]", "bad.json: (top level): expected an object, found an array"},
      {"{\"a\": 1}", "bad.json: (top level): neither a two-metric export"},
      {R"({"metric1": "difficulty"})", "bad.json: difficulty: missing (named by metric1)"},
      {R"({"metric1": 3, "difficulty": []})", "bad.json: metric1: expected a metric name"},
      {R"({"metric1": "difficulty", "difficulty": {}})",
       "bad.json: difficulty: expected an array of {\"x\", \"y\"} points, found an object"},
      {R"({"metric1": "difficulty", "difficulty": []})", "bad.json: difficulty: no points"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": 1609459200000, "y": 1}, {"x": 1609804800000, "y": "7"}]})",
       "bad.json: difficulty[1].y: expected a number, found a string"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": 1609459200000}]})",
       "bad.json: difficulty[0].y: missing"},
      {R"({"metric1": "difficulty", "difficulty": [{"y": 1}]})",
       "bad.json: difficulty[0].x: missing"},
      {R"({"metric1": "difficulty", "difficulty": [3]})",
       "bad.json: difficulty[0]: expected an object {\"x\", \"y\"}, found a number"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": true, "y": 1}]})",
       "bad.json: difficulty[0].x: expected a time"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": 1e300, "y": 1}]})",
       "bad.json: difficulty[0].x: time 1e+300 ms is outside 1900..2199"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": 1609459200000, "y": -1}]})",
       "bad.json: difficulty[0].y: negative value -1"},
      {R"({"metric1": "difficulty", "difficulty": [{"x": 1609804800000, "y": 1}, {"x": 1609459200000, "y": 1}]})",
       "bad.json: difficulty[1].x: time 2021-01-01T00:00:00Z is not after the previous point's "
       "2021-01-05T00:00:00Z"},
      {R"({"name": "Hash Rate", "values": [{"x": "2021-02-30 08:00:00", "y": 1}]})",
       "bad.json: values[0].x: bad timestamp '2021-02-30 08:00:00': no such date"},
      {R"({"name": 5, "values": []})", "bad.json: name: expected a string, found a number"},
      {R"({"name": "Hash Rate", "values": [{"x": "2021-01-01", "y": null}]})",
       "bad.json: values[0].y: expected a number, found null"},
  };
  for (const BadCase& c : cases) {
    auto r = ParseBlockchainChartJsonAll(c.text, "bad.json");
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "input: " << c.text << "\nmessage: " << r.status().message()
        << "\nexpected: " << c.expected;
  }
  auto wrong = ParseBlockchainChartJson(kTwoMetric, "two.json", "hash-rate");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find(
                "two.json: hash-rate: not in this export (it holds: difficulty, market-price)"),
            std::string::npos);
  // A difficulty of zero cannot give a hashprice: the error names the point.
  ChartSeries d{"difficulty", "", "d.json", {{T("2021-01-01"), 0.0}}};
  ChartSeries p{"market-price", "", "d.json", {{T("2021-01-01"), 30000}}};
  auto hp = HashpriceSubsidyOnly(d, p);
  ASSERT_FALSE(hp.ok());
  EXPECT_NE(hp.status().message().find("d.json: difficulty[0].y: difficulty must be > 0"),
            std::string::npos);
}

TEST(BitcoinTest, BadCsvGivesFileLineAndColumn) {
  const std::vector<BadCase> cases = {
      {"", "bad.csv: empty file"},
      {"date,hashprice_total_usd_per_ths_day\n", "bad.csv:1: no data rows after the header"},
      {"day,hashprice_total_usd_per_ths_day\n2021-01-01,1\n",
       "bad.csv:1: header: no 'date' column"},
      {"date,price\n2021-01-01,1\n", "bad.csv:1: header: no hashprice column"},
      {"date,hashprice_total_usd_per_ths_day\n2021-01-01,x\n",
       "bad.csv:2: hashprice_total_usd_per_ths_day: 'x' is not a number"},
      {"date,hashprice_total_usd_per_ths_day\n2021-01-01,-0.1\n",
       "bad.csv:2: hashprice_total_usd_per_ths_day: -0.1 is outside 0..1e+09"},
      {"date,hashprice_total_usd_per_ths_day\n2021-01-32,1\n",
       "bad.csv:2: date: bad timestamp '2021-01-32': no such date"},
      {"date,hashprice_total_usd_per_ths_day\n2021-01-05,1\n2021-01-01,1\n",
       "bad.csv:3: date: 2021-01-01 is not after the previous row's 2021-01-05"},
      {"date,hashprice_total_usd_per_ths_day\n2021-01-05,1,2\n",
       "bad.csv:2: expected 2 columns as in the header, found 3"},
  };
  for (const BadCase& c : cases) {
    auto r = ParseHashpriceCsv(c.text, "bad.csv");
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "input: " << c.text << "\nmessage: " << r.status().message()
        << "\nexpected: " << c.expected;
  }
  auto net = ParseBtcNetworkCsv(
      "date,difficulty,hash_rate_ths,market_price_usd\n2021-01-01,1,1,1\n", "net.csv");
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.status().message().find("net.csv:1: header: no 'block_subsidy_btc' column"),
            std::string::npos);
}

// --- The shared data (../shared/data/markets/bitcoin) ---

class SharedBitcoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveSharedMarkets())
      GTEST_SKIP() << "no shared data at " << testing::SharedDataDir();
    dir_ = testing::SharedDataDir() + "/markets/bitcoin/";
  }
  std::string dir_;
};

bool In2021To2023(TimePoint t) { return t >= T("2021-01-01") && t < T("2024-01-01"); }

// The issue's acceptance check: hashprice computed from difficulty, price, subsidy (and fees
// from miners' revenue) agrees with the derived series within 1% over 2021..2023.
TEST_F(SharedBitcoinTest, ComputedAgreesWithDerivedWithinOnePercent) {
  auto computed = LoadHashpriceCharts({dir_ + "judista25_difficulty.json",
                                       dir_ + "trioxwater_miners-revenue.json",
                                       dir_ + "trioxwater_hash-rate.json"});
  ASSERT_TRUE(computed.ok()) << computed.status().ToString();

  // Subsidy only vs btc_network_4day_2009_2024.csv's hashprice_subsidy_usd_per_ths_day.
  auto net_text = ReadFileToString(dir_ + "btc_network_4day_2009_2024.csv");
  ASSERT_TRUE(net_text.ok());
  auto derived_subsidy = ParseHashpriceCsv(*net_text, "btc_network_4day_2009_2024.csv");
  ASSERT_TRUE(derived_subsidy.ok()) << derived_subsidy.status().ToString();
  EXPECT_FALSE(derived_subsidy->includes_fees);
  int compared = 0;
  for (const auto& s : computed->subsidy_only.samples) {
    if (!In2021To2023(s.t)) continue;
    for (const auto& d : derived_subsidy->samples) {
      if (d.t != StartOfDay(s.t)) continue;
      EXPECT_NEAR(s.usd_per_ths_day, d.usd_per_ths_day, 0.01 * d.usd_per_ths_day)
          << FormatDate(s.t);
      ++compared;
    }
  }
  EXPECT_GE(compared, 270);  // 3 years of 4-day samples

  // With fees vs btc_miner_revenue_hashprice_4day_2009_2024.csv.
  auto rev_text = ReadFileToString(dir_ + "btc_miner_revenue_hashprice_4day_2009_2024.csv");
  ASSERT_TRUE(rev_text.ok());
  auto derived_total =
      ParseHashpriceCsv(*rev_text, "btc_miner_revenue_hashprice_4day_2009_2024.csv");
  ASSERT_TRUE(derived_total.ok()) << derived_total.status().ToString();
  EXPECT_TRUE(derived_total->includes_fees);
  compared = 0;
  for (const auto& s : computed->with_fees.samples) {
    if (!In2021To2023(s.t)) continue;
    for (const auto& d : derived_total->samples) {
      if (d.t != StartOfDay(s.t)) continue;
      EXPECT_NEAR(s.usd_per_ths_day, d.usd_per_ths_day, 0.01 * d.usd_per_ths_day)
          << FormatDate(s.t);
      ++compared;
    }
  }
  EXPECT_GE(compared, 270);

  // The README's spot checks, on the daily with-fees series.
  struct Spot {
    const char* date;
    double usd;
  };
  for (Spot spot :
       {Spot{"2021-04-12", 0.355}, Spot{"2022-11-21", 0.051}, Spot{"2023-12-22", 0.110}}) {
    double v = ToUsdPerThsDay(computed->daily_with_fees.At(T(spot.date)));
    EXPECT_NEAR(v, spot.usd, 0.01 * spot.usd) << spot.date;
  }
  // Fees are a real share: with-fees above subsidy-only in 2023-12 (ordinals inscriptions).
  EXPECT_GT(computed->daily_with_fees.At(T("2023-12-22")),
            computed->daily_subsidy_only.At(T("2023-12-22")));
  // The with-fees series runs to the end of the difficulty data (2024-11-23).
  EXPECT_EQ(FormatDate(computed->daily_with_fees.end() - kDay), "2024-11-23");
}

// The network CSV's own columns reproduce its subsidy hashprice (formula and halvings).
TEST_F(SharedBitcoinTest, NetworkCsvColumnsReproduceSubsidyHashprice) {
  auto text = ReadFileToString(dir_ + "btc_network_4day_2009_2024.csv");
  ASSERT_TRUE(text.ok());
  auto net = ParseBtcNetworkCsv(*text, "net.csv");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  auto derived = ParseHashpriceCsv(*text, "net.csv");
  ASSERT_TRUE(derived.ok());
  HashpriceSamples mine = HashpriceSubsidyOnly(*net);
  ASSERT_EQ(mine.samples.size(), derived->samples.size());
  for (size_t i = 0; i < net->size(); ++i) {
    const auto& s = (*net)[i];
    // The subsidy column agrees with the halving dates.
    EXPECT_EQ(s.subsidy_btc, BlockSubsidyBtcAt(s.t)) << FormatDate(s.t);
    double d = derived->samples[i].usd_per_ths_day;
    EXPECT_NEAR(mine.samples[i].usd_per_ths_day, d, 1e-4 * d + 1e-6) << FormatDate(s.t);
  }
}

TEST_F(SharedBitcoinTest, DerivedCsvLoadsAsDailySeries) {
  auto s = LoadHashpriceCsv(dir_ + "btc_miner_revenue_hashprice_4day_2009_2024.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->step, kDay);
  EXPECT_NEAR(ToUsdPerThsDay(s->At(T("2021-04-12"))), 0.355292, 1e-6);
  EXPECT_NEAR(ToUsdPerThsDay(s->At(T("2022-11-21"))), 0.0513008, 1e-6);
  // Between samples: linear.
  EXPECT_NEAR(ToUsdPerThsDay(s->At(T("2021-04-14"))), (0.355292 + 0.321699) / 2, 1e-6);
}

}  // namespace
}  // namespace rigshift::market
