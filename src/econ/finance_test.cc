#include "econ/finance.h"

#include <gtest/gtest.h>

namespace rigshift::econ {
namespace {

TEST(NpvTest, ZeroRateIsTheSum) {
  std::vector<Money> f = {Usd(-1000), Usd(300), Usd(300), Usd(300), Usd(300)};
  EXPECT_EQ(Npv(0.0, f), Usd(200));
}

// 12 %/year compounded monthly as (1.12)^(1/12) = 1.0094887929...; one year out the factor is
// exactly 1/1.12. A flow of 1,120 USD at month 12 is worth 1,000 USD now (to the micro-dollar).
TEST(NpvTest, OneYearAtTwelvePercent) {
  std::vector<Money> f(13, Money());
  f[12] = Usd(1120);
  EXPECT_NEAR(ToUsd(Npv(0.12, f)), 1000.0, 1e-6);
  // 100 USD at month 1: 100 / 1.0094887929 = 99.06002... USD
  std::vector<Money> g = {Money(), Usd(100)};
  EXPECT_NEAR(ToUsd(Npv(0.12, g)), 99.060, 0.001);
}

TEST(CashFlowTest, RepeatsAYearOfMarginsAndSubtractsOpex) {
  CashFlow cf = CashFlow::FromMargins(Usd(1000), {Usd(100), Usd(200)}, Usd(10), 5);
  ASSERT_EQ(cf.flows.size(), 6u);
  EXPECT_EQ(cf.flows[0], Usd(-1000));
  EXPECT_EQ(cf.flows[1], Usd(90));
  EXPECT_EQ(cf.flows[2], Usd(190));
  EXPECT_EQ(cf.flows[3], Usd(90));
  EXPECT_EQ(cf.Sum(), Usd(-1000 + 90 + 190 + 90 + 190 + 90));
}

TEST(PaybackTest, InterpolatesInsideTheMonth) {
  // -1000, then +300 a month: owed 100 at the start of month 4, which brings 300: 3 + 1/3.
  std::vector<Money> f = {Usd(-1000), Usd(300), Usd(300), Usd(300), Usd(300), Usd(300)};
  auto p = PaybackMonths(f);
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(*p, 3.0 + 1.0 / 3.0, 1e-9);
}

TEST(PaybackTest, NeverWhenTheMarginIsNegative) {
  std::vector<Money> f = {Usd(-1000), Usd(-10), Usd(50)};
  EXPECT_FALSE(PaybackMonths(f).has_value());
}

TEST(PaybackTest, ImmediateWithoutCapex) {
  std::vector<Money> f = {Money(), Usd(5), Usd(5)};
  EXPECT_EQ(PaybackMonths(f), 0.0);
}

TEST(PaybackTest, ALaterDipResetsPayback) {
  // Paid back in month 1, then a loss pushes it under again; it turns for good in month 3.
  std::vector<Money> f = {Usd(-100), Usd(100), Usd(-50), Usd(100)};
  auto p = PaybackMonths(f);
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(*p, 2.5, 1e-9);
}

TEST(CapexTest, TotalsQuantityTimesUnitCost) {
  std::vector<CapexItem> items = {{"host", "", 3, Usd(12000), ""}, {"riser", "", 24, Usd(25), ""}};
  EXPECT_EQ(items[0].Total(), Usd(36000));
  EXPECT_EQ(TotalCapex(items), Usd(36600));
}

}  // namespace
}  // namespace rigshift::econ
