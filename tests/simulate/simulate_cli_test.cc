// `rigshift simulate` as a user runs it: on the shipped examples over short windows.
#include <gtest/gtest.h>
#include <sys/wait.h>

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

std::string Example(const char* name) {
  return std::string(RIGSHIFT_SOURCE_DIR) + "/examples/" + name;
}

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

CliRun Rigshift(const std::string& args) {
  const std::string err_file = std::filesystem::temp_directory_path() /
                               ("simulate_cli_err_" + std::to_string(::getpid()) + ".txt");
  std::string cmd = std::string(RIGSHIFT_BINARY) + " " + args + " 2>" + err_file;
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(err_file);
  return r;
}

bool HaveData() {
  return std::filesystem::exists(SharedData() + "/traces/sia_sosp23/traces/philly.csv");
}

// Two days of the ASIC site in ERCOT (February 2021, Winter Storm Uri), every policy, the bound.
TEST(SimulateCli, SameSeedGivesByteIdenticalJson) {
  if (!HaveData()) {
    GTEST_SKIP() << "no reference data at " << SharedData();
  }
  const std::string args = "simulate " + Example("asic-hydro-ercot.yaml") + " --data-dir " +
                           SharedData() + " --from 2021-02-14 --to 2021-02-16 --json --seed 3";
  CliRun a = Rigshift(args);
  CliRun b = Rigshift(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  auto j = nlohmann::json::parse(a.out);
  ASSERT_TRUE(j["policies"].is_array());
  EXPECT_GE(j["policies"].size(), 4u);
  EXPECT_EQ(j["window"]["from"], "2021-02-14T00:00:00Z");
  EXPECT_EQ(j["fleet"]["asics"], 6180);
  // Uri: mining through 9,000 USD/MWh hours loses money; every policy but mine-only's
  // break-even logic must do at least as well as mining blindly would, and none exceeds the bound.
  ASSERT_FALSE(j["bound"].is_null());
  double bound = j["bound"]["net_margin_usd"];
  for (const auto& p : j["policies"]) {
    EXPECT_LE(static_cast<double>(p["money"]["net_margin_usd"]), bound + 1.0) << p["policy"];
    // backfill-mine mines whatever the price (it curtails only for the power envelope, and a
    // repaired ASIC mines at once): nothing to curtail here. Every other policy curtails in Uri.
    if (p["policy"] == "backfill-mine") continue;
    EXPECT_GT(static_cast<double>(p["money"]["curtailed_mwh"]), 0.0) << p["policy"];
  }
}

TEST(SimulateCli, WritesHtmlAndTimeline) {
  if (!HaveData()) {
    GTEST_SKIP() << "no reference data at " << SharedData();
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("simulate_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string html = (dir / "sim.html").string();
  const std::string csv = (dir / "timeline.csv").string();
  CliRun r =
      Rigshift("simulate " + Example("eth-gpu-farm-ercot.yaml") + " --data-dir " + SharedData() +
               " --from 2022-10-04 --to 2022-10-09 --policy mine-only,rigshift --no-bound --html " +
               html + " --timeline " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rigshift"), std::string::npos);
  EXPECT_NE(r.out.find("mine-only"), std::string::npos);
  std::ifstream h(html);
  std::stringstream hs;
  hs << h.rdbuf();
  EXPECT_NE(hs.str().find("<svg"), std::string::npos);
  EXPECT_NE(hs.str().find("Cumulative net margin"), std::string::npos);
  std::ifstream t(csv);
  std::string header, row;
  std::getline(t, header);
  EXPECT_EQ(header, "time,policy,trigger,subject,action,reason");
  int rows = 0;
  bool start = false;
  while (std::getline(t, row)) {
    ++rows;
    if (row.find(",start on ") != std::string::npos) start = true;
  }
  EXPECT_GT(rows, 10);
  EXPECT_TRUE(start) << "no job start in the timeline";
  std::filesystem::remove_all(dir);
}

// No data directory, no jobs: the embedded default scenario is enough.
TEST(SimulateCli, RunsOnTheEmbeddedDefaultWithoutData) {
  CliRun r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") +
                      " --jobs none --from 2024-03-01 --to 2024-03-03 --policy mine-only,threshold "
                      "--no-bound --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["policies"].size(), 2u);
  EXPECT_GT(static_cast<double>(j["policies"][0]["money"]["mining_revenue_usd"]), 0.0);
}

TEST(SimulateCli, BadInputGivesLocatedErrors) {
  CliRun r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") + " --jobs none --load 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--load"), std::string::npos) << r.err;
  r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") + " --jobs none --policy nonsense");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown policy 'nonsense'"), std::string::npos) << r.err;
  const auto bad =
      std::filesystem::temp_directory_path() / ("bad_trace_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream f(bad);
    f << "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,one,66.0,c1\n";
  }
  r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") + " --jobs " + bad.string() +
               " --no-bound");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(bad.string() + ":2:26: num_gpus"), std::string::npos) << r.err;
  std::filesystem::remove(bad);
  r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") +
               " --from 2024-02-01 --to 2024-01-01");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--to must be after --from"), std::string::npos) << r.err;
  r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") +
               " --jobs none --ordering las --las-thresholds 10,1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--las-thresholds '10,1': expected ascending positive GPU-hours"),
            std::string::npos)
      << r.err;
  r = Rigshift("simulate " + Example("asic-hydro-ercot.yaml") + " --jobs none --bound-bins 25");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--bound-bins"), std::string::npos) << r.err;
}

}  // namespace
