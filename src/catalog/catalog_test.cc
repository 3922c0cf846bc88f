#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"

namespace rigshift::catalog {
namespace {

// ---------------------------------------------------------------------------------------------
// The embedded catalogue.

TEST(CatalogBuiltin, HasTheIssueMinimumCounts) {
  const Catalog& c = Catalog::Builtin();
  EXPECT_GE(c.gpus().size(), 35u);
  EXPECT_GE(c.asics().size(), 20u);
}

TEST(CatalogBuiltin, EveryModelTheIssueNamesIsPresent) {
  // Issue 2, item 4: the mining generation, the AI generation and the S9..S21 / M30S..M66 range.
  const Catalog& c = Catalog::Builtin();
  for (const char* gpu : {"GTX 1060 6GB",
                          "GTX 1070",
                          "GTX 1080 Ti",
                          "RTX 2060",
                          "RTX 2070",
                          "RTX 2080",
                          "RTX 2080 Ti",
                          "RTX 3060",
                          "RTX 3060 Ti",
                          "RTX 3070",
                          "RTX 3080",
                          "RTX 3090",
                          "RTX 4070",
                          "RTX 4080",
                          "RTX 4090",
                          "RX 470",
                          "RX 480",
                          "RX 570",
                          "RX 580",
                          "RX 5700 XT",
                          "RX 6800",
                          "RX 6900 XT",
                          "CMP 170HX",
                          "V100 PCIe 16GB",
                          "V100-SXM2-32GB",
                          "A100-40GB",
                          "A100-80GB",
                          "L40S",
                          "H100 PCIe",
                          "H100 SXM",
                          "H200",
                          "MI300X",
                          "K80",
                          "P100",
                          "T4",
                          "Quadro RTX 6000",
                          "A40",
                          "A10"}) {
    EXPECT_NE(c.FindGpu(gpu), nullptr) << gpu;
  }
  for (const char* asic :
       {"S9",           "S17", "S17 Pro", "S17+", "S19",       "S19 Pro", "S19j Pro", "S19 XP",
        "S19 XP Hydro", "S21", "S21 Pro", "S21+", "S21 Hydro", "M30S",    "M30S+",    "M30S++",
        "M31S+",        "M50", "M50S",    "M53",  "M60",       "M66"}) {
    EXPECT_NE(c.FindAsic(asic), nullptr) << asic;
  }
}

TEST(CatalogBuiltin, EveryRowCitesASourceAndIsPlausible) {
  const Catalog& c = Catalog::Builtin();
  for (const GpuModel& g : c.gpus()) {
    SCOPED_TRACE(g.name);
    EXPECT_FALSE(g.source.empty());
    EXPECT_GT(g.memory_gb, 0);
    EXPECT_GT(g.memory_bandwidth_gbs, 0);
    EXPECT_GE(g.fp16_tflops, g.fp32_tflops * 0.001);  // Pascal GeForce: 1/64 rate
    if (g.bf16_tflops) {
      EXPECT_GE(*g.bf16_tflops, g.fp32_tflops);
    }
    EXPECT_GT(g.tdp, Watts(0));
    EXPECT_LE(g.tdp, Watts(1000));
    for (const MiningProfile& p : g.mining) {
      EXPECT_FALSE(p.source.empty());
      EXPECT_GT(p.hashrate.raw(), 0);
      // A tuned mining profile never draws more than about 1.1x the board's rated power.
      EXPECT_LE(ToWatts(p.power), ToWatts(g.tdp) * 1.1) << p.algorithm;
    }
  }
  for (const AsicModel& a : c.asics()) {
    SCOPED_TRACE(a.name);
    EXPECT_FALSE(a.source.empty());
    EXPECT_EQ(a.algorithm, "SHA-256");
    // Every SHA-256 ASIC since the S9 is between 10 and 110 J/TH.
    EXPECT_GT(a.EfficiencyJPerTh(), 10);
    EXPECT_LT(a.EfficiencyJPerTh(), 110);
    ASSERT_NE(a.Mode("normal"), nullptr);
    EXPECT_EQ(a.Mode("normal")->power, a.power);
    for (size_t i = 1; i < a.modes.size(); ++i) {
      EXPECT_LE(a.modes[i - 1].power, a.modes[i].power);
    }
  }
}

TEST(CatalogBuiltin, NoBf16OnPartsWithoutIt) {
  // Pascal and Turing GeForce, Volta, Turing datacentre and pre-RDNA3 AMD have no BF16 units.
  const Catalog& c = Catalog::Builtin();
  for (const char* name : {"GTX 1080 Ti", "RTX 2080 Ti", "V100", "T4", "RX 580", "RX 6900 XT"}) {
    ASSERT_NE(c.FindGpu(name), nullptr) << name;
    EXPECT_FALSE(c.FindGpu(name)->bf16_tflops.has_value()) << name;
  }
  for (const char* name : {"RTX 3090", "A100", "H100", "MI300X", "L40S"}) {
    ASSERT_NE(c.FindGpu(name), nullptr) << name;
    EXPECT_TRUE(c.FindGpu(name)->bf16_tflops.has_value()) << name;
  }
}

TEST(CatalogBuiltin, MatchesTheDataDirectory) {
  // The embedded copy is regenerated whenever a CSV changes; this catches a stale build.
  Result<Catalog> dir = Catalog::FromDirectory(std::string(RIGSHIFT_SOURCE_DIR) + "/data/catalog");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  const Catalog& b = Catalog::Builtin();
  ASSERT_EQ(dir->gpus().size(), b.gpus().size());
  ASSERT_EQ(dir->asics().size(), b.asics().size());
  for (size_t i = 0; i < b.gpus().size(); ++i) {
    EXPECT_EQ(dir->gpus()[i].name, b.gpus()[i].name);
    EXPECT_EQ(dir->gpus()[i].mining.size(), b.gpus()[i].mining.size());
  }
  for (size_t i = 0; i < b.asics().size(); ++i) {
    EXPECT_EQ(dir->asics()[i].modes.size(), b.asics()[i].modes.size());
  }
}

// ---------------------------------------------------------------------------------------------
// Lookups.

TEST(CatalogLookup, ByNameAliasAndCase) {
  const Catalog& c = Catalog::Builtin();
  const GpuModel* g = c.FindGpu("GeForce RTX 3090");
  ASSERT_NE(g, nullptr);
  for (const char* spelling : {"RTX 3090", "rtx3090", "rtx-3090", "3090", "geforce_rtx_3090",
                               "NVIDIA GeForce RTX 3090", "  RTX 3090"}) {
    EXPECT_EQ(c.FindGpu(spelling), g) << spelling;
  }
  ASSERT_NE(c.FindGpu("h100"), nullptr);
  EXPECT_EQ(c.FindGpu("h100")->name, "H100 SXM5 80GB");
  EXPECT_EQ(c.FindGpu("H100 PCIe")->name, "H100 PCIe");
  EXPECT_EQ(c.FindGpu("a100-80gb")->memory_gb, 80);
  EXPECT_EQ(c.FindGpu("A100-40GB")->memory_gb, 40);
  EXPECT_EQ(c.FindGpu("NVIDIA Tesla V100 SXM2 16GB"), c.FindGpu("V100"));
  EXPECT_EQ(c.FindGpu("AMD Instinct MI300X")->vendor, "AMD");

  const AsicModel* s19pro = c.FindAsic("Antminer S19 Pro");
  ASSERT_NE(s19pro, nullptr);
  EXPECT_EQ(c.FindAsic("s19pro"), s19pro);
  EXPECT_EQ(c.FindAsic("Bitmain Antminer S19 Pro"), s19pro);
  EXPECT_NE(c.FindAsic("S19"), s19pro);  // no prefix matching
  EXPECT_EQ(c.FindAsic("whatsminer m30s++")->manufacturer, "MicroBT");
}

TEST(CatalogLookup, UnknownNamesAndKindsDoNotMatch) {
  const Catalog& c = Catalog::Builtin();
  EXPECT_EQ(c.FindGpu("RTX 3909"), nullptr);
  EXPECT_EQ(c.FindGpu(""), nullptr);
  EXPECT_EQ(c.FindGpu("S19 Pro"), nullptr);    // an ASIC is not a GPU
  EXPECT_EQ(c.FindAsic("RTX 3090"), nullptr);  // and vice versa
  EXPECT_EQ(c.FindGpu("nvidia"), nullptr);     // a bare vendor word
}

TEST(CatalogLookup, AllNamesFeedsSuggestions) {
  const Catalog& c = Catalog::Builtin();
  std::vector<std::string> names = c.AllNames();
  EXPECT_GT(names.size(), c.gpus().size() + c.asics().size());
  std::vector<std::string> close = ClosestNames("RTX 3909", names, 3);
  ASSERT_FALSE(close.empty());
  EXPECT_NE(close.front().find("3090"), std::string::npos) << close.front();
}

TEST(CatalogLookup, NormaliseModelName) {
  EXPECT_EQ(NormaliseModelName("GeForce RTX-3090 Ti"), "geforcertx3090ti");
  EXPECT_EQ(NormaliseModelName("S19j_Pro"), "s19jpro");
  EXPECT_EQ(NormaliseModelName("S21+"), "s21+");
}

TEST(CatalogModels, MiningForPicksTheHighestHashrate) {
  const Catalog& c = Catalog::Builtin();
  const GpuModel* g = c.FindGpu("RTX 3080");
  ASSERT_NE(g, nullptr);
  const MiningProfile* eth = g->MiningFor("ethash");  // case-insensitive
  ASSERT_NE(eth, nullptr);
  // Two cited Ethash profiles: 96 MH/s at 145 W and 97.878 MH/s at 224 W.
  EXPECT_EQ(eth->hashrate, MegahashPerSecond(97.878));
  EXPECT_EQ(eth->power, Watts(224));
  EXPECT_NE(g->MiningFor("KawPow"), nullptr);
  EXPECT_EQ(g->MiningFor("RandomX"), nullptr);
  EXPECT_EQ(c.FindGpu("H100")->MiningFor("Ethash"), nullptr);
}

TEST(CatalogModels, DerivedEtchashProfilesCopyTheCardsEthashRow) {
  // data/catalog/README.md: a derived Etchash row carries the card's cited Ethash figure.
  int derived = 0;
  for (const GpuModel& g : Catalog::Builtin().gpus()) {
    for (const MiningProfile& p : g.mining) {
      if (p.source.rfind("derived:", 0) != 0) continue;
      SCOPED_TRACE(g.name);
      EXPECT_EQ(p.algorithm, "Etchash");
      bool matches = false;
      for (const MiningProfile& q : g.mining) {
        matches = matches || (q.algorithm == "Ethash" && q.hashrate == p.hashrate &&
                              q.power == p.power && q.source.rfind("derived:", 0) != 0);
      }
      EXPECT_TRUE(matches);
      ++derived;
    }
  }
  EXPECT_GE(derived, 15);
  EXPECT_NE(Catalog::Builtin().FindGpu("RX 580")->MiningFor("Etchash"), nullptr);
}

TEST(CatalogModels, AsicEfficiencyAndModes) {
  const Catalog& c = Catalog::Builtin();
  const AsicModel* s19pro = c.FindAsic("S19 Pro");
  ASSERT_NE(s19pro, nullptr);
  EXPECT_NEAR(s19pro->EfficiencyJPerTh(), 3250.0 / 110.0, 1e-9);
  const AsicModel* s19jpro = c.FindAsic("S19j Pro");
  ASSERT_NE(s19jpro, nullptr);
  ASSERT_NE(s19jpro->Mode("BIN-90T"), nullptr);  // case-insensitive
  EXPECT_EQ(s19jpro->Mode("bin-90T")->hashrate, TerahashPerSecond(90));
  EXPECT_EQ(s19jpro->Mode("bin-90T")->power, Watts(2655));
  EXPECT_EQ(s19jpro->modes.front().name, "bin-90T");  // ascending power
  EXPECT_EQ(s19jpro->modes.back().name, "normal");
  EXPECT_EQ(s19jpro->Mode("turbo"), nullptr);
}

TEST(CatalogModels, KindAndSegmentNames) {
  EXPECT_STREQ(DeviceKindName(DeviceKind::kGpu), "gpu");
  EXPECT_STREQ(DeviceKindName(DeviceKind::kAsic), "asic");
  EXPECT_STREQ(GpuSegmentName(GpuSegment::kMining), "mining");
  EXPECT_STREQ(GpuSegmentName(GpuSegment::kDatacenter), "datacenter");
  EXPECT_EQ(Catalog::Builtin().FindGpu("CMP 170HX")->segment, GpuSegment::kMining);
  EXPECT_EQ(Catalog::Builtin().FindGpu("CMP 170HX")->pcie_lanes, 4);
}

// ---------------------------------------------------------------------------------------------
// Bad input: every error names the file, the line and the field (with its column number).

const char kGpuHeader[] =
    "name,aliases,vendor,segment,launch_year,memory_gb,memory_type,memory_bandwidth_gbs,"
    "fp32_tflops,fp16_tflops,bf16_tflops,int8_tops,tdp_w,pcie_gen,pcie_lanes,nvlink_gbs,source\n";
const char kGpuRow[] =
    "Test GPU,TG1;tg-one,NVIDIA,consumer,2020,24,GDDR6X,936,35.58,71,71,284,350,4,16,0,"
    "\"unit test, with a comma\"\n";

Catalog::CsvInputs ValidInputs() {
  Catalog::CsvInputs in;
  in.gpus = std::string(kGpuHeader) + kGpuRow;
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\nTG1,Ethash,114,MH/s,320,t\n";
  in.asics =
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n"
      "Test Miner,TM1,Bitmain,2020,100,3000,air,t\n";
  in.asic_modes = "asic,mode,hashrate_ths,power_w,source\nTM1,eco,80,2200,t\n";
  return in;
}

void ExpectError(const Catalog::CsvInputs& in, const std::vector<std::string>& parts) {
  Result<Catalog> c = Catalog::FromCsv(in);
  ASSERT_FALSE(c.ok()) << "expected an error containing '" << parts.front() << "'";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  for (const std::string& p : parts) {
    EXPECT_NE(c.status().message().find(p), std::string::npos)
        << "'" << p << "' not in: " << c.status().message();
  }
}

TEST(CatalogFromCsv, ValidInputsLoad) {
  Result<Catalog> c = Catalog::FromCsv(ValidInputs());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->gpus().size(), 1u);
  const GpuModel& g = c->gpus()[0];
  EXPECT_EQ(g.source, "unit test, with a comma");
  EXPECT_EQ(g.aliases, (std::vector<std::string>{"TG1", "tg-one"}));
  EXPECT_EQ(g.tdp, Watts(350));
  ASSERT_EQ(g.mining.size(), 1u);
  EXPECT_EQ(g.mining[0].hashrate, KiloHashPerSecond(114000));
  ASSERT_EQ(c->asics().size(), 1u);
  EXPECT_EQ(c->asics()[0].modes.size(), 2u);
  EXPECT_EQ(c->asics()[0].Mode("eco")->power, Watts(2200));
}

TEST(CatalogFromCsv, ColumnsMayComeInAnyOrderAndOptionalFieldsMayBeEmpty) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpus =
      "source,name,aliases,vendor,segment,launch_year,memory_gb,memory_type,"
      "memory_bandwidth_gbs,fp32_tflops,fp16_tflops,bf16_tflops,int8_tops,tdp_w,pcie_gen,"
      "pcie_lanes,nvlink_gbs\n"
      "s,Old Card,,AMD,consumer,2016,8,GDDR5,256,6.175,,,,185,3,16,0\n";
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\n";
  Result<Catalog> c = Catalog::FromCsv(in);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const GpuModel& g = c->gpus()[0];
  EXPECT_FALSE(g.bf16_tflops.has_value());
  EXPECT_FALSE(g.int8_tops.has_value());
  EXPECT_DOUBLE_EQ(g.fp16_tflops, 6.175);  // no FP16 path: the FP32 rate
}

