// libFuzzer target for the LLM architecture loader (assess/llm_models.h): any bytes must give
// either models that satisfy the loader's invariants or an error naming the source, never a
// crash, an abort or an unbounded allocation. Seeds: tests/fuzz/corpus/llm_models_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assess/llm_models.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rigshift::assess::LoadLlmModelsCsv(text, "fuzz.csv");
  if (r.ok()) {
    if (r->models.empty()) __builtin_trap();
    for (const auto& m : r->models) {
      if (m.name.empty() || m.layers <= 0 || m.hidden <= 0 || m.heads <= 0 || m.kv_heads <= 0 ||
          m.kv_heads > m.heads || m.params <= 0 || m.active_params <= 0 ||
          m.kv_bytes_per_token_bf16 < 0) {
        __builtin_trap();
      }
    }
    for (const auto& w : r->warnings) {
      if (w.rfind("fuzz.csv", 0) != 0) __builtin_trap();
    }
  } else if (r.status().message().rfind("fuzz.csv", 0) != 0) {
    __builtin_trap();  // every error names the source
  }
  return 0;
}
