// Gavel fidelity (issue 5). Gavel's simulator, run unmodified on its own inputs, reports:
//   max_min_fairness.trace (96 jobs), 8 V100 : 16 P100 : 24 K80, fifo_perf:
//       avg JCT 19,526.9 s, makespan 72,319.9 s, utilisation 0.722
//   generated seed0 (1,942 jobs), 36 : 36 : 36, fifo_perf:
//       avg JCT 57,826.2 s, makespan 7,009,708.3 s, utilisation 0.281
// These tests check
//   1. our reading of Gavel's semantics: an independent re-implementation (gavel_reference.h)
//      reproduces those figures to the printed digit;
//   2. rigshift's engine + fifo_perf + throughput speed source (sim::RunGavel) lands within 5%
//      (JCT, makespan) and 0.03 (utilisation) of them: the bar;
//   3. the engine agrees with the reference run under the engine's rules (continuous steps, a gap
//      that counts from the decision at t = 0 too) to within 0.05%: what remains of the difference
//      to Gavel is the documented zero-time detail plus whole seconds (docs/gavel-fidelity.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "catalog/catalog.h"
#include "gavel_reference.h"
#include "sim/gavel_cluster.h"
#include "sim/gavel_mode.h"
#include "workload/gavel_throughputs.h"
#include "workload/gavel_trace.h"

namespace rigshift {
namespace {

std::string GavelDir() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  std::string base = env != nullptr && *env != '\0' ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces/gavel";
}

struct Case {
  const char* name;
  const char* trace;
  const char* cluster;  // rigshift --cluster form
  std::map<std::string, int> counts;
  double jct, makespan, utilisation;  // Gavel's figures (issue 5)
};

const Case kSmall{"physical_cluster_96_jobs",
                  "physical_cluster/max_min_fairness.trace",
                  "v100=8,p100=16,k80=24",
                  {{"v100", 8}, {"p100", 16}, {"k80", 24}},
                  19526.9,
                  72319.9,
                  0.722};
const Case kLarge{"generated_seed0_1942_jobs",
                  "generated/seed0_lam3600_w4000-5000_multigpu.trace",
                  "v100=36,p100=36,k80=36",
                  {{"v100", 36}, {"p100", 36}, {"k80", 36}},
                  57826.2,
                  7009708.3,
                  0.281};

class GavelFidelity : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GavelDir())) GTEST_SKIP() << "no shared data at " << GavelDir();
    auto tp = workload::GavelThroughputs::Load(GavelDir() + "/simulation_throughputs.json");
    ASSERT_TRUE(tp.ok()) << tp.status().ToString();
    throughputs_ = std::move(*tp);
    auto tr = workload::LoadGavelTrace(GavelDir() + "/" + GetParam().trace);
    ASSERT_TRUE(tr.ok()) << tr.status().ToString();
    trace_ = std::move(*tr);
  }
  workload::GavelThroughputs throughputs_;
  workload::GavelTrace trace_;
};

TEST_P(GavelFidelity, ReferenceReproducesGavelsFigures) {
  // Our reading of Gavel's loop, in Gavel's own floating-point semantics.
  const Case& c = GetParam();
  gavel_test::ReferenceFigures f = gavel_test::RunReference(trace_, throughputs_, c.counts);
  EXPECT_EQ(f.finished, static_cast<int>(trace_.jobs.size()));
  EXPECT_NEAR(f.avg_jct_s, c.jct, 0.05);  // Gavel prints one decimal
  EXPECT_NEAR(f.makespan_s, c.makespan, 0.05);
  EXPECT_NEAR(f.utilisation, c.utilisation, 0.0005);  // three decimals
}

TEST_P(GavelFidelity, ReferenceNeedsGavelsReplanGap) {
  // Without the 1920 s gap between allocations the figures move away from Gavel's: the gap is
  // part of the semantics, not a detail (on the 96-job trace the JCT falls by 11.8%).
  const Case& c = GetParam();
  gavel_test::ReferenceOptions o;
  o.reset_gap_s = 0;
  gavel_test::ReferenceFigures f = gavel_test::RunReference(trace_, throughputs_, c.counts, o);
  EXPECT_GT(std::abs(f.avg_jct_s - c.jct), 0.01 * c.jct);
}

