#include "market/forecast.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace rigshift::market {
namespace {

// Ten days of hourly prices: hour h of day d costs 100 * d + h USD/MWh.
PriceSeries TenDays() {
  PriceSeries s;
  s.name = "test";
  s.start = YearStart(2022);
  s.step = kHour;
  for (int d = 0; d < 10; ++d) {
    for (int h = 0; h < 24; ++h) s.values.push_back(UsdPerMwh(100.0 * d + h));
  }
  return s;
}

// Same hour over the last 7 known days: for day 9, hour 5 -> mean of days 2..8 at hour 5.
TEST(ForecastTest, SameHourMeanOverTheLastSevenDays) {
  PriceSeries s = TenDays();
  TimePoint now = s.start + (8 * 24 + 23) * kHour + 1800;  // day 8, 23:30
  auto f = Forecast(s, now, 30);
  EXPECT_EQ(f.start, s.start + 9 * 24 * kHour);
  ASSERT_EQ(f.values.size(), 30u);
  EXPECT_EQ(f.values[5], UsdPerMwh(100.0 * (2 + 3 + 4 + 5 + 6 + 7 + 8) / 7 + 5));
  // Step 25 (day 10, hour 0) can only use days 8 and back: days 2..8 at hour 0.
  EXPECT_EQ(f.values[24], UsdPerMwh(100.0 * 5 + 0));
}

// Nothing after `now` is read: changing the future does not change the forecast.
TEST(ForecastTest, DoesNotReadTheFuture) {
  PriceSeries s = TenDays();
  TimePoint now = s.start + 5 * 24 * kHour + 3 * kHour;
  auto a = Forecast(s, now, 48);
  for (size_t i = 5 * 24 + 4; i < s.values.size(); ++i) s.values[i] = UsdPerMwh(9999);
  auto b = Forecast(s, now, 48);
  EXPECT_EQ(a.values, b.values);
}

TEST(ForecastTest, PersistenceAndFallbacks) {
  PriceSeries s = TenDays();
  TimePoint now = s.start + 30 * kHour;
  auto p = Forecast(s, now, 3, {ForecastMethod::kPersistence, 7});
  EXPECT_EQ(p.values, std::vector<EnergyPrice>(3, UsdPerMwh(106)));
  // On the first day there is no earlier same hour: persistence.
  auto first = Forecast(s, s.start + 2 * kHour, 2);
  EXPECT_EQ(first.values, std::vector<EnergyPrice>(2, UsdPerMwh(2)));
  EXPECT_TRUE(Forecast(PriceSeries{}, now, 5).values.empty());
  EXPECT_TRUE(Forecast(s, now, 0).values.empty());
}

// A daily series: the mean of the last 7 known days.
TEST(ForecastTest, DailySeriesUsesTheLastDays) {
  HashPriceSeries h;
  h.start = YearStart(2023);
  h.step = kDay;
  for (int d = 0; d < 10; ++d) h.values.push_back(UsdPerThsDay(0.01 * d));
  auto f = Forecast(h, h.start + 9 * kDay, 2);
  ASSERT_EQ(f.values.size(), 2u);
  EXPECT_EQ(f.values[0], UsdPerThsDay(0.01 * (3 + 4 + 5 + 6 + 7 + 8 + 9) / 7));
  EXPECT_EQ(f.values[1], f.values[0]);  // beyond the series, the same known window
}

}  // namespace
}  // namespace rigshift::market

namespace rigshift::market {
namespace {

// The market a policy sees: the current hour as it is, then the same-hour forecast; changing
// anything after `now` changes nothing.
TEST(ForecastMarketTest, KnownHourThenForecastWithoutTheFuture) {
  MarketData m;
  m.electricity["ercot"] = TenDays();
  m.hashprice.start = YearStart(2022);
  m.hashprice.step = kDay;
  for (int d = 0; d < 10; ++d) m.hashprice.values.push_back(UsdPerThsDay(0.1 + 0.01 * d));
  TimePoint now = YearStart(2022) + (8 * 24 + 10) * kHour + 600;  // day 8, 10:10
  MarketData f = ForecastMarket(m, now, 48 * kHour);
  const PriceSeries& e = f.electricity.at("ercot");
  EXPECT_EQ(e.At(now), UsdPerMwh(810));
  // Day 8 11:00: the mean of 11:00 on days 1..7 = 100 x 28 / 7 + 11.
  EXPECT_EQ(e.At(now + kHour), UsdPerMwh(411));
  EXPECT_EQ(e.values.size(), 1u + 48u);
  EXPECT_EQ(f.hashprice.At(now), UsdPerThsDay(0.18));
  EXPECT_EQ(f.hashprice.values.size(), 1u + 2u);

  MarketData changed = m;
  auto& v = changed.electricity["ercot"].values;
  for (size_t i = 8 * 24 + 11; i < v.size(); ++i) v[i] = UsdPerMwh(-500);
  MarketData g = ForecastMarket(changed, now, 48 * kHour);
  EXPECT_EQ(g.electricity.at("ercot").values, e.values);
}

}  // namespace
}  // namespace rigshift::market
