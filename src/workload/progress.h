// How a running gang advances and what a stop costs it: the one rule the simulator's engine, the
// controller and the simulated backend share (docs/simulate.md, "Work").
//   - A gang advances at SpeedModel::Rate(job, gpu) x gpus work units per second on the slowest
//     GPU model it holds (a gang runs at the pace of its slowest member).
//   - A stop keeps the work done up to the last checkpoint (Preemptibility::kCheckpoint, every
//     Job::checkpoint_interval of progress), all of it (kFree), or, for a kNever job stopped by a
//     failure, none (it restarts from scratch); the next start spends Job::restore_time first.
// Thread-safety: pure functions.
#pragma once

#include <span>

#include "catalog/catalog.h"
#include "core/time.h"
#include "workload/job.h"
#include "workload/speed_model.h"

namespace rigshift::workload {

// Work units per second of `job` on a gang of these GPUs (nullptr entries: ASICs, rate 0).
double GangRate(const Job& job, std::span<const catalog::GpuModel* const> gpus,
                const SpeedModel& speed);

struct StopOutcome {
  double done = 0;  // work done in this run (units)
  double kept = 0;  // of it, kept by the checkpoint rule (negative: earlier work lost too)
  double remaining = 0;  // left to do after the stop
};

// A run of `job` that had `remaining` units at its anchor (run start + restore) and advanced at
// `rate` for `progress_s` seconds stops. `total` is the job's whole work; `failure`: a device
// failed (a kNever job then loses everything); `preemption_costs` off keeps all work done.
StopOutcome StopRun(const Job& job, double total, double remaining, double rate,
                    double progress_s, bool failure, bool preemption_costs);

}  // namespace rigshift::workload
