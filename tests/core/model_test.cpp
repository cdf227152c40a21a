// Exact parameter counts and breakdowns of ModelSpec. Every spec here is
// written out from its config.json (not taken from the preset table), and
// every expected count is derived by hand in the comment above it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model.h"
#include "presets.h"

using namespace gpuplan;

namespace {

ModelSpec llama_style(int64_t layers, int64_t hidden, int64_t heads, int64_t kv_heads,
                      int64_t intermediate, int64_t vocab, bool tied) {
  ModelSpec spec;
  spec.layers = layers;
  spec.hidden = hidden;
  spec.heads = heads;
  spec.kv_heads = kv_heads;
  spec.intermediate = intermediate;
  spec.vocab = vocab;
  spec.tied_embeddings = tied;
  spec.max_positions = 4096;
  return spec;
}

ModelSpec gpt2_style(int64_t layers, int64_t hidden, int64_t heads) {
  ModelSpec spec = llama_style(layers, hidden, heads, heads, 4 * hidden, 50257, true);
  spec.mlp = MlpKind::plain;
  spec.norm = NormKind::layernorm;
  spec.norm_bias = true;
  spec.linear_bias = true;
  spec.position = PositionKind::learned;
  spec.max_positions = 1024;
  return spec;
}

// Sums the leaves of a breakdown tree.
double leaf_sum(const Term& term) {
  if (term.children.empty()) return term.value;
  double total = 0;
  for (const Term& child : term.children) total += leaf_sum(child);
  return total;
}

// Checks that every node equals the sum of its children.
void require_consistent(const Term& term) {
  if (term.children.empty()) return;
  double total = 0;
  for (const Term& child : term.children) {
    require_consistent(child);
    total += child.value;
  }
  INFO("node " << term.key);
  REQUIRE(term.value == total);
}

struct ExactCase {
  const char* name;
  ModelSpec spec;
  int64_t total;
};

}  // namespace

