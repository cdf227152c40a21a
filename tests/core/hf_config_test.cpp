// config.json import: one published config per family parses to its exact
// parameter count, and malformed or incomplete configs give field errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hf_config.h"
#include "model.h"

using namespace gpuplan;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream file(std::string(GPUPLAN_SOURCE_DIR) + "/tests/core/fixtures/hf/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct FixtureCase {
  const char* file;
  int64_t total;
  int64_t active;
};

}  // namespace

TEST_CASE("Published configs parse exactly", "[hf_config]") {
  const std::vector<FixtureCase> cases = {
      // Derivations of the counts below are in model_test.cpp and
      // presets_test.cpp unless given here.
      {"gpt2.json", 124439808, 124439808},
      {"bert-base-uncased.json", 109482240, 109482240},
      {"llama-3.2-1b.json", 1235814400, 1235814400},
      {"mistral-7b-v0.1.json", 7241732096, 7241732096},
      {"mixtral-8x7b.json", 46702792704, 12879925248},
      {"qwen2.5-3b.json", 3085938688, 3085938688},  // index total_size 6,171,877,376 / 2
      {"qwen3-0.6b.json", 596049920, 596049920},
      {"qwen3-235b-a22b.json", 235093634560, 22190763520},  // index total_size 470,187,269,120 / 2
      {"deepseek-v2-lite.json", 15706484224, 2661150208},
      {"deepseek-v3.json", 671026419200, 37552297472},
      {"gemma-2-2b.json", 2614341888, 2614341888},
      {"internlm2.5-7b.json", 7737708544, 7737708544},
      {"baichuan2-7b.json", 7505973248, 7505973248},
      {"glm-4-9b-chat.json", 9399951360, 9399951360},
      // Phi-3.5-mini-instruct has the Phi-3-mini shapes: index total_size 7,642,159,104 / 2.
      {"phi-3.5-mini.json", 3821079552, 3821079552},
      // gemma-2b: 18 layers, hidden 2048, 8 heads, 1 kv head, head_dim 256,
      // intermediate 16384, vocab 256000, tied. Layer: q 2048*2048 =
      // 4,194,304; k, v 2048*256 = 524,288 each; o 4,194,304; MLP
      // 3*2048*16384 = 100,663,296; norms 4,096; sum 110,104,576; x18 =
      // 1,981,882,368. Embedding 256000*2048 = 524,288,000; final norm 2,048.
      // Total 2,506,172,416.
      {"gemma-2b.json", 2506172416, 2506172416},
      // chatglm3-6b: 28 layers, hidden 4096, 32 heads, 2 kv groups of 128,
      // ffn 13696, vocab 65024, qkv bias. Layer: qkv 4096*4608 + 4608 =
      // 18,878,976; o 16,777,216; MLP 3*4096*13696 = 168,296,448; norms
      // 8,192; sum 203,960,832; x28 = 5,710,903,296. Embedding + output
      // 2*65024*4096 = 532,676,608; final norm 4,096. Total 6,243,584,000.
      {"chatglm3-6b.json", 6243584000, 6243584000},
      // pythia-160m (gpt_neox): GPT-2 small layers (7,087,872 each, x12 =
      // 85,054,464), embed_in and embed_out 2*50304*768 = 77,266,944, final
      // LayerNorm 1,536. Total 162,322,944.
      {"pythia-160m.json", 162322944, 162322944},
      // Qwen1.5-MoE-A2.7B: 24 layers, hidden 2048, 16 heads (MHA), 60
      // experts of 1408, top-4, shared expert 5632 with a 2048 x 1 gate,
      // vocab 151936, untied, qkv bias. Layer: attention 4*2048^2 + 3*2048 =
      // 16,783,360; router 2048*60 = 122,880; experts 60*3*2048*1408 =
      // 519,045,120; shared 3*2048*5632 = 34,603,008; gate 2,048; norms
      // 4,096; sum 570,560,512; x24 = 13,693,452,288. Embedding + LM head
      // 2*151936*2048 = 622,329,856; final norm 2,048. Total 14,315,784,192.
      // Active: 56 idle experts of 8,650,752 in 24 layers = 11,626,610,688
      // fewer, 2,689,173,504.
      {"qwen1.5-moe-a2.7b.json", 14315784192, 2689173504},
  };
  for (const FixtureCase& test : cases) {
    INFO("fixture " << test.file);
    const std::string text = read_fixture(test.file);
    REQUIRE_FALSE(text.empty());
    FieldErrors errors;
    const std::optional<ModelSpec> spec = parse_hf_config(text, errors);
    for (const FieldError& error : errors) INFO(error.message);
    REQUIRE(errors.empty());
    REQUIRE(spec.has_value());
    const ParamCounts counts = count_params(*spec);
    CHECK(counts.total == test.total);
    CHECK(counts.active == test.active);
  }
}

