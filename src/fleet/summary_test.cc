// FleetSummary on the shipped examples, against sums worked out by hand from each file's counts
// and the cards' published TDPs (the catalogue holds the same figures; a change there shows here).
#include "fleet/summary.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/catalog.h"
#include "fleet/loader.h"

namespace rigshift::fleet {
namespace {

Fleet LoadExample(const std::string& name) {
  auto loaded = LoadFleetFile(std::string(RIGSHIFT_SOURCE_DIR) + "/examples/" + name,
                              catalog::Catalog::Builtin());
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? loaded->fleet : Fleet{};
}

int64_t CountOf(const std::vector<ModelCount>& v, const std::string& model) {
  for (const ModelCount& m : v) {
    if (m.model == model) return m.count;
  }
  return -1;
}

double Bf16(const char* gpu) {
  const catalog::GpuModel* g = catalog::Catalog::Builtin().FindGpu(gpu);
  return g != nullptr && g->bf16_tflops ? *g->bf16_tflops : -1;
}
double Fp16(const char* gpu) {
  const catalog::GpuModel* g = catalog::Catalog::Builtin().FindGpu(gpu);
  return g != nullptr ? g->fp16_tflops : -1;
}

TEST(SummaryTest, EthGpuFarmHandChecked) {
  // Scenario: 2,244 rigs on 291 shelves; counts are shelves x rigs per shelf x GPUs per rig.
  FleetSummary sum = Summarize(LoadExample("eth-gpu-farm-ercot.yaml"));
  ASSERT_EQ(sum.sites.size(), 1u);
  const SiteSummary& s = sum.sites[0];
  EXPECT_EQ(s.racks, 45 + 36 + 24 + 45 + 60 + 45 + 36);                              // 291
  EXPECT_EQ(s.nodes, 45 * 8 + 36 * 8 + 24 * 6 + 45 * 8 + 60 * 8 + 45 * 8 + 36 * 7);  // 2,244
  EXPECT_EQ(s.gpus, 17088);
  EXPECT_EQ(s.asics, 0);
  EXPECT_EQ(CountOf(s.gpus_by_model, "GeForce RTX 3070"), 45 * 8 * 8);     // 2,880
  EXPECT_EQ(CountOf(s.gpus_by_model, "GeForce RTX 3080"), 36 * 8 * 6);     // 1,728
  EXPECT_EQ(CountOf(s.gpus_by_model, "GeForce RTX 3090"), 24 * 6 * 6);     // 864
  EXPECT_EQ(CountOf(s.gpus_by_model, "GeForce RTX 3060 Ti"), 45 * 8 * 8);  // 2,880
  EXPECT_EQ(CountOf(s.gpus_by_model, "Radeon RX 580"), 60 * 8 * 8);        // 3,840
  EXPECT_EQ(CountOf(s.gpus_by_model, "Radeon RX 5700 XT"), 45 * 8 * 8);    // 2,880
  EXPECT_EQ(CountOf(s.gpus_by_model, "Radeon RX 6800"), 36 * 7 * 8);       // 2,016
  EXPECT_EQ(s.gpus_by_model.front().model, "Radeon RX 580");               // most numerous first
  ASSERT_EQ(s.gpus_by_segment.size(), 1u);
  EXPECT_EQ(s.gpus_by_segment[0].segment, catalog::GpuSegment::kConsumer);

  // GPU TDPs: 3070 220 W, 3080 320 W, 3090 350 W, 3060 Ti 200 W, RX 580 185 W, 5700 XT 225 W,
  // RX 6800 250 W: 633,600 + 552,960 + 302,400 + 576,000 + 710,400 + 648,000 + 504,000 W.
  EXPECT_EQ(s.gpu_power, Watts(3'927'360));
  // Hosts, rigs x host_power_w: 360x170 + 288x180 + 144x200 + 360x160 + 480x150 + 360x180
  // + 252x190 = 384,120 W.
  EXPECT_EQ(s.host_power, Watts(384'120));
  EXPECT_EQ(s.it_power, Watts(4'311'480));
  EXPECT_EQ(s.facility_power, Watts(4'656'398.4));  // x 1.08, exact in milliwatts
  EXPECT_EQ(s.grid_cap, Megawatts(5));
  EXPECT_EQ(s.headroom, Watts(343'601.6));
  EXPECT_EQ(s.sites_over_grid_cap, 0);
  // Memory: 2880x8 + 1728x10 + 864x24 + 2880x8 + 3840x8 + 2880x8 + 2016x16 GB.
  EXPECT_DOUBLE_EQ(s.gpu_memory_gb, 170'112);
  // BF16 only on the NVIDIA Ampere cards; the AMD cards count at FP16.
  EXPECT_EQ(s.gpus_with_bf16, 2880 + 1728 + 864 + 2880);
  EXPECT_NEAR(s.bf16_tflops,
              2880 * Bf16("RTX 3070") + 1728 * Bf16("RTX 3080") + 864 * Bf16("RTX 3090") +
                  2880 * Bf16("RTX 3060 Ti"),
              1e-6);
  EXPECT_NEAR(s.fp16_tflops_without_bf16,
              3840 * Fp16("RX 580") + 2880 * Fp16("RX 5700 XT") + 2016 * Fp16("RX 6800"), 1e-6);
  EXPECT_TRUE(s.sha256_hashrate.IsZero());
  // Every card but the RX 6800 has an Ethash profile in the catalogue.
  bool found_ethash = false;
  for (const AlgorithmHashrate& a : s.gpu_hashrate) {
    if (a.algorithm != "Ethash") continue;
    found_ethash = true;
    EXPECT_EQ(a.gpus, 17088 - 2016);
  }
  EXPECT_TRUE(found_ethash);
  // One site: the total equals it.
  EXPECT_EQ(sum.total.it_power, s.it_power);
  EXPECT_EQ(sum.total.gpus, s.gpus);
}

TEST(SummaryTest, AsicSiteHandChecked) {
  // Scenario: 14 + 12 containers of 180 hydro miners and 100 racks of 15 S19s.
  FleetSummary sum = Summarize(LoadExample("asic-hydro-ercot.yaml"));
  ASSERT_EQ(sum.sites.size(), 1u);
  const SiteSummary& s = sum.sites[0];
  EXPECT_EQ(s.gpus, 0);
  EXPECT_EQ(s.asics, 14 * 180 + 12 * 180 + 100 * 15);  // 6,180
  EXPECT_EQ(CountOf(s.asics_by_model, "Antminer S21 Hydro"), 2520);
  EXPECT_EQ(CountOf(s.asics_by_model, "Antminer S19 XP Hydro"), 2160);
  EXPECT_EQ(CountOf(s.asics_by_model, "Antminer S19"), 1500);
  // 2,520 x 5,360 W + 2,160 x 5,304 W + 1,500 x 3,250 W (the 90 TH bin draws the same 3,250 W).
  EXPECT_EQ(s.asic_power, Watts(13'507'200 + 11'456'640 + 4'875'000));
  EXPECT_EQ(s.it_power, Watts(29'838'840));
  EXPECT_EQ(s.facility_power, Watts(31'032'393.6));  // x 1.04
  EXPECT_EQ(s.headroom, Watts(967'606.4));
  // 2,520 x 335 + 2,160 x 255 + 1,200 x 95 + 300 x 90 TH/s = 1,536,000 TH/s.
  EXPECT_EQ(s.sha256_hashrate, TerahashPerSecond(1'536'000));
  EXPECT_TRUE(s.gpu_hashrate.empty());
  EXPECT_DOUBLE_EQ(s.gpu_memory_gb, 0);
}

TEST(SummaryTest, TwoSiteNyisoHandChecked) {
  // Scenario: Massena (ASICs + x1 rigs, over its cap on purpose) and Albany (16 DGX-style H100).
  FleetSummary sum = Summarize(LoadExample("two-site-nyiso.yaml"));
  ASSERT_EQ(sum.sites.size(), 2u);
  const SiteSummary& m = sum.sites[0];
  EXPECT_EQ(m.asics, 90 * 20);
  EXPECT_EQ(m.gpus, 50 * 6 * 6 + 50 * 8 * 6);  // 1,800 RTX 3090 + 2,400 RTX 3080
  EXPECT_EQ(m.asic_power, Watts(1800 * 3068));
  EXPECT_EQ(m.gpu_power, Watts(1800 * 350 + 2400 * 320));  // 1,398,000 W
  EXPECT_EQ(m.host_power, Watts(300 * 200 + 400 * 180));   // 132,000 W
  EXPECT_EQ(m.it_power, Watts(7'052'400));
  EXPECT_EQ(m.facility_power, Watts(7'757'640));  // x 1.10
  EXPECT_EQ(m.headroom, Watts(-257'640));
  EXPECT_EQ(m.sites_over_grid_cap, 1);
  EXPECT_EQ(m.sha256_hashrate, TerahashPerSecond(1800 * 104));
  EXPECT_DOUBLE_EQ(m.gpu_memory_gb, 1800 * 24 + 2400 * 10);

  const SiteSummary& a = sum.sites[1];
  EXPECT_EQ(a.gpus, 4 * 4 * 8);  // 128 H100
  EXPECT_EQ(CountOf(a.gpus_by_model, "H100 SXM5 80GB"), 128);
  ASSERT_EQ(a.gpus_by_segment.size(), 1u);
  EXPECT_EQ(a.gpus_by_segment[0].segment, catalog::GpuSegment::kDatacenter);
  EXPECT_EQ(a.it_power, Watts(128 * 700 + 16 * 4600));  // 163,200 W: 16 x 10.2 kW
  EXPECT_EQ(a.facility_power, Watts(220'320));          // x 1.35
  EXPECT_DOUBLE_EQ(a.gpu_memory_gb, 128 * 80);
  EXPECT_NEAR(a.bf16_tflops, 128 * Bf16("H100 SXM"), 1e-6);

  // The total adds the sites; its headroom is a sum and it counts the site over its cap.
  EXPECT_EQ(sum.total.gpus, 4328);
  EXPECT_EQ(sum.total.asics, 1800);
  EXPECT_EQ(sum.total.it_power, Watts(7'052'400 + 163'200));
  EXPECT_EQ(sum.total.facility_power, Watts(7'757'640 + 220'320));
  EXPECT_EQ(sum.total.grid_cap, Megawatts(8));
  EXPECT_EQ(sum.total.headroom, Watts(8'000'000 - 7'757'640 - 220'320));
  EXPECT_EQ(sum.total.sites_over_grid_cap, 1);
  EXPECT_DOUBLE_EQ(sum.total.gpu_memory_gb, 67'200 + 10'240);
  ASSERT_EQ(sum.total.gpus_by_segment.size(), 2u);
}

TEST(SummaryRenderTest, TextNamesSitesAndOverCap) {
  FleetSummary sum = Summarize(LoadExample("two-site-nyiso.yaml"));
  const std::string text = RenderSummaryText(sum);
  EXPECT_NE(text.find("Site massena"), std::string::npos) << text;
  EXPECT_NE(text.find("OVER by 257.64 kW"), std::string::npos) << text;
  EXPECT_NE(text.find("headroom 279.68 kW"), std::string::npos) << text;
  EXPECT_NE(text.find("H100 SXM5 80GB"), std::string::npos);
  EXPECT_NE(text.find("Total"), std::string::npos);
}

TEST(SummaryRenderTest, JsonCarriesTheFigures) {
  FleetSummary sum = Summarize(LoadExample("asic-hydro-ercot.yaml"));
  const std::string json = RenderSummaryJson(sum);
  EXPECT_NE(json.find("\"fleet\": \"ercot-hydro-asic-site\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"it\": 29838840.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"sha256_ths\": 1536000.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"over_grid_cap\": false"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::fleet
