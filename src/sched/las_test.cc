// Tiresias-style LAS preemption (LasOptions, Round::LasPreemptFor) on small hand-built rounds:
// with JobOrder::kLas a waiting job of a higher priority level preempts running jobs of a lower
// level (more attained service), most attained first, only as many as its placement needs, and
// starts on their GPUs with a "LAS: ..." reason; kNever jobs, jobs of a higher Job::priority and
// jobs inside the minimum run (the thrashing guard) are not victims; nothing is preempted when the
// freed GPUs would not let the job start; under FIFO (or LAS without preemption) nothing is.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "fleet/loader.h"
#include "sched/fleet_index.h"
#include "sched/policy.h"

namespace rigshift::sched {
namespace {

// Two x16 servers with 2 x RTX 4090 each (devices 0, 1 on node a; 2, 3 on node b).
constexpr const char* kFleet = R"(version: 1
name: las
sites:
  - id: s
    grid_cap_mw: 1
    pue: 1.20
    cooling: {kind: air}
    tariff: {market: ercot}
    halls:
      - id: h
        racks:
          - id: r
            nodes:
              - id: a
                riser: x16
                host_power_w: 100
                cpu_cores: 16
                ram_gb: 64
                devices: [{model: RTX 4090, count: 2}]
              - id: b
                riser: x16
                host_power_w: 100
                cpu_cores: 16
                ram_gb: 64
                devices: [{model: RTX 4090, count: 2}]
)";

struct RunSpec {
  workload::JobId id;
  std::vector<int32_t> devices;
  double attained_gpu_hours;
  double started_hours_ago = 3;
  workload::Preemptibility preempt = workload::Preemptibility::kCheckpoint;
  int32_t priority = 0;
};

struct QueueSpec {
  workload::JobId id;
  int32_t gpus;
  double attained_gpu_hours;
  double waited_hours = 0.5;
  int32_t priority = 0;
  double work_hours = 10;  // per GPU
};

class LasRound {
 public:
  LasRound(const std::vector<RunSpec>& running, const std::vector<QueueSpec>& queued) {
    auto loaded = fleet::LoadFleetText(kFleet, "las_test", catalog::Catalog::Builtin());
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    fleet_ = loaded->fleet;
    flat_ = fleet::Flatten(fleet_);
    index_ = FleetIndex::Build(flat_);
    now_ = *ParseTimestamp("2023-07-01T12:00:00Z");
    market::PriceSeries p;
    p.name = "ercot";
    p.start = now_ - kDay;
    p.step = kHour;
    p.values.assign(72, UsdPerMwh(40));
    market_.electricity["ercot"] = p;
    market_.hashprice.name = "hashprice";
    market_.hashprice.start = now_ - 10 * kDay;
    market_.hashprice.step = kDay;
    market_.hashprice.values.assign(30, UsdPerThsDay(0.05));
    market_.gpu_prices.by_model["RTX 4090"] = UsdPerGpuHour(0.50);
    jobs_.reserve(running.size() + queued.size());
    current_.assign(flat_.device_count(), econ::Mode::kIdle);
    for (const QueueSpec& q : queued) {
      workload::Job j;
      j.id = q.id;
      j.gpus = q.gpus;
      j.interconnect = workload::Interconnect::kPcie;  // one node
      j.work_gpu_seconds = q.work_hours * kHour * q.gpus;
      j.arrival = now_ - static_cast<Duration>(q.waited_hours * kHour);
      j.priority = q.priority;
      jobs_.push_back(j);
      QueuedJob qj;
      qj.job = &jobs_.back();
      qj.remaining_work = j.work_gpu_seconds;
      qj.attained_gpu_seconds = q.attained_gpu_hours * kHour;
      qj.queued_since = j.arrival;
      queue_.push_back(qj);
    }
    devices_.reserve(running.size());
    for (const RunSpec& r : running) {
      workload::Job j;
      j.id = r.id;
      j.gpus = static_cast<int32_t>(r.devices.size());
      j.work_gpu_seconds = 100.0 * kHour * j.gpus;
      j.arrival = now_ - 2 * kDay;
      j.preemptibility = r.preempt;
      j.priority = r.priority;
      jobs_.push_back(j);
      devices_.push_back(r.devices);
      RunningJob rj;
      rj.job = &jobs_.back();
      rj.devices = devices_.back();
      rj.start = now_ - static_cast<Duration>(r.started_hours_ago * kHour);
      rj.last_checkpoint = now_ - 10 * kMinute;
      rj.remaining_work = 50.0 * kHour * j.gpus;
      rj.attained_gpu_seconds = r.attained_gpu_hours * kHour;
      running_.push_back(rj);
      for (int32_t d : r.devices) current_[static_cast<size_t>(d)] = econ::Mode::kAi;
    }
  }

