// Open LLM architectures: what the assessment needs to know to say whether a model fits a GPU
// and how fast it decodes there (parameters, active parameters, KV-cache bytes per token).
//
// Two sources: the CSV format of ../shared/data/models/llm_architectures.csv (header row with
// named columns, see LoadLlmModelsCsv) and an embedded default list (DefaultLlmModels) typed in
// with citations, so that `rigshift assess` runs without any data directory.
//
// Parameter counts: the CSV's params_dense_formula when given; otherwise computed from the
// architecture (embeddings + per layer attention, FFN or experts, norms), which reproduces the
// published totals of the dense models to < 0.5 % and Mixtral-8x7B (46.7 B) / Qwen3-30B-A3B
// (30.5 B) to about 1 %. MoE active parameters count num_experts_per_tok experts; when the CSV
// lacks it every expert is counted active (a conservative decode estimate), noted on the row.
// Models whose parameter count can be neither read nor computed (DeepSeek-V3's MLA attention
// without head_dim) are skipped with a warning, not an error.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rigshift::assess {

struct LlmModel {
  std::string name;   // "Llama-3.1-8B"
  std::string hf_id;  // "meta-llama/Llama-3.1-8B" (may be empty)
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;     // 0 when not given (hidden / heads is used for KV sizes)
  int64_t vocab = 0;    // 0 when not given (embeddings then left out of computed counts)
  int64_t context = 0;  // max position embeddings; 0 when not given
  int num_experts = 0;  // 0 for dense models
  int experts_per_token = 0;
  int64_t params = 0;                   // total parameters
  int64_t active_params = 0;            // read per decoded token (= params for dense models)
  int64_t kv_bytes_per_token_bf16 = 0;  // all layers, K and V, 2 bytes per element
  std::string source;
  std::string note;  // what was computed or assumed

  bool IsMoe() const { return num_experts > 0; }
};

struct LoadedLlmModels {
  std::vector<LlmModel> models;
  std::vector<std::string> warnings;  // "file:line: model 'X' skipped: ..."
};

// Parses the CSV text. `source` names it in messages ("file:line: column: what is wrong").
// Required columns: model, num_hidden_layers, hidden_size, num_attention_heads,
// num_key_value_heads. Optional: hf_id, intermediate_size, head_dim, vocab_size,
// max_position_embeddings, tie_word_embeddings, num_experts, num_experts_per_tok,
// moe_intermediate_size, params_dense_formula (or params), kv_cache_bytes_per_token_bf16, source,
// notes. Numbers must be positive integers where given; an empty file or one with no usable row
// is an error; duplicate model names are an error.
Result<LoadedLlmModels> LoadLlmModelsCsv(std::string_view text, const std::string& source);
Result<LoadedLlmModels> LoadLlmModelsFile(const std::string& path);

// A few widely served open models with published figures (see llm_models.cc for citations).
const std::vector<LlmModel>& DefaultLlmModels();

}  // namespace rigshift::assess