TEST(CatalogFromCsv, MissingColumn) {
  Catalog::CsvInputs in = ValidInputs();
  std::string header = kGpuHeader;
  header.replace(header.find("tdp_w,"), 6, "");
  std::string row = kGpuRow;
  row.replace(row.find(",350,"), 4, "");
  in.gpus = header + row;
  ExpectError(in, {"gpus.csv:1:", "missing column 'tdp_w'"});
}

TEST(CatalogFromCsv, NonNumericField) {
  Catalog::CsvInputs in = ValidInputs();
  std::string row = kGpuRow;
  row.replace(row.find(",24,"), 4, ",lots,");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'memory_gb' (column 6)", "'lots' is not a number"});
}

TEST(CatalogFromCsv, NegativeValue) {
  Catalog::CsvInputs in = ValidInputs();
  std::string row = kGpuRow;
  row.replace(row.find(",350,"), 5, ",-350,");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'tdp_w' (column 13)", "negative"});
  in = ValidInputs();
  in.asics =
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n"
      "Test Miner,TM1,Bitmain,2020,-100,3000,air,t\n";
  ExpectError(in, {"asics.csv:2:", "field 'hashrate_ths' (column 5)", "negative"});
}

TEST(CatalogFromCsv, ZeroWhereAPositiveValueIsNeeded) {
  Catalog::CsvInputs in = ValidInputs();
  in.asic_modes = "asic,mode,hashrate_ths,power_w,source\nTM1,eco,80,0,t\n";
  ExpectError(in, {"asic_modes.csv:2:", "field 'power_w' (column 4)", "zero"});
}

