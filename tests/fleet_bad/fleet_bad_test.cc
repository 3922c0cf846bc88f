// Bad fleet files -> expected messages. Each tests/fleet_bad/cases/NAME.yaml starts with comment
// lines that say what loading it must produce:
//   # expect: TEXT           loading fails and the error message contains TEXT (may repeat)
//   # expect-warning: TEXT   loading succeeds with a warning containing TEXT, and fails with
//                           --strict naming the same problem
//   # options: strict        load with LoadOptions::strict
// Files are loaded under their base name so that messages read "NAME.yaml:LINE:COL: ...".
// To add a rule: add a case file; the test discovers it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/text.h"
#include "fleet/loader.h"

namespace rigshift::fleet {
namespace {

namespace fs = std::filesystem;

struct BadCase {
  std::string name;  // file base name
  std::string path;
  std::string text;
  std::vector<std::string> expect;
  std::vector<std::string> expect_warning;
  bool strict = false;
};

// gtest prints a parameter with this (instead of its bytes).
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string CasesDir() { return std::string(RIGSHIFT_SOURCE_DIR) + "/tests/fleet_bad/cases"; }

std::vector<BadCase> LoadCases() {
  std::vector<BadCase> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(CasesDir(), ec)) {
    if (entry.path().extension() != ".yaml") continue;
    BadCase c;
    c.name = entry.path().filename().string();
    c.path = entry.path().string();
    Result<std::string> text = ReadFileToString(c.path);
    if (text.ok()) c.text = *text;
    for (const std::string& line : Split(c.text, '\n')) {
      if (line.rfind("#", 0) != 0) break;
      auto value = [&line](const std::string& key) {
        return std::string(Trim(std::string_view(line).substr(key.size())));
      };
      if (line.rfind("# expect: ", 0) == 0) c.expect.push_back(value("# expect: "));
      if (line.rfind("# expect-warning: ", 0) == 0) {
        c.expect_warning.push_back(value("# expect-warning: "));
      }
      if (line == "# options: strict") c.strict = true;
    }
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(),
            [](const BadCase& a, const BadCase& b) { return a.name < b.name; });
  return cases;
}

const std::vector<BadCase>& Cases() {
  static const std::vector<BadCase> cases = LoadCases();
  return cases;
}

class FleetBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(FleetBadTest, ProducesExpectedMessage) {
  const BadCase& c = GetParam();
  ASSERT_FALSE(c.text.empty() && c.expect.empty()) << c.path << ": cannot read the case";
  ASSERT_TRUE(!c.expect.empty() || !c.expect_warning.empty())
      << c.path << ": the case states no '# expect:' or '# expect-warning:' line";
  LoadOptions options;
  options.strict = c.strict;
  Result<LoadedFleet> loaded = LoadFleetText(c.text, c.name, catalog::Catalog::Builtin(), options);
  if (!c.expect.empty()) {
    ASSERT_FALSE(loaded.ok()) << c.name << " loaded, but should fail with: " << c.expect[0];
    const std::string& message = loaded.status().message();
    for (const std::string& e : c.expect) {
      EXPECT_NE(message.find(e), std::string::npos)
          << c.name << "\n  expected: " << e << "\n  got:      " << message;
    }
    // Every line of an error names the file first (and the line where one is known).
    for (const std::string& line : Split(message, '\n')) {
      EXPECT_EQ(line.rfind(c.name + ":", 0), 0u) << c.name << ": line without location: " << line;
    }
  }
  if (!c.expect_warning.empty()) {
    ASSERT_TRUE(loaded.ok()) << c.name << ": " << loaded.status().message();
    std::string all;
    for (const Diagnostic& w : loaded->warnings) all += w.ToString() + "\n";
    for (const std::string& e : c.expect_warning) {
      EXPECT_NE(all.find(e), std::string::npos)
          << c.name << "\n  expected warning: " << e << "\n  got: " << all;
    }
    // The same file under --strict is an error about the same thing.
    LoadOptions strict;
    strict.strict = true;
    Result<LoadedFleet> strict_loaded =
        LoadFleetText(c.text, c.name, catalog::Catalog::Builtin(), strict);
    ASSERT_FALSE(strict_loaded.ok()) << c.name << " loads under --strict";
    for (const std::string& e : c.expect_warning) {
      std::string without_prefix = e;
      if (size_t at = without_prefix.find("warning: "); at != std::string::npos) {
        without_prefix.erase(at, 9);
      }
      EXPECT_NE(strict_loaded.status().message().find(without_prefix), std::string::npos)
          << strict_loaded.status().message();
    }
  }
}

std::string CaseName(const ::testing::TestParamInfo<BadCase>& info) {
  std::string out;
  for (char ch : info.param.name.substr(0, info.param.name.size() - 5)) {
    out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, FleetBadTest, ::testing::ValuesIn(Cases()), CaseName);

TEST(FleetBadSetTest, CoversEnoughRules) {
  // Scenario: the set must not shrink silently (a missing directory would run zero cases).
  EXPECT_GE(Cases().size(), 40u) << "cases in " << CasesDir();
}

}  // namespace
}  // namespace rigshift::fleet
