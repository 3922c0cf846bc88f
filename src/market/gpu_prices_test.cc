#include "market/gpu_prices.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/text.h"
#include "market/test_data_dir.h"

namespace rigshift::market {
namespace {

double Usd(GpuHourPrice p) { return ToUsdPerGpuHour(p); }

TEST(GpuPricesTest, DefaultTableCitesEveryRow) {
  const GpuHourPriceTable& t = DefaultGpuHourPrices();
  EXPECT_GE(t.by_model.size(), 15u);
  for (const auto& [model, price] : t.by_model) {
    EXPECT_GT(Usd(price), 0) << model;
    auto it = t.row_source.find(model);
    ASSERT_NE(it, t.row_source.end()) << model;
    EXPECT_GT(it->second.size(), 20u) << model;
  }
  EXPECT_DOUBLE_EQ(Usd(t.by_model.at("H100 SXM5 80GB")), 2.75);
  EXPECT_DOUBLE_EQ(Usd(t.by_model.at("GeForce RTX 3090")), 0.25);
}

TEST(GpuPricesTest, NamesMatchAcrossVendorPrefixesAndPunctuation) {
  EXPECT_EQ(NormaliseGpuName("NVIDIA GeForce RTX-3090"), "rtx3090");
  EXPECT_EQ(NormaliseGpuName("AMD Instinct MI300X"), "mi300x");
  const GpuHourPriceTable& t = DefaultGpuHourPrices();
  ASSERT_TRUE(FindGpuHourPrice(t, "RTX 3090").has_value());
  EXPECT_DOUBLE_EQ(Usd(*FindGpuHourPrice(t, "rtx_3090")), 0.25);
  EXPECT_DOUBLE_EQ(Usd(*FindGpuHourPrice(t, "V100 SXM2 16GB")), 0.83);
  EXPECT_FALSE(FindGpuHourPrice(t, "GeForce GTX 1060 6GB").has_value());
  EXPECT_FALSE(FindGpuHourPrice(t, "").has_value());
}

// The curve is a least-squares fit on the anchored rows: it must stay within the stated factor
// 0.6..1.7 of each anchor, grow with compute and memory, and never go below the floor.
TEST(GpuPricesTest, CurveStaysNearTheAnchors) {
  struct Anchor {
    const char* model;
    double tflops, gb;
  };
  const Anchor anchors[] = {{"H100 SXM5 80GB", 989.4, 80},     {"H100 PCIe", 756, 80},
                            {"A100 SXM4 80GB", 312, 80},       {"L40S", 362, 48},
                            {"Tesla V100 SXM2 16GB", 125, 16}, {"GeForce RTX 3090", 71, 24},
                            {"GeForce RTX 4090", 165.2, 24}};
  const GpuHourPriceTable& t = DefaultGpuHourPrices();
  for (const Anchor& a : anchors) {
    double table = Usd(t.by_model.at(a.model));
    double curve = Usd(GpuHourPriceCurve(a.tflops, a.gb));
    EXPECT_GT(curve / table, 0.6) << a.model << " curve " << curve;
    EXPECT_LT(curve / table, 1.75) << a.model << " curve " << curve;
  }
  EXPECT_LT(GpuHourPriceCurve(25.5, 12), GpuHourPriceCurve(71, 12));
  EXPECT_LT(GpuHourPriceCurve(71, 12), GpuHourPriceCurve(71, 24));
  EXPECT_EQ(GpuHourPriceCurve(0, 0), UsdPerGpuHour(0.02));
  EXPECT_EQ(GpuHourPriceCurve(-5, std::nan("")), UsdPerGpuHour(0.02));
  // GTX 1060 6GB (FP32 4.4 TFLOPS): a few cents an hour.
  EXPECT_NEAR(Usd(GpuHourPriceCurve(4.375, 6)), 0.042, 0.005);
  // Table first, curve otherwise.
  EXPECT_EQ(GpuHourPriceFor("RTX 4090", 1, 1, t), UsdPerGpuHour(0.78));
  EXPECT_EQ(GpuHourPriceFor("GeForce RTX 3060", 25.5, 12, t), GpuHourPriceCurve(25.5, 12));
}

// The datacentre rows sit inside the spread of the cited list prices.
TEST(GpuPricesTest, DefaultsLieWithinTheSharedListPrices) {
  if (!testing::HaveSharedMarkets()) GTEST_SKIP() << "no shared data";
  auto text = ReadFileToString(testing::SharedDataDir() +
                               "/markets/gpu_rental/gpu_cloud_prices_snippets.csv");
  ASSERT_TRUE(text.ok());
  auto rows = ParseCsv(*text, "snippets");
  ASSERT_TRUE(rows.ok());
  // On-demand single-GPU rows (the two 8x instance rows are above 10 USD/h).
  auto range = [&](const std::string& gpu, const std::string& vram) {
    double lo = 1e9, hi = 0;
    for (size_t i = 1; i < rows->size(); ++i) {
      const auto& f = (*rows)[i].fields;
      if (f[0] != gpu || f[1] != vram || f[4] != "on-demand") continue;
      double p = *ParseDouble(f[2]);
      if (p > 10) continue;
      lo = std::min(lo, p);
      hi = std::max(hi, p);
    }
    return std::make_pair(lo, hi);
  };
  const GpuHourPriceTable& t = DefaultGpuHourPrices();
  auto h100 = range("H100", "80");
  EXPECT_DOUBLE_EQ(h100.first, 2.49);
  EXPECT_DOUBLE_EQ(h100.second, 3.24);
  for (const char* m : {"H100 SXM5 80GB", "H100 PCIe"}) {
    EXPECT_GE(Usd(t.by_model.at(m)), h100.first) << m;
    EXPECT_LE(Usd(t.by_model.at(m)), h100.second) << m;
  }
  auto a100 = range("A100", "80");
  EXPECT_GE(Usd(t.by_model.at("A100 SXM4 80GB")), a100.first);
  EXPECT_LE(Usd(t.by_model.at("A100 SXM4 80GB")), a100.second);
  EXPECT_DOUBLE_EQ(Usd(t.by_model.at("L40S")), range("L40S", "48").first);
  EXPECT_DOUBLE_EQ(Usd(t.by_model.at("Tesla V100 SXM2 16GB")), range("V100/S", "16").first);
}

TEST(GpuPricesTest, ParsesAUserTable) {
  auto t = ParseGpuPriceCsv(
      "gpu,usd_per_hour,source\n"
      "RTX 3090,0.31,my broker 2024-06\n"
      "\"H100 SXM5 80GB\",2.10,\n",
      "prices.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->by_model.size(), 2u);
  EXPECT_EQ(t->by_model.at("RTX 3090"), UsdPerGpuHour(0.31));
  EXPECT_EQ(t->row_source.at("RTX 3090"), "my broker 2024-06");
  EXPECT_EQ(t->row_source.at("H100 SXM5 80GB"), "prices.csv:3");
  EXPECT_EQ(GpuHourPriceFor("GeForce RTX 3090", 71, 24, *t), UsdPerGpuHour(0.31));
}

TEST(GpuPricesTest, BadTablesGiveLocatedMessages) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"", "prices.csv: empty file"},
      {"name,usd_per_hour\nx,1\n", "prices.csv:1: header: no model column"},
      {"gpu,price\nx,1\n", "prices.csv:1: header: no 'usd_per_hour' column"},
      {"gpu,usd_per_hour\n", "prices.csv:1: no rows after the header"},
      {"gpu,usd_per_hour\nRTX 3090,cheap\n", "prices.csv:2: usd_per_hour: 'cheap' is not a number"},
      {"gpu,usd_per_hour\nRTX 3090,0\n", "prices.csv:2: usd_per_hour: '0' is outside (0, 1000]"},
      {"gpu,usd_per_hour\nRTX 3090,5000\n", "prices.csv:2: usd_per_hour: '5000' is outside"},
      {"gpu,usd_per_hour\n,1\n", "prices.csv:2: gpu: empty model name"},
      {"gpu,usd_per_hour\nRTX 3090,1,x\n",
       "prices.csv:2: expected 2 columns as in the header, found 3"},
      {"gpu,usd_per_hour\nRTX 3090,1\nrtx-3090,2\n",
       "prices.csv:3: gpu: 'rtx-3090' is listed twice (first on line 2)"},
  };
  for (const Case& c : cases) {
    auto r = ParseGpuPriceCsv(c.text, "prices.csv");
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "message: " << r.status().message() << "\nexpected: " << c.expected;
  }
  auto missing = LoadGpuPriceFile("/nonexistent/prices.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace rigshift::market
