// The controller: the one piece that turns events (a job arrives, ends or is cancelled, a device
// fails or comes back, a power cap changes) into a sched::Policy's decisions and applies them.
// It owns the job table (phase, remaining work, checkpoints, attained service), the queue and
// the running list, each device's mode, health and job, the policy input of the last full round
// and the sched::IncrementalPlanner that continues from it.
//
// It knows no clock and moves no money: what it decides it tells a World. The simulator
// (sim/engine.h) is one World, on virtual time: it accounts for energy and money and schedules
// each running job's completion. The live service is another: it sends the actions to backends
// and reports job ends back with Complete.
//
// Decisions. Decide is a full planning round (Policy::Decide, or DecideIncremental when
// `incremental` is on, which may leave a planner alive). While a planner is alive, Arrive,
// Complete, Cancel and an ASIC's DeviceDown/DeviceUp are decided at once by it, in O(the job's
// gang); anything the planner cannot follow (a GPU's health, prices, a power cap, a delta that
// did not apply exactly) drops it, and the event methods then return true: a full round is due.
// When to run that round (epochs, coalescing gaps, Gavel's rounds) is the World's business.
//
// Applying a plan. Preemptions first, then starts (each checked against the devices as they are
// now: healthy, free, able to run the job, no device twice), then per-device modes. Whatever the
// controller cannot follow counts as a plan error and drops the planner. A job that may never be
// preempted is not (counted in stats().preemptions_refused).
//
// Preemption costs (with preemption_costs on): the work done since the job's last checkpoint
// (every Job::checkpoint_interval of progress) is lost, and the next start spends
// Job::restore_time without progress; a failure restarts a never-preemptible job from scratch.
//
// Thread-safety: none; one controller per fleet, called from one thread. Not copyable or
// movable: the planner keeps references into it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/quantity.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/time.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/series.h"
#include "sched/fleet_index.h"
#include "sched/incremental.h"
#include "sched/plan.h"
#include "sched/policy.h"
#include "workload/job.h"
#include "workload/speed_model.h"

namespace rigshift::control {

enum class JobPhase : uint8_t { kFuture, kQueued, kRunning, kDone, kUnplaceable, kCancelled };
// "future", "queued", "running", "done", "unplaceable", "cancelled".
const char* JobPhaseName(JobPhase phase);

// Why a run ended before its work did.
enum class StopCause : uint8_t { kPreempted, kFailure, kCancelled };
// "preempted", "failure", "cancelled".
const char* StopCauseName(StopCause cause);

// Which events are decision points. The controller reads arrival, arrival_needs_free_gpu,
// completion and failure (for the incremental path and its return values); the World reads
// price_change and demand_response, the events it owns.
struct DecisionTriggers {
  bool arrival = true;
  // An arrival is a decision point only while some healthy GPU runs no job (otherwise nothing can
  // start until a completion, failure or epoch; policies that preempt on arrival see it then).
  bool arrival_needs_free_gpu = true;
  bool completion = true;
  bool price_change = true;
  bool failure = true;  // failures and repairs
  bool demand_response = true;
};

// The decision half of a run's options (sim::EngineOptions extends it with the world's half).
struct ControllerOptions {
  uint64_t seed = 1;  // the policy's Rng
  DecisionTriggers decide_on;
  // Between full rounds, arrivals and job completions (and ASIC failures/repairs) are decided at
  // once (no gap) by the IncrementalPlanner the policy returns from Policy::DecideIncremental
  // (rigshift, mine-only, backfill-mine, threshold); false, or a policy without one: every
  // decision point is a full round.
  bool incremental = true;
  // Queued jobs (the head of the queue) a completion offers its GPUs to, incrementally.
  int64_t incremental_waiting = 64;

  // The policy sees at most this many queued jobs per decision, the longest-waiting first (the
  // rest wait; sched::PolicyOptions::max_jobs_examined bounds the policy's own work likewise).
  // Keeps a decision O(view) when a fleet that cannot or will not run AI lets its queue grow.
  int64_t max_queue_view = 4096;