TEST_CASE("Config fields map to the spec", "[hf_config]") {
  FieldErrors errors;
  const std::optional<ModelSpec> gpt2 = parse_hf_config(read_fixture("gpt2.json"), errors);
  REQUIRE(gpt2.has_value());
  CHECK(gpt2->position == PositionKind::learned);
  CHECK(gpt2->max_positions == 1024);
  CHECK(gpt2->intermediate == 3072);  // n_inner null: 4 * n_embd
  CHECK(gpt2->tied_embeddings);

  const std::optional<ModelSpec> glm = parse_hf_config(read_fixture("glm-4-9b-chat.json"), errors);
  REQUIRE(glm.has_value());
  CHECK(glm->kv_heads == 2);
  CHECK(glm->head_dim == 128);
  CHECK(glm->vocab == 151552);
  CHECK(glm->max_positions == 131072);
  CHECK(glm->qkv_bias);
  CHECK(glm->hf_id == "THUDM/glm-4-9b-chat");
  CHECK(errors.empty());
}

TEST_CASE("Nested text_config", "[hf_config]") {
  const std::string text = R"({
    "model_type": "llava",
    "text_config": {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
                    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
                    "max_position_embeddings": 512},
    "vision_config": {"model_type": "clip_vision_model"}
  })";
  FieldErrors errors;
  const std::optional<ModelSpec> spec = parse_hf_config(text, errors);
  REQUIRE(errors.empty());
  REQUIRE(spec.has_value());
  // Layer: attention 4*64^2 = 16,384; MLP 3*64*128 = 24,576; norms 128;
  // sum 41,088, x2 = 82,176. Embedding + LM head 2*100*64 = 12,800; final
  // norm 64. Total 95,040.
  CHECK(count_params(*spec).total == 95040);
  CHECK(spec->kv_heads == 4);  // num_key_value_heads absent: MHA
}

TEST_CASE("Malformed configs are rejected", "[hf_config]") {
  struct BadCase {
    const char* name;
    std::string text;
    const char* field;
    ErrorCode code;
  };
  const std::vector<BadCase> cases = {
      {"not JSON", "{\"model_type\": \"llama\",", "config", ErrorCode::invalid_json},
      {"empty text", "", "config", ErrorCode::invalid_json},
      {"array", "[1, 2]", "config", ErrorCode::invalid_json},
      {"too large", std::string(kMaxHfConfigBytes + 1, ' '), "config", ErrorCode::too_large},
      {"no model_type", R"({"hidden_size": 64})", "model_type", ErrorCode::missing},
      {"unknown model_type", R"({"model_type": "mamba"})", "model_type", ErrorCode::unknown_choice},
      {"missing hidden_size",
       R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4,
           "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 512})",
       "hidden_size", ErrorCode::missing},
      {"string layer count",
       R"({"model_type": "llama", "num_hidden_layers": "two", "hidden_size": 64,
           "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
           "max_position_embeddings": 512})",
       "num_hidden_layers", ErrorCode::not_a_number},
      {"fractional heads",
       R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
           "num_attention_heads": 4.5, "intermediate_size": 128, "vocab_size": 100,
           "max_position_embeddings": 512})",
       "num_attention_heads", ErrorCode::not_an_integer},
      {"negative vocab",
       R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
           "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": -1,
           "max_position_embeddings": 512})",
       "vocab_size", ErrorCode::out_of_range},
      {"zero layers",
       R"({"model_type": "llama", "num_hidden_layers": 0, "hidden_size": 64,
           "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
           "max_position_embeddings": 512})",
       "num_hidden_layers", ErrorCode::out_of_range},
      {"llama attention_bias",
       R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
           "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
           "max_position_embeddings": 512, "attention_bias": true})",
       "attention_bias", ErrorCode::unsupported},
      {"mixtral without experts",
       R"({"model_type": "mixtral", "num_hidden_layers": 2, "hidden_size": 64,
           "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
           "max_position_embeddings": 512, "num_experts_per_tok": 2})",
       "num_local_experts", ErrorCode::missing},
  };
  for (const BadCase& test : cases) {
    INFO("case " << test.name);
    FieldErrors errors;
    CHECK_FALSE(parse_hf_config(test.text, errors).has_value());
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.front().field == test.field);
    CHECK(errors.front().code == test.code);
    CHECK_FALSE(errors.front().message.empty());
  }
}

TEST_CASE("Config error messages", "[hf_config]") {
  FieldErrors errors;
  parse_hf_config("{\"model_type\": \"llama\",", errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("byte offset 23") != std::string::npos);

  errors.clear();
  parse_hf_config(R"({"model_type": "llama", "num_hidden_layers": 2})", errors);
  REQUIRE_FALSE(errors.empty());
  CHECK(errors[0].message ==
        "hidden_size: missing: config.json has no \"hidden_size\" key (expected the model width)");

  // A shape error names the config key the user wrote, not the model field.
  errors.clear();
  parse_hf_config(R"({"model_type": "llama", "hidden_size": 1000000000000, "num_hidden_layers": 2,
                      "num_attention_heads": 4, "intermediate_size": 64, "vocab_size": 100,
                      "max_position_embeddings": 128})",
                  errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "hidden_size");
  CHECK(errors[0].message.rfind("hidden_size: ", 0) == 0);

  errors.clear();
  parse_hf_config(R"({"model_type": "mamba"})", errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].choices == supported_model_types());
}