TEST_CASE("Exact totals of published models", "[model]") {
  std::vector<ExactCase> cases;

  // openai-community/gpt2 config.json: n_layer 12, n_embd 768, n_head 12,
  // vocab_size 50257, n_positions 1024, tied LM head.
  // wte 50257*768 = 38,597,376; wpe 1024*768 = 786,432.
  // Layer: ln_1 1,536 + c_attn 768*2304+2304 = 1,771,776 + attn c_proj
  // 590,592 + ln_2 1,536 + c_fc 768*3072+3072 = 2,362,368 + mlp c_proj
  // 3072*768+768 = 2,360,064 = 7,087,872; x12 = 85,054,464. ln_f 1,536.
  // Total 38,597,376 + 786,432 + 85,054,464 + 1,536 = 124,439,808.
  cases.push_back({"gpt2", gpt2_style(12, 768, 12), 124439808});

  // openai-community/gpt2-xl config.json: n_layer 48, n_embd 1600, n_head 25.
  // wte 50257*1600 = 80,411,200; wpe 1024*1600 = 1,638,400.
  // Layer 12h^2 + 13h = 30,720,000 + 20,800 = 30,740,800; x48 = 1,475,558,400.
  // ln_f 3,200. Total 1,557,611,200.
  cases.push_back({"gpt2-xl", gpt2_style(48, 1600, 25), 1557611200});

  // google-bert/bert-base-uncased config.json: 12 layers, hidden 768, 12
  // heads, intermediate 3072, vocab 30522, max_position_embeddings 512,
  // type_vocab_size 2. BertModel with pooler.
  // Embeddings 30522*768 + 512*768 + 2*768 + LayerNorm 1,536 = 23,837,184.
  // Layer 7,087,872 (same shapes as GPT-2 small); x12 = 85,054,464.
  // Pooler 768*768+768 = 590,592. Total 109,482,240.
  ModelSpec bert = gpt2_style(12, 768, 12);
  bert.family = Family::encoder;
  bert.vocab = 30522;
  bert.max_positions = 512;
  bert.type_vocab = 2;
  bert.pooler = true;
  bert.tied_embeddings = false;
  cases.push_back({"bert-base-uncased", bert, 109482240});

  // meta-llama/Llama-2-7b-hf config.json: 32 layers, hidden 4096, 32 heads
  // (MHA), intermediate 11008, vocab 32000, untied.
  // Layer: attention 4*4096^2 = 67,108,864; MLP 3*4096*11008 = 135,266,304;
  // norms 2*4096 = 8,192; sum 202,383,360; x32 = 6,476,267,520.
  // Embedding + LM head 2*32000*4096 = 262,144,000; final norm 4,096.
  // Total 6,738,415,616.
  cases.push_back({"llama-2-7b", llama_style(32, 4096, 32, 32, 11008, 32000, false), 6738415616});

  // meta-llama/Meta-Llama-3-8B config.json: 32 layers, hidden 4096, 32 heads,
  // 8 kv heads, intermediate 14336, vocab 128256, untied.
  // Layer: q 4096^2 = 16,777,216; k, v 4096*1024 = 4,194,304 each; o
  // 16,777,216; MLP 3*4096*14336 = 176,160,768; norms 8,192; sum 218,112,000;
  // x32 = 6,979,584,000. Embedding + LM head 2*128256*4096 = 1,050,673,152.
  // Final norm 4,096. Total 8,030,261,248.
  cases.push_back({"llama-3-8b", llama_style(32, 4096, 32, 8, 14336, 128256, false), 8030261248});

  // meta-llama/Llama-3.2-1B config.json: 16 layers, hidden 2048, 32 heads,
  // 8 kv heads, head_dim 64, intermediate 8192, vocab 128256, tied.
  // Layer: q 2048*2048 = 4,194,304; k, v 2048*512 = 1,048,576 each; o
  // 4,194,304; MLP 3*2048*8192 = 50,331,648; norms 4,096; sum 60,821,504;
  // x16 = 973,144,064. Embedding 128256*2048 = 262,668,288 (tied). Final
  // norm 2,048. Total 1,235,814,400.
  ModelSpec llama32 = llama_style(16, 2048, 32, 8, 8192, 128256, true);
  llama32.head_dim = 64;
  cases.push_back({"llama-3.2-1b", llama32, 1235814400});

  // mistralai/Mistral-7B-v0.1 config.json: as Llama-3-8B but vocab 32000.
  // Layers 218,112,000*32 = 6,979,584,000; embedding + LM head
  // 2*32000*4096 = 262,144,000; final norm 4,096. Total 7,241,732,096.
  cases.push_back({"mistral-7b", llama_style(32, 4096, 32, 8, 14336, 32000, false), 7241732096});

  // mistralai/Mixtral-8x7B-v0.1 config.json: Mistral-7B attention, 8 local
  // experts of width 14336, top-2, every layer MoE.
  // Layer: attention 41,943,040; router 4096*8 = 32,768; experts
  // 8*3*4096*14336 = 1,409,286,144; norms 8,192; sum 1,451,270,144;
  // x32 = 46,440,644,608. Embedding + LM head 262,144,000; final norm 4,096.
  // Total 46,702,792,704.
  ModelSpec mixtral = llama_style(32, 4096, 32, 8, 14336, 32000, false);
  mixtral.experts = 8;
  mixtral.experts_per_token = 2;
  mixtral.expert_intermediate = 14336;
  cases.push_back({"mixtral-8x7b", mixtral, 46702792704});

  // Qwen/Qwen2.5-7B config.json: 28 layers, hidden 3584, 28 heads, 4 kv
  // heads, intermediate 18944, vocab 152064, untied, bias on q/k/v.
  // Layer: q 3584^2+3584 = 12,848,640; k, v 3584*512+512 = 1,835,520 each;
  // o 12,845,056; MLP 3*3584*18944 = 203,685,888; norms 7,168; sum
  // 233,057,792; x28 = 6,525,618,176. Embedding + LM head 2*152064*3584 =
  // 1,089,994,752. Final norm 3,584. Total 7,615,616,512.
  ModelSpec qwen = llama_style(28, 3584, 28, 4, 18944, 152064, false);
  qwen.qkv_bias = true;
  cases.push_back({"qwen2.5-7b", qwen, 7615616512});

  // deepseek-ai/DeepSeek-V3 config.json: 61 layers, hidden 7168, 128 heads,
  // q_lora_rank 1536, kv_lora_rank 512, qk_nope 128, qk_rope 64, v_head 128,
  // intermediate 18432, 256 routed experts of 2048, 1 shared, top-8,
  // first_k_dense_replace 3, vocab 129280, untied.
  // Attention: q_a 7168*1536 = 11,010,048; q_a_norm 1,536; q_b
  // 1536*128*192 = 37,748,736; kv_a 7168*576 = 4,128,768; kv_a_norm 512;
  // kv_b 512*128*256 = 16,777,216; o 128*128*7168 = 117,440,512; sum 187,107,328.
  // Dense layer: + MLP 3*7168*18432 = 396,361,728 + norms 14,336 =
  // 583,483,392; x3 = 1,750,450,176.
  // MoE layer: attention + router 256*7168 + bias 256 = 1,835,264 + experts
  // 256*3*7168*2048 = 11,274,289,152 + shared 3*7168*2048 = 44,040,192 +
  // norms 14,336 = 11,507,286,272; x58 = 667,422,603,776.
  // Embedding + LM head 2*129280*7168 = 1,853,358,080; final norm 7,168.
  // Total 671,026,419,200.
  ModelSpec v3 = llama_style(61, 7168, 128, 128, 18432, 129280, false);
  v3.attention_type = AttentionKind::mla;
  v3.q_lora_rank = 1536;
  v3.kv_lora_rank = 512;
  v3.qk_nope_head_dim = 128;
  v3.qk_rope_head_dim = 64;
  v3.v_head_dim = 128;
  v3.experts = 256;
  v3.experts_per_token = 8;
  v3.shared_experts = 1;
  v3.expert_intermediate = 2048;
  v3.first_dense_layers = 3;
  v3.router_bias = true;
  cases.push_back({"deepseek-v3", v3, 671026419200});

  // deepseek-ai/DeepSeek-V2-Lite config.json: 27 layers, hidden 2048, 16
  // heads, q_lora_rank null, kv_lora_rank 512, intermediate 10944, 64 routed
  // experts of 1408, 2 shared, top-6, first_k_dense_replace 1, vocab 102400.
  // Attention: q 2048*16*192 = 6,291,456; kv_a 2048*576 = 1,179,648;
  // kv_a_norm 512; kv_b 512*16*256 = 2,097,152; o 16*128*2048 = 4,194,304;
  // sum 13,763,072. Dense layer + MLP 3*2048*10944 = 67,239,936 + norms
  // 4,096 = 81,007,104. MoE layer: attention + router 131,072 + experts
  // 64*3*2048*1408 = 553,648,128 + shared 3*2048*2816 = 17,301,504 + norms
  // 4,096 = 584,847,872; x26 = 15,206,044,672. Embedding + LM head
  // 2*102400*2048 = 419,430,400; final norm 2,048. Total 15,706,484,224.
  ModelSpec v2_lite = llama_style(27, 2048, 16, 16, 10944, 102400, false);
  v2_lite.attention_type = AttentionKind::mla;
  v2_lite.kv_lora_rank = 512;
  v2_lite.qk_nope_head_dim = 128;
  v2_lite.qk_rope_head_dim = 64;
  v2_lite.v_head_dim = 128;
  v2_lite.experts = 64;
  v2_lite.experts_per_token = 6;
  v2_lite.shared_experts = 2;
  v2_lite.expert_intermediate = 1408;
  v2_lite.first_dense_layers = 1;
  cases.push_back({"deepseek-v2-lite", v2_lite, 15706484224});

  for (const ExactCase& test : cases) {
    INFO("model " << test.name);
    REQUIRE(validate_model(test.spec).empty());
    const ParamCounts counts = count_params(test.spec);
    CHECK(counts.total == test.total);
    CHECK(leaf_sum(param_breakdown(test.spec)) == static_cast<double>(test.total));
  }
}

