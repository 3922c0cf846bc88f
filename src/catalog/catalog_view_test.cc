#include "catalog/catalog_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rigshift::catalog {
namespace {

std::vector<std::string> GpuNames(const CatalogSelection& s) {
  std::vector<std::string> out;
  for (const GpuModel* g : s.gpus) out.push_back(g->name);
  return out;
}

TEST(CatalogSelect, EmptyQuerySelectsEverythingOfTheKind) {
  const Catalog& c = Catalog::Builtin();
  CatalogSelection all = SelectModels(c, "", std::nullopt);
  EXPECT_EQ(all.gpus.size(), c.gpus().size());
  EXPECT_EQ(all.asics.size(), c.asics().size());
  CatalogSelection gpus = SelectModels(c, "", DeviceKind::kGpu);
  EXPECT_EQ(gpus.gpus.size(), c.gpus().size());
  EXPECT_TRUE(gpus.asics.empty());
  CatalogSelection asics = SelectModels(c, "  ", DeviceKind::kAsic);
  EXPECT_TRUE(asics.gpus.empty());
  EXPECT_EQ(asics.asics.size(), c.asics().size());
}

TEST(CatalogSelect, SubstringOfNameOrAliasAndExactMatchesFirst) {
  const Catalog& c = Catalog::Builtin();
  // "rtx 306" is in the names of the RTX 3060 and 3060 Ti only.
  EXPECT_EQ(GpuNames(SelectModels(c, "rtx 306", std::nullopt)),
            (std::vector<std::string>{"GeForce RTX 3060", "GeForce RTX 3060 Ti"}));
  // "3060 Ti" is an alias of one card: exact, so it alone.
  EXPECT_EQ(GpuNames(SelectModels(c, "3060ti", std::nullopt)),
            (std::vector<std::string>{"GeForce RTX 3060 Ti"}));
  // "S19" equals the S19's alias and is part of the whole family's names: the S19 first.
  CatalogSelection s19 = SelectModels(c, "s19", DeviceKind::kAsic);
  ASSERT_GE(s19.asics.size(), 5u);
  EXPECT_EQ(s19.asics.front()->name, "Antminer S19");
  for (const AsicModel* a : s19.asics) EXPECT_NE(a->name.find("S19"), std::string::npos);
  // "A100" selects the four A100 variants, nothing else.
  CatalogSelection a100 = SelectModels(c, "A100", std::nullopt);
  EXPECT_EQ(a100.gpus.size(), 4u);
  EXPECT_TRUE(a100.asics.empty());
  // Kind filters apply after matching.
  EXPECT_TRUE(SelectModels(c, "S19", DeviceKind::kGpu).empty());
  EXPECT_TRUE(SelectModels(c, "no such thing", std::nullopt).empty());
}

TEST(CatalogSelect, ParseDeviceKind) {
  EXPECT_EQ(ParseDeviceKind("gpu"), DeviceKind::kGpu);
  EXPECT_EQ(ParseDeviceKind("ASIC"), DeviceKind::kAsic);
  EXPECT_EQ(ParseDeviceKind("fpga"), std::nullopt);
  EXPECT_EQ(ParseDeviceKind(""), std::nullopt);
}

TEST(CatalogView, HashrateUnits) {
  EXPECT_EQ(FormatGpuHashrate(MegahashPerSecond(114)), "114 MH/s");
  EXPECT_EQ(FormatGpuHashrate(MegahashPerSecond(97.878)), "97.9 MH/s");
  EXPECT_EQ(FormatGpuHashrate(MegahashPerSecond(3113.51)), "3.11 GH/s");
  EXPECT_EQ(FormatGpuHashrate(KiloHashPerSecond(950)), "950 kH/s");
}

TEST(CatalogView, HeadlineProfilePrefersEthash) {
  const Catalog& c = Catalog::Builtin();
  const MiningProfile* p = HeadlineMiningProfile(*c.FindGpu("RTX 3060"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->algorithm, "Ethash");
  EXPECT_EQ(HeadlineMiningProfile(*c.FindGpu("H100")), nullptr);
}

TEST(CatalogView, TextTableRows) {
  const Catalog& c = Catalog::Builtin();
  std::string text = RenderSelectionText(SelectModels(c, "rtx 309", std::nullopt));
  // Only one card matches "rtx 309": the detail card.
  EXPECT_NE(text.find("GeForce RTX 3090 (GPU, NVIDIA, consumer, 2020)"), std::string::npos) << text;
  EXPECT_NE(text.find("24 GB GDDR6X, 936 GB/s"), std::string::npos) << text;
  EXPECT_NE(text.find("BF16 71 TFLOPS"), std::string::npos) << text;
  EXPECT_NE(text.find("Ethash 114 MH/s @ 320 W"), std::string::npos) << text;
  EXPECT_NE(text.find("source:"), std::string::npos);

  text = RenderSelectionText(SelectModels(c, "rtx 30", std::nullopt));
  EXPECT_NE(text.find("GPU "), std::string::npos);  // header
  EXPECT_NE(text.find("(7 GPUs;"), std::string::npos) << text;
  // The 3080 row: 10 GB, 760 GB/s, BF16 59.5, 320 W, gen4 x16, best Ethash 97.9 MH/s at 224 W and
  // three other algorithms.
  size_t row = text.find("GeForce RTX 3080 ");
  ASSERT_NE(row, std::string::npos);
  std::string line = text.substr(row, text.find('\n', row) - row);
  for (const char* part :
       {" 10 ", " 760 ", " 59.5 ", " 320 ", "gen4 x16", "Ethash 97.9 MH/s @ 224 W (+3 more)"}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " not in: " << line;
  }
  // Pascal has no BF16: a dash.
  text = RenderSelectionText(SelectModels(c, "gtx 10", std::nullopt));
  row = text.find("GeForce GTX 1080 Ti");
  ASSERT_NE(row, std::string::npos);
  line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find(" - "), std::string::npos) << line;
}

TEST(CatalogView, AsicTableAndCard) {
  const Catalog& c = Catalog::Builtin();
  std::string text = RenderSelectionText(SelectModels(c, "s21", DeviceKind::kAsic));
  size_t row = text.find("Antminer S21 Hydro");
  ASSERT_NE(row, std::string::npos) << text;
  std::string line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find(" 335 "), std::string::npos) << line;
  EXPECT_NE(line.find(" 5360 "), std::string::npos) << line;
  EXPECT_NE(line.find(" 16.0 "), std::string::npos) << line;  // J/TH
  EXPECT_NE(line.find("hydro"), std::string::npos) << line;

