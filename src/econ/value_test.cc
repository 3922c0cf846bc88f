// Hand-checked economics: every expected figure below is computed by hand (decimal arithmetic,
// shown in the comments) from facts cited beside them, not by the code under test.
#include "econ/value.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/time.h"
#include "market/bitcoin.h"
#include "market/electricity.h"

namespace rigshift::econ {
namespace {

// An Antminer S19 at its nominal 95 TH/s and 3250 W (Bitmain spec sheet; the f2pool device list in
// ../shared/data/hardware/mining/f2pool_mining_devices_2020_mattk8.csv gives 95 TH/s, 3250 W).
catalog::AsicModel S19() {
  catalog::AsicModel m;
  m.name = "Antminer S19";
  m.hashrate = TerahashPerSecond(95);
  m.power = Watts(3250);
  return m;
}

// GeForce RTX 3090: 24 GB GDDR6X, TDP 350 W (NVIDIA spec page); Ethash 114 MH/s at 320 W
// (../shared/data/hardware/mining/gpu_mining_hashrates_snippets.csv, miningcalcbot row).
catalog::GpuModel Rtx3090() {
  catalog::GpuModel g;
  g.name = "GeForce RTX 3090";
  g.aliases = {"RTX 3090"};
  g.segment = catalog::GpuSegment::kConsumer;
  g.memory_gb = 24;
  g.memory_bandwidth_gbs = 936;
  g.fp32_tflops = 35.6;
  g.fp16_tflops = 71;
  g.tdp = Watts(350);
  g.mining.push_back({"Ethash", MegahashPerSecond(114), Watts(320), "miningcalcbot"});
  g.mining.push_back({"KawPow", MegahashPerSecond(58), Watts(330), "test-only"});
  return g;
}

fleet::FlatFleet OneDevice(const catalog::GpuModel* gpu, const catalog::AsicModel* asic) {
  fleet::FlatFleet f;
  f.kind.push_back(gpu ? catalog::DeviceKind::kGpu : catalog::DeviceKind::kAsic);
  f.gpu.push_back(gpu);
  f.asic.push_back(asic);
  f.site.push_back(0);
  f.rack.push_back(0);
  f.node.push_back(0);
  f.nameplate_power.push_back(gpu ? gpu->tdp : asic->power);
  return f;
}

fleet::Site ErcotSite() {
  fleet::Site s;
  s.id = "tx";
  s.pue_milli = 1100;  // PUE 1.10
  s.tariff.market = "ercot";
  s.tariff.adder = UsdPerMwh(5);  // 5 USD/MWh transmission and fees
  return s;
}

// ERCOT HB_HUBAVG day-ahead settlement point prices for 2022-07-20 (local day, CDT = UTC-5),
// USD/MWh, hour-ending order, typed from
// ../shared/data/markets/electricity/ercot_hb_hubavg_dam/US-TEX-ERCO_2022.csv lines 4801..4824.
constexpr double kErcot20220720[24] = {
    51.05, 44.21,  40.99,  36.95,  36.77,  40.45,  46.68,  51.86,  54.04,  54.73,  59.92, 76.75,
    97.93, 156.65, 326.28, 586.36, 659.56, 468.98, 358.35, 311.97, 201.29, 103.14, 70.46, 65.44};
// Hashprice including fees for the 4-day sample dated 2022-07-20: 0.103034 USD per TH/s per day
// (../shared/data/markets/bitcoin/btc_miner_revenue_hashprice_4day_2009_2024.csv).
constexpr double kHashprice20220720 = 0.103034;

market::MarketData ErcotDay() {
  market::MarketData m;
  market::PriceSeries s;
  s.name = "ercot";
  s.start = *ParseTimestamp("2022-07-20T00:00:00-05:00");
  s.step = kHour;
  for (double p : kErcot20220720) s.values.push_back(UsdPerMwh(p));
  m.electricity["ercot"] = s;
  m.hashprice.start = *ParseTimestamp("2022-07-20");
  m.hashprice.step = 4 * kDay;
  m.hashprice.values.push_back(UsdPerThsDay(kHashprice20220720));
  return m;
}

TEST(ModeNameTest, NamesEveryMode) {
  EXPECT_STREQ(ModeName(Mode::kOff), "off");
  EXPECT_STREQ(ModeName(Mode::kIdle), "idle");
  EXPECT_STREQ(ModeName(Mode::kMine), "mine");
  EXPECT_STREQ(ModeName(Mode::kAi), "ai");
}

TEST(PricesAtTest, AddsAdderToMarketPriceAndCarriesPue) {
  // 2022-07-20 16:00 CDT is the day's peak: 659.56 + 5 = 664.56 USD/MWh.
  auto m = ErcotDay();
  SitePrices p = PricesAt(ErcotSite(), m, *ParseTimestamp("2022-07-20T16:00:00-05:00"));
  EXPECT_EQ(p.energy, UsdPerMwh(664.56));
  EXPECT_EQ(p.pue_milli, 1100);
  EXPECT_EQ(p.hashprice, UsdPerThsDay(0.103034));
}

TEST(PricesAtTest, FixedTariffIgnoresMarket) {
  fleet::Site s = ErcotSite();
  s.tariff.market = "fixed";
  s.tariff.fixed_price = UsdPerMwh(42);
  SitePrices p = PricesAt(s, ErcotDay(), *ParseTimestamp("2022-07-20T16:00:00-05:00"));
  EXPECT_EQ(p.energy, UsdPerMwh(47));
}

// S19 in ERCOT on 2022-07-20, hour by hour, PUE 1.10, adder 5 USD/MWh:
//   facility draw 3.25 kW x 1.10 = 3.575 kW;
//   hour cost = 3.575 kW x (price + 5) / 1000 USD/kWh, e.g. hour 00: 3.575 x 56.05 / 1000 =
//   0.20037875 USD -> 200,379 uUSD; hour 16: 3.575 x 664.56 / 1000 = 2.375802 USD.
//   Sum over the 24 hours, each rounded to the micro-dollar: 14,731,899 uUSD
//   (unrounded: 3.575 x (4000.81 + 24 x 5) / 1000 = 14.73189575 USD).
//   Revenue per hour: 95 TH/s x 0.103034 USD/TH/day / 24 = 0.40784291.. -> 407,843 uUSD;
//   per day 9,788,232 uUSD (unrounded 9.788230 USD).
//   Mining all day: margin 9,788,232 - 14,731,899 = -4,943,667 uUSD.
//   Curtailed (mine only when revenue > cost, i.e. price + 5 < 0.407843 / 0.003575 = 114.08
//   USD/MWh): hours 13..20 are off (156.65 .. 201.29), 16 hours mined, costing 3,615,650 uUSD
//   and earning 16 x 407,843 = 6,525,488 uUSD: margin +2,909,838 uUSD.
TEST(DeviceValueTest, S19InErcotOn20220720ByHand) {
  catalog::AsicModel s19 = S19();
  fleet::FlatFleet f = OneDevice(nullptr, &s19);
  fleet::Site site = ErcotSite();
  market::MarketData m = ErcotDay();
  PowerModel pm;
  TimePoint t0 = *ParseTimestamp("2022-07-20T00:00:00-05:00");

  IntervalValue h0 = DeviceValue(f, 0, Mode::kMine, site, m, t0, kHour, GpuHourPrice(), pm);
  EXPECT_EQ(h0.energy_cost, MicroUsd(200379));
  EXPECT_EQ(h0.revenue, MicroUsd(407843));

  Money revenue, cost, curtailed_margin;
  int hours_mined = 0;
  for (int h = 0; h < 24; ++h) {
    IntervalValue v =
        DeviceValue(f, 0, Mode::kMine, site, m, t0 + h * kHour, kHour, GpuHourPrice(), pm);
    revenue += v.revenue;
    cost += v.energy_cost;
    if (v.margin() > Money()) {
      curtailed_margin += v.margin();
      ++hours_mined;
    }
  }
  EXPECT_EQ(revenue, MicroUsd(9788232));
  EXPECT_EQ(cost, MicroUsd(14731899));
  EXPECT_EQ(revenue - cost, MicroUsd(-4943667));
  EXPECT_EQ(hours_mined, 16);
  EXPECT_EQ(curtailed_margin, MicroUsd(2909838));

  // A whole day at once (one rounding) differs from the hourly sum by < 1 uUSD per hour.
  IntervalValue day = DeviceValue(f, 0, Mode::kMine, site, m, t0, kDay, GpuHourPrice(), pm);
  EXPECT_EQ(day.revenue, MicroUsd(9788230));
  // Off costs nothing; sleep draws the control board (10 W x 1.1 x 56.05 USD/MWh = 616.55 uUSD/h).
  EXPECT_EQ(DeviceValue(f, 0, Mode::kOff, site, m, t0, kHour, GpuHourPrice(), pm).energy_cost,
            Money());
  EXPECT_EQ(DeviceValue(f, 0, Mode::kIdle, site, m, t0, kHour, GpuHourPrice(), pm).energy_cost,
            MicroUsd(617));
}

// RTX 3090 before the Merge (2022-07, Ethash still mined), ERCOT at a flat 60 USD/MWh + 5 adder,
// PUE 1.10. Ethash revenue assumed 0.015 USD per MH/s per day (a round figure of the July 2022
// order of magnitude, = 15,000 USD per TH/s per day in MarketData's unit).
//   Mining: 114 MH/s x 0.015 = 1.71 USD/day = 0.07125 USD/h -> 71,250 uUSD;
//           power 320 W x 1.10 = 352 W; cost 0.352 kW x 65 / 1000 = 0.02288 USD/h -> 22,880 uUSD;
//           margin 48,370 uUSD/h.
//   Renting at 0.25 USD/GPU-hour: draw 350 W x 0.85 = 297.5 W, x 1.10 = 327.25 W;
//           cost 0.32725 x 65 / 1000 = 0.02127125 USD/h -> 21,271 uUSD (half rounds away);
//           margin 250,000 - 21,271 = 228,729 uUSD/h, 4.73x the mining margin.
//   Break-even GPU-hour price against mining: 71,250 - 22,880 + 21,271 = 69,641 uUSD/h.
TEST(DeviceValueTest, Rtx3090MiningEthashVersusRentingByHand) {
  catalog::GpuModel g = Rtx3090();
  fleet::FlatFleet f = OneDevice(&g, nullptr);
  fleet::Site site = ErcotSite();
  market::MarketData m;
  market::PriceSeries flat;
  flat.start = *ParseTimestamp("2022-07-01");
  flat.values.assign(24 * 31, UsdPerMwh(60));
  m.electricity["ercot"] = flat;
  market::HashPriceSeries ethash;
  ethash.start = flat.start;
  ethash.step = kDay;
  ethash.values.assign(31, UsdPerThsDay(15000));
  m.gpu_mining["Ethash"] = ethash;
  market::HashPriceSeries kawpow = ethash;
  kawpow.values.assign(31, UsdPerThsDay(10000));  // 58 MH/s x 0.010 = 0.58 USD/day: less
  m.gpu_mining["KawPow"] = kawpow;
  PowerModel pm;
  TimePoint t = *ParseTimestamp("2022-07-20T12:00:00Z");

  MiningChoice c = BestMining(f, 0, m, t, pm);
  EXPECT_EQ(c.algorithm, "Ethash");
  EXPECT_EQ(c.hashrate, MegahashPerSecond(114));
  EXPECT_EQ(c.power, Watts(320));

  IntervalValue mine = DeviceValue(f, 0, Mode::kMine, site, m, t, kHour, GpuHourPrice(), pm);
  EXPECT_EQ(mine.revenue, MicroUsd(71250));
  EXPECT_EQ(mine.energy_cost, MicroUsd(22880));
  EXPECT_EQ(mine.margin(), MicroUsd(48370));

  IntervalValue rent = DeviceValue(f, 0, Mode::kAi, site, m, t, kHour, UsdPerGpuHour(0.25), pm);
  EXPECT_EQ(DevicePower(f, 0, Mode::kAi, pm), Watts(297.5));
  EXPECT_EQ(rent.revenue, MicroUsd(250000));
  EXPECT_EQ(rent.energy_cost, MicroUsd(21271));
  EXPECT_EQ(rent.margin(), MicroUsd(228729));

  // At 69,641 uUSD/h renting equals mining.
  IntervalValue even =
      DeviceValue(f, 0, Mode::kAi, site, m, t, kHour, GpuHourPrice::FromRaw(69641), pm);
  EXPECT_EQ(even.margin(), mine.margin());
}

TEST(BestMiningTest, AfterTheMergeKawPowWins) {
  // After 2022-09-15 Ethash has no revenue series: the card falls back to its next algorithm.
  catalog::GpuModel g = Rtx3090();
  fleet::FlatFleet f = OneDevice(&g, nullptr);
  market::MarketData m;
  market::HashPriceSeries kawpow;
  kawpow.start = 0;
  kawpow.step = kDay;
  kawpow.values = {UsdPerThsDay(10000)};
  m.gpu_mining["KawPow"] = kawpow;
  MiningChoice c = BestMining(f, 0, m, 0, PowerModel());
  EXPECT_EQ(c.algorithm, "KawPow");
  EXPECT_EQ(c.power, Watts(330));
}

TEST(BestMiningTest, NoMarketMeansNoMining) {
  catalog::GpuModel g = Rtx3090();
  fleet::FlatFleet f = OneDevice(&g, nullptr);
  MiningChoice c = BestMining(f, 0, market::MarketData(), 0, PowerModel());
  EXPECT_TRUE(c.algorithm.empty());
  EXPECT_TRUE(c.hashrate.IsZero());
}

TEST(DevicePowerTest, ModesOfAGpuAndAnAsic) {
  catalog::GpuModel g = Rtx3090();
  catalog::AsicModel s19 = S19();
  fleet::FlatFleet gf = OneDevice(&g, nullptr);
  fleet::FlatFleet af = OneDevice(nullptr, &s19);
  PowerModel pm;
  EXPECT_EQ(DevicePower(gf, 0, Mode::kOff, pm), Power());
  EXPECT_EQ(DevicePower(gf, 0, Mode::kIdle, pm), Watts(28));   // 350 x 0.08
  EXPECT_EQ(DevicePower(gf, 0, Mode::kMine, pm), Watts(330));  // hungriest profile
  EXPECT_EQ(DevicePower(af, 0, Mode::kMine, pm), Watts(3250));
  EXPECT_EQ(DevicePower(af, 0, Mode::kIdle, pm), Watts(10));
  EXPECT_EQ(DevicePower(af, 0, Mode::kAi, pm), Watts(10));  // an ASIC cannot run AI: it sleeps
}

TEST(EnergyCostTest, NegativePricesPayTheConsumer) {
  SitePrices p;
  p.energy = UsdPerMwh(-20);
  p.pue_milli = 1250;
  // 1 MW x 1.25 x 2 h x -20 USD/MWh = -50 USD
  EXPECT_EQ(EnergyCost(Megawatts(1), 2 * kHour, p), Usd(-50));
}

TEST(EnergyCostTest, ThirtyMegawattsForAYearAtStormPricesDoesNotOverflow) {
  SitePrices p;
  p.energy = UsdPerMwh(9000);
  p.pue_milli = 1350;
  // 30 MW x 1.35 x 8760 h x 9000 USD/MWh = 3,193,020,000 USD
  EXPECT_EQ(EnergyCost(Megawatts(30), 8760 * kHour, p), Usd(3193020000.0));
}

TEST(DefaultGpuHourPriceTest, TableWinsByNameOrAlias) {
  catalog::GpuModel g = Rtx3090();
  market::GpuHourPriceTable t;
  t.by_model["RTX 3090"] = UsdPerGpuHour(0.22);
  EXPECT_EQ(DefaultGpuHourPrice(g, t), UsdPerGpuHour(0.22));
  t.by_model["GeForce RTX 3090"] = UsdPerGpuHour(0.30);
  EXPECT_EQ(DefaultGpuHourPrice(g, t), UsdPerGpuHour(0.30));
}

TEST(DefaultGpuHourPriceTest, CurveForUnlistedModels) {
  // RTX 3090: (0.0015 x 71 + 0.010 x 24) x 0.6 = (0.1065 + 0.24) x 0.6 = 0.2079 USD/h.
  EXPECT_EQ(DefaultGpuHourPrice(Rtx3090(), {}), UsdPerGpuHour(0.2079));
  // H100 SXM: 989 BF16 TFLOPS, 80 GB, datacentre: 1.4835 + 0.80 = 2.2835 USD/h.
  catalog::GpuModel h100;
  h100.name = "H100 SXM";
  h100.segment = catalog::GpuSegment::kDatacenter;
  h100.memory_gb = 80;
  h100.fp32_tflops = 67;
  h100.fp16_tflops = 989;
  h100.bf16_tflops = 989;
  EXPECT_EQ(DefaultGpuHourPrice(h100, {}), UsdPerGpuHour(2.2835));
}

}  // namespace
}  // namespace rigshift::econ

