// Exact parameter counts of a ModelSpec, built from one breakdown tree so the
// totals and the tree can never disagree.
//
// Every tensor counted here is a tensor in the Hugging Face Transformers
// implementation of the family (modeling_llama.py, modeling_gpt2.py,
// modeling_bert.py, modeling_mixtral.py, modeling_qwen2_moe.py,
// modeling_deepseek_v3.py, ...). Non-persistent buffers (rotary inv_freq,
// attention masks) are not parameters and are not counted.
#include "model.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "number_text.h"

namespace gpuplan {
namespace {

using namespace model_limits;

// A linear layer's weight, or a node {weight, bias} when it has a bias.
Term linear(const std::string& key, int64_t in_features, int64_t out_features, bool bias) {
  const int64_t weight = in_features * out_features;
  if (!bias) return leaf(key, static_cast<double>(weight));
  return sum_of(key, {leaf("weight", static_cast<double>(weight)),
                      leaf("bias", static_cast<double>(out_features))});
}

int64_t norm_params(const ModelSpec& spec, int64_t width) {
  return spec.norm_bias ? 2 * width : width;
}

Term mha_attention(const ModelSpec& spec) {
  const int64_t head_dim = effective_head_dim(spec);
  const int64_t q_width = spec.heads * head_dim;
  const int64_t kv_width = spec.kv_heads * head_dim;
  const bool qkv_bias = spec.qkv_bias || spec.linear_bias;

  std::vector<Term> parts;
  parts.push_back(linear("q", spec.hidden, q_width, qkv_bias));
  parts.push_back(linear("k", spec.hidden, kv_width, qkv_bias));
  parts.push_back(linear("v", spec.hidden, kv_width, qkv_bias));
  parts.push_back(linear("o", q_width, spec.hidden, spec.linear_bias));
  if (spec.qk_norm) {
    // Qwen3 q_norm and k_norm: one RMSNorm of head_dim shared by all heads.
    parts.push_back(leaf("q_norm", static_cast<double>(head_dim)));
    parts.push_back(leaf("k_norm", static_cast<double>(head_dim)));
  }
  return sum_of("attention", std::move(parts));
}

// DeepSeek-V2/V3 multi-head latent attention (DeepseekV3Attention). The
// latent norms are RMSNorms without bias.
Term mla_attention(const ModelSpec& spec) {
  const int64_t qk_head_dim = spec.qk_nope_head_dim + spec.qk_rope_head_dim;
  const int64_t q_width = spec.heads * qk_head_dim;

  std::vector<Term> parts;
  if (spec.q_lora_rank > 0) {
    parts.push_back(linear("q_a", spec.hidden, spec.q_lora_rank, spec.linear_bias));
    parts.push_back(leaf("q_a_norm", static_cast<double>(spec.q_lora_rank)));
    parts.push_back(linear("q_b", spec.q_lora_rank, q_width, false));
  } else {
    parts.push_back(linear("q", spec.hidden, q_width, false));
  }
  // kv_a_proj_with_mqa produces the latent and one shared rope key part.
  parts.push_back(linear("kv_a", spec.hidden, spec.kv_lora_rank + spec.qk_rope_head_dim,
                         spec.linear_bias));
  parts.push_back(leaf("kv_a_norm", static_cast<double>(spec.kv_lora_rank)));
  parts.push_back(linear("kv_b", spec.kv_lora_rank,
                         spec.heads * (spec.qk_nope_head_dim + spec.v_head_dim), false));
  parts.push_back(linear("o", spec.heads * spec.v_head_dim, spec.hidden, spec.linear_bias));
  return sum_of("attention", std::move(parts));
}

Term attention(const ModelSpec& spec) {
  return spec.attention_type == AttentionKind::mla ? mla_attention(spec) : mha_attention(spec);
}

// A feed-forward block of the given width: gate, up and down for a gated MLP,
// up and down for a plain one.
std::vector<Term> mlp_parts(const ModelSpec& spec, int64_t width) {
  std::vector<Term> parts;
  if (spec.mlp == MlpKind::gated) {
    parts.push_back(linear("gate", spec.hidden, width, spec.linear_bias));
  }
  parts.push_back(linear("up", spec.hidden, width, spec.linear_bias));
  parts.push_back(linear("down", width, spec.hidden, spec.linear_bias));
  return parts;
}

int64_t sum_terms(const std::vector<Term>& terms) {
  double total = 0;
  for (const Term& term : terms) total += term.value;
  return static_cast<int64_t>(total);
}

Term layer_norms(const ModelSpec& spec) {
  return leaf("norms", static_cast<double>(spec.norms_per_layer * norm_params(spec, spec.hidden)));
}

// One dense layer: attention, MLP and the per-layer norms.
std::vector<Term> dense_layer(const ModelSpec& spec) {
  return {attention(spec), sum_of("mlp", mlp_parts(spec, spec.intermediate)), layer_norms(spec)};
}

int64_t expert_params(const ModelSpec& spec) {
  return sum_terms(mlp_parts(spec, spec.expert_intermediate));
}

// One mixture-of-experts layer: attention, router, routed and shared experts, norms.
std::vector<Term> moe_layer(const ModelSpec& spec) {
  std::vector<Term> moe;
  std::vector<Term> router{leaf("weight", static_cast<double>(spec.hidden * spec.experts))};
  if (spec.router_bias) router.push_back(leaf("bias", static_cast<double>(spec.experts)));
  moe.push_back(sum_of("router", std::move(router)));
  moe.push_back(leaf("experts", static_cast<double>(spec.experts * expert_params(spec))));

  const int64_t shared_width = shared_expert_width(spec);
  if (shared_width > 0) {
    moe.push_back(sum_of("shared_experts", mlp_parts(spec, shared_width)));
  }
  if (spec.shared_expert_gate) {
    moe.push_back(leaf("shared_expert_gate", static_cast<double>(spec.hidden)));
  }
  return {attention(spec), sum_of("moe", std::move(moe)), layer_norms(spec)};
}

// Multiplies every value in the tree by count (a per-layer tree becomes the
// tree of count identical layers).
Term scaled(Term term, int64_t count) {
  term.value *= static_cast<double>(count);
  for (Term& child : term.children) child = scaled(std::move(child), count);
  return term;
}

Term embeddings(const ModelSpec& spec) {
  std::vector<Term> parts{leaf("token", static_cast<double>(spec.vocab * spec.hidden))};
  if (spec.position == PositionKind::learned) {
    parts.push_back(leaf("position", static_cast<double>(spec.max_positions * spec.hidden)));
  }
  if (spec.type_vocab > 0) {
    parts.push_back(leaf("type", static_cast<double>(spec.type_vocab * spec.hidden)));
  }
  if (spec.family == Family::encoder) {
    // BERT normalizes the summed embeddings and has no final norm.
    parts.push_back(leaf("norm", static_cast<double>(norm_params(spec, spec.hidden))));
  }
  return sum_of("embeddings", std::move(parts));
}

// The decoder's output projection; encoders (BertModel) have none.
int64_t lm_head_params(const ModelSpec& spec) {
  if (spec.family == Family::encoder || spec.tied_embeddings) return 0;
  return spec.vocab * spec.hidden;
}

void check_range(FieldErrors& errors, const char* field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    errors.push_back(make_out_of_range(field, std::to_string(value), static_cast<double>(min),
                                       static_cast<double>(max)));
  }
}

void check_mla(const ModelSpec& spec, FieldErrors& errors) {
  check_range(errors, "q_lora_rank", spec.q_lora_rank, 0, kMaxLatentRank);
  check_range(errors, "kv_lora_rank", spec.kv_lora_rank, 1, kMaxLatentRank);
  check_range(errors, "qk_nope_head_dim", spec.qk_nope_head_dim, 0, kMaxHeadDim);
  check_range(errors, "qk_rope_head_dim", spec.qk_rope_head_dim, 0, kMaxHeadDim);
  check_range(errors, "v_head_dim", spec.v_head_dim, 1, kMaxHeadDim);
  if (spec.qk_nope_head_dim + spec.qk_rope_head_dim == 0) {
    errors.push_back(make_unsupported("qk_nope_head_dim", std::to_string(spec.qk_nope_head_dim),
                                      "qk_nope_head_dim + qk_rope_head_dim must be at least 1"));
  }
}

void check_moe(const ModelSpec& spec, FieldErrors& errors) {
  check_range(errors, "experts_per_token", spec.experts_per_token, 1, spec.experts);
  check_range(errors, "expert_intermediate", spec.expert_intermediate, 1, kMaxIntermediate);
  check_range(errors, "first_dense_layers", spec.first_dense_layers, 0, spec.layers);
  check_range(errors, "moe_layer_interval", spec.moe_layer_interval, 1,
              std::max<int64_t>(spec.layers, 1));
  if (spec.first_dense_layers >= 0 && spec.moe_layer_interval >= 1 && moe_layer_count(spec) == 0) {
    errors.push_back(make_unsupported("first_dense_layers", std::to_string(spec.first_dense_layers),
                                      "experts is set, but no layer is a mixture-of-experts layer"));
  }
}

void check_total_params(const ModelSpec& spec, FieldErrors& errors) {
  const int64_t total = count_params(spec).total;
  if (static_cast<double>(total) <= kMaxModelParams) return;
  const std::string count = format_general(static_cast<double>(total), 3);
  FieldError error;
  error.field = "model";
  error.code = ErrorCode::too_large;
  error.value = std::to_string(total);
  error.max = kMaxModelParams;
  error.message = std::string("model: the architecture has ") + count +
                  " parameters, over the limit of 1e+13 (10 trillion); reduce layers, hidden, intermediate, "
                  "experts or vocab";
  errors.push_back(std::move(error));
}

}  // namespace

