// Loader for Gavel's job traces (OSDI'20, github.com/stanford-futuredata/gavel, MIT): one job per
// line, 10 tab-separated columns, as in ../shared/data/traces/gavel/{physical_cluster,generated}/:
//
//   1 job type          "ResNet-18 (batch size 128)": the key into simulation_throughputs.json
//   2 command           "python3 main.py --data_dir=%s/cifar10 --batch_size 128"
//   3 working directory "image_classification/cifar10"
//   4 steps argument    "--num_steps": the flag that receives the step count
//   5 needs data        0 or 1 (whether %s in the command is the data directory)
//   6 total steps       integer > 0
//   7 scale factor      integer >= 1: GPUs of the gang (Gavel's throughputs are per (type, scale))
//   8 priority weight   number > 0 (1 = normal)
//   9 SLO               number; -1 (or any value <= 0) = none
//  10 arrival time      seconds >= 0 from the start of the trace (fractions allowed)
//
// Gavel's older traces (msr_seed0/*.trace, Philly-derived) have 7 columns: job type, command,
// steps argument, needs data, total steps, arrival time, scale factor; a file in that form is
// read the same way (no working directory, priority weight 1, no SLO). The form is decided by the
// first job line; every line must then have the same number of columns.
//
// Each line becomes a workload::Job: id = 0-based line number among the jobs (Gavel's job id),
// name = "gavel-<id>", job_type, total_steps, gpus = scale factor, priority_weight, arrival =
// `origin` + the arrival rounded to the nearest second (TimePoint is whole seconds), a training
// job with kNone interconnect (Gavel models no topology) that checkpoints every round for free
// (Preemptibility::kFree, no restore time). The SLO is kept in GavelJobExtras: Gavel turns it into
// a deadline only with a duration estimate that the trace does not carry.
//
// Blank lines and lines starting with '#' are skipped (an extension: Gavel has no comments). A
// trailing '\r' (CRLF files) is accepted. Errors name the place and what was expected:
//   trace.tsv:12:41: column 6 (total steps): expected an integer > 0, found '-5'
// Limits guard against hostile input (the fuzz target runs against them): kMaxGavelTraceBytes,
// kMaxGavelJobs, total steps <= kMaxGavelSteps, scale factor <= kMaxGavelScaleFactor.
//
// Thread-safety: pure functions; reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "workload/job.h"

namespace rigshift::workload {

inline constexpr size_t kMaxGavelTraceBytes = 512u << 20;  // 512 MiB
inline constexpr size_t kMaxGavelJobs = 10'000'000;
inline constexpr int64_t kMaxGavelSteps = int64_t{1} << 50;
inline constexpr int32_t kMaxGavelScaleFactor = 1 << 16;
inline constexpr double kMaxGavelArrivalSeconds = 1e11;  // about 3,000 years
inline constexpr int kGavelTraceColumns = 10;
inline constexpr int kGavelOldTraceColumns = 7;  // msr_seed0 form

// Columns that rigshift's Job does not hold but a user of the trace may want back.
struct GavelJobExtras {
  std::string command;
  std::string working_directory;
  std::string num_steps_arg;
  bool needs_data_dir = false;
  double slo = -1;             // as written; <= 0 means none
  double arrival_seconds = 0;  // exact, before rounding to a TimePoint
  int line = 0;                // 1-based line in the source
};

struct GavelTrace {
  std::vector<Job> jobs;               // in file order; ids 0, 1, 2, ...
  std::vector<GavelJobExtras> extras;  // parallel to jobs
};

struct GavelTraceOptions {
  // Added to every arrival: the simulated window's start (a trace's arrivals are relative).
  TimePoint origin = 0;
};

// Parses the text of a trace. `source` names it in error messages (usually the file path).
Result<GavelTrace> ParseGavelTrace(std::string_view text, const std::string& source,
                                   const GavelTraceOptions& options = {});

// Reads and parses a trace file. IoError when the file cannot be read.
Result<GavelTrace> LoadGavelTrace(const std::string& path, const GavelTraceOptions& options = {});

}  // namespace rigshift::workload
