// libFuzzer target for the stored job spec decoder (store/job_spec_json.h): any bytes must give
// a job within the decoder's documented bounds that encodes and decodes to the same bytes, or an
// error Status with a message; never a crash or an exception.
// Seed corpus: tests/fuzz/corpus/store_job_spec_fuzz/.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/job_spec_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::store::JobSpecFromJson(text);
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  const auto& j = *r;
  if (j.gpus < 1 || j.gpus > rigshift::store::kMaxJobGpus) std::abort();
  if (!std::isfinite(j.work_gpu_seconds) || j.work_gpu_seconds < 0) std::abort();
  if (!std::isfinite(j.min_memory_gb) || j.min_memory_gb < 0) std::abort();
  if (!(j.priority_weight > 0)) std::abort();
  if (j.total_steps < 0 || j.price.raw() < 0) std::abort();
  const std::string encoded = rigshift::store::JobSpecToJson(j);
  auto again = rigshift::store::JobSpecFromJson(encoded);
  if (!again.ok()) std::abort();
  if (rigshift::store::JobSpecToJson(*again) != encoded) std::abort();
  return 0;
}
