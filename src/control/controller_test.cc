// The controller alone, against a World that records what it is told: arrival -> start ->
// completion, preemption with checkpoint cost, cancelling, a device failure moving work, and
// rebuilding state after a restart.
#include "control/controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "fleet/loader.h"

namespace rigshift::control {
namespace {

using econ::Mode;

constexpr TimePoint kT0 = 1'700'000'000;

// One site with one node of `gpus` RTX 3090s (24 GB) behind x16 risers.
fleet::Fleet TinyFleet(int gpus) {
  const std::string text = R"(version: 1
name: tiny
sites:
  - id: s0
    grid_cap_mw: 1
    pue: 1.1
    cooling: {kind: air}
    tariff: {market: fixed, fixed_usd_per_mwh: 50}
    halls:
      - id: h0
        racks:
          - id: r0
            nodes:
              - {id: n0, riser: x16, host_power_w: 100, cpu_cores: 16, ram_gb: 128, devices: [{model: RTX 3090, count: )" +
                           std::to_string(gpus) + "}]}\n";
  auto loaded = fleet::LoadFleetText(text, "tiny.yaml", catalog::Catalog::Builtin());
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? loaded->fleet : fleet::Fleet{};
}

workload::Job OneGpuJob(workload::JobId id, double work_gpu_seconds) {
  workload::Job j;
  j.id = id;
  j.arrival = kT0;
  j.gpus = 1;
  j.work_gpu_seconds = work_gpu_seconds;
  j.reference_gpu = "RTX 3090";
  j.checkpoint_interval = 300;
  j.restore_time = 60;
  return j;
}

// First come, first fit on free GPUs; running jobs keep theirs unless `preempt` says so; every
// other healthy device idles.
class FirstFitPolicy : public sched::Policy {
 public:
  std::function<bool(const workload::Job&)> preempt;
  std::string_view name() const override { return "first-fit"; }
  sched::Plan Decide(const sched::PolicyInput& in, Rng&) const override {
    const size_t n = in.flat->device_count();
    sched::Plan plan;
    plan.AddReason("test");
    plan.mode.assign(n, Mode::kIdle);
    plan.device_reason.assign(n, 0);
    std::vector<uint8_t> busy(n, 0);
    for (size_t d = 0; d < n; ++d) {
      if (!in.device_up.empty() && !in.device_up[d]) {
        busy[d] = 1;
        plan.mode[d] = Mode::kOff;
      }
    }
    for (size_t r = 0; r < in.running.size(); ++r) {
      const auto& rj = in.running[r];
      if (preempt && preempt(*rj.job)) {
        plan.preemptions.push_back({rj.job->id, static_cast<int32_t>(r), 0});
        continue;
      }
      for (int32_t d : rj.devices) {
        busy[static_cast<size_t>(d)] = 1;
        plan.mode[static_cast<size_t>(d)] = Mode::kAi;
      }
    }
    for (size_t q = 0; q < in.queue.size(); ++q) {
      std::vector<int32_t> chosen;
      for (size_t d = 0; d < n && static_cast<int32_t>(chosen.size()) < in.queue[q].job->gpus;
           ++d) {
        if (!busy[d]) chosen.push_back(static_cast<int32_t>(d));
      }
      if (static_cast<int32_t>(chosen.size()) != in.queue[q].job->gpus) continue;
      for (int32_t d : chosen) {
        busy[static_cast<size_t>(d)] = 1;
        plan.mode[static_cast<size_t>(d)] = Mode::kAi;
      }
      plan.starts.push_back({in.queue[q].job->id, static_cast<int32_t>(q), chosen, 0});
    }
    return plan;
  }
};

// Writes down every call, one line each.
class RecordingWorld : public World {
 public:
  std::vector<std::string> calls;
  std::vector<DecisionRecord> decisions;
  std::vector<double> lost;
  void ModeChanged(int32_t d, Mode from, Mode to) override {
    calls.push_back("mode " + std::to_string(d) + " " + econ::ModeName(from) + "->" +
                    econ::ModeName(to));
  }
  void JobStarted(int32_t j, TimePoint) override { calls.push_back("start " + std::to_string(j)); }
  void JobStopped(int32_t j, TimePoint, StopCause cause, double lost_work) override {
    calls.push_back("stop " + std::to_string(j) + " " + StopCauseName(cause));
    lost.push_back(lost_work);
  }
  void JobCompleted(int32_t j, TimePoint) override {
    calls.push_back("complete " + std::to_string(j));
  }
  void Decision(const DecisionRecord& r) override { decisions.push_back(r); }
};

struct Rig {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  workload::SpeedModel speed;
  FirstFitPolicy policy;
  RecordingWorld world;
  ControllerOptions options;
  std::vector<workload::Job> jobs;
  explicit Rig(int gpus) : fleet(TinyFleet(gpus)), flat(fleet::Flatten(fleet)) {
    options.economics = false;
    options.incremental = false;
  }
  // Registers every job of `jobs` (which must not grow afterwards).
  std::unique_ptr<Controller> Make() {
    auto c = std::make_unique<Controller>(fleet, flat, speed, policy, options, &world);
    for (const auto& j : jobs) EXPECT_TRUE(c->AddJob(j).ok());
    return c;
  }
};

// A job arrives, the full round starts it on the first GPU, the world reports its end.
TEST(Controller, ArrivalStartCompletion) {
  Rig rig(2);
  rig.jobs = {OneGpuJob(7, 1000)};
  auto c = rig.Make();
  ASSERT_EQ(c->FindJob(7), 0);
  EXPECT_FALSE(c->FindJob(8).has_value());
  EXPECT_TRUE(c->Arrive(0, kT0));  // a GPU is free: a full round is due
  EXPECT_EQ(c->job(0).phase, JobPhase::kQueued);
  EXPECT_EQ(c->queued_count(), 1);
  c->Decide(kT0, "arrival");
  EXPECT_EQ(c->job(0).phase, JobPhase::kRunning);
  EXPECT_EQ(c->job(0).devices, std::vector<int32_t>{0});
  EXPECT_EQ(c->device_job(0), 0);
  EXPECT_EQ(c->mode(0), Mode::kAi);
  EXPECT_EQ(c->free_gpus(), 1);
  EXPECT_EQ(c->queued_count(), 0);
  const double rate = c->job(0).rate;
  ASSERT_GT(rate, 0);
  EXPECT_DOUBLE_EQ(c->RemainingAt(0, kT0 + 100), 1000 - 100 * rate);
  EXPECT_TRUE(c->Complete(0, kT0 + 500));
  EXPECT_EQ(c->job(0).phase, JobPhase::kDone);
  EXPECT_EQ(c->job(0).completion, kT0 + 500);
  EXPECT_EQ(c->mode(0), Mode::kIdle);
  EXPECT_EQ(c->device_job(0), -1);
  EXPECT_TRUE(c->running().empty());
  EXPECT_EQ(rig.world.calls,
            (std::vector<std::string>{"mode 0 off->ai", "start 0", "mode 1 off->idle", "complete 0",
                                      "mode 0 ai->idle"}));
  EXPECT_EQ(c->stats().decisions, 1);
  ASSERT_NE(c->last_plan(), nullptr);
  EXPECT_EQ(c->last_plan()->starts.size(), 1u);
}

// A preempted job loses the progress since its last checkpoint, waits again, and its next run
// spends the restore time before progressing.
TEST(Controller, PreemptionCostsProgressSinceCheckpoint) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 100'000)};
  auto c = rig.Make();
  c->Arrive(0, kT0);
  c->Decide(kT0, "arrival");
  const double rate = c->job(0).rate;
  rig.policy.preempt = [](const workload::Job&) { return true; };
  c->Decide(kT0 + 1000, "epoch");  // 1000 s of progress, the last checkpoint at 900 s
  const JobState& js = c->job(0);
  EXPECT_EQ(js.phase, JobPhase::kQueued);
  EXPECT_EQ(js.preemptions, 1);
  EXPECT_TRUE(js.needs_restore);
  ASSERT_EQ(rig.world.lost.size(), 1u);
  EXPECT_NEAR(rig.world.lost[0], 100 * rate, 1e-6);
  EXPECT_NEAR(js.remaining, 100'000 - 900 * rate, 1e-6);
  EXPECT_EQ(c->mode(0), Mode::kIdle);
  rig.policy.preempt = nullptr;
  c->Decide(kT0 + 2000, "epoch");
  EXPECT_EQ(js.phase, JobPhase::kRunning);
  EXPECT_EQ(js.anchor, kT0 + 2000 + 60);
  EXPECT_EQ(js.starts, 2);
  EXPECT_NEAR(c->RemainingAt(0, kT0 + 2030), 100'000 - 900 * rate, 1e-6);  // still restoring
}

// A job that may never be preempted is not, and the refusal is counted.
TEST(Controller, NeverPreemptibleJobIsNotPreempted) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 100'000)};
  rig.jobs[0].preemptibility = workload::Preemptibility::kNever;
  auto c = rig.Make();
  c->Arrive(0, kT0);
  c->Decide(kT0, "arrival");
  rig.policy.preempt = [](const workload::Job&) { return true; };
  c->Decide(kT0 + 1000, "epoch");
  EXPECT_EQ(c->job(0).phase, JobPhase::kRunning);
  EXPECT_EQ(c->stats().preemptions_refused, 1);
}

// A queued job that is cancelled never starts.
TEST(Controller, CancelQueued) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 1000)};
  auto c = rig.Make();
  c->Arrive(0, kT0);
  EXPECT_FALSE(c->Cancel(0, kT0 + 1));
  EXPECT_EQ(c->job(0).phase, JobPhase::kCancelled);
  EXPECT_EQ(c->queued_count(), 0);
  c->Decide(kT0 + 2, "epoch");
  EXPECT_EQ(c->job(0).phase, JobPhase::kCancelled);
  EXPECT_EQ(c->free_gpus(), 1);
}

// A running job that is cancelled stops (the world hears why), frees its GPU and is not queued
// again; the job behind it gets the GPU at the next round.
TEST(Controller, CancelRunning) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 1000), OneGpuJob(2, 1000)};
  auto c = rig.Make();
  c->Arrive(0, kT0);
  c->Arrive(1, kT0);
  c->Decide(kT0, "arrival");
  ASSERT_EQ(c->job(0).phase, JobPhase::kRunning);
  EXPECT_TRUE(c->Cancel(0, kT0 + 10));  // its GPU is free: a full round is due
  EXPECT_EQ(c->job(0).phase, JobPhase::kCancelled);
  EXPECT_EQ(c->job(0).preemptions, 0);
  EXPECT_EQ(c->device_job(0), -1);
  EXPECT_EQ(c->queued_count(), 1);
  c->Decide(kT0 + 10, "completion");
  EXPECT_EQ(c->job(1).phase, JobPhase::kRunning);
  EXPECT_EQ(c->job(0).phase, JobPhase::kCancelled);
  EXPECT_NE(std::find(rig.world.calls.begin(), rig.world.calls.end(), "stop 0 cancelled"),
            rig.world.calls.end());
  EXPECT_FALSE(c->Cancel(0, kT0 + 20));  // already cancelled: nothing to do
}