TEST_P(GavelFidelity, IdleRuleDoesNotMoveTheFigures) {
  // With nothing running and the next allocation held back, Gavel jumps to the next arrival and
  // rigshift waits for the gap to end; on these traces the figures agree to 0.01%.
  const Case& c = GetParam();
  gavel_test::ReferenceOptions waits;
  waits.idle_waits_for_gap = true;
  gavel_test::ReferenceFigures a = gavel_test::RunReference(trace_, throughputs_, c.counts);
  gavel_test::ReferenceFigures b = gavel_test::RunReference(trace_, throughputs_, c.counts, waits);
  EXPECT_NEAR(a.avg_jct_s, b.avg_jct_s, 1e-4 * a.avg_jct_s);
  EXPECT_NEAR(a.makespan_s, b.makespan_s, 1e-4 * a.makespan_s);
  EXPECT_NEAR(a.utilisation, b.utilisation, 1e-4);
}

TEST_P(GavelFidelity, EngineMatchesGavelWithinTolerance) {
  // The product path: plain cluster + Gavel throughputs + fifo_perf through sim::Simulate.
  const Case& c = GetParam();
  auto spec = sim::ParsePlainCluster(c.cluster);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto fleet = sim::BuildPlainCluster(*spec, catalog::Catalog::Builtin());
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  auto run = sim::RunGavel(trace_.jobs, throughputs_, *fleet);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const sim::GavelFigures& f = run->figures;
  EXPECT_EQ(f.jobs_finished, static_cast<int64_t>(trace_.jobs.size()));
  EXPECT_EQ(f.jobs_unfinished, 0);
  EXPECT_EQ(f.jobs_unplaceable, 0);
  EXPECT_EQ(run->result.stats.plan_errors, 0);
  EXPECT_NEAR(f.avg_jct_s, c.jct, 0.05 * c.jct);
  EXPECT_NEAR(f.makespan_s, c.makespan, 0.05 * c.makespan);
  EXPECT_NEAR(f.utilisation, c.utilisation, 0.03);
  std::printf(
      "[ gavel    ] %s: avg JCT %.1f s (Gavel %.1f, %+.2f%%), makespan %.1f s (Gavel %.1f, "
      "%+.2f%%), utilisation %.4f (Gavel %.3f, %+.4f)\n",
      c.name, f.avg_jct_s, c.jct, 100 * (f.avg_jct_s / c.jct - 1), f.makespan_s, c.makespan,
      100 * (f.makespan_s / c.makespan - 1), f.utilisation, c.utilisation,
      f.utilisation - c.utilisation);

  // 3. Against the reference under the engine's rules: the residual is only whole seconds.
  gavel_test::ReferenceOptions same;
  same.zero_time_quirk = false;
  same.integer_steps = false;
  same.idle_waits_for_gap = true;
  gavel_test::ReferenceFigures ref = gavel_test::RunReference(trace_, throughputs_, c.counts, same);
  EXPECT_NEAR(f.avg_jct_s, ref.avg_jct_s, 0.0005 * ref.avg_jct_s);
  EXPECT_NEAR(f.makespan_s, ref.makespan_s, 0.0005 * ref.makespan_s);
  EXPECT_NEAR(f.utilisation, ref.utilisation, 0.001);
}

TEST_P(GavelFidelity, EngineRunIsDeterministic) {
  const Case& c = GetParam();
  auto spec = sim::ParsePlainCluster(c.cluster);
  ASSERT_TRUE(spec.ok());
  auto fleet = sim::BuildPlainCluster(*spec, catalog::Catalog::Builtin());
  ASSERT_TRUE(fleet.ok());
  sim::GavelModeOptions o;
  o.keep_job_records = true;
  auto a = sim::RunGavel(trace_.jobs, throughputs_, *fleet, o);
  auto b = sim::RunGavel(trace_.jobs, throughputs_, *fleet, o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->result.job_records.size(), b->result.job_records.size());
  for (size_t i = 0; i < a->result.job_records.size(); ++i) {
    EXPECT_EQ(a->result.job_records[i].completion, b->result.job_records[i].completion) << i;
  }
  EXPECT_EQ(a->figures.avg_jct_s, b->figures.avg_jct_s);
}

INSTANTIATE_TEST_SUITE_P(Traces, GavelFidelity, testing::Values(kSmall, kLarge),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace
}  // namespace rigshift
