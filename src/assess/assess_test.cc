// The assessment's money model and suitability rules on small fleets built by hand; every
// expected figure is computed in the comment beside it.
#include "assess/assess.h"

#include <gtest/gtest.h>

#include "assess/strategies.h"
#include "assess/suitability.h"
#include "core/time.h"

namespace rigshift::assess {
namespace {

catalog::AsicModel S19() {
  catalog::AsicModel m;
  m.name = "Antminer S19";
  m.hashrate = TerahashPerSecond(95);
  m.power = Watts(3250);
  return m;
}

catalog::GpuModel Rtx3090() {
  catalog::GpuModel g;
  g.name = "GeForce RTX 3090";
  g.vendor = "NVIDIA";
  g.segment = catalog::GpuSegment::kConsumer;
  g.memory_gb = 24;
  g.memory_bandwidth_gbs = 936;
  g.fp32_tflops = 35.6;
  g.fp16_tflops = 71;
  g.bf16_tflops = 71;
  g.tdp = Watts(350);
  g.pcie_gen = 4;
  g.pcie_lanes = 16;
  return g;
}

fleet::DeviceGroup Devices(const catalog::GpuModel* gpu, const catalog::AsicModel* asic,
                           int count) {
  fleet::DeviceGroup d;
  d.kind = gpu != nullptr ? catalog::DeviceKind::kGpu : catalog::DeviceKind::kAsic;
  d.gpu = gpu;
  d.asic = asic;
  d.model = gpu != nullptr ? gpu->name : asic->name;
  d.count = count;
  return d;
}

fleet::Site OneNodeGroupSite(fleet::NodeGroup node, Power grid, int64_t pue_milli,
                             double fixed_usd) {
  fleet::Site s;
  s.id = "s";
  s.grid_cap = grid;
  s.pue_milli = pue_milli;
  s.tariff.market = "fixed";
  s.tariff.fixed_price = UsdPerMwh(fixed_usd);
  s.uplink_gbps = 10;
  fleet::RackGroup r;
  r.nodes.push_back(std::move(node));
  fleet::Hall h;
  h.racks.push_back(std::move(r));
  s.halls.push_back(std::move(h));
  return s;
}

market::MarketData Market(TimePoint start, int hours, std::vector<double> usd_per_mwh,
                          double hashprice) {
  market::MarketData m;
  market::PriceSeries p;
  p.start = start;
  for (int h = 0; h < hours; ++h)
    p.values.push_back(UsdPerMwh(usd_per_mwh[static_cast<size_t>(h) % usd_per_mwh.size()]));
  m.electricity["grid"] = p;
  m.hashprice.start = start;
  m.hashprice.step = kDay;
  m.hashprice.values.assign(static_cast<size_t>(hours / 24 + 1), UsdPerThsDay(hashprice));
  return m;
}

// 10 S19 behind a 40 kW grid connection at PUE 1.25 (IT limit 32 kW < 32.5 kW nameplate); 24 h
// at 40 USD/MWh, then 24 h at 200 USD/MWh; hashprice 0.10 USD/TH/day.
//   revenue per S19-hour: 95 x 0.10 / 24 = 0.395833 USD -> 395,833 uUSD;
//   cost per S19-hour at 40: 3.25 kW x 1.25 x 40 / 1000 = 0.1625 USD: mine;
//                     at 200: 3.25 x 1.25 x 200 / 1000 = 0.8125 USD > revenue: all 10 curtailed;
//   the envelope holds 32,000 / 3,250 = 9.846 S19s (milli-device resolution):
//     revenue/h 395,833 x 9.846 = 3,897,371.7 -> 3,897,372 uUSD; IT 31,999.5 W,
//     energy/h 31.9995 kW x 1.25 x 40 / 1000 = 1.599975 USD;
//   48 h: revenue 24 x 3,897,372 = 93,536,928; energy 24 x 1,599,975 = 38,399,400 uUSD;
//   curtailed device-hours 24 x 10 = 240.
TEST(StrategiesTest, KeepMiningWithCurtailmentUnderTheGridCapByHand) {
  catalog::AsicModel s19 = S19();
  fleet::NodeGroup node;
  node.count = 10;
  node.devices.push_back(Devices(nullptr, &s19, 1));
  fleet::Fleet f;
  f.name = "t";
  f.sites.push_back(OneNodeGroupSite(node, Kilowatts(40), 1250, 0));
  f.sites[0].tariff.market = "grid";
  const TimePoint t0 = *ParseTimestamp("2023-03-01");
  std::vector<double> prices(24, 40.0);
  prices.resize(48, 200.0);
  market::MarketData m = Market(t0, 48, prices, 0.10);
  AssessOptions o;
  o.from = t0;
  o.to = t0 + 48 * kHour;
  o.sensitivity = false;
  // The arithmetic above is the envelope and curtailment's; the pool fee has its own test.
  ASSERT_TRUE(o.costs.ApplyOverrides("pool_fee: 0", "test", "yaml").ok());
  auto a = Assess(f, m, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const StrategyResult& keep = a->sites[0].strategies[0];
  EXPECT_EQ(keep.revenue_mining, MicroUsd(93536928));
  EXPECT_EQ(keep.energy_cost, MicroUsd(38399400));
  EXPECT_EQ(keep.curtailed_device_hours, 240);
  EXPECT_EQ(keep.margin, MicroUsd(93536928 - 38399400));
  EXPECT_EQ(a->sites[0].envelope.binding, econ::EnvelopeLimit::kGrid);
  // Mining break-even: 0.395833 USD/h / (3.25 kW x 1.25 = 0.0040625 MWh) = 97.44 USD/MWh.
  EXPECT_NEAR(a->sites[0].mining_break_even_usd_per_mwh, 97.44, 0.01);
  // The window is under 28 days: its margin is scaled to a 730-hour month and repeated.
  Money month = keep.margin.Scaled(730, 48);
  econ::CashFlow cf = econ::CashFlow::FromMargins(Money(), {month}, Money(), o.horizon_months);
  EXPECT_EQ(keep.npv, econ::Npv(0.12, cf.flows));
  // An ASIC-only site is re-fitted for convert: floor(32 kW / 10.2 kW) = 3 servers, 24 GPUs.
  EXPECT_EQ(a->sites[0].convert_plan.refit_servers, 3);
  EXPECT_EQ(a->sites[0].convert_plan.ai_gpus, 24);
  EXPECT_TRUE(a->sites[0].strategies[1].revenue_mining.IsZero());
}

// The 10-S19 site of the test above in a hydro hall whose racks are rated 100 kW: convert re-fits
// floor(32 / 10.2) = 3 H100 servers, 30.6 kW of AI heat -> 31 kW.
//   cooling is sized on heat, not on the 100 kW electrical rating: a hydro hall's loops serve
//   ASIC plates, so a liquid loop for all 31 kW: 31 x 1,500 = 46,500 USD;
//   hall fit-out 31 x 2,100 = 65,100 USD;
//   revenue starts after build_months_refit = 4: months 1-4 of the cash flow are 0 (convert keeps
//   no mining), month 5 is the first operating month.
TEST(StrategiesTest, RefitCostsLiquidCoolingOnHeatFitOutAndBuildTime) {
  catalog::AsicModel s19 = S19();
  fleet::NodeGroup node;
  node.count = 10;
  node.devices.push_back(Devices(nullptr, &s19, 1));
  fleet::Site site = OneNodeGroupSite(node, Kilowatts(40), 1250, 0);
  site.cooling = fleet::CoolingKind::kHydro;
  site.halls[0].racks[0].power_limit = Kilowatts(100);
  site.tariff.market = "grid";
  fleet::Fleet f;
  f.name = "t";
  f.sites.push_back(site);
  const TimePoint t0 = *ParseTimestamp("2023-03-01");
  market::MarketData m = Market(t0, 24 * 60, {40.0}, 0.10);
  AssessOptions o;
  o.from = t0;
  o.to = t0 + 24 * 60 * kHour;
  o.sensitivity = false;
  auto a = Assess(f, m, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const UpgradePlan& plan = a->sites[0].convert_plan;
  ASSERT_EQ(plan.refit_servers, 3);
  EXPECT_EQ(plan.build_months, 4);
  Money liquid, fitout, air;
  for (const auto& item : plan.items) {
    if (item.source.rfind("liquid_cooling_per_kw", 0) == 0) liquid += item.Total();
    if (item.source.rfind("refit_fitout_per_kw", 0) == 0) fitout += item.Total();
    if (item.source.rfind("cooling_per_kw", 0) == 0) air += item.Total();
  }
  EXPECT_EQ(liquid, Usd(46500));
  EXPECT_EQ(fitout, Usd(65100));
  EXPECT_TRUE(air.IsZero());
  const StrategyResult& conv = a->sites[0].strategies[1];
  ASSERT_EQ(conv.flows.size(), 37u);
  EXPECT_EQ(conv.flows[0], -plan.capex);
  for (size_t month = 1; month <= 4; ++month) EXPECT_TRUE(conv.flows[month].IsZero()) << month;
  EXPECT_FALSE(conv.flows[5].IsZero());
}

// 16 RTX 3090 in two x16 8-GPU servers (32 cores, 512 GB, 4 TB NVMe, 100 GbE, 800 W host each),
// fixed 50 USD/MWh, PUE 1.10, table price 0.30 USD/GPU-hour, utilisation 70 %, 24 h.
//   ready as they stand (RAM 512 >= 1.5 x 192 GB): convert buys nothing (no riser, density
//   unchanged, consumer GPUs need no N+1, 0.16 Gbps of uplink < 10 Gbps);
//   per GPU: rented 350 x 0.85 + 100 host share = 397.5 W, unrented 28 + 100 = 128 W;
//   IT = 16 x (0.7 x 397.5 + 0.3 x 128) = 5,066.4 W; energy/h 5.0664 x 1.1 x 50 / 1000 =
//   0.278652 USD; AI revenue/h 16 x 0.7 x 0.30 = 3.36 USD;
//   opex (15 USD/GPU-month + 4 USD/GPU-month maintenance of owned GPUs) x 16 = 304 USD/month
//   -> 304 x 12 / 8760 = 0.416438 USD/h;
//   24 h: AI 80,640,000; energy 6,687,648; opex 9,994,512 uUSD.
TEST(StrategiesTest, ConvertReadyGpusByHand) {
  catalog::GpuModel g = Rtx3090();
  fleet::NodeGroup node;
  node.count = 2;
  node.cpu_cores = 32;
  node.ram_gb = 512;
  node.disk_gb = 4000;
  node.nic_gbps = 100;
  node.pcie_lanes_per_gpu = 16;
  node.host_power = Watts(800);
  node.devices.push_back(Devices(&g, nullptr, 8));
  fleet::Fleet f;
  f.sites.push_back(OneNodeGroupSite(node, Kilowatts(100), 1100, 50));
  const TimePoint t0 = *ParseTimestamp("2023-03-01");
  market::MarketData m = Market(t0, 24, {50}, 0.10);
  m.gpu_prices.by_model["GeForce RTX 3090"] = UsdPerGpuHour(0.30);
  AssessOptions o;
  o.from = t0;
  o.to = t0 + 24 * kHour;
  o.sensitivity = false;
  auto a = Assess(f, m, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->groups.size(), 1u);
  EXPECT_EQ(a->groups[0].now, AiClass::kTrainingCapable);
  const SiteAssessment& s = a->sites[0];
  EXPECT_TRUE(s.convert_plan.items.empty());
  EXPECT_TRUE(s.convert_plan.capex.IsZero());
  const StrategyResult& conv = s.strategies[1];
  EXPECT_EQ(conv.revenue_ai, MicroUsd(80640000));
  EXPECT_EQ(conv.energy_cost, MicroUsd(6687648));
  EXPECT_EQ(conv.opex, MicroUsd(9994512));
  // No mining profile: keep-mining earns nothing and draws nothing.
  EXPECT_TRUE(s.strategies[0].revenue_mining.IsZero());
  EXPECT_TRUE(s.strategies[0].energy_cost.IsZero());
  EXPECT_EQ(s.recommended, Strategy::kConvert);
  // Break-even against mining (NPV 0): NPV is linear in the price, so the price that zeroes it.
  ASSERT_TRUE(s.break_even_gpu_hour.has_value());
  AssessOptions at = o;
  at.gpu_price_scale_permille = static_cast<int64_t>(s.break_even_price_scale * 1000 + 0.5);
  auto b = Assess(f, m, at);
  ASSERT_TRUE(b.ok());
  EXPECT_NEAR(ToUsd(b->sites[0].strategies[1].npv), 0.0,
              0.002 * ToUsd(a->sites[0].strategies[1].npv));
}

// A riser rig: 6 x RTX 3090 on x1, 4 cores, 8 GB RAM, 240 GB disk, 1 GbE.
TEST(SuitabilityTest, RiserRigNeedsAHostAndCannotTensorParallel) {
  catalog::GpuModel g = Rtx3090();
  DeviceGroupAssessment d;
  d.kind = catalog::DeviceKind::kGpu;
  d.gpu = &g;
  d.model = g.name;
  d.devices = 864;
  d.nodes = 144;
  d.devices_per_node = 6;
  d.pcie_lanes = 1;
  d.host_cpu_cores = 4;
  d.host_ram_gb = 8;
  d.host_disk_gb = 240;
  d.host_nic_gbps = 1;
  AssessOptions o;
  AssessGroup(d, {}, o);
  EXPECT_EQ(d.now, AiClass::kInferenceAfterUpgrade);
  EXPECT_EQ(d.after_upgrade, AiClass::kTrainingCapable);
  // x1 riser on a gen-4 card runs at gen 3 at best: 0.985 GB/s; x16 gen 4: 31.5 GB/s.
  EXPECT_NEAR(d.link_gbs, 0.985, 1e-9);
  EXPECT_NEAR(d.link_gbs_upgraded, 31.504, 1e-9);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_NE(d.reasons[0].find("x1 riser"), std::string::npos);
  EXPECT_NE(d.reasons[0].find("16 s"), std::string::npos) << d.reasons[0];  // 16 GB / 0.985 GB/s
  // Llama-3.1-70B in bf16 needs tensor parallelism: 8 GPUs after the upgrade, none today.
  for (const LlmFit& f : d.llm) {
    if (f.model == "Llama-3.1-70B" && f.precision == Precision::kBf16) {
      EXPECT_EQ(f.gpus, 8);
      EXPECT_EQ(f.gpus_now, 0);
    }
    if (f.model == "Llama-3.1-8B" && f.precision == Precision::kInt4) {
      EXPECT_EQ(f.gpus, 1);
      EXPECT_EQ(f.gpus_now, 1);
      // 8.03e9 x 0.5625 B = 4.517 GB over 0.985 GB/s = 4.59 s today, 0.143 s at x16 gen 4.
      EXPECT_NEAR(f.load_seconds_now, 4.586, 0.01);
      EXPECT_NEAR(f.load_seconds, 0.1434, 0.001);
    }
  }
}

TEST(SuitabilityTest, SmallCardsAndAsicsAreNotSuitable) {
  catalog::GpuModel small = Rtx3090();
  small.memory_gb = 6;
  DeviceGroupAssessment d;
  d.gpu = &small;
  AssessGroup(d, {}, AssessOptions());
  EXPECT_EQ(d.now, AiClass::kNotSuitable);
  EXPECT_EQ(d.after_upgrade, AiClass::kNotSuitable);
  EXPECT_NE(d.reasons[0].find("6 GB"), std::string::npos);
  catalog::AsicModel s19 = S19();
  DeviceGroupAssessment a;
  a.kind = catalog::DeviceKind::kAsic;
  a.asic = &s19;
  AssessGroup(a, {}, AssessOptions());
  EXPECT_EQ(a.after_upgrade, AiClass::kNotSuitable);
}

// Roofline by hand: Llama-3.1-8B int4 on one RTX 3090 (936 GB/s x 0.6 = 561.6 GB/s):
//   weights 8.030e9 x 0.5625 = 4.5170 GB; KV per sequence at 4,096 tokens: 131,072 x 4,096 =
//   0.53687 GB, half read per step on average = 0.26844 GB;
//   batch 1: 561.6 / (4.5170 + 0.26844) = 117.36 tokens/s;
//   batch: free = 0.95 x 24 - 1 - 4.517 = 17.283 GB -> 32 sequences fit, capped at 16:
//   16 x 561.6 / (4.5170 + 16 x 0.26844) = 8,985.6 / 8.8120 = 1,019.7 tokens/s.
TEST(SuitabilityTest, DecodeRooflineByHand) {
  const LlmModel* m = nullptr;
  for (const auto& x : DefaultLlmModels()) {
    if (x.name == "Llama-3.1-8B") m = &x;
  }
  ASSERT_NE(m, nullptr);
  AssessOptions o;
  LlmFit f = FitLlm(*m, Precision::kInt4, 24, 936, 1, false, false, 0.985, o);
  EXPECT_EQ(f.gpus, 1);
  EXPECT_NEAR(f.weights_gb, 4.5170, 1e-3);
  EXPECT_NEAR(f.tokens_per_s_batch1, 117.36, 0.05);
  EXPECT_EQ(f.batch, 16);
  EXPECT_NEAR(f.tokens_per_s_batched, 1019.7, 0.5);
  // Prefill at 71 dense TFLOPS: 71e12 x 0.4 / (2 x 8.030e9) = 1,768.4 tokens/s.
  LlmFit p = FitLlm(*m, Precision::kInt4, 24, 936, 1, false, false, 0.985, o, 71);
  EXPECT_NEAR(p.prefill_tokens_per_s, 1768.4, 0.5);
  // bf16 405B never fits 8 x 24 GB.
  const LlmModel* big = nullptr;
  for (const auto& x : DefaultLlmModels()) {
    if (x.name == "Llama-3.1-405B") big = &x;
  }
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(FitLlm(*big, Precision::kBf16, 24, 936, 8, true, false, 31.5, o).gpus, 0);
}

TEST(SuitabilityTest, TrainingSizesFollowTheMemoryRules) {
  // QLoRA: (24 - 2) / 0.7 = 31.4 B; LoRA: (24 - 2) / 2.3 = 9.6 B; full FT over 8 GPUs:
  // 8 x 24 x 0.9 / 18 = 9.6 B.
  TrainingFit t = FitTraining(24, true, 8, true);
  EXPECT_NEAR(t.qlora_max_params_b, 31.43, 0.01);
  EXPECT_NEAR(t.lora_max_params_b, 9.565, 0.01);
  EXPECT_NEAR(t.full_ft_max_params_b, 9.6, 0.01);
  EXPECT_EQ(t.full_ft_gpus, 8);
  // 80 GB H100s: QLoRA of a 70B model on one GPU.
  TrainingFit h = FitTraining(80, true, 8, true);
  EXPECT_NE(h.jobs[0].find("70B"), std::string::npos) << h.jobs[0];
}

TEST(AssessTest, DefaultWindowIsTheLatestFullYear) {
  fleet::Fleet f;
  fleet::Site s;
  s.tariff.market = "grid";
  f.sites.push_back(s);
  const TimePoint start = *ParseTimestamp("2021-03-01");
  market::MarketData m = Market(start, 24 * 1000, {30}, 0.1);  // to 2023-11-26
  auto w = DefaultWindow(f, m);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(FormatDate(w->first), "2022-01-01");
  EXPECT_EQ(FormatDate(w->second), "2023-01-01");
  market::MarketData none;
  EXPECT_FALSE(DefaultWindow(f, none).ok());
}

TEST(AssessTest, RejectsBadOptions) {
  fleet::Fleet f;
  market::MarketData m = Market(0, 48, {30}, 0.1);
  AssessOptions o;
  o.horizon_months = 0;
  EXPECT_FALSE(Assess(f, m, o).ok());
  o = AssessOptions();
  o.ai_utilisation_permille = 1200;
  EXPECT_FALSE(Assess(f, m, o).ok());
  o = AssessOptions();
  o.from = 100 * kHour;
  o.to = 10 * kHour;
  EXPECT_FALSE(Assess(f, m, o).ok());
  // A window the market data do not reach at all is an error naming both ranges.
  o = AssessOptions();
  o.from = YearStart(2030);
  o.to = YearStart(2031);
  auto r = Assess(f, m, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not overlap the window 2030-01-01"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace rigshift::assess