  void set_gpu_hour_price(double usd) {
    market_.gpu_prices.by_model["RTX 4090"] = UsdPerGpuHour(usd);
  }

  Plan Decide(const std::string& policy, const PolicyOptions& options) {
    auto p = MakePolicy(policy, options);
    EXPECT_TRUE(p.ok());
    PolicyInput in;
    in.fleet = &fleet_;
    in.flat = &flat_;
    in.index = &index_;
    in.current_mode = current_;
    in.market = &market_;
    in.now = now_;
    in.queue = queue_;
    in.running = running_;
    Rng rng(1);
    return (*p)->Decide(in, rng);
  }

  // Job ids the plan preempts, sorted.
  static std::vector<int64_t> Preempted(const Plan& plan) {
    std::vector<int64_t> ids;
    for (const auto& p : plan.preemptions) ids.push_back(p.job);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  static const JobStart* Started(const Plan& plan, workload::JobId id) {
    for (const auto& s : plan.starts)
      if (s.job == id) return &s;
    return nullptr;
  }

 private:
  fleet::Fleet fleet_;
  fleet::FlatFleet flat_;
  FleetIndex index_;
  market::MarketData market_;
  TimePoint now_ = 0;
  std::vector<workload::Job> jobs_;
  std::vector<std::vector<int32_t>> devices_;
  std::vector<QueuedJob> queue_;
  std::vector<RunningJob> running_;
  std::vector<econ::Mode> current_;
};

PolicyOptions Las() {
  PolicyOptions o;
  o.order = JobOrder::kLas;  // thresholds 1 and 10 GPU-h: levels 0, 1, 2
  return o;
}

PolicyOptions Fifo() { return PolicyOptions{}; }

// Every GPU busy: job 77 (2 GPUs, 31 GPU-h: level 2) on node a, job 78 (2 GPUs, 2 GPU-h: level 1)
// on node b; job 123 (2 GPUs on one node, 0.4 GPU-h: level 0) waits.
std::vector<RunSpec> TwoGangs() { return {{77, {0, 1}, 31.0}, {78, {2, 3}, 2.0}}; }

TEST(LasPreemption, LevelZeroJobPreemptsTheMostAttainedAndStartsOnItsGpus) {
  for (const char* policy : {"backfill-mine", "rigshift", "threshold"}) {
    SCOPED_TRACE(policy);
    LasRound r(TwoGangs(), {{123, 2, 0.4}});
    const Plan plan = r.Decide(policy, Las());
    EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
    const JobStart* s = LasRound::Started(plan, 123);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->devices, (std::vector<int32_t>{0, 1}));
    ASSERT_EQ(plan.preemptions.size(), 1u);
    EXPECT_EQ(plan.Reason(plan.preemptions[0].reason),
              "LAS: job 123 (level 0, 0.4 GPU-h attained) waits; job 77 at level 2 (31.0 GPU-h) "
              "preempted after 3.0 h in this run");
    EXPECT_NE(plan.Reason(s->reason).find("in place of job 77 (level 2)"), std::string::npos)
        << plan.Reason(s->reason);
    for (int32_t d : {0, 1, 2, 3}) EXPECT_EQ(plan.mode[static_cast<size_t>(d)], econ::Mode::kAi);
  }
}

TEST(LasPreemption, FifoAndLasWithoutPreemptionPreemptNothing) {
  for (const char* policy : {"backfill-mine", "rigshift"}) {
    SCOPED_TRACE(policy);
    LasRound r(TwoGangs(), {{123, 2, 0.4}});
    Plan plan = r.Decide(policy, Fifo());
    EXPECT_TRUE(plan.preemptions.empty());
    EXPECT_TRUE(plan.starts.empty());
    PolicyOptions order_only = Las();
    order_only.las.preempt = false;
    plan = r.Decide(policy, order_only);
    EXPECT_TRUE(plan.preemptions.empty());
    EXPECT_TRUE(plan.starts.empty());
  }
}

TEST(LasPreemption, NeverPreemptibleJobsAreNotVictims) {
  // Job 77 may not be preempted: the next victim is job 78 (level 1 > 0).
  LasRound r({{77, {0, 1}, 31.0, 3, workload::Preemptibility::kNever}, {78, {2, 3}, 2.0}},
             {{123, 2, 0.4}});
  Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{78}));
  ASSERT_NE(LasRound::Started(plan, 123), nullptr);
  EXPECT_EQ(LasRound::Started(plan, 123)->devices, (std::vector<int32_t>{2, 3}));
  // Both kNever: nothing is preempted, job 123 waits.
  LasRound never({{77, {0, 1}, 31.0, 3, workload::Preemptibility::kNever},
                  {78, {2, 3}, 2.0, 3, workload::Preemptibility::kNever}},
                 {{123, 2, 0.4}});
  plan = never.Decide("backfill-mine", Las());
  EXPECT_TRUE(plan.preemptions.empty());
  EXPECT_TRUE(plan.starts.empty());
}