namespace rigshift::econ {
namespace {

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

// The same S19 day as DeviceValueTest.S19InErcotOn20220720ByHand, but with the prices read by
// the project's loaders from the shared files themselves (ERCOT 2022 hourly CSV; the derived
// hashprice CSV held stepwise from its 2022-07-20 sample): the hand figures must come out again.
TEST(DeviceValueTest, S19InErcotOn20220720FromTheSharedFiles) {
  auto prices = market::LoadElectricityFiles(
      {SharedData() + "/markets/electricity/ercot_hb_hubavg_dam/US-TEX-ERCO_2022.csv"}, "ercot");
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  auto hashprice = market::LoadHashpriceCsv(
      SharedData() + "/markets/bitcoin/btc_miner_revenue_hashprice_4day_2009_2024.csv",
      market::Interpolation::kStep);
  ASSERT_TRUE(hashprice.ok()) << hashprice.status().ToString();
  market::MarketData m;
  m.electricity["ercot"] = prices->series;
  m.hashprice = *hashprice;
  catalog::AsicModel s19 = S19();
  fleet::FlatFleet f = OneDevice(nullptr, &s19);
  fleet::Site site = ErcotSite();
  const TimePoint t0 = *ParseTimestamp("2022-07-20T00:00:00-05:00");
  Money revenue, cost, curtailed_margin;
  int hours_mined = 0;
  for (int h = 0; h < 24; ++h) {
    IntervalValue v =
        DeviceValue(f, 0, Mode::kMine, site, m, t0 + h * kHour, kHour, GpuHourPrice(), PowerModel());
    revenue += v.revenue;
    cost += v.energy_cost;
    if (v.margin() > Money()) {
      curtailed_margin += v.margin();
      ++hours_mined;
    }
  }
  EXPECT_EQ(revenue, MicroUsd(9788232));
  EXPECT_EQ(cost, MicroUsd(14731899));
  EXPECT_EQ(hours_mined, 16);
  EXPECT_EQ(curtailed_margin, MicroUsd(2909838));
}

}  // namespace
}  // namespace rigshift::econ
