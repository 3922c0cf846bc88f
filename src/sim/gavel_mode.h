// Gavel mode: runs Gavel's simulator semantics (OSDI'20 artifact) through rigshift's own engine,
// policy interface and accounting, to check the simulator's fidelity on Gavel's inputs (issue 5,
// docs/gavel-fidelity.md) and to let `rigshift simulate --mode gavel` replay Gavel traces.
//
// What it wires together (no separate code path):
//   - the fleet: a plain GPU cluster (sim/gavel_cluster.h) or any fleet;
//   - speeds: a SpeedModel whose step table is Gavel's measured throughputs, so a job's rate on a
//     GPU is its (job type, scale factor) steps/s on that GPU class;
//   - the policy: sched::MakePolicy("fifo_perf") (or another name);
//   - the engine in round mode: EngineOptions::GavelRounds(round_length) with economics off, no
//     failures, no preemption cost, the run drained to the last completion, and replanning at most
//     every `min_replan_gap` seconds (Gavel's minimum_time_between_allocation_resets, 1920 s).
// Gavel's three figures are read off the SimResult: average JCT over completed jobs (completion
// minus arrival), makespan (last completion), utilisation (mean over GPUs of busy time / time to
// the end).
//
// Thread-safety: RunGavel is reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "fleet/model.h"
#include "sim/accounting.h"
#include "sim/engine.h"
#include "workload/gavel_throughputs.h"
#include "workload/job.h"

namespace rigshift::sim {

struct GavelModeOptions {
  std::string policy = "fifo_perf";
  Duration round_length = 360;     // Gavel's --time_per_iteration
  Duration min_replan_gap = 1920;  // Gavel's minimum_time_between_allocation_resets
  uint64_t seed = 1;
  TimelineSink* timeline = nullptr;  // not owned
  bool keep_job_records = false;
};

// Gavel's reported figures.
struct GavelFigures {
  double avg_jct_s = 0;
  double makespan_s = 0;
  double utilisation = 0;
  int64_t jobs_finished = 0;
  int64_t jobs_unfinished = 0;   // arrived, not done when nothing more could run
  int64_t jobs_unplaceable = 0;  // no GPU type of the cluster has a throughput for them
};

struct GavelRun {
  SimResult result;
  GavelFigures figures;
};

// Runs `jobs` (arrivals relative to 0) on `fleet` with Gavel's throughputs.
Result<GavelRun> RunGavel(const std::vector<workload::Job>& jobs,
                          const workload::GavelThroughputs& throughputs, const fleet::Fleet& fleet,
                          const GavelModeOptions& options = {});
// The same with the throughputs already in the SpeedModel's form (GavelThroughputs::
// ToStepThroughputs), for callers that loaded them that way (the CLI).
Result<GavelRun> RunGavel(const std::vector<workload::Job>& jobs,
                          const workload::StepThroughputs& steps, const fleet::Fleet& fleet,
                          const GavelModeOptions& options = {});

// The figures of a finished run.
GavelFigures FiguresOf(const SimResult& result);

// What a report says about the run's inputs.
struct GavelRunInfo {
  std::string jobs_description;     // "Gavel trace (PATH)"
  std::string cluster_description;  // "--cluster v100=8,p100=16,k80=24"
  int64_t jobs = 0;
  int64_t gpus = 0;
  GavelModeOptions options;
};

// A short text summary (`rigshift simulate --mode gavel`) and a JSON object with the same
// figures (stable key order; numbers as printed by the JSON library).
std::string RenderGavelText(const GavelRun& run, const GavelRunInfo& info);
std::string RenderGavelJson(const GavelRun& run, const GavelRunInfo& info);

}  // namespace rigshift::sim