TEST_CASE("Mixtral active parameters", "[model]") {
  ModelSpec spec = llama_style(32, 4096, 32, 8, 14336, 32000, false);
  spec.experts = 8;
  spec.experts_per_token = 2;
  spec.expert_intermediate = 14336;
  const ParamCounts counts = count_params(spec);

  // One expert is 3*4096*14336 = 176,160,768. Each of 32 layers leaves 6 of
  // 8 experts idle: 32*6*176,160,768 = 33,822,867,456.
  // Active = 46,702,792,704 - 33,822,867,456 = 12,879,925,248.
  CHECK(counts.per_expert == 176160768);
  CHECK(counts.active == 12879925248);
  CHECK(counts.moe_layers == 32);
  CHECK(counts.dense_layers == 0);
}

TEST_CASE("DeepSeek-V3 active parameters", "[model]") {
  const ModelSpec* spec = find_preset("deepseek-v3");
  REQUIRE(spec != nullptr);
  const ParamCounts counts = count_params(*spec);

  // One expert is 3*7168*2048 = 44,040,192; 58 MoE layers leave 248 of 256
  // idle: 58*248*44,040,192 = 633,474,121,728.
  // Active = 671,026,419,200 - 633,474,121,728 = 37,552,297,472 (the model
  // card's "37B activated").
  CHECK(counts.active == 37552297472);
  CHECK(counts.dense_layers == 3);
  CHECK(counts.moe_layers == 58);
}

