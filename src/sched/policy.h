// The scheduling policy interface: one planning round, as a pure function
//   (fleet view, health, current modes, queue, running jobs, market now + forecast, options, Rng)
//     -> Plan (a mode and reason for every device, job starts with gang placements, preemptions,
//              per-site power).
//
// The model (docs/scheduler.md has the long form):
//   - Every device is in one econ::Mode per round: kAi (running one job's gang), kMine (the
//     catalogue profile that earns most now: econ::BestMining), kIdle or kOff. ASICs never run AI.
//   - Money per device-hour uses econ (never doubles for accounting): mining revenue = hashrate x
//     hashprice; AI revenue = the GPU-hour price (JobGpuHourPrice below); energy = IT power x PUE x
//     (market price + tariff adder). Host power (CPU, fans) counts for every node with a device
//     that is not off.
//   - Hard constraint for every policy, the power envelope: per site, sum of IT power (devices +
//     hosts) x PUE <= grid cap (or the demand-response cap of this round), IT power <= cooling
//     capacity, and per rack, IT power <= the rack's limit. When over, the least valuable load per
//     watt is curtailed first (mining before AI; AI jobs are never split).
//   - Gangs: a job needs `gpus` devices of one GPU model (mixed-model gangs run at the slowest card
//     and are not worth it), each with at least `min_memory_gb`, rate > 0 in the SpeedModel, and
//     the interconnect it asks for: kPcie / kNvlink on one node (kPcie needs >= 8 lanes per GPU:
//     not an x1 riser), kNetwork on nodes of one site with NIC >= network_gbps, kNone anywhere in
//     one site.
//   - Preemption: mining may always be preempted (stopping it costs nothing); AI only when it pays
//     (policy-specific; rigshift: gain over the forecast window > work lost since the last
//     checkpoint + restore time, times a hysteresis factor). kNever jobs are never preempted.
//
// Policies (MakePolicy names): "mine-only", "backfill-mine", "threshold", "rigshift" (default),
// "horizon", and "fifo_perf" (Gavel's, src/sched/fifo_perf.h, owned by the Gavel engineer).
//
// Determinism and purity: no clock, no I/O, no globals; the same input and Rng state give the
// same plan. Policy objects are immutable after construction, so one object may be shared; Decide
// is const and safe to call from several threads with separate inputs and Rngs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/time.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/series.h"
#include "sched/plan.h"
#include "workload/job.h"

namespace rigshift::workload {
class SpeedModel;
}

