// Tests for the Gavel throughput loader: lookups on the shipped file, the key format, and located
// errors (JSON path or line:column) for malformed files.
#include "workload/gavel_throughputs.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace rigshift::workload {
namespace {

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr && *env != '\0' ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

TEST(GavelJobKey, ParsesPythonTupleRepr) {
  auto k = ParseGavelJobKey("('ResNet-18 (batch size 128)', 4)");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->first, "ResNet-18 (batch size 128)");
  EXPECT_EQ(k->second, 4);
  auto dq = ParseGavelJobKey("(\"Bob's model\", 1)");  // repr switches quotes around a '
  ASSERT_TRUE(dq.has_value());
  EXPECT_EQ(dq->first, "Bob's model");
  auto esc = ParseGavelJobKey("('it\\'s', 2)");
  ASSERT_TRUE(esc.has_value());
  EXPECT_EQ(esc->first, "it's");
  EXPECT_FALSE(ParseGavelJobKey("ResNet-18, 1").has_value());
  EXPECT_FALSE(ParseGavelJobKey("('A3C', 0)").has_value());
  EXPECT_FALSE(ParseGavelJobKey("('A3C', x)").has_value());
  EXPECT_FALSE(ParseGavelJobKey("('A3C' 1)").has_value());
  EXPECT_FALSE(ParseGavelJobKey("('', 1)").has_value());
  EXPECT_FALSE(ParseGavelJobKey("('A3C, 1)").has_value());
}

TEST(GavelThroughputs, FindsSoloThroughputAndIgnoresColocation) {
  const char* text = R"json({
    "k80": {"('A3C', 1)": {"null": 2.5, "('A3C', 1)": [1.0, 1.0]},
            "('A3C', 2)": {"null": 0.0}},
    "V100": {"('A3C', 1)": {"null": 7.25}},
    "v100_unconsolidated": {"('A3C', 1)": {"null": 6.0}}
  })json";
  auto t = GavelThroughputs::Parse(text, "t.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->size(), 4u);
  EXPECT_EQ(t->Find("A3C", 1, "k80"), 2.5);
  EXPECT_EQ(t->Find("A3C", 2, "K80"), 0.0);  // zero: cannot run there, but known
  EXPECT_EQ(t->Find("A3C", 1, "v100"), 7.25);
  EXPECT_FALSE(t->Find("A3C", 4, "k80").has_value());
  EXPECT_FALSE(t->Find("A3C", 1, "p100").has_value());
  EXPECT_EQ(t->GpuTypes(), (std::vector<std::string>{"k80", "v100", "v100_unconsolidated"}));
  StepThroughputs steps = t->ToStepThroughputs();
  EXPECT_EQ(steps.steps_per_second.size(), 3u);  // the unconsolidated entry is left out
  ASSERT_NE(steps.Find("A3C", 1, GpuClass::kV100), nullptr);
  EXPECT_EQ(*steps.Find("A3C", 1, GpuClass::kV100), 7.25);
}

struct BadCase {
  const char* what;
  std::string text;
  std::string expected;
};

// Test names from the case description ("nine columns" -> nine_columns), stable across runs.
std::string CaseName(const testing::TestParamInfo<BadCase>& info) {
  std::string out;
  for (const char* c = info.param.what; *c != '\0'; ++c) {
    out += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  }
  return out;
}

class GavelThroughputsBadInput : public testing::TestWithParam<BadCase> {};

TEST_P(GavelThroughputsBadInput, ReportsPathAndExpectation) {
  const BadCase& c = GetParam();
  auto r = GavelThroughputs::Parse(c.text, "tp.json");
  ASSERT_FALSE(r.ok()) << c.what;
  EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
      << c.what << ": " << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GavelThroughputsBadInput,
    testing::Values(
        BadCase{"syntax error on line 2", "{\"k80\":\n  {\"('A', 1)\": {\"null\": 1,}}}",
                "tp.json:2:"},
        BadCase{"truncated file", "{\"k80\": {", "JSON syntax error"},
        BadCase{"top level is a list", "[1, 2]", "tp.json: $: expected an object of GPU types"},
        BadCase{"no GPU types", "{}", "no GPU types"},
        BadCase{"GPU type is a number", "{\"k80\": 3}",
                "k80: expected an object of job types, found the number 3"},
        BadCase{"key not a tuple", "{\"k80\": {\"ResNet\": {\"null\": 1}}}",
                "k80.ResNet: expected a key like"},
        BadCase{"entry is a number", "{\"k80\": {\"('A', 1)\": 2.0}}",
                "k80.\"('A', 1)\": expected an object with \"null\""},
        BadCase{"missing null", "{\"p100\": {\"('A', 1)\": {\"('B', 1)\": [1, 2]}}}",
                "p100.\"('A', 1)\": missing \"null\""},
        BadCase{"null is a string", "{\"k80\": {\"('A', 1)\": {\"null\": \"fast\"}}}",
                "k80.\"('A', 1)\".null: expected a number >= 0 (steps/s), found a string"},
        BadCase{"negative throughput", "{\"k80\": {\"('A', 1)\": {\"null\": -1.5}}}",
                "found the number -1.5"},
        BadCase{"null is JSON null", "{\"k80\": {\"('A', 1)\": {\"null\": null}}}", "found null"}),
    CaseName);

TEST(GavelThroughputs, MissingFileIsAnIoError) {
  auto r = GavelThroughputs::Load("/nonexistent/throughputs.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(GavelThroughputs, LoadsTheShippedFile) {
  // Real data: 83 (job type, scale) entries per GPU type; figures read off the file.
  const std::string path = SharedData() + "/traces/gavel/simulation_throughputs.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no shared data at " << path;
  auto t = GavelThroughputs::Load(path);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->JobTypes("k80").size(), 83u);
  EXPECT_EQ(t->JobTypes("v100").size(), 83u);
  EXPECT_EQ(t->JobTypes("k80_unconsolidated").size(), 77u);
  ASSERT_TRUE(t->Find("ResNet-18 (batch size 16)", 1, "k80").has_value());
  EXPECT_NEAR(*t->Find("ResNet-18 (batch size 16)", 1, "k80"), 4.795294551566172, 1e-12);
  EXPECT_NEAR(*t->Find("ResNet-18 (batch size 128)", 1, "v100"), 17.995, 1e-3);
  EXPECT_EQ(*t->Find("ResNet-50 (batch size 128)", 2, "k80"), 0.0);
  EXPECT_EQ(t->ToStepThroughputs().steps_per_second.size(), 3u * 83u);
}

}  // namespace
}  // namespace rigshift::workload
