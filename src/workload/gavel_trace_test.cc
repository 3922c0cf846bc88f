// Tests for the Gavel trace loader: the shipped traces load with the figures the files hold, and
// every kind of malformed line is reported with file:line:column, the column's name and what was
// expected.
#include "workload/gavel_trace.h"

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

// One well-formed line with the given fields replaced.
std::string Line(const std::string& steps = "1000", const std::string& scale = "2",
                 const std::string& arrival = "12.6", const std::string& needs = "1",
                 const std::string& weight = "1", const std::string& slo = "-1.000000") {
  return "ResNet-18 (batch size 128)\tpython3 main.py --batch_size 128\timage_classification/"
         "cifar10\t--num_steps\t" +
         needs + "\t" + steps + "\t" + scale + "\t" + weight + "\t" + slo + "\t" + arrival + "\n";
}

TEST(GavelTrace, ParsesAllColumnsIntoJob) {
  // Scenario: two jobs; the second arrives later, has a high priority weight and an SLO.
  auto r = ParseGavelTrace(Line() + Line("5", "1", "3600", "0", "5", "1.5"), "t.trace",
                           {.origin = 1000});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  const Job& a = r->jobs[0];
  EXPECT_EQ(a.id, 0);
  EXPECT_EQ(a.name, "gavel-0");
  EXPECT_EQ(a.job_type, "ResNet-18 (batch size 128)");
  EXPECT_EQ(a.total_steps, 1000);
  EXPECT_EQ(a.gpus, 2);
  EXPECT_EQ(a.arrival, 1013);  // 12.6 s rounded to the nearest second, after the origin
  EXPECT_EQ(a.interconnect, Interconnect::kNone);
  EXPECT_EQ(a.preemptibility, Preemptibility::kFree);
  EXPECT_EQ(a.restore_time, 0);
  EXPECT_DOUBLE_EQ(r->extras[0].arrival_seconds, 12.6);
  EXPECT_TRUE(r->extras[0].needs_data_dir);
  EXPECT_EQ(r->extras[0].num_steps_arg, "--num_steps");
  EXPECT_EQ(r->extras[0].line, 1);
  const Job& b = r->jobs[1];
  EXPECT_EQ(b.id, 1);
  EXPECT_EQ(b.arrival, 4600);
  EXPECT_DOUBLE_EQ(b.priority_weight, 5.0);
  EXPECT_DOUBLE_EQ(r->extras[1].slo, 1.5);
  EXPECT_FALSE(r->extras[1].needs_data_dir);
}

TEST(GavelTrace, SkipsBlankAndCommentLinesAndAcceptsCrlf) {
  std::string crlf = Line();
  crlf.insert(crlf.size() - 1, "\r");
  auto r = ParseGavelTrace("# header\n\n" + crlf + "   \n" + Line(), "t.trace");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  EXPECT_EQ(r->extras[0].line, 3);
  EXPECT_EQ(r->extras[1].line, 5);
  EXPECT_EQ(r->jobs[1].id, 1);  // ids count jobs, not lines
}

TEST(GavelTrace, ReadsGavelsOlderSevenColumnForm) {
  // msr_seed0 form: job type, command, steps argument, needs data, total steps, arrival, scale.
  auto r = ParseGavelTrace(
      "Transformer (batch size 128)\tpython3 train.py\t-step\t1\t79561\t0.000000\t1\n"
      "A3C\tpython3 main.py\t--max-steps\t0\t1066\t1511.4\t4\n",
      "msr.trace");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  EXPECT_EQ(r->jobs[1].job_type, "A3C");
  EXPECT_EQ(r->jobs[1].total_steps, 1066);
  EXPECT_EQ(r->jobs[1].gpus, 4);
  EXPECT_EQ(r->jobs[1].arrival, 1511);
  EXPECT_DOUBLE_EQ(r->jobs[1].priority_weight, 1.0);
  EXPECT_EQ(r->extras[1].num_steps_arg, "--max-steps");
  EXPECT_TRUE(r->extras[1].working_directory.empty());
  EXPECT_DOUBLE_EQ(r->extras[1].slo, -1.0);
}

TEST(GavelTrace, OlderFormErrorsNameTheColumnsAsWritten) {
  auto r = ParseGavelTrace("A\tcmd\t-n\t1\t10\t0\t1\nB\tcmd\t-n\t1\t10\t5\tzero\n", "m.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("m.trace:2:17: column 7 (scale factor)"), std::string::npos)
      << r.status().message();
  auto mixed = ParseGavelTrace("A\tcmd\t-n\t1\t10\t0\t1\n" + Line(), "m.trace");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("m.trace:2:1: expected 7 tab-separated columns, as the "
                                          "lines before"),
            std::string::npos)
      << mixed.status().message();
}

TEST(GavelTrace, EmptyTextIsAnEmptyTrace) {
  auto r = ParseGavelTrace("", "t.trace");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->jobs.empty());
}

struct BadCase {
  const char* what;
  std::string text;
  std::string expected;  // a substring of the error message
};

// Test names from the case description ("nine columns" -> nine_columns), stable across runs.
std::string CaseName(const testing::TestParamInfo<BadCase>& info) {
  std::string out;
  for (const char* c = info.param.what; *c != '\0'; ++c) {
    out += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  }
  return out;
}

class GavelTraceBadInput : public testing::TestWithParam<BadCase> {};