namespace rigshift::sched {

class FleetIndex;          // sched/fleet_index.h: devices grouped per (site, node shape, model)
class IncrementalPlanner;  // sched/incremental.h: one arrival or job end between full rounds

// Order of the AI queue for the policies that run AI.
enum class JobOrder : uint8_t {
  kFifo,  // arrival time, then job id
  kLas,   // Tiresias-style discretised least attained service (LasOptions), FIFO within a level
};
const char* JobOrderName(JobOrder o);  // "fifo", "las"
Result<JobOrder> ParseJobOrder(std::string_view name);

// Tiresias (NSDI'19) discretised 2D-LAS: a job's attained service (GPU-seconds: GPUs x seconds
// run) puts it in one of K priority levels with thresholds in ascending order; lower level first,
// FIFO within a level. A job whose service crosses a threshold while it runs is demoted. A waiting
// job that has waited longer than starvation_factor x its attained service (and at least
// min_starvation_wait) is promoted to level 0, as Tiresias' STARVELIMIT does.
//
// Preemption (`preempt`): when a waiting job cannot be placed, running jobs of strictly lower
// priority (a higher level: more attained service; never a higher Job::priority) are preempted,
// most attained first, but only when the devices they free let the waiting job start now. The
// guard against thrashing: a job that has run less than min_run_before_preempt in its current run
// (so also one started this round) is not a victim, and kNever jobs never are. Work since the last
// checkpoint and the restore time are the price (the simulator charges them).
struct LasOptions {
  std::vector<double> thresholds_gpu_seconds = {3600.0, 36000.0};  // K = 3 levels
  double starvation_factor = 0;                                    // 0 = no promotion
  Duration min_starvation_wait = kHour;
  bool preempt = true;  // false: LAS orders the waiting queue only
  Duration min_run_before_preempt = 5 * kMinute;
  // At most this many waiting jobs per round try to preempt (bounds the round's work).
  int max_preempting_jobs = 64;
};

struct PolicyOptions {
  econ::PowerModel power;
  JobOrder order = JobOrder::kFifo;
  LasOptions las;
  // Forecast window (hours) used by rigshift's preemption and start decisions and horizon's LP.
  int horizon_hours = 24;
  // rigshift: an AI job is preempted only when its gain exceeds this factor x its loss (work since
  // the last checkpoint + restore time, valued at its GPU-hour price).
  double preempt_hysteresis = 1.25;
  // threshold: mining on a device class stops when the site's energy price exceeds the class's
  // break-even price x (1000 - margin) / 1000; `curtail_above`, when set, replaces the break-even.
  int64_t threshold_margin_permille = 0;
  std::optional<EnergyPrice> curtail_above;
  // horizon: the most a site's facility power may change from one hour to the next, in permille
  // of its grid cap (a grid-operator ramp rule for large flexible loads); 0 = no limit.
  int64_t ramp_limit_permille_per_hour = 0;
  // How fast jobs run on each GPU model; nullptr: rate 1 reference unit/s per GPU wherever the
  // memory fits (used by tests and when no speed data is loaded).
  const workload::SpeedModel* speed = nullptr;
  // Bounds the work of one round: at most this many queued jobs are examined (the rest wait).
  int max_jobs_examined = 1 << 30;
};

// A job waiting in the queue (new, or preempted and requeued).
struct QueuedJob {
  const workload::Job* job = nullptr;
  double remaining_work = 0;        // in SpeedModel::WorkUnits units
  double attained_gpu_seconds = 0;  // GPU-seconds of service so far (LAS)
  TimePoint queued_since = 0;       // when it (re-)entered the queue
  int32_t preemptions = 0;
};

// A job running now.
struct RunningJob {
  const workload::Job* job = nullptr;
  std::span<const int32_t> devices;  // flat-fleet indices of its gang (storage owned by caller)
  TimePoint start = 0;               // start of the current run
  TimePoint last_checkpoint = 0;     // work since then is lost on preemption
  double remaining_work = 0;         // in SpeedModel::WorkUnits units
  double attained_gpu_seconds = 0;
};

// Everything a policy may read. Pointers must be non-null unless said otherwise; spans that are
// empty take the stated default.
struct PolicyInput {
  const fleet::Fleet* fleet = nullptr;
  const fleet::FlatFleet* flat = nullptr;
  // Optional precomputed grouping of `flat` (FleetIndex::Build); built per call when null.
  const FleetIndex* index = nullptr;
  std::span<const uint8_t> device_up;          // per device, 1 = healthy; empty = all healthy
  std::span<const econ::Mode> current_mode;    // per device; empty = all off
  const market::MarketData* market = nullptr;  // prices at `now`
  // Prices the policy may see for (now, now + horizon]; nullptr = perfect foresight of `market`.
  const market::MarketData* forecast = nullptr;
  TimePoint now = 0;
  std::span<const QueuedJob> queue;
  std::span<const RunningJob> running;
  // Per site, a facility power cap for this round below the grid cap (demand response); empty
  // or zero for a site = its grid cap.
  std::span<const Power> site_cap_override;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  // One planning round. The plan covers every device of in.flat.
  virtual Plan Decide(const PolicyInput& in, Rng& rng) const = 0;
  // The same round (the same plan as Decide), and, when the policy has an incremental rule, a
  // planner in *planner that continues from it for the arrivals and job ends until the next full
  // round (sched/incremental.h); *planner is null otherwise. The planner keeps references into
  // `in` (and this policy's options): the caller keeps them alive and unchanged while using it.
  // Default (defined in incremental.cc): Decide, no planner. Overridden by rigshift, mine-only,
  // backfill-mine and threshold.
  virtual Plan DecideIncremental(const PolicyInput& in, Rng& rng,
                                 std::unique_ptr<IncrementalPlanner>* planner) const;
};

// Builds a policy by name: "mine-only", "backfill-mine", "threshold", "rigshift", "horizon",
// "fifo_perf". Unknown names give kInvalidArgument listing the known ones.
Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options);
std::vector<std::string> PolicyNames();
inline constexpr std::string_view kDefaultPolicy = "rigshift";

// What an AI job pays per GPU-hour on a GPU model: the job's own price when set (> 0), else the
// market's GPU-hour table (econ::DefaultGpuHourPrice). The simulator's accounting uses the same
// function, so that policy and accounting agree.
GpuHourPrice JobGpuHourPrice(const workload::Job& job, const catalog::GpuModel& gpu,
                             const market::GpuHourPriceTable& table);

}  // namespace rigshift::sched
