#include "assess/llm_models.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace rigshift::assess {
namespace {

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

const char* kHeader =
    "model,model_type,hf_id,num_hidden_layers,hidden_size,intermediate_size,num_attention_heads,"
    "num_key_value_heads,head_dim,vocab_size,max_position_embeddings,tie_word_embeddings,qkv_bias,"
    "qk_norm,num_experts,num_experts_per_tok,moe_intermediate_size,params_dense_formula,"
    "kv_cache_bytes_per_token_bf16,source,notes\n";

TEST(LlmModelsTest, LoadsTheSharedFile) {
  auto r = LoadLlmModelsFile(SharedData() + "/models/llm_architectures.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 20 rows; DeepSeek-V3 has no parameter count and MLA without head_dim: skipped, with a warning.
  EXPECT_EQ(r->models.size(), 19u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("DeepSeek-V3"), std::string::npos);
  EXPECT_NE(r->warnings[0].find("llm_architectures.csv:21"), std::string::npos) << r->warnings[0];
  const LlmModel* llama8 = nullptr;
  const LlmModel* mixtral = nullptr;
  const LlmModel* qwen_moe = nullptr;
  for (const auto& m : r->models) {
    if (m.name == "Llama-3.1-8B") llama8 = &m;
    if (m.name == "Mixtral-8x7B") mixtral = &m;
    if (m.name == "Qwen3-30B-A3B") qwen_moe = &m;
  }
  ASSERT_NE(llama8, nullptr);
  EXPECT_EQ(llama8->params, 8030261248);
  EXPECT_EQ(llama8->active_params, 8030261248);
  EXPECT_EQ(llama8->kv_bytes_per_token_bf16, 131072);  // 32 x 2 x 8 x 128 x 2
  ASSERT_NE(mixtral, nullptr);
  // Computed: 32 x (attention 41.9 M + 8 experts x 176.2 M + router + norms) = 46.44 B without the
  // embeddings (vocabulary not in the file); published 46.7 B with them.
  EXPECT_NEAR(static_cast<double>(mixtral->params) / 1e9, 46.44, 0.05);
  EXPECT_EQ(mixtral->active_params, mixtral->params);  // top-k not in the file: all counted
  ASSERT_NE(qwen_moe, nullptr);
  // Published 30.5 B total, 3.3 B active.
  EXPECT_NEAR(static_cast<double>(qwen_moe->params) / 1e9, 30.5, 0.3);
  EXPECT_NEAR(static_cast<double>(qwen_moe->active_params) / 1e9, 3.3, 0.1);
}

TEST(LlmModelsTest, ComputedDenseCountMatchesThePublishedOne) {
  // Llama-3.1-8B without its params column: the architecture gives 8,030,261,248 exactly.
  std::string csv =
      std::string(kHeader) + "L8,llama,x,32,4096,14336,32,8,128,128256,131072,0,0,0,,,,,,src,\n";
  auto r = LoadLlmModelsCsv(csv, "m.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->models[0].params, 8030261248);
  EXPECT_EQ(r->models[0].kv_bytes_per_token_bf16, 131072);
}

struct BadCase {
  const char* name;
  std::string text;
  const char* expected;
};

class LlmModelsBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(LlmModelsBadInputTest, ReportsWhereAndWhat) {
  auto r = LoadLlmModelsCsv(GetParam().text, "m.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(GetParam().expected), std::string::npos)
      << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LlmModelsBadInputTest,
    ::testing::Values(
        BadCase{"Empty", "", "empty file"},
        BadCase{"MissingColumn", "model,hidden_size\nx,1\n", "missing column 'num_hidden_layers'"},
        BadCase{"DuplicateColumn", "model,model\nx,y\n", "column 'model' appears twice"},
        BadCase{"NotANumber",
                std::string(kHeader) + "A,llama,x,thirty,4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "m.csv:2: num_hidden_layers: 'thirty' is not a whole number"},
        BadCase{"Negative",
                std::string(kHeader) + "A,llama,x,32,-4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "m.csv:2: hidden_size: -4096 (expected a positive integer)"},
        BadCase{"Fraction",
                std::string(kHeader) + "A,llama,x,32,4096.5,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "hidden_size: '4096.5' is not a whole number"},
        BadCase{"TooLarge",
                std::string(kHeader) + "A,llama,x,32,4096,1,32,8,128,1,1,0,0,0,,,,1e20,1,s,\n",
                "params_dense_formula"},
        BadCase{"KvHeadsAboveHeads",
                std::string(kHeader) + "A,llama,x,32,4096,1,8,32,128,1,1,0,0,0,,,,1,1,s,\n",
                "num_key_value_heads: 32 exceeds num_attention_heads 8"},
        BadCase{"WrongFieldCount", std::string(kHeader) + "A,llama,x,32\n",
                "m.csv:2: 4 fields (expected 21"},
        BadCase{"Duplicate",
                std::string(kHeader) + "A,llama,x,32,4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n" +
                    "a,llama,x,32,4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "m.csv:3: model: 'a' appears twice"},
        BadCase{"EmptyName",
                std::string(kHeader) + ",llama,x,32,4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "model: empty"},
        BadCase{"MissingRequiredValue",
                std::string(kHeader) + "A,llama,x,,4096,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "num_hidden_layers: empty"},
        BadCase{"NoUsableRow",
                std::string(kHeader) + "A,moe,x,32,4096,,32,8,,1,1,0,0,0,8,,,,1,s,\n",
                "no usable model rows"},
        BadCase{"UnterminatedQuote", std::string(kHeader) + "\"A,llama\n", "m.csv"},
        BadCase{"InactiveExpertsExceedParams",  // found by the fuzzer: active came out negative
                std::string(kHeader) + "A,moe,x,32,4096,1,32,8,128,1,1,0,0,0,8,2,14336,1000,1,s,\n",
                "m.csv:2: model 'A': 6 inactive experts of"},
        BadCase{"HugeComputedCount",
                std::string(kHeader) + "A,llama,x,99999,9999999,9999999,1,1,,,,0,0,0,,,,,,s,\n",
                "parameters (expected 1 .. 1e14"},
        BadCase{"HugeDouble",
                std::string(kHeader) + "A,llama,x,32,3.3e20,1,32,8,128,1,1,0,0,0,,,,1,1,s,\n",
                "hidden_size: '3.3e20' is implausibly large"},
        BadCase{"ExpertsPerTokenAboveExperts",
                std::string(kHeader) + "A,moe,x,32,4096,1,32,8,128,1,1,0,0,0,4,8,1,,1,s,\n",
                "num_experts_per_tok: 8 exceeds num_experts 4"}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST(LlmModelsTest, DefaultsAreConsistent) {
  const auto& models = DefaultLlmModels();
  ASSERT_GE(models.size(), 8u);
  for (const auto& m : models) {
    EXPECT_GT(m.params, 0) << m.name;
    EXPECT_GT(m.active_params, 0) << m.name;
    EXPECT_LE(m.active_params, m.params) << m.name;
    EXPECT_FALSE(m.source.empty()) << m.name;
    if (m.head_dim > 0) {
      // KV bytes per token = layers x 2 x kv_heads x head_dim x 2
      EXPECT_EQ(m.kv_bytes_per_token_bf16, int64_t{m.layers} * 2 * m.kv_heads * m.head_dim * 2)
          << m.name;
    }
  }
}

}  // namespace
}  // namespace rigshift::assess
