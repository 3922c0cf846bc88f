// What simulated policies may see of future prices: forecasts from past data only.
#include "sim/forecaster.h"

#include <gtest/gtest.h>

namespace rigshift::sim {
namespace {

// Ten days of hourly ERCOT prices, 100 x day + hour USD/MWh.
market::MarketData TenDays() {
  market::MarketData m;
  market::PriceSeries s;
  s.start = YearStart(2023);
  for (int d = 0; d < 10; ++d) {
    for (int h = 0; h < 24; ++h) s.values.push_back(UsdPerMwh(100.0 * d + h));
  }
  m.electricity["ercot"] = s;
  return m;
}

// At day 8, 05:30 the next hour (06:00) is forecast from 06:00 on days 1..7: mean 100 x 4 + 6;
// the true price (806) is not what the policy sees. The hour's own price is known.
TEST(MarketForecasterTest, SeesThePastNotTheFuture) {
  market::MarketData m = TenDays();
  MarketForecaster f(m, 24 * kHour);
  const TimePoint now = YearStart(2023) + 8 * kDay + 5 * kHour + 1800;
  const market::MarketData* seen = f.At(now);
  const market::PriceSeries& p = seen->electricity.at("ercot");
  EXPECT_EQ(p.At(now), UsdPerMwh(805));
  EXPECT_EQ(p.At(now + kHour), UsdPerMwh(406));
  // Changing the future changes nothing the forecaster has made.
  m.electricity["ercot"].values[8 * 24 + 6] = UsdPerMwh(9999);
  EXPECT_EQ(f.At(now + 60)->electricity.at("ercot").At(now + kHour), UsdPerMwh(406));
}

// Decisions within one hour share the forecast made at its start; the next hour makes a new one.
TEST(MarketForecasterTest, OneForecastPerHour) {
  market::MarketData m = TenDays();
  MarketForecaster f(m, 24 * kHour);
  const TimePoint t = YearStart(2023) + 8 * kDay + 5 * kHour;
  auto cb = f.Callback();
  const market::PriceSeries a = cb(t + 10)->electricity.at("ercot");
  const market::PriceSeries b = cb(t + 3000)->electricity.at("ercot");
  EXPECT_EQ(a.values, b.values);
  const market::PriceSeries c = cb(t + kHour)->electricity.at("ercot");
  EXPECT_NE(a.start, c.start);
  EXPECT_STREQ(PriceKnowledgeName(PriceKnowledge::kPerfectForesight),
               "perfect foresight (policies see the true future prices)");
}

}  // namespace
}  // namespace rigshift::sim
