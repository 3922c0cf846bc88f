#include "assess/cost_table.h"

#include <gtest/gtest.h>

namespace rigshift::assess {
namespace {

TEST(CostTableTest, DefaultsHaveSourcesAndUnits) {
  CostTable t = CostTable::Defaults();
  ASSERT_GE(t.entries().size(), 15u);
  for (const auto& e : t.entries()) {
    EXPECT_FALSE(e.source.empty()) << e.key;
    EXPECT_FALSE(e.unit.empty()) << e.key;
    EXPECT_GE(e.value, 0) << e.key;
  }
  EXPECT_EQ(t.Usd("gpu_server_host"), Usd(12000));
  EXPECT_DOUBLE_EQ(t.Value("refit_server_h100_kw"), 10.2);
}

TEST(CostTableTest, YamlOverridesValueAndSource) {
  CostTable t = CostTable::Defaults();
  Status s = t.ApplyOverrides(
      "gpu_server_host: 15000\nram_per_gb: {value: 4.5, source: \"my quote\"}\n", "c.yaml", "yaml");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(t.Usd("gpu_server_host"), Usd(15000));
  EXPECT_EQ(t.Find("gpu_server_host")->source, "override: c.yaml:1:1");
  EXPECT_DOUBLE_EQ(t.Value("ram_per_gb"), 4.5);
  EXPECT_EQ(t.Find("ram_per_gb")->source, "my quote");
}

TEST(CostTableTest, CsvOverrides) {
  CostTable t = CostTable::Defaults();
  Status s = t.ApplyOverrides(
      "key,value,source\ncooling_per_kw,1200,quote 2025\nnvme_per_host,350\n", "c.csv", "csv");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_DOUBLE_EQ(t.Value("cooling_per_kw"), 1200);
  EXPECT_EQ(t.Find("cooling_per_kw")->source, "quote 2025");
  EXPECT_EQ(t.Find("nvme_per_host")->source, "override: c.csv:3");
}

struct Bad {
  const char* text;
  const char* format;
  const char* expected;
};

class CostTableBadInputTest : public ::testing::TestWithParam<Bad> {};

TEST_P(CostTableBadInputTest, NamesFileLineAndKey) {
  CostTable t = CostTable::Defaults();
  Status s = t.ApplyOverrides(GetParam().text, "c.in", GetParam().format);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(GetParam().expected), std::string::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CostTableBadInputTest,
    ::testing::Values(
        Bad{"gpu_server_hots: 1\n", "yaml",
            "c.in:1:1: unknown cost key 'gpu_server_hots'; did you mean 'gpu_server_host'?"},
        Bad{"ram_per_gb: -3\n", "yaml", "c.in:1:1: ram_per_gb: -3"},
        Bad{"ram_per_gb: cheap\n", "yaml", "c.in:1:13: ram_per_gb:"},
        Bad{"ram_per_gb: [1, 2]\n", "yaml", "ram_per_gb: expected a number"},
        Bad{"ram_per_gb: {source: x}\n", "yaml", "ram_per_gb: missing 'value'"},
        Bad{"- 1\n- 2\n", "yaml", "expected a map of cost keys"},
        Bad{"a: [1, 2\n", "yaml", "c.in:"},
        Bad{"key,value\nnvme_per_host,lots\n", "csv", "c.in:2: nvme_per_host:"},
        Bad{"key,value\nnvme_per_host\n", "csv", "c.in:2: 1 fields (expected key,value[,source])"},
        Bad{"key,value\nswitch_prot,1\n", "csv", "did you mean 'switch_port'?"},
        Bad{"ram_per_gb: 1e400\n", "yaml", "ram_per_gb"},
        // Values the fixed-point money of a large fleet cannot hold: refused by unit, not aborted.
        Bad{"maintenance_per_year: 1e6\n", "yaml",
            "c.in:1:1: maintenance_per_year: 1000000 fraction/year is out of range (expected 0 .. 10 "
            "fraction/year)"},
        Bad{"ram_per_gb: 1e10\n", "yaml", "ram_per_gb: 10000000000 USD/GB is out of range (expected 0 .. 1000 USD/GB)"},
        Bad{"asic_resale: 1.5\n", "yaml", "asic_resale: 1.5 fraction is out of range (expected 0 .. 1 fraction)"},
        Bad{"key,value\nrefit_server_h100,2e7\n", "csv", "c.in:2: refit_server_h100: 20000000 USD is out of range"}));

}  // namespace
}  // namespace rigshift::assess