TEST(CatalogFromCsv, ValueTooSmallForTheFixedPointUnits) {
  Catalog::CsvInputs in = ValidInputs();
  in.asics =
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n"
      "Test Miner,TM1,Bitmain,2020,1e-7,3000,air,t\n";
  ExpectError(in, {"asics.csv:2:", "field 'hashrate_ths' (column 5)", "too small"});
}

TEST(CatalogFromCsv, DuplicateName) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpus = std::string(kGpuHeader) + kGpuRow + kGpuRow;
  ExpectError(in, {"gpus.csv:3:", "field 'name' (column 1)", "duplicate name 'Test GPU'"});
  // A name that only differs in case and spacing is the same name.
  in = ValidInputs();
  std::string second = kGpuRow;
  second.replace(0, 8, "test-gpu");
  second.replace(second.find("TG1;tg-one"), 10, "");
  in.gpus = std::string(kGpuHeader) + kGpuRow + second;
  ExpectError(in, {"gpus.csv:3:", "duplicate name 'test-gpu'", "'Test GPU'"});
  // An alias that another model owns.
  in = ValidInputs();
  second = kGpuRow;
  second.replace(0, 8, "Other GPU");
  in.gpus = std::string(kGpuHeader) + kGpuRow + second;
  ExpectError(in, {"gpus.csv:3:", "field 'aliases' (column 2)", "already used by 'Test GPU'"});
}

