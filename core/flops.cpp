#include "flops.h"

#include <algorithm>
#include <string>
#include <utility>

namespace gpuplan {
namespace {

enum ClassIndex {
  kAttentionLinear,
  kAttentionScores,
  kAttentionValues,
  kMlp,
  kRouter,
  kRoutedExperts,
  kSharedExperts,
  kLora,
  kLmHead,
  kClassCount,
};

const char* const kClassKeys[kClassCount] = {
    "attention_linear", "attention_scores", "attention_values", "mlp",    "router",
    "routed_experts",   "shared_experts",   "lora",             "lm_head",
};

// One linear layer of a transformer layer. instances copies exist (routed
// experts), each seeing token_fraction of the micro-batch's tokens.
struct Linear {
  ClassIndex cls;
  int64_t in;
  int64_t out;
  unsigned lora_bit;  // the LoraTarget bit that puts an adapter on it, 0 when none applies
  double instances = 1;
  double token_fraction = 1;
};

std::vector<Linear> attention_linears(const ModelSpec& spec) {
  std::vector<Linear> linears;
  if (spec.attention_type == AttentionKind::mla) {
    const int64_t qk_head_dim = spec.qk_nope_head_dim + spec.qk_rope_head_dim;
    if (spec.q_lora_rank > 0) {
      linears.push_back({kAttentionLinear, spec.hidden, spec.q_lora_rank, lora_q});
      linears.push_back({kAttentionLinear, spec.q_lora_rank, spec.heads * qk_head_dim, lora_q});
    } else {
      linears.push_back({kAttentionLinear, spec.hidden, spec.heads * qk_head_dim, lora_q});
    }
    // NOTE: MLA has no separate k and v projections. The k and v targets map
    // onto kv_a and kv_b here, which may differ from a PEFT config's module names.
    linears.push_back({kAttentionLinear, spec.hidden, spec.kv_lora_rank + spec.qk_rope_head_dim,
                       lora_k | lora_v});
    linears.push_back({kAttentionLinear, spec.kv_lora_rank,
                       spec.heads * (spec.qk_nope_head_dim + spec.v_head_dim), lora_k | lora_v});
    linears.push_back({kAttentionLinear, spec.heads * spec.v_head_dim, spec.hidden, lora_o});
    return linears;
  }
  const int64_t head_dim = effective_head_dim(spec);
  const int64_t q_width = spec.heads * head_dim;
  const int64_t kv_width = spec.kv_heads * head_dim;
  linears.push_back({kAttentionLinear, spec.hidden, q_width, lora_q});
  linears.push_back({kAttentionLinear, spec.hidden, kv_width, lora_k});
  linears.push_back({kAttentionLinear, spec.hidden, kv_width, lora_v});
  linears.push_back({kAttentionLinear, q_width, spec.hidden, lora_o});
  return linears;
}

void add_mlp(std::vector<Linear>& linears, const ModelSpec& spec, ClassIndex cls, int64_t width,
             double instances, double token_fraction) {
  if (width <= 0) return;
  if (spec.mlp == MlpKind::gated) {
    linears.push_back({cls, spec.hidden, width, lora_gate, instances, token_fraction});
  }
  linears.push_back({cls, spec.hidden, width, lora_up, instances, token_fraction});
  linears.push_back({cls, width, spec.hidden, lora_down, instances, token_fraction});
}

// Every linear layer of a dense or a mixture-of-experts transformer layer.
std::vector<Linear> layer_linears(const ModelSpec& spec, bool moe) {
  std::vector<Linear> linears = attention_linears(spec);
  if (!moe) {
    add_mlp(linears, spec, kMlp, spec.intermediate, 1, 1);
    return linears;
  }
  // Router: hidden -> experts logits for every token (0 lora_bit: PEFT targets
  // name projections, not the gate).
  linears.push_back({kRouter, spec.hidden, spec.experts, 0});
  // Each token visits experts_per_token of the experts, so every expert
  // processes experts_per_token / experts of the tokens on average.
  const double fraction = static_cast<double>(spec.experts_per_token) / static_cast<double>(spec.experts);
  add_mlp(linears, spec, kRoutedExperts, spec.expert_intermediate, static_cast<double>(spec.experts), fraction);
  add_mlp(linears, spec, kSharedExperts, shared_expert_width(spec), 1, 1);
  if (spec.shared_expert_gate) linears.push_back({kRouter, spec.hidden, 1, 0});
  return linears;
}

bool lora_method(Method method) { return method == Method::lora || method == Method::qlora; }

// First layer whose backward runs: activation gradients stop there.
int64_t first_backward_layer(const ModelSpec& spec, const TrainingSetup& setup) {
  if (setup.method != Method::freeze) return 0;
  const int64_t trainable = std::clamp<int64_t>(setup.trainable_layers, 0, spec.layers);
  return spec.layers - trainable;
}

bool layer_weights_trainable(const ModelSpec& spec, const TrainingSetup& setup, int64_t layer_index) {
  switch (setup.method) {
    case Method::full: return true;
    case Method::freeze: return layer_index >= first_backward_layer(spec, setup);
    default: return false;
  }
}

bool lm_head_trainable(const TrainingSetup& setup) {
  if (setup.method == Method::full) return true;
  return lora_method(setup.method) && setup.lora_train_embeddings;
}

bool has_lm_head(const ModelSpec& spec) { return spec.family == Family::decoder; }

// Per micro-batch, one replica, all layers.
struct Accumulator {
  GemmClass classes[kClassCount];
};

void add_linear(Accumulator& acc, const Linear& linear, double tokens, bool backward, bool weight_grad,
                bool recompute) {
  GemmClass& c = acc.classes[linear.cls];
  const double flops = 2.0 * tokens * linear.token_fraction * linear.instances *
                       static_cast<double>(linear.in) * static_cast<double>(linear.out);
  c.forward += flops;
  if (backward) c.activation_grad += flops;
  if (weight_grad) c.weight_grad += flops;
  if (recompute) c.recompute += flops;
}

// The two small GEMMs of a LoRA adapter, x·A (in -> r) then (x·A)·B (r -> out),
// run forward, for the activation gradient and for the weight gradient of A and B
// (Hu et al. 2021, section 4.1: h = W0·x + B·A·x).
void add_adapter(Accumulator& acc, const Linear& linear, double tokens, int64_t rank, bool recompute) {
  GemmClass& c = acc.classes[kLora];
  const double flops = 2.0 * tokens * linear.token_fraction * linear.instances * static_cast<double>(rank) *
                       static_cast<double>(linear.in + linear.out);
  c.forward += flops;
  c.activation_grad += flops;
  c.weight_grad += flops;
  if (recompute) c.recompute += flops;
}

void add_attention_core(Accumulator& acc, const ModelSpec& spec, const TrainingSetup& setup,
                        const FlopsOptions& options, bool backward) {
  int64_t qk_dim = effective_head_dim(spec);
  int64_t v_dim = qk_dim;
  if (spec.attention_type == AttentionKind::mla) {
    qk_dim = spec.qk_nope_head_dim + spec.qk_rope_head_dim;
    v_dim = spec.v_head_dim;
  }
  const double b = static_cast<double>(setup.micro_batch);
  const double s = static_cast<double>(setup.seq_len);
  const double heads = static_cast<double>(spec.heads);
  const bool causal = spec.family == Family::decoder && options.causal_half;
  const double mask_fraction = causal ? 0.5 : 1.0;

  // Q·Kᵀ: [s x qk_dim]·[qk_dim x s] per head; P·V: [s x s]·[s x v_dim] per head.
  const double scores = 2.0 * b * s * s * heads * static_cast<double>(qk_dim) * mask_fraction;
  const double values = 2.0 * b * s * s * heads * static_cast<double>(v_dim) * mask_fraction;

  // Backward of each product is two GEMMs of the forward's size (dQ and dK from
  // the scores, dP and dV from the values); none of them has weights.
  GemmClass& score_class = acc.classes[kAttentionScores];
  GemmClass& value_class = acc.classes[kAttentionValues];
  score_class.forward += scores;
  value_class.forward += values;
  if (!backward) return;
  score_class.activation_grad += 2 * scores;
  value_class.activation_grad += 2 * values;

  const bool full = recomputes_layers(setup.grad_checkpointing);
  const bool selective = setup.grad_checkpointing == Checkpointing::selective;
  if (full || selective) {
    // Full: one more forward of the whole layer. Selective (Korthikanti et al.
    // 2022, section 5): only the attention core is recomputed.
    score_class.recompute += scores;
    value_class.recompute += values;
  }
  if (setup.attention != AttentionImpl::eager) {
    // FlashAttention's backward recomputes S = Q·Kᵀ from Q and K instead of
    // storing it (Dao et al. 2022, section 3.1), so its backward is 2.5 times the
    // forward (flash-attention benchmarks/benchmark_flash_attention.py). SDPA's
    // flash and memory-efficient backends do the same.
    score_class.recompute += scores;
  }
}

// Fills the GEMM shapes that decide efficiency (see timing.cpp).
void set_shapes(Accumulator& acc, const ModelSpec& spec, const TrainingSetup& setup) {
  const double tokens = static_cast<double>(setup.micro_batch * setup.seq_len);
  const double h = static_cast<double>(spec.hidden);
  const double s = static_cast<double>(setup.seq_len);
  const double head_dim = static_cast<double>(std::max<int64_t>(effective_head_dim(spec), 1));

  for (int i = 0; i < kClassCount; ++i) {
    acc.classes[i].key = kClassKeys[i];
    acc.classes[i].m = tokens;
    acc.classes[i].n = h;
    acc.classes[i].k = h;
  }
  acc.classes[kMlp].n = static_cast<double>(spec.intermediate);
  acc.classes[kRouter].n = static_cast<double>(std::max<int64_t>(spec.experts, 1));
  acc.classes[kRouter].splits_with_tensor_parallel = false;
  if (spec.experts > 0) {
    acc.classes[kRoutedExperts].m = tokens * static_cast<double>(spec.experts_per_token) /
                                    static_cast<double>(spec.experts);
    acc.classes[kRoutedExperts].n = static_cast<double>(spec.expert_intermediate);
    acc.classes[kSharedExperts].n = static_cast<double>(std::max<int64_t>(shared_expert_width(spec), 1));
  }
  acc.classes[kLora].n = static_cast<double>(std::max<int64_t>(setup.lora_rank, 1));
  acc.classes[kLora].splits_with_tensor_parallel = false;
  acc.classes[kLmHead].n = static_cast<double>(spec.vocab);

  // Attention core: per head, [s x d]·[d x s] and [s x s]·[s x d].
  for (ClassIndex core : {kAttentionScores, kAttentionValues}) {
    acc.classes[core].m = s;
    acc.classes[core].n = s;
    acc.classes[core].k = head_dim;
    acc.classes[core].attention_core = true;
  }
}

// Adds count identical layers of one kind (dense or MoE).
void add_layers(Accumulator& acc, const ModelSpec& spec, const TrainingSetup& setup, const FlopsOptions& options,
                const std::vector<Linear>& linears, double count, bool backward, bool weight_grad) {
  if (count <= 0) return;
  Accumulator one;
  const double tokens = static_cast<double>(setup.micro_batch * setup.seq_len);
  const bool recompute = backward && recomputes_layers(setup.grad_checkpointing);
  for (const Linear& linear : linears) {
    add_linear(one, linear, tokens, backward, weight_grad, recompute);
    if (lora_method(setup.method) && (setup.lora_targets & linear.lora_bit) != 0) {
      add_adapter(one, linear, tokens, setup.lora_rank, recompute);
    }
  }
  add_attention_core(one, spec, setup, options, backward);
  for (int i = 0; i < kClassCount; ++i) {
    acc.classes[i].forward += count * one.classes[i].forward;
    acc.classes[i].activation_grad += count * one.classes[i].activation_grad;
    acc.classes[i].weight_grad += count * one.classes[i].weight_grad;
    acc.classes[i].recompute += count * one.classes[i].recompute;
  }
}

Accumulator micro_batch_flops(const ModelSpec& spec, const TrainingSetup& setup, const FlopsOptions& options) {
  Accumulator acc;
  const double tokens = static_cast<double>(setup.micro_batch * setup.seq_len);
  const int64_t first_backward = first_backward_layer(spec, setup);
  const bool any_backward = first_backward < spec.layers;

  // Layers fall into four kinds: dense or MoE, below or above the first layer
  // that runs backward. Below it, freeze mode runs forward only; above it,
  // weights train in full and freeze modes.
  double dense_below = 0, moe_below = 0, dense_above = 0, moe_above = 0;
  for (int64_t layer = 0; layer < spec.layers; ++layer) {
    const bool moe = is_moe_layer(spec, layer);
    if (layer < first_backward) {
      (moe ? moe_below : dense_below) += 1;
    } else {
      (moe ? moe_above : dense_above) += 1;
    }
  }
  const bool weights_train = layer_weights_trainable(spec, setup, spec.layers - 1);
  const std::vector<Linear> dense_layer = layer_linears(spec, false);
  add_layers(acc, spec, setup, options, dense_layer, dense_below, false, false);
  add_layers(acc, spec, setup, options, dense_layer, dense_above, true, weights_train);
  if (moe_below + moe_above > 0) {
    const std::vector<Linear> moe_layer = layer_linears(spec, true);
    add_layers(acc, spec, setup, options, moe_layer, moe_below, false, false);
    add_layers(acc, spec, setup, options, moe_layer, moe_above, true, weights_train);
  }

  if (has_lm_head(spec)) {
    // The LM head runs for every position (tied or not). Its activation gradient
    // feeds the layers; it is not checkpointed (Transformers checkpoints decoder layers only).
    Linear head{kLmHead, spec.hidden, spec.vocab, 0};
    add_linear(acc, head, tokens, any_backward, any_backward && lm_head_trainable(setup), false);
  }
  set_shapes(acc, spec, setup);
  return acc;
}

Term phase_node(const char* key, const std::vector<GemmClass>& classes, double scale,
                double GemmClass::*field) {
  std::vector<Term> children;
  children.reserve(classes.size());
  for (const GemmClass& c : classes) {
    const double value = c.*field * scale;
    if (value > 0) children.push_back(leaf(c.key, value));
  }
  return sum_of(key, std::move(children));
}

// The value phase_node would give: its positive children summed in the same order.
double phase_total(const std::vector<GemmClass>& classes, double scale, double GemmClass::*field) {
  double total = 0;
  for (const GemmClass& c : classes) {
    const double value = c.*field * scale;
    if (value > 0) total += value;
  }
  return total;
}

// Update-rule FLOPs per parameter, counted from each optimizer's update
// (derived here, one FLOP per add, multiply, divide or square root).
struct OptimizerFlops {
  Optimizer optimizer;
  double flops_per_param;
};

// AdamW (Loshchilov and Hutter 2019, algorithm 2): decay 2, first moment 3,
// second moment 4, sqrt and epsilon 2, bias-corrected step size 1, division and
// update 3: 15. The 8-bit variants add a dequantize and quantize of both
// moments (about 4 each). SGD: 2; with momentum: 4. Lion (Chen et al. 2023,
// algorithm 2): interpolation 3, sign 1, decay and update 4, moment 3: 11.
// Adafactor (Shazeer and Stern 2018, algorithm 4): squared gradient 2, row and
// column averages 4, reconstruction 3, scaling and clipping 4, update 2: 15;
// with momentum 3 more.
constexpr OptimizerFlops kOptimizerFlops[] = {
    {Optimizer::adamw, 15},      {Optimizer::adamw_8bit, 23},       {Optimizer::paged_adamw_8bit, 23},
    {Optimizer::paged_adamw_32bit, 15}, {Optimizer::sgd, 2},        {Optimizer::sgd_momentum, 4},
    {Optimizer::adafactor, 15},  {Optimizer::adafactor_momentum, 18}, {Optimizer::lion, 11},
};

double lora_adapter_params(const ModelSpec& spec, const TrainingSetup& setup) {
  // PEFT builds lora_A (in x r) and lora_B (r x out) for every targeted
  // linear, on every expert of a routed block.
  auto layer_params = [&](bool moe) {
    double params = 0;
    for (const Linear& linear : layer_linears(spec, moe)) {
      if ((setup.lora_targets & linear.lora_bit) == 0) continue;
      params += linear.instances * static_cast<double>(setup.lora_rank) *
                static_cast<double>(linear.in + linear.out);
    }
    return params;
  };
  const double moe_layers = static_cast<double>(moe_layer_count(spec));
  const double dense_layers = static_cast<double>(spec.layers) - moe_layers;
  double params = dense_layers * layer_params(false);
  if (moe_layers > 0) params += moe_layers * layer_params(true);
  return params;
}

}  // namespace

int64_t replica_count(const TrainingSetup& setup) {
  const int64_t model_parallel = std::max<int64_t>(setup.tensor_parallel, 1) *
                                 std::max<int64_t>(setup.pipeline_parallel, 1);
  return std::max<int64_t>(setup.num_gpus / model_parallel, 1);
}

double optimizer_flops_per_param(Optimizer optimizer) {
  for (const OptimizerFlops& entry : kOptimizerFlops) {
    if (entry.optimizer == optimizer) return entry.flops_per_param;
  }
  return 0;
}

namespace {

double trainable_params_from(const ModelSpec& model, const TrainingSetup& setup, const ParamCounts& counts) {
  switch (setup.method) {
    case Method::full: return static_cast<double>(counts.total);
    case Method::lora:
    case Method::qlora: {
      double params = lora_adapter_params(model, setup);
      if (setup.lora_train_embeddings) params += static_cast<double>(counts.embedding + counts.lm_head);
      return params;
    }
    case Method::freeze: {
      double params = 0;
      for (int64_t layer = first_backward_layer(model, setup); layer < model.layers; ++layer) {
        params += static_cast<double>(is_moe_layer(model, layer) ? counts.per_moe_layer : counts.per_dense_layer);
      }
      return params;
    }
  }
  return 0;
}

}  // namespace

double trainable_param_count(const ModelSpec& model, const TrainingSetup& setup) {
  return trainable_params_from(model, setup, count_params(model));
}

FlopsResult estimate_flops(const ModelSpec& model, const TrainingSetup& setup, const FlopsOptions& options) {
  FlopsResult result;
  Accumulator acc = micro_batch_flops(model, setup, options);
  result.classes.assign(acc.classes, acc.classes + kClassCount);

  const double replicas = static_cast<double>(replica_count(setup));
  result.micro_batches_per_step = static_cast<double>(setup.grad_accum) * replicas;
  result.tokens_per_step =
      static_cast<double>(setup.micro_batch * setup.seq_len) * result.micro_batches_per_step;
  const double scale = result.micro_batches_per_step;

  result.params = options.params != nullptr ? *options.params : count_params(model);
  result.trainable_params = trainable_params_from(model, setup, result.params);
  result.optimizer_flops = result.trainable_params * optimizer_flops_per_param(setup.optimizer);

  if (!options.breakdown) {
    // The sums of the tree below, node by node, without building it.
    const double backward = 0 + phase_total(result.classes, scale, &GemmClass::activation_grad) +
                            phase_total(result.classes, scale, &GemmClass::weight_grad);
    result.model_flops = phase_total(result.classes, scale, &GemmClass::forward) + backward;
    result.hardware_flops = result.model_flops + phase_total(result.classes, scale, &GemmClass::recompute);
    result.total_flops = result.hardware_flops + result.optimizer_flops;
    result.model_flops_per_token = result.tokens_per_step > 0 ? result.model_flops / result.tokens_per_step : 0;
    return result;
  }

  Term forward = phase_node("forward", result.classes, scale, &GemmClass::forward);
  Term backward = sum_of_terms("backward", phase_node("activation_grad", result.classes, scale, &GemmClass::activation_grad),
                               phase_node("weight_grad", result.classes, scale, &GemmClass::weight_grad));
  Term recompute = phase_node("recompute", result.classes, scale, &GemmClass::recompute);
  result.model_flops = forward.value + backward.value;
  result.hardware_flops = result.model_flops + recompute.value;
  result.total_flops = result.hardware_flops + result.optimizer_flops;
  result.model_flops_per_token = result.tokens_per_step > 0 ? result.model_flops / result.tokens_per_step : 0;

  std::vector<Term> phases;
  phases.reserve(4);
  phases.push_back(std::move(forward));
  phases.push_back(std::move(backward));
  if (recompute.value > 0) phases.push_back(std::move(recompute));
  phases.push_back(leaf("optimizer", result.optimizer_flops));
  result.step = sum_of("flops_per_step", std::move(phases));
  return result;
}

}  // namespace gpuplan