int64_t effective_head_dim(const ModelSpec& spec) {
  if (spec.head_dim > 0) return spec.head_dim;
  if (spec.heads <= 0) return 0;
  return spec.hidden / spec.heads;
}

// Layer i is MoE when i >= first_dense_layers and (i - first_dense_layers) is
// a multiple of moe_layer_interval. With interval 1 this matches every
// supported family (Mixtral, Qwen2/3-MoE decoder_sparse_step 1, DeepSeek
// moe_layer_freq 1 after first_k_dense_replace).
// NOTE: for interval > 1, Qwen2-MoE picks layers with (i + 1) % step == 0, so
// the MoE layer count can differ by one from this rule.
bool is_moe_layer(const ModelSpec& spec, int64_t layer_index) {
  if (spec.experts <= 0 || spec.moe_layer_interval <= 0) return false;
  if (layer_index < spec.first_dense_layers || layer_index >= spec.layers) return false;
  return (layer_index - spec.first_dense_layers) % spec.moe_layer_interval == 0;
}

int64_t moe_layer_count(const ModelSpec& spec) {
  if (spec.experts <= 0 || spec.moe_layer_interval <= 0) return 0;
  const int64_t candidates = spec.layers - spec.first_dense_layers;
  if (candidates <= 0) return 0;
  return (candidates + spec.moe_layer_interval - 1) / spec.moe_layer_interval;
}

