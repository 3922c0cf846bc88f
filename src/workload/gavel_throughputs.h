// Loader for Gavel's measured throughputs (simulation_throughputs.json, from
// github.com/stanford-futuredata/gavel, MIT): steps per second of each (job type, scale factor)
// on each GPU type, measured on real K80, P100 and V100 servers.
//
// Format: a JSON object of GPU types ("k80", "p100", "v100", and "*_unconsolidated" variants
// measured with the gang spread over servers), each an object keyed by the Python repr of a
// (job type, scale factor) tuple, e.g. "('ResNet-18 (batch size 128)', 1)", whose value is an
// object with "null": steps/s of the whole gang running alone. The other keys of that object are
// co-location pairs ("('A3C', 1)": [steps/s of this job, steps/s of the other]); they are checked
// for nothing and ignored (rigshift does not pack jobs on one GPU).
//
// Errors carry the file and a JSON path, or the line and column of a syntax error:
//   simulation_throughputs.json: k80."('ResNet-18 (batch size 16)', 1)".null: expected a number >=
//   0 (steps/s), found string simulation_throughputs.json:3:17: JSON syntax error: ...
// A throughput of 0 is valid and means "cannot run there" (Gavel's ResNet-50 (batch size 128) on
// 2+ K80s); a missing entry means the same to the SpeedModel (speed_model.h, rule 2).
//
// Thread-safety: immutable after loading; safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/status.h"
#include "workload/speed_model.h"

namespace rigshift::workload {

inline constexpr size_t kMaxGavelThroughputBytes = 256u << 20;  // 256 MiB

class GavelThroughputs {
 public:
  // Parses the JSON text; `source` names it in error messages.
  static Result<GavelThroughputs> Parse(std::string_view json_text, const std::string& source);
  static Result<GavelThroughputs> Load(const std::string& path);

  // Steps per second of the whole gang of `scale_factor` GPUs of `gpu_type` ("k80", "v100",
  // "v100_unconsolidated", case-insensitive), or nullopt when the file has no entry.
  std::optional<double> Find(std::string_view job_type, int32_t scale_factor,
                             std::string_view gpu_type) const;

  // GPU types as written in the file, sorted.
  std::vector<std::string> GpuTypes() const;
  // Job types (with their scale factors) measured on `gpu_type`, sorted.
  std::vector<std::pair<std::string, int32_t>> JobTypes(std::string_view gpu_type) const;
  size_t size() const { return table_.size(); }

  // The entries whose GPU type is a measured class (k80, p100, v100; the "_unconsolidated"
  // variants are left out), for SpeedModelOptions::steps.
  StepThroughputs ToStepThroughputs() const;

 private:
  // (lower-case GPU type, job type, scale factor) -> steps/s.
  std::map<std::tuple<std::string, std::string, int32_t>, double, std::less<>> table_;
};

// Parses "('ResNet-18 (batch size 128)', 1)" (either quote style of a Python repr) into its job
// type and scale factor; nullopt when the key has another shape.
std::optional<std::pair<std::string, int32_t>> ParseGavelJobKey(std::string_view key);

}  // namespace rigshift::workload
