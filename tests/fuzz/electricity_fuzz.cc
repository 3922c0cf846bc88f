// libFuzzer target for the electricity price loader (market/electricity.h): any bytes must give
// either a series or a located error, never a crash, an abort or an unbounded allocation.
// Seeds: tests/fuzz/corpus/electricity_fuzz/ (small hand-written files, not the shared data).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "market/electricity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::market::ParseElectricityCsv(text, "fuzz.csv");
  if (r.ok()) {
    // Invariants of a loaded series.
    const auto& s = r->series;
    if (s.values.empty() || s.values.size() != r->filled.size() || s.step != rigshift::kHour ||
        s.start % rigshift::kHour != 0 || r->filled.front() || r->filled.back()) {
      __builtin_trap();
    }
    (void)rigshift::market::MonthlyMeans(s, r->filled);
  } else if (r.status().message().rfind("fuzz.csv", 0) != 0) {
    __builtin_trap();  // every error names the source
  }
  return 0;
}