int64_t shared_expert_width(const ModelSpec& spec) {
  if (spec.shared_expert_intermediate > 0) return spec.shared_expert_intermediate;
  return spec.shared_experts * spec.expert_intermediate;
}

Term param_breakdown(const ModelSpec& spec) {
  const int64_t moe_layers = moe_layer_count(spec);
  const int64_t dense_layers = spec.layers - moe_layers;

  std::vector<Term> parts{embeddings(spec)};
  if (dense_layers > 0) {
    parts.push_back(scaled(sum_of("dense_layers", dense_layer(spec)), dense_layers));
  }
  if (moe_layers > 0) {
    parts.push_back(scaled(sum_of("moe_layers", moe_layer(spec)), moe_layers));
  }
  if (spec.family == Family::decoder) {
    parts.push_back(leaf("final_norm", static_cast<double>(norm_params(spec, spec.hidden))));
  }
  const int64_t head = lm_head_params(spec);
  if (head > 0) parts.push_back(leaf("lm_head", static_cast<double>(head)));
  if (spec.pooler) {
    parts.push_back(linear("pooler", spec.hidden, spec.hidden, true));
  }
  return sum_of("params", std::move(parts));
}

ParamCounts count_params(const ModelSpec& spec) {
  ParamCounts counts;
  counts.moe_layers = moe_layer_count(spec);
  counts.dense_layers = spec.layers - counts.moe_layers;
  counts.per_dense_layer = counts.dense_layers > 0 ? sum_terms(dense_layer(spec)) : 0;
  counts.per_moe_layer = counts.moe_layers > 0 ? sum_terms(moe_layer(spec)) : 0;
  counts.per_expert = spec.experts > 0 ? expert_params(spec) : 0;
  counts.embedding = static_cast<int64_t>(embeddings(spec).value);
  counts.lm_head = lm_head_params(spec);
  counts.total = static_cast<int64_t>(param_breakdown(spec).value);

  const int64_t idle_experts = std::max<int64_t>(spec.experts - spec.experts_per_token, 0);
  counts.active = counts.total - counts.moe_layers * idle_experts * counts.per_expert;

  counts.largest_layer = std::max({counts.per_dense_layer, counts.per_moe_layer, counts.embedding,
                                   counts.lm_head});
  return counts;
}