TEST_CASE("Dense model counts fields", "[model]") {
  const ParamCounts counts = count_params(llama_style(32, 4096, 32, 8, 14336, 128256, false));

  // Llama-3-8B shapes: see "Exact totals of published models".
  CHECK(counts.per_dense_layer == 218112000);
  CHECK(counts.per_moe_layer == 0);
  CHECK(counts.embedding == 525336576);
  CHECK(counts.lm_head == 525336576);
  CHECK(counts.active == counts.total);
  // The largest single module is the 525,336,576-parameter embedding, bigger
  // than one 218,112,000-parameter layer.
  CHECK(counts.largest_layer == 525336576);
}

TEST_CASE("Largest layer of a MoE model", "[model]") {
  ModelSpec spec = llama_style(32, 4096, 32, 8, 14336, 32000, false);
  spec.experts = 8;
  spec.experts_per_token = 2;
  spec.expert_intermediate = 14336;

  // Mixtral layer 1,451,270,144 is bigger than the 131,072,000 embedding.
  CHECK(count_params(spec).largest_layer == 1451270144);
}

TEST_CASE("Tied embeddings drop LM head", "[model]") {
  ModelSpec untied = llama_style(2, 64, 4, 4, 128, 1000, false);
  ModelSpec tied = untied;
  tied.tied_embeddings = true;

  // The untied LM head is 1000*64 = 64,000 parameters.
  CHECK(count_params(untied).total - count_params(tied).total == 64000);
  CHECK(count_params(tied).lm_head == 0);
  CHECK(find_term(param_breakdown(tied), "lm_head") == nullptr);
}

TEST_CASE("Breakdown paths and values", "[model]") {
  ModelSpec qwen = llama_style(28, 3584, 28, 4, 18944, 152064, false);
  qwen.qkv_bias = true;
  const Term tree = param_breakdown(qwen);

  struct PathCase {
    const char* path;
    double value;
  };
  // Each value is one Qwen2.5-7B layer's tensor times 28 layers.
  const std::vector<PathCase> paths = {
      {"embeddings/token", 152064.0 * 3584},
      {"dense_layers/attention/q/weight", 28.0 * 3584 * 3584},
      {"dense_layers/attention/q/bias", 28.0 * 3584},
      {"dense_layers/attention/k", 28.0 * (3584 * 512 + 512)},
      {"dense_layers/attention/o", 28.0 * 3584 * 3584},
      {"dense_layers/mlp/gate", 28.0 * 3584 * 18944},
      {"dense_layers/mlp/up", 28.0 * 3584 * 18944},
      {"dense_layers/mlp/down", 28.0 * 18944 * 3584},
      {"dense_layers/norms", 28.0 * 2 * 3584},
      {"final_norm", 3584.0},
      {"lm_head", 152064.0 * 3584},
  };
  for (const PathCase& test : paths) {
    INFO("path " << test.path);
    const Term* term = find_term(tree, test.path);
    REQUIRE(term != nullptr);
    CHECK(term->value == test.value);
  }
  CHECK(find_term(tree, "moe_layers") == nullptr);
  CHECK(find_term(tree, "embeddings/position") == nullptr);
}

TEST_CASE("Every preset breakdown is consistent", "[model][presets]") {
  for (const ModelSpec& spec : presets()) {
    INFO("preset " << spec.id);
    const Term tree = param_breakdown(spec);
    require_consistent(tree);
    CHECK(tree.value == static_cast<double>(count_params(spec).total));
  }
}

TEST_CASE("Qwen3 q and k norms", "[model]") {
  ModelSpec spec = llama_style(1, 1024, 16, 8, 3072, 100, true);
  spec.head_dim = 128;
  const int64_t without = count_params(spec).total;
  spec.qk_norm = true;

  // q_norm and k_norm are RMSNorm weights of head_dim 128 each, per layer.
  CHECK(count_params(spec).total - without == 256);
}

TEST_CASE("Gemma 2 four norms per layer", "[model]") {
  ModelSpec spec = llama_style(2, 2304, 8, 4, 9216, 100, true);
  spec.head_dim = 256;
  const int64_t two_norms = count_params(spec).total;
  spec.norms_per_layer = 4;

  // Two extra RMSNorms of 2304 per layer, 2 layers.
  CHECK(count_params(spec).total - two_norms == 2 * 2 * 2304);
}