  bool preemption_costs = true;
  // Economics off: no prices, no money, no mining; devices are only AI or idle.
  bool economics = true;
};

// One decision as recorded on the timeline.
struct DecisionRecord {
  TimePoint time = 0;
  std::string policy;
  std::string trigger;  // "arrival", "epoch", "round", ...
  std::string subject;  // "device 12", "job 4431", "devices 0..511"
  std::string action;   // "mine", "ai", "start", "preempt", ...
  std::string reason;
};

// One job as the controller keeps it.
struct JobState {
  const workload::Job* job = nullptr;
  JobPhase phase = JobPhase::kFuture;
  double total_work = 0;  // SpeedModel::WorkUnits
  double remaining = 0;   // at `anchor` while running, else now
  double rate = 0;        // gang units per second while running (the slowest GPU's pace x gpus)
  TimePoint anchor = 0;   // progress counts from here (run start + restore)
  TimePoint run_start = 0;
  TimePoint first_start = -1;
  TimePoint completion = -1;
  TimePoint queued_since = 0;
  double attained_gpu_seconds = 0;  // finished runs
  int32_t preemptions = 0;
  int32_t starts = 0;       // runs begun (1 on the first start)
  uint32_t generation = 0;  // changes at every start and stop (stale completion events)
  bool needs_restore = false;
  std::vector<int32_t> devices;  // while running
  // Controller bookkeeping.
  int32_t running_pos = -1;  // index into running()
  int64_t queue_seen = -1;   // the view that last took it (duplicate queue entries)
};

// Counters of the controller's own work.
struct ControllerStats {
  int64_t decisions = 0;              // full planning rounds
  int64_t incremental_decisions = 0;  // events decided by an IncrementalPlanner
  int64_t plan_errors = 0;            // plan items the controller had to ignore
  int64_t preemptions_refused = 0;    // a plan asked to preempt a never-preemptible job
};

// What the controller does to the world. Each call comes after the controller's own state
// says so, except JobStopped and JobCompleted, which come while job(j) still describes the run
// that ends (devices, run_start, anchor, rate); the devices' ModeChanged calls follow them.
class World {
 public:
  virtual ~World() = default;
  virtual void ModeChanged(int32_t device, econ::Mode from, econ::Mode to) = 0;
  // The run's devices are controller.job(j).devices; its generation is already the new one.
  virtual void JobStarted(int32_t job_index, TimePoint now) = 0;
  // `lost_work`: work units thrown away (progress since the last checkpoint; for a
  // never-preemptible job that fails, everything done so far).
  virtual void JobStopped(int32_t job_index, TimePoint now, StopCause cause, double lost_work) = 0;
  virtual void JobCompleted(int32_t job_index, TimePoint now) = 0;
  // Only while recording is on (Controller::SetRecording).
  virtual void Decision(const DecisionRecord& record) = 0;
};

// A queued job's state after a restart.
struct RestoredWait {
  TimePoint queued_since = 0;
  double remaining = 0;
  double attained_gpu_seconds = 0;
  int32_t preemptions = 0;
  TimePoint first_start = -1;
  bool needs_restore = false;
};

// A running job's state after a restart.
struct RestoredRun {
  std::vector<int32_t> devices;
  TimePoint run_start = 0;
  TimePoint anchor = 0;             // run_start + the restore time it spent, if any
  double remaining = 0;             // at anchor
  double attained_gpu_seconds = 0;  // finished runs
  int32_t preemptions = 0;
  TimePoint first_start = -1;  // -1: this run's start
};

class Controller {
 public:
  // Keeps references to every argument; `world` may not be null.
  Controller(const fleet::Fleet& fleet, const fleet::FlatFleet& flat,
             const workload::SpeedModel& speed, const sched::Policy& policy,
             const ControllerOptions& options, World* world);
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Prices the policy reads at the next full round (`forecast` null: perfect foresight).
  void SetMarket(const market::MarketData* now, const market::MarketData* forecast);
  // World::Decision is called only while recording.
  void SetRecording(bool on) { recording_ = on; }

