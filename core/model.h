// Transformer architecture description (ModelSpec), exact parameter counts
// and the hierarchical parameter breakdown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "breakdown.h"
#include "errors.h"

namespace gpuplan {

enum class Family { decoder, encoder };                  // decoder-only (causal LM) or encoder-only (BERT)
enum class MlpKind { gated, plain };                     // gated: gate+up+down (SwiGLU/GeGLU); plain: up+down (GELU)
enum class NormKind { rmsnorm, layernorm };
enum class PositionKind { rotary, learned, alibi };
enum class AttentionKind { mha, mla };                   // mla: DeepSeek multi-head latent attention

// Every field name is also the URL key and CLI flag of a custom model.
struct ModelSpec {
  std::string id;    // preset id, or "custom"
  std::string name;  // display name
  std::string hf_id; // Hugging Face repository id, empty when none
  std::string series;  // preset group for menus ("Llama 3", "Qwen2.5"), empty for custom models

  Family family = Family::decoder;
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;   // equals heads for multi-head attention
  int64_t head_dim = 0;   // 0 means hidden / heads
  int64_t intermediate = 0;  // width of one MLP branch (dense layers)
  MlpKind mlp = MlpKind::gated;
  int64_t vocab = 0;
  bool tied_embeddings = false;
  NormKind norm = NormKind::rmsnorm;
  bool norm_bias = false;    // LayerNorm with bias (GPT-2, BERT)
  bool qkv_bias = false;     // bias on q, k, v projections only (Qwen2)
  bool linear_bias = false;  // bias on every linear layer (GPT-2, BERT)
  bool qk_norm = false;      // per-head RMSNorm on q and k (Qwen3, OLMo2)
  PositionKind position = PositionKind::rotary;
  int64_t max_positions = 0;  // max sequence length the checkpoint supports
  int64_t type_vocab = 0;     // BERT token-type embeddings (0 when absent)
  bool pooler = false;        // BERT pooler dense layer
  int64_t norms_per_layer = 2;  // Gemma 2 uses 4 (pre and post norms around attention and MLP)

  // Mixture of experts. experts == 0 means a dense model.
  int64_t experts = 0;
  int64_t experts_per_token = 0;
  int64_t shared_experts = 0;
  int64_t expert_intermediate = 0;     // width of one routed expert; shared experts use shared_expert_intermediate
  int64_t shared_expert_intermediate = 0;  // total width of the shared expert block (0: shared_experts * expert_intermediate)
  bool shared_expert_gate = false;     // Qwen2-MoE sigmoid gate on the shared expert (hidden x 1)
  int64_t first_dense_layers = 0;      // layers [0, first_dense_layers) are dense (DeepSeek first_k_dense_replace)
  int64_t moe_layer_interval = 1;      // every n-th layer after that is MoE (1: all)
  bool router_bias = false;            // DeepSeek-V3 e_score_correction_bias (a buffer of experts values, counted as parameters)

  // Multi-head latent attention (DeepSeek-V2/V3); used when attention == mla.
  AttentionKind attention_type = AttentionKind::mha;
  int64_t q_lora_rank = 0;   // 0: q is a full projection (DeepSeek-V2-Lite)
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;

  // Published total parameter count, for checks; 0 when unknown.
  int64_t published_params = 0;
};

// Upper bounds that validate_model and the custom-model fields accept. They
// keep every product in count_params below 2^62, so no count can overflow.
namespace model_limits {
inline constexpr int64_t kMaxLayers = 1000;
inline constexpr int64_t kMaxHidden = 131072;
inline constexpr int64_t kMaxHeads = 1024;
inline constexpr int64_t kMaxHeadDim = 1024;
inline constexpr int64_t kMaxIntermediate = 1048576;
inline constexpr int64_t kMaxVocab = 10000000;
inline constexpr int64_t kMaxPositions = 100000000;
inline constexpr int64_t kMaxTypeVocab = 1024;
inline constexpr int64_t kMaxNormsPerLayer = 8;
inline constexpr int64_t kMaxExperts = 4096;
inline constexpr int64_t kMaxSharedExperts = 64;
inline constexpr int64_t kMaxLatentRank = 65536;
// Largest total parameter count validate_model accepts: 10 trillion, the same
// bound as the guide's `params` field and about 15 times DeepSeek-V3 (671B).
inline constexpr double kMaxModelParams = 1e13;
}  // namespace model_limits

int64_t effective_head_dim(const ModelSpec& spec);
bool is_moe_layer(const ModelSpec& spec, int64_t layer_index);
int64_t moe_layer_count(const ModelSpec& spec);

// Width of the shared-expert block: shared_expert_intermediate, or
// shared_experts * expert_intermediate when that is 0.
int64_t shared_expert_width(const ModelSpec& spec);

// Parameter counts, exact as integers.
struct ParamCounts {
  int64_t total = 0;
  int64_t active = 0;          // per token (routed experts_per_token of experts); equals total for dense models
  int64_t embedding = 0;       // input token embedding (plus position and type embeddings)
  int64_t lm_head = 0;         // 0 when tied
  int64_t per_dense_layer = 0;
  int64_t per_moe_layer = 0;   // 0 for dense models
  int64_t largest_layer = 0;   // the biggest single module group gathered at once under ZeRO-3/FSDP
  int64_t dense_layers = 0;    // number of dense transformer layers
  int64_t moe_layers = 0;      // number of mixture-of-experts layers
  int64_t per_expert = 0;      // one routed expert (0 for dense models)
};

ParamCounts count_params(const ModelSpec& spec);

// Hierarchical parameter breakdown. Leaves sum to count_params(spec).total.
Term param_breakdown(const ModelSpec& spec);

// Checks a ModelSpec for internal consistency (positive sizes, heads divisible
// by kv_heads, ...). Field names in the errors are the ModelSpec field names.
FieldErrors validate_model(const ModelSpec& spec);

const char* family_name(Family family);
const char* mlp_kind_name(MlpKind kind);
const char* norm_kind_name(NormKind kind);
const char* position_kind_name(PositionKind kind);
const char* attention_kind_name(AttentionKind kind);

}  // namespace gpuplan
