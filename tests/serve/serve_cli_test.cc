// `rigshift serve` as a user runs it, against `rigshift simulate` on the same inputs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

bool HaveData() {
  return std::filesystem::exists(SharedData() + "/traces/sia_sosp23/traces/philly.csv");
}

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun Rigshift(const std::string& args) {
  std::string cmd = std::string(RIGSHIFT_BINARY) + " " + args + " 2>/dev/null";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string TempDir(const std::string& name) {
  // tmpfs when there is one: the comparison measures decisions, not the disk's fsync.
  const std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  const auto dir = base / ("rigshift-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

// The same week of ERCOT prices and Philly arrivals (at 4x the trace's rate: 7,033 jobs for 56
// GPUs) on the small test site: `serve` on virtual time with the simulated backend, and
// `simulate` with the same policy, epoch, gap, seed, failure model and price knowledge (both
// with perfect foresight: the live service's default forecast is built from the prices it has
// seen, which a replay reaches differently). Money and jobs finished agree within 1% (measured:
// net margin 5,271.93 vs 5,271.81 USD, 1,123 jobs finished in both).
TEST(ServeCli, LiveAndSimulatedAgreeOnAWeek) {
  if (!HaveData()) GTEST_SKIP() << "no reference data at " << SharedData();
  const std::string fleet = std::string(RIGSHIFT_SOURCE_DIR) + "/tests/serve/small-site.yaml";
  const std::string common = " --data-dir " + SharedData() + " --from 2023-06-05 --seed 1 --policy rigshift";
  CliRun sim = Rigshift("simulate " + fleet + common +
                        " --to 2023-06-12 --jobs philly --load 4 --no-bound --json --epoch 1 --perfect-foresight");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  const std::string state = TempDir("agree");
  CliRun live = Rigshift("serve " + fleet + common +
                         " --until 2023-06-12 --demo-load philly --load 4 --speed 0 --epoch 60"
                         " --listen 127.0.0.1:0 --summary-json --perfect-foresight --state-dir " + state);
  std::filesystem::remove_all(state);
  ASSERT_EQ(live.exit_code, 0) << live.out;
  const auto s = nlohmann::json::parse(sim.out);
  const auto l = nlohmann::json::parse(live.out);
  const auto& r = s["policies"][0];
  const double sim_margin = r["money"]["net_margin_usd"].get<double>();
  const double sim_ai = r["money"]["ai_revenue_usd"].get<double>();
  const double sim_mining = r["money"]["mining_revenue_usd"].get<double>();
  const double sim_done = r["jobs"]["finished"].get<double>();
  double live_margin = 0, live_ai = 0, live_mining = 0;
  for (const auto& site : l["sites"]) {
    live_margin += site["net_margin_usd"].get<double>();
    live_ai += site["ai_revenue_usd"].get<double>();
    live_mining += site["mining_revenue_usd"].get<double>();
  }
  const double live_done = l["jobs_done"].get<double>();
  std::printf("simulate: margin %.2f ai %.2f mining %.2f done %.0f\n", sim_margin, sim_ai,
              sim_mining, sim_done);
  std::printf("serve:    margin %.2f ai %.2f mining %.2f done %.0f\n", live_margin, live_ai,
              live_mining, live_done);
  EXPECT_NEAR(live_margin, sim_margin, 0.01 * std::abs(sim_margin));
  EXPECT_GT(sim_done, 500);  // a week with real load, not a handful of jobs
  EXPECT_NEAR(live_done, sim_done, 0.01 * sim_done);
}

// The first start writes the operator token readable by its owner only, and says where.
TEST(ServeCli, FirstStartWritesTheOperatorTokenOwnerOnly) {
  const std::string fleet = std::string(RIGSHIFT_SOURCE_DIR) + "/tests/serve/small-site.yaml";
  const std::string state = TempDir("token");
  CliRun run = Rigshift("serve " + fleet + " --state-dir " + state +
                        " --from 2024-01-01 --until 2024-01-01T01:00:00Z --speed 0 --listen 127.0.0.1:0");
  ASSERT_EQ(run.exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((state + "/operator.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(state + "/operator.token");
  std::string token;
  in >> token;
  EXPECT_EQ(token.rfind("rs_", 0), 0u);
  std::filesystem::remove_all(state);
}

}  // namespace

namespace {

// Bad flags are refused with a message naming the flag, before anything is started or written.
TEST(ServeCli, BadFlagsAreRefusedByName) {
  const std::string fleet = std::string(RIGSHIFT_SOURCE_DIR) + "/tests/serve/small-site.yaml";
  const std::string state = TempDir("badflags");
  struct Case {
    const char* flags;
    const char* names;
  };
  const Case cases[] = {
      {"--speed -1", "--speed"},
      {"--epoch 0", "--epoch"},
      {"--listen 127.0.0.1", "--listen"},
      {"--listen 127.0.0.1:http", "--listen"},
      {"--from 2024-13-45", "--from"},
      {"--from 2024-01-02 --until 2024-01-01", "--until"},
      {"--demo-load nonsense --data-dir /nonexistent", "--data-dir"},
      {"--demo-load nonsense", "--demo-load"},
  };
  for (const auto& c : cases) {
    const std::string cmd = std::string(RIGSHIFT_BINARY) + " serve " + fleet + " --state-dir " + state +
                            " --speed 0 --until 2030-01-01 " + c.flags + " 2>&1";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << c.flags << ": " << out;
    EXPECT_NE(out.find(c.names), std::string::npos) << c.flags << ": " << out;
  }
  std::filesystem::remove_all(state);
}

}  // namespace
