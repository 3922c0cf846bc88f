// Tiresias' direction on a Philly-derived workload: with the same fleet, trace and seed, ordering
// the AI queue by least attained service (sched::JobOrder::kLas) gives a lower average JCT than
// FIFO. The workload: 1,500 jobs of up to 4 GPUs from the Philly trace's busiest stretch (from
// 2017-10-04) onto 32 V100s, drained to the last completion.
//
// What makes LAS differ here: sched's LAS orders the waiting queue by attained service (it does not
// preempt running jobs on its own, as Tiresias does), so the difference comes from jobs that were
// stopped by device failures (MTBF 50 h here, to have enough of them): under LAS they re-enter
// behind jobs that have had no service yet, under FIFO they keep their place by arrival. Measured
// (seed 1): FIFO 16.38 h, LAS 16.02 h. The full Tiresias effect needs LAS-driven preemption in
// sched (not there yet).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "sched/policy.h"
#include "sim/engine.h"
#include "sim/replay.h"
#include "sim/sim_test_util.h"
#include "workload/philly_trace.h"

namespace rigshift::sim {
namespace {

std::string PhillyPath() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  std::string base = env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces/sia_sosp23/traces/philly.csv";
}

TEST(LasVersusFifo, LasLowersAverageJctOnPhilly) {
  if (!std::filesystem::exists(PhillyPath())) {
    GTEST_SKIP() << "no " << PhillyPath();
  }
  auto trace = workload::LoadPhillyTrace(PhillyPath());
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  // The stretch from 2017-10-04, single- and small multi-GPU jobs.
  const TimePoint from = *ParseTimestamp("2017-10-04");
  std::vector<workload::Job> part;
  for (const auto& j : *trace) {
    if (j.arrival >= from && j.gpus <= 4 && part.size() < 1500) part.push_back(j);
  }
  const TimePoint t0 = *ParseTimestamp("2022-03-01");
  ReplayOptions ro;
  ro.start = t0;
  ro.end = t0 + 3 * kDay;
  ro.load = 1.0;
  ro.repeat = false;
  auto jobs = ReplayIntoWindow(part, ro);
  ASSERT_TRUE(jobs.ok());
  AssignJobNeeds(*jobs, {});
  ASSERT_EQ(jobs->size(), 1500u);

  auto fleet = testing::MakeFleet({{"Tesla V100 SXM2 32GB", 8},
                                   {"Tesla V100 SXM2 32GB", 8},
                                   {"Tesla V100 SXM2 32GB", 8},
                                   {"Tesla V100 SXM2 32GB", 8}});
  auto flat = fleet::Flatten(fleet);
  auto market = testing::MakeMarket(t0, std::vector<double>(24 * 40, 40.0), 0.05);
  workload::SpeedModel speed;
  SimInputs in{&fleet, &flat, &market, &*jobs, &speed};

  auto run = [&](sched::JobOrder order) {
    sched::PolicyOptions po;
    po.order = order;
    po.speed = &speed;
    auto policy = sched::MakePolicy("backfill-mine", po);
    EXPECT_TRUE(policy.ok());
    EngineOptions eo;
    eo.start = t0;
    eo.end = t0 + 3 * kDay;
    eo.run_until_drained = true;
    eo.failures.enabled = true;  // failures preempt: the preempted re-enter with attained service
    eo.failures.gpu_mtbf_hours = 50;
    eo.failures.gpu_mttr_hours = 1;
    eo.min_decision_gap = 0;
    auto r = Simulate(in, **policy, po, eo);
    EXPECT_TRUE(r.ok());
    return *r;
  };
  SimResult fifo = run(sched::JobOrder::kFifo);
  SimResult las = run(sched::JobOrder::kLas);
  EXPECT_EQ(fifo.jobs.finished, las.jobs.finished);
  EXPECT_LT(las.jobs.avg_jct_s, fifo.jobs.avg_jct_s)
      << "LAS avg JCT " << las.jobs.avg_jct_s / 3600 << " h, FIFO " << fifo.jobs.avg_jct_s / 3600
      << " h"
      << ", preemptions LAS " << las.jobs.preemptions << " FIFO " << fifo.jobs.preemptions;
  std::printf("avg JCT: FIFO %.2f h, LAS %.2f h (%lld jobs, LAS preemptions %lld)\n",
              fifo.jobs.avg_jct_s / 3600, las.jobs.avg_jct_s / 3600,
              static_cast<long long>(fifo.jobs.finished),
              static_cast<long long>(las.jobs.preemptions));
}

}  // namespace
}  // namespace rigshift::sim
