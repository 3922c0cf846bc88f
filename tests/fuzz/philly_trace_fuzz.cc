// libFuzzer target for the Philly trace loader (workload/philly_trace.h): any bytes must give jobs
// within the documented ranges or an error naming the source, never a crash, an abort or an
// unchecked conversion. Seeds: tests/fuzz/corpus/philly_trace_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "workload/philly_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::workload::ParsePhillyTrace(text, "fuzz.csv");
  if (r.ok()) {
    for (const auto& j : *r) {
      if (j.gpus < 1 || j.gpus > 100000 || !(j.work_gpu_seconds >= 0) ||
          j.work_gpu_seconds > rigshift::workload::kMaxJobSeconds * 100000) {
        __builtin_trap();
      }
    }
  } else if (r.status().message().rfind("fuzz.csv", 0) != 0) {
    __builtin_trap();  // every error names the source
  }
  return 0;
}