TEST(CatalogFromCsv, UnknownHashrateUnit) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\nTG1,Ethash,114,MH,320,t\n";
  ExpectError(
      in, {"gpu_mining.csv:2:", "field 'unit' (column 4)", "unknown hashrate unit 'MH'", "MH/s"});
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\nTG1,Equihash,108,Sol/s,201,t\n";
  ExpectError(in, {"gpu_mining.csv:2:", "unknown hashrate unit 'Sol/s'"});
}

TEST(CatalogFromCsv, HashrateBelowResolution) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\nTG1,RandomX,400,H/s,100,t\n";
  ExpectError(in, {"gpu_mining.csv:2:", "field 'hashrate' (column 3)", "below 1 kH/s"});
}

TEST(CatalogFromCsv, UnknownGpuInMiningSuggestsNames) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpu_mining = "gpu,algorithm,hashrate,unit,power_w,source\nTest GPX,Ethash,114,MH/s,320,t\n";
  ExpectError(in, {"gpu_mining.csv:2:", "field 'gpu' (column 1)", "unknown GPU 'Test GPX'",
                   "did you mean 'Test GPU'"});
}

TEST(CatalogFromCsv, OneSpellingPerAlgorithmAndNoRepeatedProfiles) {
  Catalog::CsvInputs in = ValidInputs();
  in.gpu_mining =
      "gpu,algorithm,hashrate,unit,power_w,source\nTG1,KawPow,40,MH/s,250,t\n"
      "TG1,KAWPOW,41,MH/s,250,t\n";
  ExpectError(in, {"gpu_mining.csv:3:", "field 'algorithm' (column 2)", "spelled 'KawPow'"});
  in.gpu_mining =
      "gpu,algorithm,hashrate,unit,power_w,source\nTG1,KawPow,40,MH/s,250,a\n"
      "tg-one,KawPow,40000,kH/s,250,b\n";
  ExpectError(in, {"gpu_mining.csv:3:", "duplicate profile"});
}

TEST(CatalogFromCsv, BadEnumsAndRanges) {
  Catalog::CsvInputs in = ValidInputs();
  std::string row = kGpuRow;
  row.replace(row.find("consumer"), 8, "gaming");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'segment' (column 4)", "unknown segment 'gaming'"});
  row = kGpuRow;
  row.replace(row.find(",4,16,"), 6, ",4,32,");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'pcie_lanes' (column 15)", "out of range"});
  row = kGpuRow;
  row.replace(row.find(",2020,"), 6, ",20x0,");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'launch_year' (column 5)", "not an integer"});
  in = ValidInputs();
  in.asics =
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n"
      "Test Miner,TM1,Bitmain,2020,100,3000,oil,t\n";
  ExpectError(in, {"asics.csv:2:", "field 'cooling' (column 7)", "unknown cooling 'oil'"});
}

