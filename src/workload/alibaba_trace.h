// Loader for Alibaba's GPU-cluster pod traces (ATC'23 "Beware of Fragmentation", published with
// the Kubernetes Scheduler Simulator): ../shared/data/traces/alibaba_gpu_v2023/openb_pod_list_*.csv
//   name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase,
//   creation_time, deletion_time, scheduled_time   (times in seconds from the trace's origin)
// Rules (docs/simulate.md):
//   - pods with num_gpu == 0 (CPU only) are skipped and counted;
//   - arrival = creation_time; run time = deletion_time - scheduled_time; pods that never ran
//     (run time <= 0, or empty times) are skipped and counted;
//   - a GPU-sharing pod (num_gpu == 1, gpu_milli < 1000) is modelled as one whole GPU running for
//     its run time x gpu_milli / 1000 (the work it did), so sharing does not inflate work;
//   - work_gpu_seconds = run time x num_gpu on the reference GPU: the first type in gpu_spec when
//     given ("V100M16|V100M32" -> V100), else the option's reference (T4: the cluster's most common
//     named type);
//   - qos maps to preemptibility: LS (latency-sensitive) and Guaranteed -> never, Burstable ->
//     checkpoint, BE (best effort) -> free.
// Jobs come out in (arrival, line) order with ids 0, 1, 2, ...
// Errors name the file, line and column of the field. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "workload/job.h"

namespace rigshift::workload {

struct AlibabaOptions {
  std::string reference_gpu = "T4";
};

struct AlibabaLoadStats {
  int64_t rows = 0;
  int64_t cpu_only_skipped = 0;
  int64_t never_ran_skipped = 0;
};

Result<std::vector<Job>> ParseAlibabaPods(std::string_view text, const std::string& source,
                                          const AlibabaOptions& options = {},
                                          AlibabaLoadStats* stats = nullptr);
Result<std::vector<Job>> LoadAlibabaPods(const std::string& path,
                                         const AlibabaOptions& options = {},
                                         AlibabaLoadStats* stats = nullptr);

}  // namespace rigshift::workload
