// SpeedModel: how fast a job's work proceeds on a GPU model (docs/speed-model.md).
//
// Work units. A job's work is measured in one of two units (workload/job.h):
//   - reference GPU-seconds (`Job::work_gpu_seconds`, measured on `Job::reference_gpu`), or
//   - steps (`Job::total_steps` > 0 with `Job::job_type`), with a per-type throughput table
//     (Gavel's simulation_throughputs.json, loaded by workload/gavel_*).
// `WorkUnits(job)` returns the job's total in its unit; `Rate(job, gpu)` is the progress per second
// per GPU of the gang in that unit, so a gang of `job.gpus` GPUs of one model advances at
// `Rate(job, gpu) * job.gpus` units per second. Rate 0 means the job cannot run on that model.
//
// Where the rate comes from, first match wins:
//   1. a step job whose (job_type, gpus, GPU class) is in the step-throughput table: measured;
//   2. a step job with no table entry: 0 (Gavel's rule: no measured throughput, no placement);
//   3. a GPU whose class has a measured speed relative to the V100 (Gavel's K80/P100/V100
//      throughputs, Sia's T4/V100/A100/RTX 2080 Ti/Quadro RTX 6000 step times; median over the
//      measured models): that ratio;
//   4. otherwise a catalogue roofline: sqrt(C / C_v100) * sqrt(B / B_v100), with C the best of
//      FP32, FP16 and BF16 dense TFLOPS and B the memory bandwidth (V100 SXM2: 125 TFLOPS,
//      900 GB/s).
// A GPU whose memory is below `Job::min_memory_gb` gets rate 0. Interconnect needs depend on the
// node, not the GPU model: `InterconnectFits` answers them from a NodeLinks view.
//
// Thread-safety: immutable after construction and Register(); Rate() is const and safe to call
// from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "workload/job.h"

namespace rigshift::workload {

// A GPU class with measured speed data. kUnmeasured falls back to the roofline.
enum class GpuClass : uint8_t {
  kUnmeasured,
  kK80,
  kP100,
  kV100,
  kT4,
  kA100,
  kRtx2080Ti,
  kQuadroRtx6000,
};
const char* GpuClassName(GpuClass c);  // "k80", "p100", "v100", "t4", "a100", "rtx2080ti", ...

// The measured class of a GPU model, from its name and aliases ("Tesla V100 SXM2 32GB" -> kV100).
GpuClass ClassifyGpu(const catalog::GpuModel& gpu);
GpuClass ClassifyGpuName(std::string_view name);

// Measured speeds relative to the V100 (1.0), per class. Defaults are typed in from the shared
// data (docs/speed-model.md shows the computation); LoadMeasuredSpeeds recomputes them.
struct MeasuredSpeeds {
  std::map<GpuClass, double> relative_to_v100;
  std::string source;
  static MeasuredSpeeds Defaults();
};

// Recomputes MeasuredSpeeds from ../shared/data/traces: gavel/simulation_throughputs.json
// (single-GPU job types measured on all of K80, P100, V100) and
// sia_sosp23/traces/MODEL/placements-{aws,azure,dgx,quad,rtx}.csv (single-GPU placements at the
// local batch sizes every cluster measured). Errors name the file and line.
Result<MeasuredSpeeds> LoadMeasuredSpeeds(const std::string& traces_dir);

// Steps per second of a job type at a gang size on a GPU class (whole gang), e.g. Gavel's
// ("ResNet-18 (batch size 128)", 1, kV100) -> 32.35.
struct StepThroughputs {
  std::map<std::tuple<std::string, int32_t, GpuClass>, double> steps_per_second;
  // Returns nullptr when the table has no entry.
  const double* Find(const std::string& job_type, int32_t gpus, GpuClass cls) const;
};

// The interconnect a node offers its GPUs (a view built from fleet::FlatFleet by sched/sim).
struct NodeLinks {
  int32_t pcie_lanes_per_gpu = 16;
  bool nvlink = false;
  double nic_gbps = 0;
};

// Minimum PCIe lanes per GPU for a kPcie gang (a x1 mining riser cannot carry peer traffic).
inline constexpr int32_t kMinPcieLanesForGang = 8;

// Whether `gpus_here` GPUs of a gang of `job` can sit on a node with `links`. A gang spread over
// several nodes needs kNetwork and a NIC of at least job.network_gbps; kPcie needs >= 8 lanes per
// GPU, kNvlink an NVLink domain; single-GPU jobs fit anywhere.
bool InterconnectFits(const Job& job, const NodeLinks& links, int32_t gpus_here, bool spans_nodes);
// How many of a gang's GPUs may share one node when the gang spans nodes with `links`, where a
// node holds up to `node_gpus`: all of them when the node's PCIe carries the gang's traffic, one
// when only the NIC does, 0 when the job may not span (one gang, one node) or the NIC is too slow.
// The one rule the scheduler places by and the simulator and the oracle check against.
int32_t SpanGpusPerNode(const Job& job, const NodeLinks& links, int32_t node_gpus);

struct SpeedModelOptions {
  MeasuredSpeeds measured = MeasuredSpeeds::Defaults();
  StepThroughputs steps;  // empty unless a Gavel throughput file was loaded
  // Reference GPU for jobs whose reference_gpu is empty or unknown.
  std::string default_reference_gpu = "V100";
  // Exponent of compute in the roofline (memory gets 1 - this).
  double roofline_compute_weight = 0.5;
};

class SpeedModel {
 public:
  SpeedModel() : SpeedModel(SpeedModelOptions{}) {}
  explicit SpeedModel(SpeedModelOptions options);

  // Precomputes the speed of a model (optional: Rate() computes unregistered models on the fly).
  // Call before sharing the model between threads.
  void Register(const catalog::GpuModel& gpu);

  // Speed of a GPU model relative to a V100 (>= 0), ignoring the job.
  double RelativeSpeed(const catalog::GpuModel& gpu) const;
  // Speed of a GPU named in a trace (catalogue name or class name), relative to a V100; the
  // default reference when the name is unknown.
  double RelativeSpeedOfName(std::string_view name) const;

  // Work units per second per GPU of the gang (see the header comment); 0 = cannot run there.
  double Rate(const Job& job, const catalog::GpuModel& gpu) const;
  // The job's total work in its unit: total_steps when > 0, else work_gpu_seconds.
  static double WorkUnits(const Job& job);
  // Where Rate's figure came from, for reasons and docs: "measured (gavel)", "roofline", ...
  std::string RateSource(const Job& job, const catalog::GpuModel& gpu) const;

  const SpeedModelOptions& options() const { return options_; }

 private:
  struct Entry {
    GpuClass cls = GpuClass::kUnmeasured;
    double speed = 0;  // relative to V100
  };
  Entry Compute(const catalog::GpuModel& gpu) const;
  Entry Lookup(const catalog::GpuModel& gpu) const;

  SpeedModelOptions options_;
  std::unordered_map<const catalog::GpuModel*, Entry> by_model_;  // lookups only, no iteration
  // Exact names (builtin catalogue names and aliases, class names) -> speed, for reference GPUs.
  std::map<std::string, double, std::less<>> by_name_;
  double default_reference_speed_ = 1.0;
};

}  // namespace rigshift::workload