TEST(CatalogFromCsv, EmptyRequiredField) {
  Catalog::CsvInputs in = ValidInputs();
  std::string row = kGpuRow;
  row.replace(row.find("GDDR6X"), 6, "");
  in.gpus = std::string(kGpuHeader) + row;
  ExpectError(in, {"gpus.csv:2:", "field 'memory_type' (column 7)", "empty"});
  in = ValidInputs();
  in.asics =
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n"
      "Test Miner,TM1,Bitmain,2020,100,3000,air,\n";
  ExpectError(in, {"asics.csv:2:", "field 'source' (column 8)", "empty"});
}

TEST(CatalogFromCsv, ModeErrors) {
  Catalog::CsvInputs in = ValidInputs();
  in.asic_modes = "asic,mode,hashrate_ths,power_w,source\nTM2,eco,80,2200,t\n";
  ExpectError(in, {"asic_modes.csv:2:", "field 'asic' (column 1)", "unknown ASIC 'TM2'"});
  in.asic_modes = "asic,mode,hashrate_ths,power_w,source\nTM1,Normal,80,2200,t\n";
  ExpectError(in, {"asic_modes.csv:2:", "field 'mode' (column 2)", "'normal' comes from"});
  in.asic_modes = "asic,mode,hashrate_ths,power_w,source\nTM1,eco,80,2200,t\nTM1,ECO,70,2000,t\n";
  ExpectError(in, {"asic_modes.csv:3:", "duplicate mode 'ECO'"});
}

TEST(CatalogFromCsv, MalformedFiles) {
  Catalog::CsvInputs in = ValidInputs();
  in.asics = "";
  ExpectError(in, {"asics.csv: empty file"});
  in = ValidInputs();
  in.gpus = std::string(kGpuHeader) + "Test GPU,TG1,NVIDIA\n";
  ExpectError(in, {"gpus.csv:2:", "row has 3 fields but the header has 17"});
  in = ValidInputs();
  in.gpus = std::string(kGpuHeader) + "\"Test GPU,TG1\n";
  ExpectError(in, {"gpus.csv:2:", "unterminated"});
  in = ValidInputs();
  in.gpus_source = "my_gpus.csv";
  in.gpus = "name,name\n";
  ExpectError(in, {"my_gpus.csv:1:", "column 'name' appears twice"});
}

TEST(CatalogFromCsv, FromDirectoryReportsMissingFiles) {
  Result<Catalog> c = Catalog::FromDirectory("/nonexistent/catalog");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kIoError);
  EXPECT_NE(c.status().message().find("/nonexistent/catalog/gpus.csv"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Spot checks: the catalogue's figures against the shared source files they cite, read at run time.

std::string SharedDataDir() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr && *env != '\0' ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

// A shared CSV keyed by its first column (or by `key_columns` joined with ',').
class SourceTable {
 public:
  static SourceTable Load(const std::string& relative, std::vector<std::string> key_columns) {
    SourceTable t;
    std::string path = SharedDataDir() + "/" + relative;
    Result<std::string> text = ReadFileToString(path);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    if (!text.ok()) return t;
    Result<std::vector<CsvRow>> rows = ParseCsv(*text, path);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty()) return t;
    std::map<std::string, size_t> cols;
    for (size_t i = 0; i < rows->front().fields.size(); ++i) {
      cols[std::string(Trim(rows->front().fields[i]))] = i;
    }
    t.cols_ = cols;
    for (size_t r = 1; r < rows->size(); ++r) {
      const std::vector<std::string>& f = (*rows)[r].fields;
      std::string key;
      for (const std::string& k : key_columns) {
        size_t i = cols.at(k);
        key += (key.empty() ? "" : ",") + (i < f.size() ? std::string(Trim(f[i])) : "");
      }
      t.rows_.emplace(key, f);  // first occurrence wins
    }
    return t;
  }
  bool Has(const std::string& key) const { return rows_.count(key) > 0; }
  double Number(const std::string& key, const std::string& col) const {
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      ADD_FAILURE() << "no row '" << key << "'";
      return NAN;
    }
    auto c = cols_.find(col);
    if (c == cols_.end() || c->second >= it->second.size()) {
      ADD_FAILURE() << "no column '" << col << "'";
      return NAN;
    }
    Result<double> v = ParseDouble(it->second[c->second]);
    if (!v.ok()) {
      ADD_FAILURE() << key << "." << col << ": " << v.status().message();
      return NAN;
    }
    return *v;
  }

 private:
  std::map<std::string, size_t> cols_;
  std::multimap<std::string, std::vector<std::string>> rows_;
};

class CatalogSpotCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(SharedDataDir() + "/hardware")) {
      GTEST_SKIP() << "shared data not found at " << SharedDataDir();
    }
  }
  static const GpuModel& Gpu(const std::string& name) {
    const GpuModel* g = Catalog::Builtin().FindGpu(name);
    RS_CHECK(g != nullptr);
    return *g;
  }
  static const AsicModel& Asic(const std::string& name) {
    const AsicModel* a = Catalog::Builtin().FindAsic(name);
    RS_CHECK(a != nullptr);
    return *a;
  }
};

// Relative closeness: figures typed from a source agree to its printed precision.
#define EXPECT_CLOSE(actual, expected, rel) \
  EXPECT_NEAR((actual), (expected), std::fabs(expected) * (rel) + 1e-9)

