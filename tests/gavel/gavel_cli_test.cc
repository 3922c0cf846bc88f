// `rigshift simulate --mode gavel` end to end: the binary runs both Gavel traces from the shared
// data and its JSON carries Gavel's three figures within the bar (5% on JCT and makespan,
// 0.03 on utilisation); bad invocations fail with a message and a non-zero exit.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace {

std::string GavelDir() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  std::string base = env != nullptr && *env != '\0' ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces/gavel";
}

struct Output {
  int exit_code = -1;
  std::string text;  // stdout and stderr
};

Output RunCli(const std::string& args) {
  Output out;
  const std::string cmd = std::string(RIGSHIFT_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.text.append(buf.data(), n);
  const int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

void CheckFigures(const std::string& trace, const std::string& cluster, size_t jobs, double jct,
                  double makespan, double utilisation) {
  const std::string dir = GavelDir();
  Output o = RunCli("simulate --mode gavel --cluster " + cluster + " --jobs gavel:" + dir + "/" + trace +
                 " --throughputs " + dir + "/simulation_throughputs.json --policy fifo_perf --json");
  ASSERT_EQ(o.exit_code, 0) << o.text;
  auto j = nlohmann::json::parse(o.text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << o.text;
  EXPECT_EQ(j["mode"], "gavel");
  EXPECT_EQ(j["jobs"].get<size_t>(), jobs);
  EXPECT_EQ(j["jobs_finished"].get<size_t>(), jobs);
  EXPECT_NEAR(j["avg_jct_s"].get<double>(), jct, 0.05 * jct);
  EXPECT_NEAR(j["makespan_s"].get<double>(), makespan, 0.05 * makespan);
  EXPECT_NEAR(j["utilisation"].get<double>(), utilisation, 0.03);
}

class GavelCli : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GavelDir())) GTEST_SKIP() << "no shared data at " << GavelDir();
  }
};

TEST_F(GavelCli, PhysicalClusterTraceMatchesGavel) {
  CheckFigures("physical_cluster/max_min_fairness.trace", "v100=8,p100=16,k80=24", 96, 19526.9,
               72319.9, 0.722);
}

TEST_F(GavelCli, GeneratedTraceMatchesGavel) {
  // Gavel's own cluster-spec form, V100:P100:K80.
  CheckFigures("generated/seed0_lam3600_w4000-5000_multigpu.trace", "36:36:36", 1942, 57826.2,
               7009708.3, 0.281);
}

TEST_F(GavelCli, TextSummaryNamesTheFigures) {
  const std::string dir = GavelDir();
  Output o = RunCli("simulate --mode gavel --cluster v100=8,p100=16,k80=24 --jobs " + dir +
                 "/physical_cluster/max_min_fairness.trace --throughputs " + dir +
                 "/simulation_throughputs.json");
  ASSERT_EQ(o.exit_code, 0) << o.text;
  EXPECT_NE(o.text.find("jobs finished  96 of 96"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("average JCT"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("replanning at most every 1920 s"), std::string::npos) << o.text;
}

TEST_F(GavelCli, BadInvocationsFailWithAMessage) {
  const std::string dir = GavelDir();
  Output not_gavel = RunCli("simulate --mode gavel --cluster 1:1:1 --jobs none");
  EXPECT_NE(not_gavel.exit_code, 0);
  EXPECT_NE(not_gavel.text.find("--jobs must be a Gavel trace"), std::string::npos)
      << not_gavel.text;
  Output bad_mode = RunCli("simulate --mode gvl --cluster 1:1:1");
  EXPECT_NE(bad_mode.exit_code, 0);
  EXPECT_NE(bad_mode.text.find("expected market or gavel"), std::string::npos) << bad_mode.text;
  Output bad_cluster = RunCli("simulate --mode gavel --cluster v100=x --jobs gavel:" + dir +
                           "/physical_cluster/max_min_fairness.trace");
  EXPECT_NE(bad_cluster.exit_code, 0);
  EXPECT_NE(bad_cluster.text.find("expected a GPU count"), std::string::npos) << bad_cluster.text;
}

}  // namespace
