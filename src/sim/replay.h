// Replaying a recorded job trace inside a simulated window, and the documented rules that give
// trace jobs the needs the traces do not record (docs/simulate.md, "Jobs").
//
// Replay: a trace recorded in another period keeps its relative arrival times: the first arrival
// of the trace lands at the window start, and the trace repeats back to back (each copy shifted by
// the trace's span plus the mean gap between arrivals) until the window is full; arrivals at or
// after the window end are cut. `load` scales the arrival rate: relative arrival times are divided
// by it (load 2 = twice as many arrivals per hour; the work of each job is unchanged). Copies get
// fresh ids (copy k of job i: k * (largest id + 1) + i) and names suffixed "#k".
// A trace whose jobs all arrive at one instant has no arrival rate to repeat: it is a batch that
// arrives once, at the window start. A replay that would create more than kMaxReplayedJobs jobs
// (a short span repeated over a long window) is refused before anything is allocated.
//
// Needs (AssignJobNeeds; only fields the loader left at their defaults are set):
//   - memory per GPU from a deterministic hash of (seed, job id): 50% 6 GB, 30% 11 GB, 15% 16 GB,
//     5% 24 GB (Philly's GPUs held 12 GB and 24 GB; most DL jobs of 2017 used well under a card);
//   - interconnect: 1 GPU none; 2..8 GPUs PCIe peer-to-peer on one node; more than 8 GPUs a
//     network gang (25 Gbps per node);
//   - preemptibility: checkpoint every 30 min, 2 min restore (Job defaults) unless the loader set
//     one (Alibaba's QoS);
//   - price: 0 = the GPU-hour price of the class it runs on (sched::JobGpuHourPrice);
//   - deadline (the SLO): arrival + slo_factor x its run time on its reference GPU, at least
//     `slo_min`; none when slo_factor is 0.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "workload/job.h"

namespace rigshift::sim {

// More jobs than any reference trace replayed over years at load 10 (Philly: about 100,000 a
// year); a replay past it would exhaust memory long before it finished.
inline constexpr int64_t kMaxReplayedJobs = 5'000'000;
// Deadlines past 1,000 x ten years are treated as that (unreachable from checked input).
inline constexpr double kMaxSloSeconds = 1000.0 * 10 * 365 * 86400;

struct ReplayOptions {
  TimePoint start = 0;
  TimePoint end = 0;  // exclusive
  double load = 1.0;  // > 0
  bool repeat = true;
};

// `trace` in any order; the result is sorted by (arrival, id).
Result<std::vector<workload::Job>> ReplayIntoWindow(const std::vector<workload::Job>& trace,
                                                    const ReplayOptions& options);

struct NeedsOptions {
  uint64_t seed = 1;
  double slo_factor = 4.0;
  Duration slo_min = kHour;
  double network_gbps = 25;
};

void AssignJobNeeds(std::vector<workload::Job>& jobs, const NeedsOptions& options);

}  // namespace rigshift::sim
