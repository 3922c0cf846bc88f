// The assessment on the shipped examples, with the embedded default scenario and with the shared
// reference data: the classes the issue names (the ETH farm's x1-riser rigs are not
// training-capable; the H100 hall is), and sane money on every example.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "assess/assess.h"
#include "assess/render.h"
#include "fleet/loader.h"
#include "market/default_scenario.h"
#include "market/market_data.h"

namespace rigshift::assess {
namespace {

std::string Example(const std::string& name) {
  return std::string(RIGSHIFT_SOURCE_DIR) + "/examples/" + name;
}

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

fleet::Fleet Load(const std::string& name) {
  auto f = fleet::LoadFleetFile(Example(name), catalog::Catalog::Builtin());
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? f->fleet : fleet::Fleet();
}

void ExpectSane(const Assessment& a) {
  ASSERT_FALSE(a.sites.empty());
  EXPECT_LT(a.from, a.to);
  for (const auto& s : a.sites) {
    EXPECT_FALSE(s.recommendation.empty());
    EXPECT_EQ(s.recommendation.rfind(s.id + ": ", 0), 0u) << s.recommendation;
    for (const auto& r : s.strategies) {
      EXPECT_FALSE(r.months.empty());
      EXPECT_GE(r.energy_cost.raw(), 0);
      EXPECT_GE(r.revenue_mining.raw(), 0);
      EXPECT_GE(r.revenue_ai.raw(), 0);
      Money sum;
      for (const auto& m : r.months) sum += m.Margin();
      EXPECT_EQ(sum, r.margin);  // months add up to the window
    }
    // Keep-mining never buys anything; the recommendation has the best NPV.
    EXPECT_TRUE(s.strategies[0].capex.IsZero());
    for (const auto& r : s.strategies)
      EXPECT_LE(r.npv, s.strategies[static_cast<size_t>(s.recommended)].npv);
    // Hybrid keeps what pays: never worse than keep-mining by more than rounding.
    EXPECT_GE(s.strategies[2].npv.raw(), s.strategies[0].npv.raw() - 1000000) << s.id;
  }
  ASSERT_EQ(a.sensitivity.size(), 5u);
  // More hashprice never lowers keep-mining; more GPU-hour price never lowers convert.
  EXPECT_LE(a.sensitivity[1].npv[0], a.sensitivity[0].npv[0]);
  EXPECT_GE(a.sensitivity[2].npv[0], a.sensitivity[0].npv[0]);
  EXPECT_LE(a.sensitivity[3].npv[1], a.sensitivity[0].npv[1]);
  EXPECT_GE(a.sensitivity[4].npv[1], a.sensitivity[0].npv[1]);
}

TEST(ExamplesTest, EthFarmRisersAreNotTrainingCapableToday) {
  fleet::Fleet f = Load("eth-gpu-farm-ercot.yaml");
  auto a = Assess(f, market::DefaultScenario(), AssessOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ExpectSane(*a);
  EXPECT_EQ(FormatDate(a->from), "2024-01-01");  // the default scenario runs to the end of 2024
  int gpu_groups = 0;
  for (const auto& g : a->groups) {
    ASSERT_EQ(g.kind, catalog::DeviceKind::kGpu);
    ++gpu_groups;
    EXPECT_EQ(g.pcie_lanes, 1);
    EXPECT_NE(g.now, AiClass::kTrainingCapable) << g.model;
    EXPECT_EQ(g.now, AiClass::kInferenceAfterUpgrade) << g.model;
    if (g.model == "GeForce RTX 3090") {
      EXPECT_EQ(g.after_upgrade, AiClass::kTrainingCapable);
    }
    if (g.gpu->memory_gb < 24) {
      EXPECT_NE(g.after_upgrade, AiClass::kTrainingCapable) << g.model;
    }
  }
  EXPECT_GE(gpu_groups, 5);
  // 17,088 GPUs (the example's own total) all on risers: convert buys one 8-GPU host per 8.
  int64_t gpus = 0;
  for (const auto& g : a->groups) gpus += g.devices;
  EXPECT_EQ(gpus, 17088);
  EXPECT_EQ(a->sites[0].convert_plan.ai_gpus, 17088);
  int64_t hosts = 0;
  for (const auto& i : a->sites[0].convert_plan.items) {
    if (i.item.rfind("8-GPU x16 server host", 0) == 0) hosts += i.quantity;
  }
  int64_t expected = 0;
  for (const auto& g : a->groups) expected += (g.devices + 7) / 8;
  EXPECT_EQ(hosts, expected);
}

TEST(ExamplesTest, H100HallIsTrainingCapableAndAsicsAreNot) {
  fleet::Fleet f = Load("two-site-nyiso.yaml");
  auto a = Assess(f, market::DefaultScenario(), AssessOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ExpectSane(*a);
  bool saw_h100 = false;
  for (const auto& g : a->groups) {
    if (g.kind == catalog::DeviceKind::kAsic) {
      EXPECT_EQ(g.after_upgrade, AiClass::kNotSuitable);
    }
    if (g.gpu != nullptr && g.gpu->name.find("H100") != std::string::npos) {
      saw_h100 = true;
      EXPECT_EQ(g.now, AiClass::kTrainingCapable) << g.model;
      // Llama-3.1-70B bf16 on one 8-GPU NVLink node.
      for (const auto& fit : g.llm) {
        if (fit.model == "Llama-3.1-70B" && fit.precision == Precision::kBf16) {
          EXPECT_GE(fit.gpus, 2);
          EXPECT_LE(fit.gpus, 4);
          EXPECT_GT(fit.tokens_per_s_batch1, 20);
        }
      }
    }
  }
  EXPECT_TRUE(saw_h100);
  // Massena holds riser GPUs and ASICs: convert moves the GPUs to servers and re-fits the ASICs'
  // power, so its AI GPUs are both (a regression: the re-fit once overwrote the GPU count).
  const SiteAssessment& massena = a->sites[0];
  int64_t riser_gpus = 0;
  for (int64_t gi : massena.groups) {
    if (a->groups[static_cast<size_t>(gi)].kind == catalog::DeviceKind::kGpu) {
      riser_gpus += a->groups[static_cast<size_t>(gi)].devices;
    }
  }
  EXPECT_GT(riser_gpus, 0);
  EXPECT_GT(massena.convert_plan.refit_servers, 0);
  EXPECT_EQ(massena.convert_plan.ai_gpus, riser_gpus + 8 * massena.convert_plan.refit_servers);
}

TEST(ExamplesTest, AsicSiteIsAssessedAsPowerToRefit) {
  fleet::Fleet f = Load("asic-hydro-ercot.yaml");
  auto a = Assess(f, market::DefaultScenario(), AssessOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ExpectSane(*a);
  const SiteAssessment& s = a->sites[0];
  EXPECT_GT(s.convert_plan.refit_servers, 0);
  // Servers fit the IT envelope: n x 10.2 kW <= the facility IT limit.
  EXPECT_LE(Kilowatts(10.2) * s.convert_plan.refit_servers, s.envelope.FacilityItLimit());
  EXPECT_GT(Kilowatts(10.2) * (s.convert_plan.refit_servers + 1), s.envelope.FacilityItLimit());
  EXPECT_GT(s.mining_break_even_usd_per_mwh, 0);
  EXPECT_GT(s.strategies[0].revenue_mining, Money());
}

// The same examples over real history from ../shared/data (ERCOT and NYISO hourly prices,
// hashprice computed from the blockchain.com exports).
TEST(ExamplesTest, RunsOnTheSharedDataForEveryExample) {
  for (const char* name :
       {"eth-gpu-farm-ercot.yaml", "asic-hydro-ercot.yaml", "two-site-nyiso.yaml"}) {
    SCOPED_TRACE(name);
    fleet::Fleet f = Load(name);
    market::MarketDataOptions mo;
    mo.data_dir = SharedData();
    for (const auto& s : f.sites) mo.markets.push_back(s.tariff.market);
    mo.from_year = 2022;
    mo.to_year = 2023;
    auto md = market::LoadMarketData(mo);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    auto a = Assess(f, *md, AssessOptions());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ExpectSane(*a);
    EXPECT_EQ(FormatDate(a->from), "2023-01-01");
    EXPECT_EQ(FormatDate(a->to), "2024-01-01");
    EXPECT_EQ(a->sites[0].price_duration.size(), 400u);
    EXPECT_TRUE(a->warnings.empty()) << a->warnings.front();
  }
}

// ERCOT 2022 had a summer of price spikes: an S19 site curtails in some hours, and its mean
// price paid is the ERCOT 2022 mean (64.3 USD/MWh, ../shared/data/README.md) plus the adder.
TEST(ExamplesTest, Ercot2022CurtailsAndMatchesTheMeanPrice) {
  fleet::Fleet f = Load("asic-hydro-ercot.yaml");
  market::MarketDataOptions mo;
  mo.data_dir = SharedData();
  mo.markets = {"ercot"};
  mo.from_year = 2022;
  mo.to_year = 2022;
  auto md = market::LoadMarketData(mo);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  AssessOptions o;
  o.from = YearStart(2022);
  o.to = YearStart(2023);
  o.sensitivity = false;
  auto a = Assess(f, *md, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const SiteAssessment& s = a->sites[0];
  EXPECT_NEAR(s.mean_price_usd_per_mwh - ToUsdPerMwh(f.sites[0].tariff.adder), 64.3, 0.5);
  EXPECT_GT(s.strategies[0].curtailed_device_hours, 0);
  EXPECT_GT(s.price_duration.front(), 1000.0);  // the year's top hour was a spike
}

TEST(ExamplesTest, RenderersProduceTheirFormats) {
  fleet::Fleet f = Load("two-site-nyiso.yaml");
  auto a = Assess(f, market::DefaultScenario(), AssessOptions());
  ASSERT_TRUE(a.ok());
  const std::string text = RenderText(*a);
  // Recommendation first, and every line readable in 100 columns.
  const size_t rec = text.find("RECOMMENDATION"), money = text.find("MONEY");
  ASSERT_NE(rec, std::string::npos);
  ASSERT_NE(money, std::string::npos);
  EXPECT_LT(rec, money);
  size_t start = 0, longest = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    longest = std::max(longest, end - start);
    start = end + 1;
  }
  EXPECT_LE(longest, 100u);
  auto j = nlohmann::json::parse(RenderJson(*a));
  EXPECT_EQ(j["sites"].size(), 2u);
  EXPECT_EQ(j["sites"][0]["strategies"].size(), 3u);
  EXPECT_EQ(j["sensitivity"].size(), 5u);
  EXPECT_TRUE(j["groups"][0].contains("llm"));
  const std::string html = RenderHtml(*a);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, no scripts
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("Price duration curve"), std::string::npos);
  EXPECT_NE(html.find("Power envelope use"), std::string::npos);
  EXPECT_NE(html.find("Monthly margin per strategy"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::assess