  // Registers a job (phase kFuture) and returns its index. The job must outlive the controller.
  // Errors: a job id already registered.
  Result<int32_t> AddJob(const workload::Job& job);
  std::optional<int32_t> FindJob(workload::JobId id) const;

  // Events. Each updates the state, then decides incrementally while a planner is alive, and
  // returns whether a full round is due (for the event's trigger in options.decide_on).
  // A job no GPU class of the fleet could ever host becomes kUnplaceable (returns false).
  bool Arrive(int32_t j, TimePoint now);
  // The job's work is done (the World saw it end). Ignored unless it is running.
  bool Complete(int32_t j, TimePoint now);
  // A queued or future job is dropped; a running one is stopped first. Ignored otherwise.
  bool Cancel(int32_t j, TimePoint now);
  // A device fails: its job stops (StopCause::kFailure), the device goes off. The failure is
  // recorded (trigger "failure", action "down", `reason`). Ignored when it is already down.
  bool DeviceDown(int32_t d, TimePoint now, std::string_view reason);
  bool DeviceUp(int32_t d, TimePoint now);
  // A run the world lost (a backend reports no such run): the job waits again as after a
  // failure (work since its last checkpoint lost), recorded with `reason`. Drops the planner.
  void Requeue(int32_t j, TimePoint now, std::string_view reason);
  // A facility power cap for a site below its grid cap (demand response, an operator's curtail);
  // zero = none. Drops the planner.
  void SetSiteCapOverride(int32_t site, Power cap);
  // The planner's view is stale (prices changed, ...): the next decision is a full round.
  void DropPlanner() { planner_.reset(); }
  bool planner_alive() const { return planner_ != nullptr; }
  // A full planning round.
  void Decide(TimePoint now, const char* trigger);
  // Records a decision the World made itself (a demand-response cap, ...).
  void Record(TimePoint now, std::string_view trigger, std::string subject, std::string action,
              std::string_view reason);

  // Rebuilding after a restart: state as it is, without telling the World and without deciding.
  // Call before the first Decide; restore devices before the jobs that run on them.
  Status RestoreDevice(int32_t d, econ::Mode mode, bool up);
  // The job (kFuture) waits; restored waits join the queue in call order.
  Status RestoreQueued(int32_t j, const RestoredWait& wait);
  // The job (kFuture) runs on `run.devices` (healthy, free GPUs that can run it; set to kAi).
  Status RestoreRunning(int32_t j, const RestoredRun& run);

  // Read access.
  econ::Mode mode(int32_t d) const { return mode_[static_cast<size_t>(d)]; }
  bool up(int32_t d) const { return up_[static_cast<size_t>(d)] != 0; }
  int32_t device_job(int32_t d) const { return device_job_[static_cast<size_t>(d)]; }
  const JobState& job(int32_t j) const { return jobs_[static_cast<size_t>(j)]; }
  int32_t job_count() const { return static_cast<int32_t>(jobs_.size()); }
  // Work left at `t` (a running job's progress since its anchor counted).
  double RemainingAt(int32_t j, TimePoint t) const;
  std::span<const int32_t> running() const { return running_; }
  int64_t queued_count() const { return queue_live_; }
  // Healthy GPUs that run no job.
  int64_t free_gpus() const { return gpus_total_ - gpus_down_ - gpus_busy_; }
  const ControllerStats& stats() const { return stats_; }
  // The last full round's plan (its reasons); null before the first.
  const sched::Plan* last_plan() const { return has_plan_ ? &plan_ : nullptr; }
  std::string_view policy_name() const { return policy_.name(); }