TEST_P(GavelTraceBadInput, ReportsLocationAndExpectation) {
  const BadCase& c = GetParam();
  auto r = ParseGavelTrace(c.text, "bad.trace");
  ASSERT_FALSE(r.ok()) << c.what;
  EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
      << c.what << ": " << r.status().message();
}

// In Line(), column 6 (total steps) starts at byte 104.
INSTANTIATE_TEST_SUITE_P(
    Cases, GavelTraceBadInput,
    testing::Values(
        BadCase{"nine columns", "A\tcmd\tdir\t--n\t1\t10\t1\t1\t-1\n",
                "bad.trace:1:1: expected 10 tab-separated columns"},
        BadCase{"eleven columns", "A\tcmd\tdir\t--n\t1\t10\t1\t1\t-1\t0\textra\n", "found 11"},
        BadCase{"spaces instead of tabs", "A cmd dir --n 1 10 1 1 -1 0\n", "found 1"},
        BadCase{"steps not a number", Line() + Line("lots"),
                "bad.trace:2:104: column 6 (total steps): expected an integer from 1 to"},
        BadCase{"zero steps", Line("0"), "column 6 (total steps): expected an integer from 1"},
        BadCase{"fractional steps", Line("10.5"), "found '10.5'"},
        BadCase{"steps overflow", Line("99999999999999999999999"), "column 6 (total steps)"},
        BadCase{"zero GPUs", Line("10", "0"), "column 7 (scale factor): expected a GPU count"},
        BadCase{"negative GPUs", Line("10", "-4"), "found '-4'"},
        BadCase{"negative arrival", Line("10", "1", "-3"),
                "column 10 (arrival time): expected seconds >= 0"},
        BadCase{"NaN arrival", Line("10", "1", "nan"), "found 'nan'"},
        BadCase{"infinite arrival", Line("10", "1", "inf"), "column 10 (arrival time)"},
        BadCase{"needs-data flag 2", Line("10", "1", "0", "2"),
                "column 5 (needs data): expected 0 or 1, found '2'"},
        BadCase{"zero priority weight", Line("10", "1", "0", "1", "0"),
                "column 8 (priority weight): expected a number > 0"},
        BadCase{"SLO not a number", Line("10", "1", "0", "1", "1", "soon"),
                "column 9 (SLO): expected a number"},
        BadCase{"empty job type", "\tcmd\tdir\t--n\t1\t10\t1\t1\t-1\t0\n",
                "bad.trace:1:1: column 1 (job type): expected a non-empty text"},
        BadCase{"empty command", "A\t \tdir\t--n\t1\t10\t1\t1\t-1\t0\n",
                "bad.trace:1:3: column 2 (command)"},
        BadCase{"control bytes shown escaped", "A\tc\td\t--n\t1\t1\x01\t1\t1\t-1\t0\n",
                "found '1\\x01'"}),
    CaseName);

TEST(GavelTrace, ErrorNamesTheLineNotTheJob) {
  // Scenario: a comment and a blank line precede the bad job; the message counts file lines.
  auto r = ParseGavelTrace("# c\n\n" + Line("x"), "f.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("f.trace:3:", 0), 0u) << r.status().message();
}

TEST(GavelTrace, MissingFileIsAnIoError) {
  auto r = LoadGavelTrace("/nonexistent/dir/x.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(GavelTrace, LoadsTheShippedTraces) {
  // Real data: the 96-job physical-cluster trace and the 1,942-job generated trace.
  const std::string dir = SharedData() + "/traces/gavel";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no shared data at " << dir;
  auto small = LoadGavelTrace(dir + "/physical_cluster/max_min_fairness.trace");
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->jobs.size(), 96u);
  EXPECT_EQ(small->jobs[0].job_type, "ResNet-18 (batch size 128)");
  EXPECT_EQ(small->jobs[0].total_steps, 925982);
  EXPECT_EQ(small->jobs[0].gpus, 4);
  auto big = LoadGavelTrace(dir + "/generated/seed0_lam3600_w4000-5000_multigpu.trace");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  ASSERT_EQ(big->jobs.size(), 1942u);
  // The first 17 lines are jobs already running at the window start (remaining steps, t = 0).
  for (int i = 0; i < 17; ++i) EXPECT_EQ(big->jobs[i].arrival, 0) << i;
  EXPECT_EQ(big->jobs[17].arrival, 1304);  // line 18: 1303.709505 s
  EXPECT_EQ(big->jobs.back().arrival, 6795194);
  int64_t gpus = 0;
  for (const Job& j : big->jobs) gpus += j.gpus;
  EXPECT_EQ(gpus, 1377 + 176 * 2 + 291 * 4 + 98 * 8);  // scale factors counted with cut -f7
  // Every shipped trace loads: the 10-column physical-cluster ones and the 7-column msr_seed0 ones.
  size_t msr_jobs = 0;
  for (const auto& sub : {"physical_cluster", "msr_seed0"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir + "/" + sub)) {
      auto t = LoadGavelTrace(entry.path().string());
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      EXPECT_FALSE(t->jobs.empty()) << entry.path();
      if (std::string(sub) == "msr_seed0") msr_jobs += t->jobs.size();
    }
  }
  EXPECT_EQ(msr_jobs, 15264u);  // the data README's count
}

}  // namespace
}  // namespace rigshift::workload
