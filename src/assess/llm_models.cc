#include "assess/llm_models.h"

#include <cmath>
#include <map>
#include <set>

#include "core/text.h"

namespace rigshift::assess {
namespace {

// Guards against absurd input: nothing real is near these.
constexpr int64_t kMaxDimension = 10'000'000;
constexpr int64_t kMaxParams = 100'000'000'000'000;  // 1e14
constexpr size_t kMaxRows = 100'000;

struct Columns {
  std::map<std::string, size_t> index;
  bool Has(const std::string& name) const { return index.count(name) > 0; }
};

// Parses an optional positive integer cell. Empty -> 0. Accepts "8030261248" and "8.03e9" forms
// only when they are whole numbers.
Status ParseCount(const CsvRow& row, const Columns& cols, const std::string& column,
                  const std::string& source, bool required, int64_t max, int64_t* out) {
  *out = 0;
  auto it = cols.index.find(column);
  if (it == cols.index.end() || it->second >= row.fields.size()) {
    if (required) {
      return Status::InvalidArgument(Location(source, row.line) + ": " + column +
                                     ": missing (expected a positive integer)");
    }
    return Status::Ok();
  }
  std::string_view cell = Trim(row.fields[it->second]);
  if (cell.empty()) {
    if (required) {
      return Status::InvalidArgument(Location(source, row.line) + ": " + column +
                                     ": empty (expected a positive integer)");
    }
    return Status::Ok();
  }
  auto as_int = ParseInt64(cell);
  int64_t v = 0;
  if (as_int.ok()) {
    v = *as_int;
  } else {
    auto as_double = ParseDouble(cell);
    // Range first: casting a double outside int64 is undefined.
    if (!as_double.ok() || *as_double != std::floor(*as_double)) {
      return Status::InvalidArgument(Location(source, row.line) + ": " + column + ": '" +
                                     std::string(cell) + "' is not a whole number");
    }
    if (!(std::fabs(*as_double) <= static_cast<double>(max))) {
      return Status::InvalidArgument(Location(source, row.line) + ": " + column + ": '" +
                                     std::string(cell) + "' is implausibly large (at most " +
                                     std::to_string(max) + ")");
    }
    v = static_cast<int64_t>(*as_double);
  }
  if (v <= 0) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + column + ": " +
                                   std::to_string(v) + " (expected a positive integer)");
  }
  if (v > max) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + column + ": " +
                                   std::to_string(v) + " is implausibly large (at most " +
                                   std::to_string(max) + ")");
  }
  *out = v;
  return Status::Ok();
}

std::string Cell(const CsvRow& row, const Columns& cols, const std::string& column) {
  auto it = cols.index.find(column);
  if (it == cols.index.end() || it->second >= row.fields.size()) return "";
  return std::string(Trim(row.fields[it->second]));
}

bool Flag(const CsvRow& row, const Columns& cols, const std::string& column) {
  std::string c = Cell(row, cols, column);
  return c == "1" || ToLower(c) == "true";
}

int HeadDim(const LlmModel& m) { return m.head_dim > 0 ? m.head_dim : m.hidden / m.heads; }

}  // namespace

