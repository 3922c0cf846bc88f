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
// Not done incrementally (the next full round does them): EASY reservations, preemption of
// running jobs, price changes (a new hour is a full round), re-ranking of the whole queue.
//
// Lifetime: `in` and `options` must outlive the planner (it keeps references, as a Round does).
// Not thread-safe: one planner per simulation.
#pragma once

#include <memory>
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

class IncrementalPlanner {
 public:
  // Adopts the state a full round left: `plan` must be the plan Decide returned for `in` (its
  // kept running jobs and starts are in AI, its miners mine).
  IncrementalPlanner(const PolicyInput& in, const PolicyOptions& options, const Plan& plan);
  ~IncrementalPlanner();
  IncrementalPlanner(const IncrementalPlanner&) = delete;
  IncrementalPlanner& operator=(const IncrementalPlanner&) = delete;

  struct Delta {
    std::vector<std::pair<int32_t, econ::Mode>> modes;  // devices whose mode changed, final mode
    std::vector<uint32_t> mode_reasons;                 // per entry of `modes`, into reasons()
    std::vector<JobStart> starts;                       // queue_index = -1
    std::vector<workload::JobId> waiting;               // jobs examined that did not start
  };
  Delta OnArrival(const QueuedJob& job);
  Delta OnEnd(std::span<const int32_t> devices, std::span<const QueuedJob> waiting);

  const std::vector<std::string>& reasons() const;
  // Current mode of a device under the planner's state.
  econ::Mode mode(size_t device) const;

 private:
  bool TryStart(const QueuedJob& q);
  Delta Collect(std::vector<int32_t>& changed);

  std::unique_ptr<internal::Round> round_;
  std::vector<int32_t> changed_;
  size_t starts_seen_ = 0;
};

}  // namespace rigshift::sched