// A failed GPU stops its job, which restarts on the other GPU at the next round; the failure is
// recorded.
TEST(Controller, DeviceDownMovesWork) {
  Rig rig(2);
  rig.jobs = {OneGpuJob(1, 100'000)};
  auto c = rig.Make();
  c->SetRecording(true);
  c->Arrive(0, kT0);
  c->Decide(kT0, "arrival");
  ASSERT_EQ(c->job(0).devices, std::vector<int32_t>{0});
  EXPECT_TRUE(c->DeviceDown(0, kT0 + 100, "fan"));
  EXPECT_FALSE(c->up(0));
  EXPECT_EQ(c->mode(0), Mode::kOff);
  EXPECT_EQ(c->job(0).phase, JobPhase::kQueued);
  EXPECT_EQ(c->free_gpus(), 1);
  EXPECT_FALSE(c->DeviceDown(0, kT0 + 101, "again"));  // already down
  c->Decide(kT0 + 100, "failure");
  EXPECT_EQ(c->job(0).devices, std::vector<int32_t>{1});
  EXPECT_TRUE(c->DeviceUp(0, kT0 + 200));
  EXPECT_TRUE(c->up(0));
  bool down_recorded = false;
  for (const auto& r : rig.world.decisions) {
    if (r.action == "down" && r.subject == "device 0" && r.reason == "fan") down_recorded = true;
  }
  EXPECT_TRUE(down_recorded);
}

// No GPU of the fleet has the memory: the job cannot ever be placed.
TEST(Controller, UnplaceableJob) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 1000)};
  rig.jobs[0].min_memory_gb = 1000;
  auto c = rig.Make();
  EXPECT_FALSE(c->Arrive(0, kT0));
  EXPECT_EQ(c->job(0).phase, JobPhase::kUnplaceable);
  EXPECT_EQ(c->queued_count(), 0);
}