TEST(LasPreemption, OnlyStrictlyLowerPriorityLevelsAreVictims) {
  // Job 123 at level 1 (2 GPU-h): job 77 (level 2) goes, job 78 (level 1) is its equal.
  LasRound r({{77, {0, 1}, 31.0}, {78, {2, 3}, 2.0}}, {{123, 2, 2.0}});
  Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
  // With job 77 at level 1 too, nobody is below job 123.
  LasRound equal({{77, {0, 1}, 5.0}, {78, {2, 3}, 2.0}}, {{123, 2, 2.0}});
  plan = equal.Decide("backfill-mine", Las());
  EXPECT_TRUE(plan.preemptions.empty());
  EXPECT_TRUE(plan.starts.empty());
  // A job at the lowest level preempts nobody.
  LasRound last({{77, {0, 1}, 31.0}, {78, {2, 3}, 12.0}}, {{123, 2, 40.0}});
  plan = last.Decide("backfill-mine", Las());
  EXPECT_TRUE(plan.preemptions.empty());
}

TEST(LasPreemption, MinimumRunGuardsAgainstThrashing) {
  // Job 77 restarted 2 minutes ago (under the 5-minute default): job 78 goes instead.
  LasRound r({{77, {0, 1}, 31.0, 2.0 / 60}, {78, {2, 3}, 2.0}}, {{123, 2, 0.4}});
  Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{78}));
  // With a 4-hour guard neither has run long enough.
  PolicyOptions o = Las();
  o.las.min_run_before_preempt = 4 * kHour;
  plan = r.Decide("backfill-mine", o);
  EXPECT_TRUE(plan.preemptions.empty());
  EXPECT_TRUE(plan.starts.empty());
}

TEST(LasPreemption, HigherJobPriorityIsNotPreemptedByLas) {
  LasRound r({{77, {0, 1}, 31.0, 3, workload::Preemptibility::kCheckpoint, 1}, {78, {2, 3}, 2.0}},
             {{123, 2, 0.4}});
  Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{78}));
}

TEST(LasPreemption, NothingIsPreemptedWhenTheFreedGpusDoNotLetTheJobStart) {
  // Job 123 needs 2 GPUs on one node. Victims 77 (node a) and 81 (node b) would free two GPUs, but
  // on different nodes: their neighbours are 78 (kNever) and 80 (level 0). Every trial
  // preemption is undone and the round leaves all four running.
  for (const char* policy : {"backfill-mine", "rigshift"}) {
    SCOPED_TRACE(policy);
    LasRound r({{77, {0}, 31.0},
                {78, {1}, 25.0, 3, workload::Preemptibility::kNever},
                {81, {2}, 20.0},
                {80, {3}, 0.5}},
               {{123, 2, 0.4}});
    const Plan plan = r.Decide(policy, Las());
    EXPECT_TRUE(plan.preemptions.empty());
    EXPECT_TRUE(plan.starts.empty());
    ASSERT_EQ(plan.waits.size(), 1u);
    for (int32_t d : {0, 1, 2, 3}) {
      EXPECT_EQ(plan.mode[static_cast<size_t>(d)], econ::Mode::kAi);
      EXPECT_NE(plan.DeviceReason(static_cast<size_t>(d)).find("continues"), std::string::npos);
    }
  }
}

