// IncrementalPlanner: rigshift's decision for ONE event between full planning rounds, in far
// less time than a round (issue 4: an incremental event under 1 ms at 100,000 devices).
//
// A full round (Policy::Decide) looks at everything; between rounds the simulator (or the live
// controller) can ask this planner what to do when one job arrives or one job ends, instead of
// re-planning the whole fleet. The planner keeps the round's bookkeeping (free GPUs per node in
// buckets, site and rack power, node hosts on) and updates it per event:
//   - OnArrival(job): the job starts now when rigshift's rule finds a free class (GPUs in AI are
//     busy; mining GPUs are free, mining being always preemptible) with a positive gain per
//     GPU-hour over mining/off across its expected run, and the envelope allows it (curtailing
//     the site's least valuable miners per kW when that costs less than the gang earns); else it
//     waits.
//   - OnEnd(devices, waiting): the job's GPUs are released; the given waiting jobs (the head of
//     the caller's queue, in its order) are tried as arrivals; GPUs still unused mine where mining
//     pays now (within the envelope), else they are off.
// EASY: the full round's reservation (Round::reserved_job, shadow) stands between rounds: other
// jobs keep off the reserved slots unless they end before the reserved start; the reserved job
// may use them, and once it has started the reservation is void; a job blocked while no
// reservation is in force sets Delta::wants_full_round. Not done incrementally (the next full
// round does them): new reservations, preemption of running jobs, price changes (a
// new hour is a full round), re-ranking of the whole queue.
//
// Other policies' rules (IncrementalRule, chosen by the policy in Policy::DecideIncremental):
//   - kNone (mine-only): nothing starts between rounds; freed GPUs mine where it pays, else off;
//   - kHighestPrice (backfill-mine, threshold): a job starts on the free class with the highest
//     GPU-hour price for it, curtailing miners when the envelope needs it (AI before mining, as
//     in its full round), with no gain check.
// OnEnd tries the waiting jobs in the policy's queue order as far as it can be told without a
// full round: priority, then the LAS level (JobOrder::kLas), then the caller's order.
//
// Lifetime: `in` (and every span in it) and `options` must outlive the planner and stay unchanged
// (it keeps references, as a Round does); PolicyInput::running and ::queue are not read after
// construction. A device failure or repair, a price change or a new power cap makes the planner
// stale: the caller must run a full round instead. Not thread-safe: one planner per simulation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sched/plan.h"
#include "sched/policy.h"

namespace rigshift::sched {

namespace internal {
class Round;
}

// What a policy does with one event between full rounds.
struct IncrementalRule {
  enum class Start : uint8_t {
    kNone,          // nothing starts between rounds (jobs wait for the next full round)
    kBestGain,      // rigshift: best positive gain per GPU-hour over mining/off (see above)
    kHighestPrice,  // backfill: the highest GPU-hour price among free classes, no gain check
  };
  Start start = Start::kBestGain;
  // What a GPU freed by an ending job, that no waiting job takes, does: a reason index when it
  // mines (within the envelope), nullopt when it goes off. Null: mine when its class's mining
  // margin now is > 0 (rigshift, mine-only).
  std::function<std::optional<uint32_t>(internal::Round& round, int32_t cls)> mine;
  // Text of the start reasons ("backfill" for kHighestPrice policies).
  std::string label = "event";
};

class IncrementalPlanner {
 public:
  // Adopts the state a full round left: `plan` must be the plan Decide returned for `in` (its
  // kept running jobs and starts are in AI, its miners mine). Rebuilds the round's bookkeeping:
  // O(devices). Rule: rigshift's.
  IncrementalPlanner(const PolicyInput& in, const PolicyOptions& options, const Plan& plan);
  // Continues from the Round a full round used: `round` has just returned `plan` from
  // Round::Finish (nothing to rebuild; the plan is copied back into it). What policies call from
  // Policy::DecideIncremental.
  IncrementalPlanner(std::unique_ptr<internal::Round> round, const Plan& plan,
                     IncrementalRule rule);
  ~IncrementalPlanner();
  IncrementalPlanner(const IncrementalPlanner&) = delete;
  IncrementalPlanner& operator=(const IncrementalPlanner&) = delete;

  struct Delta {
    std::vector<std::pair<int32_t, econ::Mode>> modes;  // devices whose mode changed, final mode
    std::vector<uint32_t> mode_reasons;                 // per entry of `modes`, into reasons()
    std::vector<JobStart> starts;                       // queue_index = -1
    std::vector<workload::JobId> waiting;               // jobs examined that did not start
    // A job examined could not start for want of a placement while no EASY reservation is in
    // force (none was made, or its job has started): a full round should make one (the planner
    // stays usable until then).
    bool wants_full_round = false;
  };
  // The time of the next events (default: the full round's); only EASY's "does this job end
  // before the reserved start" test reads it.
  void set_now(TimePoint now) { now_ = now; }
  Delta OnArrival(const QueuedJob& job);
  Delta OnEnd(std::span<const int32_t> devices, std::span<const QueuedJob> waiting);
  // A device that is never free for AI work (an ASIC) failed or was repaired: its health is read
  // from PolicyInput::device_up, which the caller has updated. Down: off. Up: mines when the
  // rule's mining test passes and the envelope allows (as the full round's mining fill does for
  // it), else off. A GPU's health changes the free-GPU bookkeeping: RS_CHECK, the caller runs a
  // full round instead.
  Delta OnAsicHealth(int32_t device);

  const std::vector<std::string>& reasons() const;
  // Current mode of a device under the planner's state.
  econ::Mode mode(size_t device) const;

 private:
  bool TryStart(const QueuedJob& q);
  // Mining decision for a device of class `cls` that is up and off: a reason index, or nullopt.
  std::optional<uint32_t> MineRule(int32_t cls);
  bool TryStartBestGain(const QueuedJob& q);
  bool TryStartHighestPrice(const QueuedJob& q);
  // Classes that can run `job` and have enough free GPUs for its gang now.
  std::vector<int32_t> FreeClasses(const workload::Job& job);
  // Whether `q` must keep off the round's EASY reservation on class `cls`.
  bool AvoidReserved(const QueuedJob& q, int32_t cls);
  Delta Collect(std::vector<int32_t>& changed);

  std::unique_ptr<internal::Round> round_;
  IncrementalRule rule_;
  TimePoint now_ = 0;
  bool reservation_used_ = false;  // the reserved job started: the reservation is void
  bool blocked_ = false;           // since the last Collect: a job found no placement
  std::vector<int32_t> changed_;
  size_t starts_seen_ = 0;
};

}  // namespace rigshift::sched
