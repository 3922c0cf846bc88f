// libFuzzer target for the cost-table overrides (assess/cost_table.h), YAML and CSV: any bytes
// must apply cleanly or give an error naming the source; values stay finite and non-negative.
// Seeds: tests/fuzz/corpus/cost_table_fuzz/.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assess/cost_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // First byte picks the format.
  const bool csv = (data[0] & 1) != 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto table = rigshift::assess::CostTable::Defaults();
  rigshift::Status s = table.ApplyOverrides(text, "fuzz.cost", csv ? "csv" : "yaml");
  if (!s.ok() && s.message().rfind("fuzz.cost", 0) != 0) __builtin_trap();
  for (const auto& e : table.entries()) {
    if (!std::isfinite(e.value) || e.value < 0) __builtin_trap();
  }
  return 0;
}