 private:
  // Job transitions (controller_jobs.cc).
  bool Placeable(const workload::Job& job) const;
  void SetMode(int32_t d, econ::Mode m);
  void StartJob(int32_t j, const std::vector<int32_t>& devices, TimePoint now);
  // Ends the current run without queueing the job; World::JobStopped first.
  void StopRun(int32_t j, TimePoint now, StopCause cause);
  // Preemption and failure: the run stops and the job waits again.
  void StopJob(int32_t j, TimePoint now, StopCause cause);
  void CompleteRun(int32_t j, TimePoint now);
  // Frees the run's devices (idle when healthy) and takes the job off the running list.
  void ReleaseRun(JobState& js);
  void Enqueue(int32_t j, TimePoint now);
  // Skips queue entries whose job no longer waits.
  void SkipStaleQueueHead();
  sched::QueuedJob QueuedView(const JobState& js) const {
    return {js.job, js.remaining, js.attained_gpu_seconds, js.queued_since, js.preemptions};
  }
  double GangRate(const workload::Job& job, const std::vector<int32_t>& devices) const;
  Status CheckRestorable(int32_t j) const;

  // Full rounds (controller_decide.cc).
  void BuildQueueView();
  void BuildRunningView(TimePoint now);
  void BuildInput(TimePoint now);
  void ApplyPlan(const sched::Plan& plan, TimePoint now, const char* trigger);
  void ApplyPreemptions(const sched::Plan& plan, TimePoint now, const char* trigger);
  void ApplyPlanModes(const sched::Plan& plan, TimePoint now, const char* trigger);
  // A start of a plan or delta that can be applied now: the job's index, else -1. Starts are
  // applied one by one, so a device an earlier start took is busy for later ones.
  int32_t CheckStart(const sched::JobStart& s) const;
  void ApplyStart(const sched::JobStart& s, int32_t j, TimePoint now, const char* trigger,
                  std::string_view reason);
  // Applies one device's planned mode (plans and deltas alike); false when nothing changed.
  bool ApplyMode(size_t d, econ::Mode want);

  // Between full rounds (controller_incremental.cc). Each returns false when a full round is
  // due: the planner had to be dropped (its delta did not apply cleanly), or a job is blocked
  // with no EASY reservation in force (the planner stays until that round).
  bool IncrementalEnd(TimePoint now, const std::vector<int32_t>& devices, const char* trigger);
  bool IncrementalArrival(TimePoint now, int32_t j);
  bool ApplyDelta(const sched::IncrementalPlanner::Delta& delta, TimePoint now,
                  const char* trigger);

  const fleet::Fleet& fleet_;
  const fleet::FlatFleet& flat_;
  const workload::SpeedModel& speed_;
  const sched::Policy& policy_;
  const ControllerOptions options_;
  World* const world_;
  Rng rng_;
  sched::FleetIndex index_;
  const market::MarketData* market_ = nullptr;
  const market::MarketData* forecast_ = nullptr;
  bool recording_ = false;
  ControllerStats stats_;

  // Devices.
  std::vector<econ::Mode> mode_;
  std::vector<uint8_t> up_;
  std::vector<int32_t> device_job_;
  std::vector<Power> site_cap_;  // per site; zero = none
  int64_t gpus_total_ = 0, gpus_down_ = 0, gpus_busy_ = 0;

  // Jobs.
  std::vector<JobState> jobs_;
  std::unordered_map<workload::JobId, int32_t> job_index_;
  std::vector<int32_t> queue_;  // job indices in queueing order, with stale entries skipped
  size_t queue_head_ = 0;       // entries before it are stale
  int64_t queue_live_ = 0;
  std::vector<int32_t> running_;

  // The last full round's input and, for policies with an incremental rule, the planner that
  // continues from it. The planner reads pin_ and the buffers its spans point into (up_, mode_,
  // queue_view_, running_view_, caps_): none of them is rebuilt or resized while it lives; a
  // GPU failure or repair, a price change or a new power cap drops it.
  sched::PolicyInput pin_;
  std::vector<sched::QueuedJob> queue_view_;
  std::vector<sched::RunningJob> running_view_;
  std::vector<Power> caps_;
  std::unique_ptr<sched::IncrementalPlanner> planner_;
  std::vector<sched::QueuedJob> waiting_view_;
  std::vector<int32_t> ended_devices_;
  int64_t waiting_stamp_ = 0;
  sched::Plan plan_;
  bool has_plan_ = false;
};

}  // namespace rigshift::control
