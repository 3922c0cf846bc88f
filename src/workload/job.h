// AI work as the scheduler sees it: training gangs and batch jobs with their resource needs,
// their value, and how they may be interrupted. Trace loaders (philly_trace.h, gavel_trace.h,
// alibaba_trace.h) turn public traces into these.
//
// Work is measured two ways, whichever the source gives:
//   - `work_gpu_seconds`: reference GPU-seconds (duration x GPUs on the trace's reference GPU),
//     scaled per GPU model by a SpeedModel (sim/ and sched/ share it), or
//   - `total_steps` with `job_type`: steps to run, with a throughput table per GPU type (Gavel).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/time.h"

namespace rigshift::workload {

using JobId = int64_t;

// The longest run time and the latest trace-relative time a loader accepts (ten years, in
// seconds): longer is a unit mistake or hostile input, and every figure derived from it (GPU-
// seconds, deadlines, replay periods) must stay inside int64 seconds.
inline constexpr double kMaxJobSeconds = 10.0 * 365 * 86400;

enum class JobKind : uint8_t { kTraining, kBatch, kInference };
const char* JobKindName(JobKind k);

// The interconnect a gang needs between its GPUs.
enum class Interconnect : uint8_t {
  kNone,     // independent GPUs (data-parallel with rare sync, or single GPU)
  kPcie,     // same host, PCIe peer-to-peer at >= x8 lanes per GPU
  kNvlink,   // same NVLink domain
  kNetwork,  // across hosts at >= network_gbps per node
};
const char* InterconnectName(Interconnect i);

// How a job may be interrupted.
enum class Preemptibility : uint8_t {
  kNever,       // must run to completion once started
  kCheckpoint,  // loses work since the last checkpoint, then pays restore_time
  kFree,        // stateless; loses nothing but restore_time
};
const char* PreemptibilityName(Preemptibility p);

struct Job {
  JobId id = 0;
  std::string name;
  JobKind kind = JobKind::kTraining;
  TimePoint arrival = 0;
  int32_t gpus = 1;              // gang size: all start together or none
  double min_memory_gb = 0;      // per GPU
  Interconnect interconnect = Interconnect::kNone;
  double network_gbps = 0;       // per node, when interconnect == kNetwork
  std::string reference_gpu;     // catalogue name the work figure is measured on
  double work_gpu_seconds = 0;   // reference GPU-seconds of work (duration x gpus)
  std::string job_type;          // for throughput tables (Gavel), e.g. "ResNet-18 (batch size 128)"
  int64_t total_steps = 0;       // when work is in steps
  GpuHourPrice price;            // what the customer pays per GPU-hour it runs
  std::optional<TimePoint> deadline;
  Preemptibility preemptibility = Preemptibility::kCheckpoint;
  Duration checkpoint_interval = 30 * kMinute;
  Duration restore_time = 2 * kMinute;
  int32_t priority = 0;          // higher first among equals (contracted work)
  double priority_weight = 1.0;  // Gavel's weight
};

}  // namespace rigshift::workload