TEST_CASE("MoE layer interval", "[model]") {
  ModelSpec spec = llama_style(10, 64, 4, 4, 128, 100, false);
  spec.experts = 4;
  spec.experts_per_token = 1;
  spec.expert_intermediate = 32;
  spec.first_dense_layers = 1;
  spec.moe_layer_interval = 2;

  // Layers 1, 3, 5, 7, 9 are MoE; 0, 2, 4, 6, 8 are dense.
  CHECK(moe_layer_count(spec) == 5);
  CHECK(is_moe_layer(spec, 1));
  CHECK_FALSE(is_moe_layer(spec, 2));
  CHECK(is_moe_layer(spec, 9));
  CHECK_FALSE(is_moe_layer(spec, 0));
  CHECK(count_params(spec).dense_layers == 5);
}

TEST_CASE("Shared expert gate and width", "[model]") {
  // Qwen/Qwen1.5-MoE-A2.7B config.json shapes for one layer: hidden 2048,
  // 60 experts of 1408, shared_expert_intermediate_size 5632 and a
  // hidden x 1 shared_expert_gate.
  ModelSpec spec = llama_style(1, 2048, 16, 16, 5632, 100, false);
  spec.experts = 60;
  spec.experts_per_token = 4;
  spec.expert_intermediate = 1408;
  spec.shared_expert_intermediate = 5632;
  spec.shared_expert_gate = true;
  const Term tree = param_breakdown(spec);

  const Term* shared = find_term(tree, "moe_layers/moe/shared_experts");
  REQUIRE(shared != nullptr);
  CHECK(shared->value == 3.0 * 2048 * 5632);
  const Term* gate = find_term(tree, "moe_layers/moe/shared_expert_gate");
  REQUIRE(gate != nullptr);
  CHECK(gate->value == 2048.0);
  // Active: 56 of 60 experts idle, 3*2048*1408 = 8,650,752 each.
  CHECK(count_params(spec).total - count_params(spec).active == 56 * 8650752);
}

TEST_CASE("Validation rejects bad shapes", "[model]") {
  struct BadCase {
    const char* name;
    std::function<void(ModelSpec&)> change;
    const char* field;
    ErrorCode code;
  };
  const std::vector<BadCase> cases = {
      {"zero layers", [](ModelSpec& s) { s.layers = 0; }, "layers", ErrorCode::out_of_range},
      {"negative hidden", [](ModelSpec& s) { s.hidden = -8; }, "hidden", ErrorCode::out_of_range},
      {"kv heads above heads", [](ModelSpec& s) { s.kv_heads = 64; }, "kv_heads",
       ErrorCode::out_of_range},
      {"heads not multiple of kv heads", [](ModelSpec& s) { s.kv_heads = 3; }, "kv_heads",
       ErrorCode::unsupported},
      {"hidden not multiple of heads", [](ModelSpec& s) { s.heads = 5; s.kv_heads = 5; }, "heads",
       ErrorCode::unsupported},
      {"zero vocab", [](ModelSpec& s) { s.vocab = 0; }, "vocab", ErrorCode::out_of_range},
      {"zero intermediate", [](ModelSpec& s) { s.intermediate = 0; }, "intermediate",
       ErrorCode::out_of_range},
      {"top-k above experts", [](ModelSpec& s) { s.experts = 4; s.experts_per_token = 5; s.expert_intermediate = 8; },
       "experts_per_token", ErrorCode::out_of_range},
      {"pooler on decoder", [](ModelSpec& s) { s.pooler = true; }, "pooler", ErrorCode::unsupported},
      {"mla without latent", [](ModelSpec& s) { s.attention_type = AttentionKind::mla; s.v_head_dim = 8; },
       "kv_lora_rank", ErrorCode::out_of_range},
  };
  for (const BadCase& test : cases) {
    INFO("case " << test.name);
    ModelSpec spec = llama_style(2, 64, 8, 8, 128, 100, false);
    REQUIRE(validate_model(spec).empty());
    test.change(spec);
    const FieldErrors errors = validate_model(spec);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.front().field == test.field);
    CHECK(errors.front().code == test.code);
  }
}

TEST_CASE("Fully MoE model needs no intermediate", "[model]") {
  ModelSpec spec = llama_style(2, 64, 8, 8, 0, 100, false);
  spec.experts = 4;
  spec.experts_per_token = 2;
  spec.expert_intermediate = 32;
  CHECK(validate_model(spec).empty());
}

TEST_CASE("Enum names", "[model]") {
  CHECK(std::string(family_name(Family::encoder)) == "encoder");
  CHECK(std::string(mlp_kind_name(MlpKind::plain)) == "plain");
  CHECK(std::string(norm_kind_name(NormKind::layernorm)) == "layernorm");
  CHECK(std::string(position_kind_name(PositionKind::alibi)) == "alibi");
  CHECK(std::string(attention_kind_name(AttentionKind::mla)) == "mla");
}