  text = RenderSelectionText(SelectModels(c, "S19j Pro", std::nullopt));
  EXPECT_NE(text.find("Antminer S19j Pro (SHA-256 ASIC, Bitmain, 2021, air-cooled)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("104 TH/s at 3068 W, 29.50 J/TH"), std::string::npos) << text;
  EXPECT_NE(text.find("bin-90T: 90 TH/s at 2655 W, 29.50 J/TH"), std::string::npos) << text;
}

TEST(CatalogView, JsonHasEveryFieldAndNulls) {
  const Catalog& c = Catalog::Builtin();
  nlohmann::json j = nlohmann::json::parse(RenderSelectionJson(SelectModels(c, "", std::nullopt)));
  ASSERT_EQ(j["gpus"].size(), c.gpus().size());
  ASSERT_EQ(j["asics"].size(), c.asics().size());
  const nlohmann::json* k80 = nullptr;
  const nlohmann::json* r3080 = nullptr;
  for (const auto& g : j["gpus"]) {
    if (g["name"] == "Tesla K80 (one GPU)") k80 = &g;
    if (g["name"] == "GeForce RTX 3080") r3080 = &g;
  }
  ASSERT_NE(k80, nullptr);
  EXPECT_TRUE((*k80)["bf16_tflops"].is_null());
  EXPECT_EQ((*k80)["memory_gb"], 12);
  ASSERT_NE(r3080, nullptr);
  EXPECT_EQ((*r3080)["mining"].size(), 5u);
  EXPECT_EQ((*r3080)["mining"][1]["hashrate_khs"], 97878);
  EXPECT_EQ((*r3080)["tdp_w"], 320);
  EXPECT_FALSE((*r3080)["source"].get<std::string>().empty());
  for (const auto& a : j["asics"]) {
    EXPECT_EQ(a["kind"], "asic");
    EXPECT_GE(a["modes"].size(), 1u);
    EXPECT_NEAR(a["efficiency_j_per_th"].get<double>(),
                a["power_w"].get<double>() / a["hashrate_ths"].get<double>(), 1e-9);
  }
  // Kind filter: the other array is present and empty.
  j = nlohmann::json::parse(RenderSelectionJson(SelectModels(c, "M66", DeviceKind::kAsic)));
  EXPECT_TRUE(j["gpus"].empty());
  ASSERT_EQ(j["asics"].size(), 1u);
  EXPECT_EQ(j["asics"][0]["cooling"], "immersion");
}

}  // namespace
}  // namespace rigshift::catalog