Result<LoadedLlmModels> LoadLlmModelsCsv(std::string_view text, const std::string& source) {
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) return Status::InvalidArgument(source + ": empty file (expected a header row)");
  if (rows.size() > kMaxRows) {
    return Status::OutOfRange(source + ": " + std::to_string(rows.size()) + " rows (at most " +
                              std::to_string(kMaxRows) + ")");
  }
  Columns cols;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) {
    std::string name = ToLower(Trim(rows[0].fields[i]));
    if (name == "params") name = "params_dense_formula";
    if (!name.empty() && !cols.index.emplace(name, i).second) {
      return Status::InvalidArgument(Location(source, rows[0].line) + ": header: column '" + name +
                                     "' appears twice");
    }
  }
  for (const char* required : {"model", "num_hidden_layers", "hidden_size", "num_attention_heads",
                               "num_key_value_heads"}) {
    if (!cols.Has(required)) {
      return Status::InvalidArgument(Location(source, rows[0].line) + ": header: missing column '" +
                                     required + "' (expected the llm_architectures.csv header)");
    }
  }

  LoadedLlmModels out;
  std::set<std::string> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() == 1 && Trim(row.fields[0]).empty()) continue;  // blank line
    if (row.fields.size() != rows[0].fields.size()) {
      return Status::InvalidArgument(Location(source, row.line) + ": " +
                                     std::to_string(row.fields.size()) + " fields (expected " +
                                     std::to_string(rows[0].fields.size()) + " as in the header)");
    }
    LlmModel m;
    m.name = Cell(row, cols, "model");
    if (m.name.empty()) {
      return Status::InvalidArgument(Location(source, row.line) +
                                     ": model: empty (expected a name)");
    }
    if (!seen.insert(ToLower(m.name)).second) {
      return Status::InvalidArgument(Location(source, row.line) + ": model: '" + m.name +
                                     "' appears twice");
    }
    m.hf_id = Cell(row, cols, "hf_id");
    m.source = Cell(row, cols, "source");
    m.note = Cell(row, cols, "notes");
    int64_t layers, hidden, heads, kv_heads, head_dim, inter, vocab, context, experts, per_tok,
        moe_inter, params, kv_bytes;
    RETURN_IF_ERROR(ParseCount(row, cols, "num_hidden_layers", source, true, 100000, &layers));
    RETURN_IF_ERROR(ParseCount(row, cols, "hidden_size", source, true, kMaxDimension, &hidden));
    RETURN_IF_ERROR(ParseCount(row, cols, "num_attention_heads", source, true, 100000, &heads));
    RETURN_IF_ERROR(ParseCount(row, cols, "num_key_value_heads", source, true, 100000, &kv_heads));
    RETURN_IF_ERROR(ParseCount(row, cols, "head_dim", source, false, 100000, &head_dim));
    RETURN_IF_ERROR(
        ParseCount(row, cols, "intermediate_size", source, false, kMaxDimension, &inter));
    RETURN_IF_ERROR(ParseCount(row, cols, "vocab_size", source, false, kMaxDimension, &vocab));
    RETURN_IF_ERROR(
        ParseCount(row, cols, "max_position_embeddings", source, false, 1'000'000'000, &context));
    RETURN_IF_ERROR(ParseCount(row, cols, "num_experts", source, false, 100000, &experts));
    RETURN_IF_ERROR(ParseCount(row, cols, "num_experts_per_tok", source, false, 100000, &per_tok));
    RETURN_IF_ERROR(
        ParseCount(row, cols, "moe_intermediate_size", source, false, kMaxDimension, &moe_inter));
    RETURN_IF_ERROR(
        ParseCount(row, cols, "params_dense_formula", source, false, kMaxParams, &params));
    RETURN_IF_ERROR(ParseCount(row, cols, "kv_cache_bytes_per_token_bf16", source, false,
                               int64_t{1} << 40, &kv_bytes));
    if (kv_heads > heads) {
      return Status::InvalidArgument(Location(source, row.line) +
                                     ": num_key_value_heads: " + std::to_string(kv_heads) +
                                     " exceeds num_attention_heads " + std::to_string(heads));
    }
    if (per_tok > 0 && experts > 0 && per_tok > experts) {
      return Status::InvalidArgument(Location(source, row.line) +
                                     ": num_experts_per_tok: " + std::to_string(per_tok) +
                                     " exceeds num_experts " + std::to_string(experts));
    }
    m.layers = static_cast<int>(layers);
    m.hidden = static_cast<int>(hidden);
    m.heads = static_cast<int>(heads);
    m.kv_heads = static_cast<int>(kv_heads);
    m.head_dim = static_cast<int>(head_dim);
    m.vocab = vocab;
    m.context = context;
    m.num_experts = static_cast<int>(experts);
    m.experts_per_token = static_cast<int>(per_tok);

    // Computed parts, in doubles for the products (then rounded): sizes are far below 2^53.
    const double hd = HeadDim(m);
    const double h = hidden;
    const double attn = h * heads * hd * 2 + 2 * h * kv_heads * hd +
                        (Flag(row, cols, "qkv_bias") ? heads * hd + 2 * kv_heads * hd : 0) +
                        (Flag(row, cols, "qk_norm") ? 2 * hd : 0) + 2 * h;
    const double expert_ffn = 3 * h * static_cast<double>(moe_inter > 0 ? moe_inter : inter);
    const double embeddings =
        static_cast<double>(vocab) * h * (Flag(row, cols, "tie_word_embeddings") ? 1 : 2) + h;
    const bool can_compute = (head_dim > 0 || hidden % heads == 0) &&
                             (inter > 0 || moe_inter > 0) && !(m.IsMoe() && m.head_dim == 0);
    if (params > 0) {
      m.params = params;
    } else if (can_compute) {
      double per_layer = attn + (m.IsMoe() ? experts * expert_ffn + h * experts : 3 * h * inter);
      const double total = per_layer * static_cast<double>(layers) + embeddings;
      if (!(total >= 1 && total <= static_cast<double>(kMaxParams))) {
        return Status::InvalidArgument(Location(source, row.line) + ": model '" + m.name +
                                       "': the architecture fields give " + std::to_string(total) +
                                       " parameters (expected 1 .. 1e14; check the sizes)");
      }
      m.params = static_cast<int64_t>(total);
      m.note += std::string(m.note.empty() ? "" : "; ") +
                "parameters computed from the architecture" +
                (vocab == 0 ? " (vocabulary not given: embeddings left out)" : "");
    } else {
      out.warnings.push_back(Location(source, row.line) + ": model '" + m.name +
                             "' skipped: no parameter count and too few architecture fields to "
                             "compute one");
      continue;
    }
    m.active_params = m.params;
    if (m.IsMoe()) {
      if (per_tok > 0 && can_compute) {
        const double inactive =
            static_cast<double>(experts - per_tok) * expert_ffn * static_cast<double>(layers);
        if (!(inactive < static_cast<double>(m.params))) {
          return Status::InvalidArgument(
              Location(source, row.line) + ": model '" + m.name +
              "': " + std::to_string(experts - per_tok) + " inactive experts of " +
              std::to_string(static_cast<int64_t>(expert_ffn)) +
              " parameters per layer exceed the parameter count " + std::to_string(m.params));
        }
        m.active_params = m.params - static_cast<int64_t>(inactive);
      } else {
        m.note += std::string(m.note.empty() ? "" : "; ") +
                  "experts per token not given: every expert counted active";
      }
    }
    m.kv_bytes_per_token_bf16 =
        kv_bytes > 0 ? kv_bytes : static_cast<int64_t>(layers) * 2 * kv_heads * HeadDim(m) * 2;
    out.models.push_back(std::move(m));
  }
  if (out.models.empty()) {
    return Status::InvalidArgument(source + ": no usable model rows" +
                                   (out.warnings.empty() ? "" : " (" + out.warnings.front() + ")"));
  }
  return out;
}

