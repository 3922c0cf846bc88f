// Mining past the window: the halving and the stress price cut the projected hashprice, and
// curtailment is re-decided at the projected level. Every expected figure is computed in the
// comment beside it.
#include "assess/outlook.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace rigshift::assess {
namespace {

TimePoint T(const char* s) { return *ParseTimestamp(s); }

// Ten S19 (95 TH/s, 3,250 W) at a fixed 40 USD/MWh, PUE 1.0, hashprice 0.10 USD/TH/day all of
// 2023; the network history flat (difficulty and price constant 2020-2023: no trend) and no fees.
struct TenS19 {
  catalog::AsicModel s19;
  fleet::Fleet fleet;
  market::MarketData market;
  AssessOptions options;
  TenS19() {
    s19.name = "Antminer S19";
    s19.hashrate = TerahashPerSecond(95);
    s19.power = Watts(3250);
    fleet::DeviceGroup d;
    d.kind = catalog::DeviceKind::kAsic;
    d.asic = &s19;
    d.model = s19.name;
    d.count = 1;
    fleet::NodeGroup node;
    node.count = 10;
    node.devices.push_back(d);
    fleet::Site s;
    s.id = "s";
    s.grid_cap = Kilowatts(100);
    s.pue_milli = 1000;
    s.tariff.market = "fixed";
    s.tariff.fixed_price = UsdPerMwh(40);
    fleet::RackGroup r;
    r.nodes.push_back(node);
    fleet::Hall h;
    h.racks.push_back(r);
    s.halls.push_back(h);
    fleet.name = "t";
    fleet.sites.push_back(s);
    market.hashprice.start = T("2023-01-01");
    market.hashprice.step = kDay;
    market.hashprice.values.assign(365, UsdPerThsDay(0.10));
    for (int y = 2020; y <= 2023; ++y) {
      for (int m = 1; m <= 12; ++m) {
        market.btc_history.months.push_back({DaysFromCivil(y, m, 1) * kDay, 5e13, 30000});
      }
    }
    market.btc_history.source = "flat test history";
    options.from = T("2023-01-01");
    options.to = T("2024-01-01");
    options.horizon_months = 24;
    options.discount_rate = 0;
    options.sensitivity = false;
    // Pool fee apart (its own test): the figures below are the projection's.
    (void)options.costs.ApplyOverrides("pool_fee: 0", "test", "yaml");
  }
};

TEST(OutlookTest, MonthArithmetic) {
  EXPECT_EQ(AddMonths(T("2023-11-01"), 3), T("2024-02-01"));
  EXPECT_EQ(WindowMonths(T("2023-01-01"), T("2024-01-01")), 12);
  EXPECT_EQ(WindowMonths(T("2023-01-20"), T("2023-02-03")), 1);  // 14 days: one average month
  EXPECT_EQ(WindowMonths(T("2023-01-15"), T("2023-02-20")), 2);
}

// The window is 2023, the horizon 2023-01 .. 2024-12. Months 13-16 (2024-01..04; April's middle,
// the 15th, is before the halving on the 20th) keep the hashprice; 17-24 (2024-05..12) earn half.
TEST(OutlookTest, TheHalvingHalvesMiningPastTheWindowInEveryScenario) {
  TenS19 t;
  std::vector<std::string> warnings;
  MiningOutlook o = ProjectMining(t.market, *t.options.from, *t.options.to, t.options, warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_TRUE(o.projected) << o.note;
  EXPECT_EQ(o.window_months, 12);
  EXPECT_EQ(o.anchor_month, T("2023-12-01"));
  EXPECT_NEAR(o.trends.difficulty_growth_per_year, 0.0, 1e-12);
  ASSERT_EQ(o.scenarios.size(), 3u);
  const ScenarioOutlook& flat = o.scenarios[0];
  ASSERT_EQ(flat.hashprice_scale.size(), 24u);
  EXPECT_DOUBLE_EQ(flat.hashprice_scale[11], 1.0);   // 2023-12: the window
  EXPECT_NEAR(flat.hashprice_scale[15], 1.0, 1e-12);  // 2024-04
  EXPECT_NEAR(flat.hashprice_scale[16], 0.5, 1e-12);  // 2024-05
  EXPECT_NEAR(flat.hashprice_usd_per_ths_day[23], 0.05, 1e-12);
  EXPECT_NEAR(o.scenarios[2].hashprice_scale[12], 0.5, 1e-12);   // stress: price x0.5
  EXPECT_NEAR(o.scenarios[2].hashprice_scale[16], 0.25, 1e-12);  // and the halving
}

// Per S19-hour: revenue 95 x 0.10 / 24 = 0.395833 USD, energy 3.25 kW x 40 USD/MWh = 0.13 USD.
// At half the hashprice the revenue is 0.197917 (> 0.13: mines); at a quarter 0.098958 (< 0.13:
// curtailed, margin 0). Hours: 2023 8,760; Jan-Apr 2,880; May-Dec 5,880. Discount 0.
//   flat   = 10 x (8,760 x 0.265833 + 2,880 x 0.265833 + 5,880 x 0.067917) = 34,936.5 USD
//   stress = 10 x (8,760 x 0.265833 + 2,880 x 0.067917 + 0)                 = 25,243.0 USD
// Before the projection the window repeated: 10 x 17,520 x 0.265833 = 46,574 USD.
TEST(OutlookTest, KeepMiningNpvFollowsTheProjectionAndCurtailsBelowBreakEven) {
  TenS19 t;
  auto a = Assess(t.fleet, t.market, t.options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const StrategyResult& keep = a->sites[0].strategies[0];
  EXPECT_NEAR(ToUsd(keep.npv), 34936.5, 1.0);
  EXPECT_NEAR(ToUsd(keep.scenario_npv[0]), 34936.5, 1.0);
  EXPECT_NEAR(ToUsd(keep.scenario_npv[1]), 34936.5, 1.0);  // no drift in a flat history
  EXPECT_NEAR(ToUsd(keep.scenario_npv[2]), 25243.0, 1.0);
  ASSERT_EQ(keep.flows.size(), 25u);
  EXPECT_NEAR(ToUsd(a->outlook.scenarios[2].npv[0]), 25243.0, 1.0);

  t.options.project_mining = false;
  auto old = Assess(t.fleet, t.market, t.options);
  ASSERT_TRUE(old.ok());
  EXPECT_NEAR(ToUsd(old->sites[0].strategies[0].npv), 46574.0, 1.0);
  EXPECT_FALSE(old->outlook.projected);
}

// The pool keeps 2.5 % of every payout: revenue per S19-hour 0.395833 x 0.975 = 0.385937 USD;
// the window (one year, projection off) earns 10 x 8,760 x 0.385937 = 33,808 USD of mining.
TEST(OutlookTest, ThePoolFeeComesOffMiningRevenue) {
  TenS19 t;
  t.options.project_mining = false;
  ASSERT_TRUE(t.options.costs.ApplyOverrides("pool_fee: 0.025", "test", "yaml").ok());
  auto a = Assess(t.fleet, t.market, t.options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_NEAR(ToUsd(a->sites[0].strategies[0].revenue_mining), 33808.1, 1.0);
}

// A history too short to fit: the window repeats, and the report says why.
TEST(OutlookTest, NoHistoryMeansNoProjectionAndAWarning) {
  TenS19 t;
  t.market.btc_history.months.resize(3);
  std::vector<std::string> warnings;
  MiningOutlook o = ProjectMining(t.market, *t.options.from, *t.options.to, t.options, warnings);
  EXPECT_FALSE(o.projected);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no hashprice projection"), std::string::npos);
  EXPECT_DOUBLE_EQ(o.scenarios[0].hashprice_scale[20], 1.0);
}

}  // namespace
}  // namespace rigshift::assess
