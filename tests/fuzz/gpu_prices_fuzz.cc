// libFuzzer target for the GPU-hour price table loader (market/gpu_prices.h): any bytes must give
// a table of non-negative prices or an error naming the source, never a crash or an abort.
// Seeds: tests/fuzz/corpus/gpu_prices_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "market/gpu_prices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::market::ParseGpuPriceCsv(text, "fuzz.csv");
  if (r.ok()) {
    for (const auto& [model, price] : r->by_model) {
      if (price.IsNegative()) __builtin_trap();
    }
  } else if (r.status().message().rfind("fuzz.csv", 0) != 0) {
    __builtin_trap();
  }
  return 0;
}
