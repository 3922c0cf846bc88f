// Loader for the Microsoft Philly trace as published with Sia (SOSP'23):
// ../shared/data/traces/sia_sosp23/traces/philly.csv, one DL job per row:
//   timestamp (submission, "YYYY-MM-DD HH:MM:SS", UTC), duration (s), num_gpus, gpu_time (GPU-s),
//   cluster (virtual cluster id).
// Each row becomes a workload::Job with its arrival time as in the trace, `gpus` = num_gpus and
// `work_gpu_seconds` = duration x num_gpus measured on `reference_gpu` (Philly's servers held
// 12 GB P100 and 24 GB P40 GPUs; the default reference is the P100, docs/simulate.md). Jobs are
// returned in (arrival, line) order with ids 0, 1, 2, ... in that order. Memory, interconnect,
// preemptibility and price are left for sim::AssignJobNeeds (the same rules for every trace).
//
// Errors name the file, line and column (1-based, of the field) and what was expected.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "workload/job.h"

namespace rigshift::workload {

struct PhillyOptions {
  std::string reference_gpu = "P100";
  // Rows whose gpu_time disagrees with duration x num_gpus by more than this fraction are
  // errors (the published file is consistent; a mismatch means a damaged file).
  double gpu_time_tolerance = 0.01;
};

Result<std::vector<Job>> ParsePhillyTrace(std::string_view text, const std::string& source,
                                          const PhillyOptions& options = {});
Result<std::vector<Job>> LoadPhillyTrace(const std::string& path,
                                         const PhillyOptions& options = {});

// Column (1-based, in characters) where field `index` of a simple CSV line starts (no quotes),
// for error messages. Exposed for the other trace loaders.
int CsvFieldColumn(const std::vector<std::string>& fields, size_t index);

}  // namespace rigshift::workload
