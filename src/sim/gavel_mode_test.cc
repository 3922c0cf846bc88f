// Gavel mode on a scenario small enough to compute by hand: rounds, admission at the next round,
// the 1920 s replan gap, and Gavel's three figures.
#include "sim/gavel_mode.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "sim/gavel_cluster.h"
#include "workload/gavel_trace.h"

namespace rigshift::sim {
namespace {

// Type A runs 10 steps/s on a V100 and 2 steps/s on a K80.
constexpr const char* kThroughputs =
    R"json({"v100": {"('A', 1)": {"null": 10.0}}, "k80": {"('A', 1)": {"null": 2.0}}})json";

std::string Line(int steps, double arrival) {
  return "A\tcmd\tdir\t--n\t0\t" + std::to_string(steps) + "\t1\t1\t-1\t" +
         std::to_string(arrival) + "\n";
}

struct Fixture {
  workload::GavelThroughputs tp;
  workload::GavelTrace trace;
  fleet::Fleet fleet;
  Fixture() {
    auto t = workload::GavelThroughputs::Parse(kThroughputs, "tp.json");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    tp = *t;
    // j0: 3600 steps (360 s on the V100); j1: 720 steps (360 s on the K80); j2 arrives at 100 s
    // with 100 steps (10 s on the V100).
    auto tr = workload::ParseGavelTrace(Line(3600, 0) + Line(720, 0) + Line(100, 100), "t");
    EXPECT_TRUE(tr.ok()) << tr.status().ToString();
    trace = *tr;
    auto spec = ParsePlainCluster("v100=1,k80=1");
    EXPECT_TRUE(spec.ok());
    auto f = BuildPlainCluster(*spec, catalog::Catalog::Builtin());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    fleet = *f;
  }
};

TEST(GavelMode, ReplanGapHoldsANewArrivalBack) {
  // t=0: j0 -> V100, j1 -> K80 (the V100 is taken); both end at 360. j2 arrived at 100, inside
  // the round; at 360 the job set changed but only 360 s passed since the last plan, so the next
  // plan waits for 1920 s: j2 runs 1920..1930 on the V100.
  Fixture fx;
  GavelModeOptions o;
  o.keep_job_records = true;
  auto run = RunGavel(fx.trace.jobs, fx.tp, fx.fleet, o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const auto& rec = run->result.job_records;
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_EQ(rec[0].completion, 360);
  EXPECT_EQ(rec[1].completion, 360);
  EXPECT_EQ(rec[2].first_start, 1920);
  EXPECT_EQ(rec[2].completion, 1930);
  EXPECT_DOUBLE_EQ(run->figures.avg_jct_s, (360.0 + 360.0 + 1830.0) / 3.0);
  EXPECT_DOUBLE_EQ(run->figures.makespan_s, 1930.0);
  EXPECT_NEAR(run->figures.utilisation, (360.0 + 360.0 + 10.0) / (2.0 * 1930.0), 1e-12);
  EXPECT_EQ(run->figures.jobs_finished, 3);
}

TEST(GavelMode, WithoutTheGapTheArrivalStartsAtTheNextRound) {
  Fixture fx;
  GavelModeOptions o;
  o.keep_job_records = true;
  o.min_replan_gap = 0;
  auto run = RunGavel(fx.trace.jobs, fx.tp, fx.fleet, o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->result.job_records[2].first_start, 360);
  EXPECT_EQ(run->result.job_records[2].completion, 370);
  EXPECT_DOUBLE_EQ(run->figures.avg_jct_s, (360.0 + 360.0 + 270.0) / 3.0);
  EXPECT_DOUBLE_EQ(run->figures.makespan_s, 370.0);
}

TEST(GavelMode, RendersTheFiguresAsTextAndJson) {
  Fixture fx;
  auto run = RunGavel(fx.trace.jobs, fx.tp, fx.fleet);
  ASSERT_TRUE(run.ok());
  GavelRunInfo info{"Gavel trace (t)", "--cluster v100=1,k80=1", 3, 2, {}};
  const std::string text = RenderGavelText(*run, info);
  EXPECT_NE(text.find("average JCT    850.0 s"), std::string::npos) << text;
  EXPECT_NE(text.find("makespan       1930.0 s"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs finished  3 of 3"), std::string::npos) << text;
  const std::string json = RenderGavelJson(*run, info);
  EXPECT_NE(json.find("\"avg_jct_s\": 850.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"makespan_s\": 1930.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"policy\": \"fifo_perf\""), std::string::npos) << json;
}

TEST(GavelMode, UnknownPolicyAndEmptyTraceAreErrors) {
  Fixture fx;
  GavelModeOptions o;
  o.policy = "no-such-policy";
  EXPECT_FALSE(RunGavel(fx.trace.jobs, fx.tp, fx.fleet, o).ok());
  EXPECT_FALSE(RunGavel({}, fx.tp, fx.fleet).ok());
  GavelModeOptions bad;
  bad.round_length = 0;
  EXPECT_FALSE(RunGavel(fx.trace.jobs, fx.tp, fx.fleet, bad).ok());
}

TEST(GavelMode, AJobWithNoThroughputOnTheClusterIsUnplaceable) {
  // Type B has no measured throughput at all: it can never run, and the run still ends.
  Fixture fx;
  auto tr = workload::ParseGavelTrace(Line(100, 0) + "B\tcmd\tdir\t--n\t0\t10\t1\t1\t-1\t0\n", "t");
  ASSERT_TRUE(tr.ok());
  auto run = RunGavel(tr->jobs, fx.tp, fx.fleet);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->figures.jobs_finished, 1);
  EXPECT_EQ(run->figures.jobs_unplaceable, 1);
}

}  // namespace
}  // namespace rigshift::sim
