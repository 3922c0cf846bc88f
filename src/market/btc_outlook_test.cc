#include "market/btc_outlook.h"

#include <gtest/gtest.h>

#include <cmath>

#include "market/bitcoin.h"

namespace rigshift::market {
namespace {

TimePoint T(const char* s) { return *ParseTimestamp(s); }

FeeShareTable TwoPoints() {
  FeeShareTable t;
  t.points = {{T("2024-01-01"), 0.02, "a"}, {T("2024-01-11"), 0.12, "b"}};
  return t;
}

// Before the first point its share, after the last the last one's, linear in between:
// 2024-01-06 is half way from 2 % to 12 %.
TEST(FeeShareTableTest, InterpolatesBetweenDatedFiguresAndHoldsOutside) {
  FeeShareTable t = TwoPoints();
  EXPECT_DOUBLE_EQ(t.ShareAt(T("2023-06-01")), 0.02);
  EXPECT_NEAR(t.ShareAt(T("2024-01-06")), 0.07, 1e-12);
  EXPECT_DOUBLE_EQ(t.ShareAt(T("2030-01-01")), 0.12);
  EXPECT_DOUBLE_EQ(FeeShareTable().ShareAt(T("2024-01-01")), 0.0);
}

// The reference CSV's forms: percent rows kept, a lower bound and a range skipped, a BTC-per-block
// figure turned into a share with its date's subsidy (0.036 / (3.125 + 0.036) = 1.1389 %).
TEST(FeeShareTableTest, ParsesTheMiningCostsRows) {
  const char* csv =
      "category,item,entity,value,value_low,value_high,unit,as_of,source,note\n"
      "pool_fee,pool fee,AntPool,2.5,,,% (FPPS),2026,https://x,\n"
      "tx_fee_share,share,net,1.34,,,% of block reward,2021-08-07,https://a,\n"
      "tx_fee_share,range,net,,0.08,3.9,BTC per block (subsidy 6.25),2023-12,https://b,\n"
      "tx_fee_share,day before,net,11,,,% of miner revenue,2024-04-19,https://c,\n"
      "tx_fee_share,halving day,net,75,,,% of miner revenue (lower bound),2024-04-20,https://d,\n"
      "tx_fee_share,ytd,net,0.036,,,BTC per block,2025,https://e,\n";
  auto t = ParseFeeSharesCsv(csv, "costs.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->points.size(), 3u);
  EXPECT_DOUBLE_EQ(t->points[0].share, 0.0134);
  EXPECT_EQ(t->points[1].from, T("2024-04-19"));
  EXPECT_DOUBLE_EQ(t->points[1].share, 0.11);
  EXPECT_EQ(t->points[2].from, YearStart(2025));
  EXPECT_NEAR(t->points[2].share, 0.011389, 1e-6);
  EXPECT_EQ(t->points[2].source, "https://e");
}

TEST(FeeShareTableTest, RejectsAShareOfAHundredPercentAndNamesTheLine) {
  const char* csv =
      "category,value,unit,as_of,source\n"
      "tx_fee_share,100,% of block reward,2024-01-01,x\n";
  auto t = ParseFeeSharesCsv(csv, "costs.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("costs.csv:2:"), std::string::npos);
}

// Difficulty doubling every year and the price halving every year, monthly for three years:
// the fits return +100 % and -50 % a year.
TEST(BtcOutlookTest, FitsLogLinearTrends) {
  BtcHistory h;
  const TimePoint anchor = T("2023-12-01");
  for (int k = 0; k < 36; ++k) {
    const int month = 12 * 2021 + k;  // 2021-01 ..
    const TimePoint start = DaysFromCivil(month / 12, month % 12 + 1, 1) * kDay;
    const double years = static_cast<double>(start - anchor) / (365.25 * 86400.0);
    h.months.push_back({start, 1e12 * std::pow(2.0, years), 40000 * std::pow(0.5, years)});
  }
  OutlookOptions o;
  o.lookback_months = 24;
  auto t = FitTrends(h, anchor, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->months_used, 24);
  EXPECT_EQ(t->first, T("2022-01-01"));
  EXPECT_EQ(t->last, anchor);
  EXPECT_NEAR(t->difficulty_growth_per_year, 1.0, 1e-9);
  EXPECT_NEAR(t->price_growth_per_year, -0.5, 1e-9);
  o.lookback_months = 600;
  EXPECT_FALSE(FitTrends(h, T("2021-03-01"), o).ok());  // three months: too few
}

// The April 2024 halving alone: no fees, no trends, flat price: May 2024 earns half of March's.
TEST(BtcOutlookTest, TheHalvingHalvesTheHashprice) {
  Trends none;
  FeeShareTable no_fees;
  OutlookOptions o;
  const TimePoint march = T("2024-03-01");
  EXPECT_DOUBLE_EQ(
      HashpriceRatio(none, no_fees, march, T("2024-04-01"), PriceScenario::kFlat, o), 1.0);
  EXPECT_DOUBLE_EQ(
      HashpriceRatio(none, no_fees, march, T("2024-05-01"), PriceScenario::kFlat, o), 0.5);
}

// Fees 11 % of the reward at the anchor, 1 % later: reward ratio (3.125 / 0.99) / (6.25 / 0.89)
// = 0.44949; difficulty +50 %/year over the 366 days from 2024-01-16 to 2025-01-16 divides by
// 1.5^(366/365.25) = 1.50125; the drift price +20 %/year multiplies by 1.2^(366/365.25) = 1.20045;
// stress halves the price.
TEST(BtcOutlookTest, CombinesRewardDifficultyAndPrice) {
  Trends tr;
  tr.difficulty_growth_per_year = 0.5;
  tr.price_growth_per_year = 0.2;
  FeeShareTable fees;
  fees.points = {{T("2024-01-01"), 0.11, "a"}, {T("2024-12-01"), 0.01, "b"}};
  OutlookOptions o;
  const TimePoint a = T("2024-01-01"), m = T("2025-01-01");
  const double reward = (3.125 / 0.99) / (6.25 / 0.89);
  // ShareAt(2024-01-16) is interpolated: 0.11 - 0.10 * 15 / 335.
  const double share_a = 0.11 - 0.10 * 15.0 / 335.0;
  const double reward_exact = (3.125 / 0.99) / (6.25 / (1 - share_a));
  EXPECT_NEAR(reward, 0.44949, 1e-5);
  const double years = 366.0 / 365.25;
  EXPECT_NEAR(HashpriceRatio(tr, fees, a, m, PriceScenario::kFlat, o),
              reward_exact / std::pow(1.5, years), 1e-12);
  EXPECT_NEAR(HashpriceRatio(tr, fees, a, m, PriceScenario::kHistoryDrift, o),
              reward_exact * 1.20045 / 1.50125, 1e-5);
  EXPECT_NEAR(HashpriceRatio(tr, fees, a, m, PriceScenario::kStress, o),
              0.5 * reward_exact / std::pow(1.5, years), 1e-12);
}

// The embedded tables: the 2024-09-16 fee share lies between the April (11 %) and November
// (4.82 %) figures; the history ends 2024-11 at a difficulty near 1e14.
TEST(BtcOutlookTest, EmbeddedTablesAreDatedAndOrdered) {
  const FeeShareTable& f = DefaultFeeShares();
  ASSERT_GE(f.points.size(), 4u);
  for (size_t i = 1; i < f.points.size(); ++i) EXPECT_LT(f.points[i - 1].from, f.points[i].from);
  const double sep = f.ShareAt(T("2024-09-16"));
  EXPECT_GT(sep, 0.0482);
  EXPECT_LT(sep, 0.11);
  const BtcHistory& h = DefaultBtcHistory();
  ASSERT_FALSE(h.months.empty());
  EXPECT_EQ(h.months.back().start, T("2024-11-01"));
  EXPECT_NEAR(h.months.back().difficulty, 99.88e12, 1e11);
}

}  // namespace
}  // namespace rigshift::market