TEST(Controller, DuplicateJobIdIsAnError) {
  Rig rig(1);
  rig.jobs = {OneGpuJob(1, 1000)};
  auto c = rig.Make();
  auto again = c->AddJob(rig.jobs[0]);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("duplicate job id 1"), std::string::npos);
}

// After a restart: a running job and a waiting one restored as stored, without a word to the
// world; the next round keeps the running job where it is and starts the waiting one.
TEST(Controller, RestoreRunningAndQueued) {
  Rig rig(3);
  rig.jobs = {OneGpuJob(1, 10'000), OneGpuJob(2, 5'000)};
  auto c = rig.Make();
  ASSERT_TRUE(c->RestoreDevice(0, Mode::kOff, /*up=*/false).ok());
  RestoredRun run;
  run.devices = {2};
  run.run_start = kT0 - 500;
  run.anchor = kT0 - 440;
  run.remaining = 8'000;
  run.preemptions = 1;
  ASSERT_TRUE(c->RestoreRunning(0, run).ok());
  RestoredWait wait;
  wait.queued_since = kT0 - 100;
  wait.remaining = 5'000;
  ASSERT_TRUE(c->RestoreQueued(1, wait).ok());
  EXPECT_TRUE(rig.world.calls.empty());
  EXPECT_EQ(c->job(0).phase, JobPhase::kRunning);
  EXPECT_EQ(c->device_job(2), 0);
  EXPECT_EQ(c->mode(2), Mode::kAi);
  EXPECT_EQ(c->free_gpus(), 1);  // device 0 down, device 2 busy
  EXPECT_EQ(c->queued_count(), 1);
  EXPECT_NEAR(c->RemainingAt(0, kT0 + 60), 8'000 - 500 * c->job(0).rate, 1e-6);
  // Restoring the same job twice, or onto a busy device, is refused.
  EXPECT_FALSE(c->RestoreRunning(0, run).ok());
  EXPECT_FALSE(c->RestoreDevice(2, Mode::kIdle, true).ok());
  c->Decide(kT0, "epoch");
  EXPECT_EQ(c->job(0).devices, std::vector<int32_t>{2});
  EXPECT_EQ(c->job(1).devices, std::vector<int32_t>{1});
  EXPECT_EQ(c->job(1).queued_since, kT0 - 100);
  EXPECT_EQ(rig.world.calls, (std::vector<std::string>{"mode 1 off->ai", "start 1"}));
}

// A restored gang must match the job's size and stand on healthy, distinct GPUs.
TEST(Controller, RestoreRunningRejectsBadGangs) {
  Rig rig(2);
  rig.jobs = {OneGpuJob(1, 10'000)};
  auto c = rig.Make();
  RestoredRun run;
  run.devices = {0, 1};
  EXPECT_FALSE(c->RestoreRunning(0, run).ok());  // two GPUs for a one-GPU job
  ASSERT_TRUE(c->RestoreDevice(1, Mode::kOff, false).ok());
  run.devices = {1};
  EXPECT_FALSE(c->RestoreRunning(0, run).ok());  // a failed GPU
  run.devices = {5};
  EXPECT_FALSE(c->RestoreRunning(0, run).ok());  // no such device
  EXPECT_EQ(c->job(0).phase, JobPhase::kFuture);
}

TEST(Controller, PhaseAndCauseNames) {
  EXPECT_STREQ(JobPhaseName(JobPhase::kUnplaceable), "unplaceable");
  EXPECT_STREQ(JobPhaseName(JobPhase::kCancelled), "cancelled");
  EXPECT_STREQ(StopCauseName(StopCause::kFailure), "failure");
}

}  // namespace
}  // namespace rigshift::control
