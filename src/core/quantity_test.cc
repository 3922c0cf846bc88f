#include "core/quantity.h"

#include <gtest/gtest.h>

namespace rigshift {
namespace {

// An S19 (3250 W) running one hour at 50 USD/MWh costs 3.25 kWh * 0.05 = 0.1625 USD.
TEST(QuantityTest, CostOfOneAsicHour) {
  EXPECT_EQ(CostOf(Watts(3250), kHour, UsdPerMwh(50)), Usd(0.1625));
  EXPECT_EQ(CostOf(EnergyOver(Watts(3250), kHour), UsdPerMwh(50)), Usd(0.1625));
}

// 95 TH/s for one day at 0.10 USD/TH/day earns 9.50 USD; one hour earns 1/24 of it.
TEST(QuantityTest, MiningRevenueScalesWithTime) {
  EXPECT_EQ(MiningRevenue(TerahashPerSecond(95), kDay, UsdPerThsDay(0.10)), Usd(9.5));
  EXPECT_EQ(MiningRevenue(TerahashPerSecond(95), kHour, UsdPerThsDay(0.12)), Usd(0.475));
}

TEST(QuantityTest, RentalRevenue) {
  EXPECT_EQ(RentalRevenue(8, 90 * kMinute, UsdPerGpuHour(2.0)), Usd(24));
}

TEST(QuantityTest, NegativePricesGiveNegativeCost) {
  EXPECT_EQ(CostOf(Megawatts(1), kHour, UsdPerMwh(-10)), Usd(-10));
}

TEST(QuantityTest, ArithmeticIsExact) {
  Money total;
  for (int i = 0; i < 1000; ++i) total += Usd(0.1);
  EXPECT_EQ(total, Usd(100));
  EXPECT_EQ(Watts(1000).Scaled(135, 100), Watts(1350));
}

TEST(QuantityTest, MulDivRoundsHalfAwayFromZero) {
  EXPECT_EQ(MulDiv(5, 1, 2), 3);
  EXPECT_EQ(MulDiv(-5, 1, 2), -3);
  EXPECT_EQ(MulDiv(4, 1, 3), 1);
  EXPECT_EQ(MulDiv(INT64_MAX, 2, 4), INT64_MAX / 2 + 1);
}

TEST(QuantityDeathTest, OverflowAborts) {
  EXPECT_DEATH(Money::FromRaw(INT64_MAX) + MicroUsd(1), "overflow");
  EXPECT_DEATH(Power::FromRaw(INT64_MAX / 2) * 3, "overflow");
}

TEST(QuantityTest, Formatting) {
  EXPECT_EQ(FormatPower(Megawatts(5.25)), "5.25 MW");
  EXPECT_EQ(FormatUsd(Usd(12.345)), "12.35 USD");
}

}  // namespace
}  // namespace rigshift
