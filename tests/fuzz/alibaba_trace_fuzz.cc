// libFuzzer target for the Alibaba pod-list loader (workload/alibaba_trace.h): any bytes must give
// jobs within the documented ranges or an error naming the source, never a crash or an abort.
// Seeds: tests/fuzz/corpus/alibaba_trace_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "workload/alibaba_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::workload::ParseAlibabaPods(text, "fuzz.csv");
  if (r.ok()) {
    for (const auto& j : *r) {
      if (j.gpus < 1 || j.gpus > 1024 || !(j.work_gpu_seconds >= 0) || j.arrival < 0 ||
          static_cast<double>(j.arrival) > rigshift::workload::kMaxJobSeconds) {
        __builtin_trap();
      }
    }
  } else if (r.status().message().rfind("fuzz.csv", 0) != 0) {
    __builtin_trap();
  }
  return 0;
}