TEST(LasPreemption, KeepsOnlyTheVictimsThePlacementUses) {
  // Single-GPU jobs: node a holds 77 (31 GPU-h) and 79 (0.1 GPU-h, level 0); node b holds 78
  // (20 GPU-h) and 80 (5 GPU-h). Most attained first tries 77 (node a cannot free a second GPU:
  // 79 is level 0), then 78 and 80 on node b; 77 is then left running.
  LasRound r({{77, {0}, 31.0}, {79, {1}, 0.1}, {78, {2}, 20.0}, {80, {3}, 5.0}}, {{123, 2, 0.4}});
  const Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{78, 80}));
  ASSERT_NE(LasRound::Started(plan, 123), nullptr);
  EXPECT_EQ(LasRound::Started(plan, 123)->devices, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(plan.mode[0], econ::Mode::kAi);
  EXPECT_EQ(plan.mode[1], econ::Mode::kAi);
}

TEST(LasPreemption, LeftoverGpusGoToTheNextWaitingJob) {
  // Job 77 holds both GPUs of node a; 123 needs one. After 77 goes, the other GPU of node a
  // takes job 124 (level 0 too) without preempting anything else.
  LasRound r({{77, {0, 1}, 31.0}, {78, {2, 3}, 2.0}}, {{123, 1, 0.4}, {124, 1, 0.2, 0.25}});
  const Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
  ASSERT_NE(LasRound::Started(plan, 123), nullptr);
  ASSERT_NE(LasRound::Started(plan, 124), nullptr);
  std::set<int32_t> used;
  for (const auto& s : plan.starts) used.insert(s.devices.begin(), s.devices.end());
  EXPECT_EQ(used, (std::set<int32_t>{0, 1}));
}

TEST(LasPreemption, TheJobHoldingTheEasyReservationMayUseItsReservedGpus) {
  // Job 123 is blocked first, so EASY reserves GPUs for it (node a: the running jobs' expected
  // ends tie at 50 h); it would run 80 h, past that shadow time, which only matters for other
  // jobs: it still preempts job 77 on node a, the most attained.
  LasRound r(TwoGangs(), {{123, 2, 0.4, 0.5, 0, 80.0}});
  const Plan plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
  ASSERT_NE(LasRound::Started(plan, 123), nullptr);
  EXPECT_EQ(LasRound::Started(plan, 123)->devices, (std::vector<int32_t>{0, 1}));
}

TEST(LasPreemption, RigshiftPreemptsOnlyForAJobThatPays) {
  // At 0.001 USD/GPU-h AI earns less than the GPUs' power: rigshift would not start job 123 on
  // free GPUs, so LAS does not preempt for it either; backfill-mine does not look at prices.
  LasRound r(TwoGangs(), {{123, 2, 0.4}});
  r.set_gpu_hour_price(0.001);
  Plan plan = r.Decide("rigshift", Las());
  EXPECT_TRUE(LasRound::Started(plan, 123) == nullptr);
  for (const auto& p : plan.preemptions)
    EXPECT_EQ(plan.Reason(p.reason).find("LAS:"), std::string::npos) << plan.Reason(p.reason);
  plan = r.Decide("backfill-mine", Las());
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
}

TEST(LasPreemption, StarvedJobIsPromotedAndPreempts) {
  // Job 123 has 20 GPU-h (level 2): nobody is below it. With starvation promotion (it has waited
  // 30 h > 1 x its 20 GPU-h) it is at level 0 and preempts the most attained job, 77.
  LasRound r(TwoGangs(), {{123, 2, 20.0, 30.0}});
  PolicyOptions o = Las();
  Plan plan = r.Decide("backfill-mine", o);
  EXPECT_TRUE(plan.preemptions.empty());  // no promotion: level 2, nobody below
  o.las.starvation_factor = 1.0;
  plan = r.Decide("backfill-mine", o);
  EXPECT_EQ(LasRound::Preempted(plan), (std::vector<int64_t>{77}));
}

}  // namespace
}  // namespace rigshift::sched