TEST_F(CatalogSpotCheck, GpuReferenceTargets) {
  SourceTable ref = SourceTable::Load("hardware/gpu_specs/gpu_reference_targets.csv", {"model"});
  // Rows that the catalogue takes as they are (memory, bandwidth, FP32, TDP).
  const std::vector<std::pair<std::string, std::string>> same = {
      {"GeForce GTX 1060 6GB", "GTX 1060 6GB"},
      {"GeForce GTX 1070", "GTX 1070"},
      {"GeForce GTX 1080 Ti", "GTX 1080 Ti"},
      {"GeForce RTX 2060", "RTX 2060"},
      {"GeForce RTX 3060 Ti", "RTX 3060 Ti"},
      {"GeForce RTX 3070", "RTX 3070"},
      {"GeForce RTX 3080", "RTX 3080"},
      {"GeForce RTX 3090 (Epoch)", "RTX 3090"},
      {"GeForce RTX 4090", "RTX 4090"},
      {"Radeon RX 470", "RX 470"},
      {"Radeon RX 570", "RX 570"},
      {"Radeon RX 580", "RX 580"},
      {"Radeon RX 5700 XT", "RX 5700 XT"},
      {"Radeon RX 6800", "RX 6800"},
      {"Radeon RX 6900 XT", "RX 6900 XT"},
      {"A100 SXM4 80GB", "A100-80GB"},
      {"H100 SXM5 80GB", "H100 SXM"},
      {"H100 PCIe", "H100 PCIe"},
      {"MI300X", "MI300X"}};
  for (const auto& [row, name] : same) {
    SCOPED_TRACE(row);
    const GpuModel& g = Gpu(name);
    EXPECT_CLOSE(g.memory_gb, ref.Number(row, "memory_gb"), 0.001);
    EXPECT_CLOSE(g.memory_bandwidth_gbs, ref.Number(row, "memory_bandwidth_gbs"), 0.001);
    EXPECT_CLOSE(g.fp32_tflops, ref.Number(row, "fp32_tflops"), 0.005);
    EXPECT_CLOSE(ToWatts(g.tdp), ref.Number(row, "tdp_w"), 0.001);
  }
  // Tensor figures where the reference row gives dense tensor rates.
  for (const auto& [row, name] :
       std::vector<std::pair<std::string, std::string>>{{"A100 SXM4 80GB", "A100-80GB"},
                                                        {"H100 SXM5 80GB", "H100 SXM"},
                                                        {"H200 SXM", "H200"},
                                                        {"MI300X", "MI300X"},
                                                        {"L40S", "L40S"}}) {
    SCOPED_TRACE(row);
    const GpuModel& g = Gpu(name);
    ASSERT_TRUE(g.bf16_tflops.has_value());
    EXPECT_CLOSE(*g.bf16_tflops, ref.Number(row, "bf16_tflops"), 1e-6);
    ASSERT_TRUE(g.int8_tops.has_value());
    EXPECT_CLOSE(*g.int8_tops, ref.Number(row, "int8_tops"), 1e-6);
  }
  // H200: the reference row corrects Wikipedia's bandwidth; the catalogue must carry 4800.
  EXPECT_CLOSE(Gpu("H200").memory_bandwidth_gbs, ref.Number("H200 SXM", "memory_bandwidth_gbs"),
               0.0);
  EXPECT_EQ(Gpu("H200").memory_bandwidth_gbs, 4800);
  EXPECT_EQ(Gpu("H200").memory_gb, 141);
}

TEST_F(CatalogSpotCheck, EpochAcceleratorRows) {
  SourceTable epoch =
      SourceTable::Load("hardware/gpu_specs/epoch_ai_ml_hardware.csv", {"Hardware name"});
  struct Check {
    std::string row, name;
    bool tensor;
  };
  for (const Check& c : std::vector<Check>{{"NVIDIA H200 SXM", "H200", true},
                                           {"AMD Instinct MI300X", "MI300X", true},
                                           {"NVIDIA A100 SXM4 80 GB", "A100-80GB", true},
                                           {"NVIDIA L4", "L4", true},
                                           {"NVIDIA A40 PCIe", "A40", true},
                                           {"NVIDIA L40", "L40", true},
                                           {"NVIDIA Tesla T4", "T4", false},
                                           {"NVIDIA Tesla V100 SXM2 32 GB", "V100-SXM2-32GB", true},
                                           {"NVIDIA Tesla V100 PCIe 16 GB", "V100 PCIe", true},
                                           {"NVIDIA GeForce RTX 4080", "RTX 4080", false}}) {
    SCOPED_TRACE(c.row);
    const GpuModel& g = Gpu(c.name);
    EXPECT_CLOSE(g.fp32_tflops,
                 epoch.Number(c.row, "FP32 (single precision) performance (FLOP/s)") / 1e12, 0.01);
    EXPECT_CLOSE(g.memory_bandwidth_gbs, epoch.Number(c.row, "Memory bandwidth (byte/s)") / 1e9,
                 0.01);
    EXPECT_CLOSE(ToWatts(g.tdp), epoch.Number(c.row, "TDP (W)"), 0.001);
    if (c.tensor) {
      EXPECT_CLOSE(g.fp16_tflops,
                   epoch.Number(c.row, "Tensor-FP16/BF16 performance (FLOP/s)") / 1e12, 0.01);
    }
  }
}

