// libFuzzer target for the Gavel trace loader (workload/gavel_trace.h): any bytes must give either
// jobs that satisfy the loader's documented invariants or an error Status; never a crash, a hang
// or an invariant broken. Seed corpus: tests/fuzz/corpus/gavel_trace_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "workload/gavel_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::workload::ParseGavelTrace(text, "fuzz.trace", {.origin = 1'000'000});
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  if (r->jobs.size() != r->extras.size()) std::abort();
  for (size_t i = 0; i < r->jobs.size(); ++i) {
    const auto& j = r->jobs[i];
    if (j.id != static_cast<rigshift::workload::JobId>(i)) std::abort();
    if (j.total_steps < 1 || j.total_steps > rigshift::workload::kMaxGavelSteps) std::abort();
    if (j.gpus < 1 || j.gpus > rigshift::workload::kMaxGavelScaleFactor) std::abort();
    if (!(j.priority_weight > 0)) std::abort();
    if (j.arrival < 1'000'000) std::abort();
    if (j.job_type.empty()) std::abort();
  }
  return 0;
}