FieldErrors validate_model(const ModelSpec& spec) {
  FieldErrors errors;
  check_range(errors, "layers", spec.layers, 1, kMaxLayers);
  check_range(errors, "hidden", spec.hidden, 1, kMaxHidden);
  check_range(errors, "heads", spec.heads, 1, kMaxHeads);
  check_range(errors, "kv_heads", spec.kv_heads, 1, std::max<int64_t>(spec.heads, 1));
  check_range(errors, "head_dim", spec.head_dim, 0, kMaxHeadDim);
  check_range(errors, "vocab", spec.vocab, 1, kMaxVocab);
  check_range(errors, "max_positions", spec.max_positions, 1, kMaxPositions);
  check_range(errors, "type_vocab", spec.type_vocab, 0, kMaxTypeVocab);
  check_range(errors, "norms_per_layer", spec.norms_per_layer, 0, kMaxNormsPerLayer);
  check_range(errors, "experts", spec.experts, 0, kMaxExperts);
  check_range(errors, "shared_experts", spec.shared_experts, 0, kMaxSharedExperts);
  check_range(errors, "shared_expert_intermediate", spec.shared_expert_intermediate, 0,
              kMaxIntermediate);

  // A model whose layers are all MoE (Mixtral, Qwen3-MoE) never uses intermediate.
  const bool has_dense_layers = spec.layers - moe_layer_count(spec) > 0;
  check_range(errors, "intermediate", spec.intermediate, has_dense_layers ? 1 : 0, kMaxIntermediate);

  if (spec.heads >= 1 && spec.kv_heads >= 1 && spec.heads % spec.kv_heads != 0) {
    errors.push_back(make_unsupported("kv_heads", std::to_string(spec.kv_heads),
                                      "heads (" + std::to_string(spec.heads) +
                                          ") must be a multiple of kv_heads"));
  }
  if (spec.attention_type == AttentionKind::mha && spec.head_dim == 0 && spec.heads >= 1 &&
      spec.hidden % spec.heads != 0) {
    errors.push_back(make_unsupported("heads", std::to_string(spec.heads),
                                      "hidden (" + std::to_string(spec.hidden) +
                                          ") must be a multiple of heads unless head_dim is set"));
  }
  if (spec.family == Family::encoder && spec.experts > 0) {
    errors.push_back(make_unsupported("experts", std::to_string(spec.experts),
                                      "encoder models have no mixture-of-experts layers"));
  }
  if (spec.pooler && spec.family != Family::encoder) {
    errors.push_back(make_unsupported("pooler", "true", "only encoder models have a pooler"));
  }
  if (spec.attention_type == AttentionKind::mla) check_mla(spec, errors);
  if (spec.experts > 0) check_moe(spec, errors);
  // count_params is free of overflow only within the ranges above, so the total is checked after them.
  if (errors.empty()) check_total_params(spec, errors);
  return errors;
}

const char* family_name(Family family) {
  switch (family) {
    case Family::decoder: return "decoder";
    case Family::encoder: return "encoder";
  }
  return "decoder";
}

const char* mlp_kind_name(MlpKind kind) {
  switch (kind) {
    case MlpKind::gated: return "gated";
    case MlpKind::plain: return "plain";
  }
  return "gated";
}

const char* norm_kind_name(NormKind kind) {
  switch (kind) {
    case NormKind::rmsnorm: return "rmsnorm";
    case NormKind::layernorm: return "layernorm";
  }
  return "rmsnorm";
}

const char* position_kind_name(PositionKind kind) {
  switch (kind) {
    case PositionKind::rotary: return "rotary";
    case PositionKind::learned: return "learned";
    case PositionKind::alibi: return "alibi";
  }
  return "rotary";
}

const char* attention_kind_name(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::mha: return "mha";
    case AttentionKind::mla: return "mla";
  }
  return "mha";
}

}  // namespace gpuplan