// The numbers in a scraped Wikipedia cell ("5,783.0 6,462.7", "2\u00d7 240", "120 W"), commas
// dropped; the last one is the boost / largest-board figure.
std::vector<double> CellNumbers(const nlohmann::json& cell) {
  if (cell.is_number()) return {cell.get<double>()};
  std::vector<double> out;
  if (!cell.is_string()) return out;
  // A hand tokeniser: std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers.
  std::string number;
  auto flush = [&] {
    if (!number.empty() && number.back() == '.') number.pop_back();
    if (!number.empty()) out.push_back(std::stod(number));
    number.clear();
  };
  for (char c : cell.get<std::string>()) {
    if (c == ',') continue;
    if ((c >= '0' && c <= '9') ||
        (c == '.' && !number.empty() && number.find('.') == std::string::npos)) {
      number.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

// The first field whose name contains every part (and is not a notebook "Boost" column).
std::optional<double> WikiFigure(const nlohmann::json& row, std::vector<std::string> parts) {
  for (const auto& [key, value] : row.items()) {
    bool all = key.find("(Boost)") == std::string::npos;
    for (const std::string& p : parts) all = all && key.find(p) != std::string::npos;
    if (!all) continue;
    std::vector<double> v = CellNumbers(value);
    if (v.empty()) return std::nullopt;
    return key.find("GFLOPS") != std::string::npos ? v.back() / 1000 : v.back();
  }
  return std::nullopt;
}

TEST_F(CatalogSpotCheck, WikipediaRowsTheCatalogueCites) {
  // Every GPU whose source cites a key of the scraped Wikipedia JSON agrees with that row on
  // memory bandwidth, FP32 (boost) and board power, except the documented deviations.
  std::string path = SharedDataDir() + "/hardware/gpu_specs/wikipedia_gpu_info_api_gpu.json";
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  nlohmann::json wiki = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(wiki.is_object());
  // Deliberate: the K80 row is one of the board's two GPUs; Wikipedia's H200 bandwidth is wrong.
  const std::set<std::pair<std::string, std::string>> deviations = {
      {"Tesla K80 (one GPU)", "fp32"}, {"Tesla K80 (one GPU)", "power"}, {"H200 SXM", "bandwidth"}};
  const std::string marker = "wikipedia_gpu_info_api_gpu.json ";
  int checked = 0;
  for (const GpuModel& g : Catalog::Builtin().gpus()) {
    size_t at = g.source.find(marker);
    if (at == std::string::npos) continue;
    std::string key = g.source.substr(at + marker.size());
    key = key.substr(0, key.find(')'));
    SCOPED_TRACE(g.name + " <- " + key);
    ASSERT_TRUE(wiki.contains(key));
    const nlohmann::json& row = wiki[key];
    auto check = [&](const std::string& what, std::optional<double> source, double ours,
                     double rel) {
      if (!source || deviations.count({g.name, what})) return;
      EXPECT_NEAR(ours, *source, *source * rel) << what;
      ++checked;
    };
    check("bandwidth", WikiFigure(row, {"Memory Bandwidth"}), g.memory_bandwidth_gbs, 0.002);
    check("fp32", WikiFigure(row, {"Processing power", "Single"}), g.fp32_tflops, 0.005);
    std::optional<double> power = WikiFigure(row, {"TDP"});
    if (!power) power = WikiFigure(row, {"TBP"});
    check("power", power, ToWatts(g.tdp), 0.001);
  }
  EXPECT_GE(checked, 90);
  // The deviations are what the catalogue says they are.
  EXPECT_EQ(*WikiFigure(wiki["NVIDIA_nan_66"], {"Memory Bandwidth"}), 3360);
  EXPECT_EQ(Gpu("K80").memory_bandwidth_gbs,
            *WikiFigure(wiki["NVIDIA_nan_41"], {"Memory Bandwidth"}));
  EXPECT_NEAR(Gpu("K80").fp32_tflops * 2,
              *WikiFigure(wiki["NVIDIA_nan_41"], {"Processing power", "Single"}), 1e-9);
}

TEST_F(CatalogSpotCheck, GpuSpecsDatacentreRows) {
  // gmasse/gpu-specs: the rows the catalogue cites for A100 variants, V100, T4, A10, L4, L40S.
  std::string path = SharedDataDir() + "/hardware/gpu_specs/gmasse_gpu_specs_specs.json";
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  nlohmann::json specs = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(specs.is_object());
  struct Row {
    std::string key, name;
    bool check_power;
  };
  for (const Row& r : std::vector<Row>{{"a100_pcie_40gb", "A100 PCIe 40GB", true},
                                       {"a100_pcie_80gb", "A100 PCIe 80GB", true},
                                       {"a100_sxm4_40gb", "A100-40GB", true},
                                       {"a100_sxm4_80gb", "A100-80GB", true},
                                       {"v100_sxm2", "V100", true},
                                       {"t4", "T4", true},
                                       {"a10", "A10", true},
                                       {"l4", "L4", true},
                                       {"l40s", "L40S", false}}) {  // TDP: see README
    SCOPED_TRACE(r.key);
    const nlohmann::json& s = specs[r.key];
    const GpuModel& g = Gpu(r.name);
    EXPECT_NEAR(g.memory_bandwidth_gbs, s["memory_bandwidth"].get<double>(),
                r.key == "t4" ? 20.0 : 0.5);  // T4: gpu-specs 300, NVIDIA and Epoch 320
    EXPECT_NEAR(g.fp32_tflops, s["fp32"].get<double>(), 0.05);
    if (r.check_power) {
      EXPECT_EQ(ToWatts(g.tdp), s["power_consumption"].get<double>());
    }
    if (s["bf16_tensor_core"].is_number() && s["bf16_tensor_core"].get<double>() > 0) {
      ASSERT_TRUE(g.bf16_tflops.has_value());
      EXPECT_NEAR(*g.bf16_tflops, s["bf16_tensor_core"].get<double>(), 0.5);
    }
  }
  EXPECT_EQ(Gpu("L40S").tdp, Watts(350));
  EXPECT_EQ(specs["l40s"]["power_consumption"], 300);
}

TEST_F(CatalogSpotCheck, F2poolAsicListing) {
  SourceTable f2 =
      SourceTable::Load("hardware/mining/f2pool_mining_devices_2020_mattk8.csv", {"Device"});
  // The catalogue rows that cite this file as their main source, checked generically, plus the
  // modes that cite it (bins and underclocked settings listed as separate devices there).
  int checked = 0;
  const std::string prefix = "shared mining/f2pool_mining_devices_2020_mattk8.csv '";
  auto cited_row = [&](const std::string& source) -> std::string {
    if (source.rfind(prefix, 0) != 0) return "";
    size_t end = source.find('\'', prefix.size());
    return source.substr(prefix.size(), end - prefix.size());
  };
  for (const AsicModel& a : Catalog::Builtin().asics()) {
    std::string row = cited_row(a.source);
    if (!row.empty()) {
      SCOPED_TRACE(a.name);
      EXPECT_CLOSE(ToTerahash(a.hashrate), f2.Number(row, "Hashrate (T)"), 1e-9);
      EXPECT_CLOSE(ToWatts(a.power), f2.Number(row, "Power Consumption (W)"), 1e-9);
      ++checked;
    }
    for (const AsicPowerMode& m : a.modes) {
      std::string mrow = m.name == "normal" ? "" : cited_row(m.source);
      if (mrow.empty() || m.source.find("listing)") != std::string::npos) continue;
      SCOPED_TRACE(a.name + " " + m.name);
      EXPECT_CLOSE(ToTerahash(m.hashrate), f2.Number(mrow, "Hashrate (T)"), 1e-9);
      EXPECT_CLOSE(ToWatts(m.power), f2.Number(mrow, "Power Consumption (W)"), 1e-9);
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
  // And by name, the ones the examples use most.
  EXPECT_EQ(Asic("S19 Pro").hashrate,
            TerahashPerSecond(f2.Number("Antminer S19 Pro", "Hashrate (T)")));
  EXPECT_EQ(Asic("S19").power, Watts(f2.Number("Antminer S19", "Power Consumption (W)")));
  EXPECT_EQ(Asic("S9 Hydro").cooling, "hydro");
}

TEST_F(CatalogSpotCheck, AsicSupplement) {
  SourceTable sup =
      SourceTable::Load("hardware/mining/asic_specs_supplement_snippets.csv", {"model"});
  for (const char* model :
       {"Antminer S19 XP", "Antminer S19j Pro", "Antminer S19 Pro", "Antminer S19",
        "Antminer S19a Pro", "Antminer S9", "Whatsminer M50", "Whatsminer M30S++",
        "Whatsminer M30S+", "Whatsminer M31S+", "Antminer S21", "Antminer S21 Pro", "Antminer S21+",
        "Whatsminer M66"}) {
    SCOPED_TRACE(model);
    const AsicModel& a = Asic(model);
    EXPECT_CLOSE(ToTerahash(a.hashrate), sup.Number(model, "hashrate_ths"), 1e-9);
    EXPECT_CLOSE(ToWatts(a.power), sup.Number(model, "power_w"), 1e-9);
  }
  // The S21 XP's power is the only figure that source gives.
  EXPECT_CLOSE(ToWatts(Asic("S21 XP").power), sup.Number("Antminer S21 XP", "power_w"), 1e-9);
}

TEST_F(CatalogSpotCheck, GpuMiningSnippets) {
  // Every profile citing the snippets file matches the row it names ('GPU,ALGORITHM' as written
  // there; the first row for that key when a GPU has several sources, else any row that matches).
  std::string path = SharedDataDir() + "/hardware/mining/gpu_mining_hashrates_snippets.csv";
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<std::vector<CsvRow>> rows = ParseCsv(*text, path);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const std::string prefix = "shared mining/gpu_mining_hashrates_snippets.csv '";
  int checked = 0;
  for (const GpuModel& g : Catalog::Builtin().gpus()) {
    for (const MiningProfile& p : g.mining) {
      if (p.source.rfind(prefix, 0) != 0) continue;
      std::string key =
          p.source.substr(prefix.size(), p.source.find('\'', prefix.size()) - prefix.size());
      SCOPED_TRACE(g.name + " " + p.algorithm + " <- " + key);
      bool found = false;
      for (size_t r = 1; r < rows->size() && !found; ++r) {
        const std::vector<std::string>& f = (*rows)[r].fields;
        if (f.size() < 5 || f[0] + "," + f[1] != key) continue;
        Result<double> h = ParseDouble(f[2]);
        Result<double> w = ParseDouble(f[4]);
        ASSERT_TRUE(h.ok() && w.ok());
        double scale = f[3] == "MH/s" ? 1e3 : f[3] == "kH/s" ? 1.0 : f[3] == "GH/s" ? 1e6 : NAN;
        found = std::llround(*h * scale) == p.hashrate.raw() && Watts(*w) == p.power;
      }
      EXPECT_TRUE(found);
      ++checked;
    }
  }
  EXPECT_GE(checked, 25);
}

}  // namespace
}  // namespace rigshift::catalog