Result<LoadedLlmModels> LoadLlmModelsFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return LoadLlmModelsCsv(text, path);
}

namespace {

LlmModel Model(std::string name, std::string hf, int layers, int hidden, int heads, int kv_heads,
               int head_dim, int64_t vocab, int64_t context, int64_t params, int64_t active,
               int64_t kv_bytes, std::string source) {
  LlmModel m;
  m.name = std::move(name);
  m.hf_id = std::move(hf);
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = kv_heads;
  m.head_dim = head_dim;
  m.vocab = vocab;
  m.context = context;
  m.params = params;
  m.active_params = active;
  m.kv_bytes_per_token_bf16 = kv_bytes;
  m.source = std::move(source);
  return m;
}

}  // namespace

// Architecture figures from each model's Hugging Face config.json (layers, hidden size, heads,
// KV heads, head_dim, vocab, context); parameter totals as published by the model cards (dense
// counts equal the config arithmetic); KV bytes/token = layers x 2 x kv_heads x head_dim x 2 B.
const std::vector<LlmModel>& DefaultLlmModels() {
  static const std::vector<LlmModel> kModels = [] {
    std::vector<LlmModel> v;
    v.push_back(Model("Llama-3.2-3B", "meta-llama/Llama-3.2-3B", 28, 3072, 24, 8, 128, 128256,
                      131072, 3212749824, 3212749824, 114688,
                      "HF config.json; 3.21 B params (model card)"));
    v.push_back(Model("Llama-3.1-8B", "meta-llama/Llama-3.1-8B", 32, 4096, 32, 8, 128, 128256,
                      131072, 8030261248, 8030261248, 131072,
                      "HF config.json; 8.03 B params (model card)"));
    v.push_back(Model("Mistral-7B-v0.1", "mistralai/Mistral-7B-v0.1", 32, 4096, 32, 8, 128, 32000,
                      32768, 7241732096, 7241732096, 131072,
                      "HF config.json; 7.24 B params (Jiang et al. 2023, arXiv:2310.06825)"));
    v.push_back(Model("Qwen2.5-14B", "Qwen/Qwen2.5-14B", 48, 5120, 40, 8, 128, 152064, 131072,
                      14770033664, 14770033664, 196608,
                      "HF config.json; 14.7 B params (model card)"));
    v.push_back(Model("Qwen2.5-32B", "Qwen/Qwen2.5-32B", 64, 5120, 40, 8, 128, 152064, 131072,
                      32763876352, 32763876352, 262144,
                      "HF config.json; 32.5 B params (model card)"));
    LlmModel mixtral = Model("Mixtral-8x7B", "mistralai/Mixtral-8x7B-v0.1", 32, 4096, 32, 8, 128,
                             32000, 32768, 46702792704, 12879925248, 131072,
                             "HF config.json; 46.7 B total, 12.9 B active (Mistral AI, 'Mixtral of "
                             "experts', 2023-12-11; arXiv:2401.04088)");
    mixtral.num_experts = 8;
    mixtral.experts_per_token = 2;
    v.push_back(mixtral);
    LlmModel qwen3moe = Model("Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B", 48, 2048, 32, 4, 128, 151936,
                              40960, 30532122624, 3335000000, 98304,
                              "HF config.json; 30.5 B total, 3.3 B active (model card)");
    qwen3moe.num_experts = 128;
    qwen3moe.experts_per_token = 8;
    v.push_back(qwen3moe);
    v.push_back(Model("Llama-3.1-70B", "meta-llama/Llama-3.1-70B", 80, 8192, 64, 8, 128, 128256,
                      131072, 70553706496, 70553706496, 327680,
                      "HF config.json; 70.6 B params (model card)"));
    v.push_back(Model("Llama-3.1-405B", "meta-llama/Llama-3.1-405B", 126, 16384, 128, 8, 128,
                      128256, 131072, 405853388800, 405853388800, 516096,
                      "HF config.json; 405 B params (model card)"));
    LlmModel ds = Model("DeepSeek-V3", "deepseek-ai/DeepSeek-V3", 61, 7168, 128, 128, 0, 129280,
                        163840, 671000000000, 37000000000, 70272,
                        "671 B total, 37 B active (DeepSeek-AI, arXiv:2412.19437); MLA KV cache "
                        "(512 + 64) x 61 layers x 2 B");
    ds.num_experts = 256;
    ds.experts_per_token = 8;
    v.push_back(ds);
    return v;
  }();
  return kModels;
}

}  // namespace rigshift::assess
