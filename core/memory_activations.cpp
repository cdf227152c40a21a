// Activations: the tensors autograd saves for backward, per transformer layer,
// derived from the op sequence of the Transformers implementations
// (modeling_llama.py and its copies, modeling_gpt2.py, modeling_bert.py) and
// of the attention kernels. Symbols: T tokens per micro-batch (B * S), h hidden
// size, f MLP width, a bytes per activation value.
//
// A tensor is saved only when some op needs it for a gradient. PyTorch's
// generated autograd code saves one operand of mm/addmm/mul only when the other
// operand requires grad (guards on should_compute_output; PyTorch issue 42371,
// fixed by pull request 45777). So the input of a frozen nn.Linear is saved only
// when a LoRA adapter or a trainable weight reads it. bitsandbytes' 4-bit matmul
// saves its input in all cases.
#include <algorithm>

#include "memory_terms.h"

namespace gpuplan::memory_detail {

namespace {

struct LayerShape {
  double tokens;        // T, on this GPU
  double batch;         // B
  double seq_len;       // S
  double a;             // bytes per activation
  double hidden;        // h
  double q_width;       // heads * head_dim (query and attention output)
  double kv_width;      // kv_heads * head_dim
  double heads;
  double inner_split;   // tensor_parallel: heads and MLP width are split
  double outer_split;   // tensor_parallel with sequence parallelism, else 1
};

LayerShape layer_shape(const ModelSpec& model, const TrainingSetup& setup) {
  LayerShape shape;
  shape.batch = static_cast<double>(setup.micro_batch);
  shape.seq_len = static_cast<double>(setup.seq_len);
  shape.tokens = shape.batch * shape.seq_len;
  shape.a = activation_bytes(setup.precision);
  shape.hidden = static_cast<double>(model.hidden);
  if (model.attention_type == AttentionKind::mla) {
    shape.q_width = static_cast<double>(model.heads * (model.qk_nope_head_dim + model.qk_rope_head_dim));
    // Transformers expands the latent into full per-head keys and values before attention.
    shape.kv_width = shape.q_width;
  } else {
    shape.q_width = static_cast<double>(model.heads * effective_head_dim(model));
    shape.kv_width = static_cast<double>(model.kv_heads * effective_head_dim(model));
  }
  shape.heads = static_cast<double>(model.heads);
  shape.inner_split = static_cast<double>(std::max<int64_t>(1, setup.tensor_parallel));
  shape.outer_split = setup.sequence_parallel ? shape.inner_split : 1.0;
  return shape;
}

bool lora_targets_bit(const TrainingSetup& setup, unsigned bits) {
  return setup.method == Method::lora && (setup.lora_targets & bits) != 0;
}

// Whether the input of a linear with these LoRA bits is saved for backward.
bool linear_input_saved(const TrainingSetup& setup, unsigned bits, bool layer_trainable) {
  switch (setup.method) {
    case Method::full: return true;
    case Method::freeze: return layer_trainable;
    case Method::qlora: return true;  // bitsandbytes MatMul4Bit saves its input
    case Method::lora: return lora_targets_bit(setup, bits);
  }
  return true;
}

// Norm before attention or MLP.
Term norm_activations(const ModelSpec& model, const TrainingSetup& setup, const LayerShape& s, bool layer_trainable,
                      const std::string& key) {
  const double rows = s.tokens / s.outer_split;
  const bool norm_weight_trained = setup.method == Method::full || (setup.method == Method::freeze && layer_trainable);
  if (model.norm == NormKind::layernorm) {
    // torch.nn.LayerNorm saves its input plus fp32 mean and rstd per row.
    return sum_of(key, {leaf("input", s.a * rows * s.hidden), leaf("statistics", 8 * rows)});
  }
  if (setup.fused_kernels) {
    // Fused RMSNorm kernels (Liger, Unsloth, Apex) save the input and one fp32 rstd per row.
    return sum_of(key, {leaf("input", s.a * rows * s.hidden), leaf("statistics", 4 * rows)});
  }
  // Transformers' RMSNorm: x.to(float32) is saved by pow and mul, rsqrt saves one fp32
  // value per row, and weight * x.to(dtype) saves the 16-bit normalized x when the
  // weight is trained.
  std::vector<Term> parts{leaf("input_fp32", 4 * rows * s.hidden), leaf("statistics", 4 * rows)};
  if (norm_weight_trained) parts.push_back(leaf("normalized", s.a * rows * s.hidden));
  return sum_of(key, std::move(parts));
}

Term attention_activations(const ModelSpec& model, const TrainingSetup& setup, const LayerShape& s,
                           bool layer_trainable) {
  std::vector<Term> parts;
  const double inner_tokens = s.tokens / s.inner_split;
  const double q_bytes = s.a * inner_tokens * s.q_width;
  const double scores = s.batch * (s.heads / s.inner_split) * s.seq_len * s.seq_len;
  const bool dropout = model_uses_dropout(model);

  if (linear_input_saved(setup, lora_q | lora_k | lora_v, layer_trainable)) {
    parts.push_back(leaf("qkv_input", s.a * (s.tokens / s.outer_split) * s.hidden));
  }
  switch (setup.attention) {
    case AttentionImpl::flash:
      // flash_attn saves q, k, v (grouped heads are not expanded), the output and
      // the fp32 log-sum-exp per row and head (Dao 2023, FlashAttention-2, algorithm 2).
      parts.push_back(leaf("q", q_bytes));
      parts.push_back(leaf("k", s.a * inner_tokens * s.kv_width));
      parts.push_back(leaf("v", s.a * inner_tokens * s.kv_width));
      parts.push_back(leaf("output", q_bytes));
      parts.push_back(leaf("logsumexp", 4 * s.batch * (s.heads / s.inner_split) * s.seq_len));
      break;
    case AttentionImpl::sdpa:
      // Transformers' sdpa path expands grouped k and v with repeat_kv before
      // scaled_dot_product_attention. The flash or memory-efficient backend then
      // saves q, k, v, the output and the log-sum-exp.
      parts.push_back(leaf("q", q_bytes));
      parts.push_back(leaf("k", q_bytes));
      parts.push_back(leaf("v", q_bytes));
      parts.push_back(leaf("output", q_bytes));
      parts.push_back(leaf("logsumexp", 4 * s.batch * (s.heads / s.inner_split) * s.seq_len));
      break;
    case AttentionImpl::eager: {
      // q @ k^T saves q and the expanded k; softmax(dtype=float32) saves its fp32
      // output; the 16-bit probabilities are saved by probs @ v with the expanded v.
      parts.push_back(leaf("q", q_bytes));
      parts.push_back(leaf("k", q_bytes));
      parts.push_back(leaf("v", q_bytes));
      if (setup.grad_checkpointing != Checkpointing::selective) {
        parts.push_back(leaf("softmax_fp32", 4 * scores));
        if (s.a < 4) parts.push_back(leaf("probabilities", s.a * scores));
        if (dropout) {
          parts.push_back(leaf("dropout_mask", scores));
          parts.push_back(leaf("dropout_output", s.a * scores));
        }
      }
      break;
    }
  }
  // sdpa and eager return [B, heads, S, d]; transposing back for o_proj makes a copy.
  bool output_is_copy = setup.attention != AttentionImpl::flash;
  if (output_is_copy && linear_input_saved(setup, lora_o, layer_trainable)) {
    parts.push_back(leaf("o_input", q_bytes));
  }
  if (dropout) parts.push_back(leaf("dropout_mask", s.tokens / s.outer_split * s.hidden));
  return sum_of("attention", std::move(parts));
}

// A feed-forward block of width `width` processing `tokens` token rows.
std::vector<Term> mlp_parts(const ModelSpec& model, const TrainingSetup& setup, const LayerShape& s, double tokens,
                            double width, bool layer_trainable) {
  std::vector<Term> parts;
  const double value = s.a * tokens / s.inner_split * width;
  if (model.mlp == MlpKind::gated) {
    if (setup.fused_kernels) {
      // Fused SwiGLU saves gate and up outputs and recomputes SiLU in backward.
      parts.push_back(leaf("gate_output", value));
      parts.push_back(leaf("up_output", value));
    } else {
      // act_fn(gate) saves its input; act * up saves both operands.
      parts.push_back(leaf("gate_output", value));
      parts.push_back(leaf("activation_output", value));
      parts.push_back(leaf("up_output", value));
    }
  } else {
    parts.push_back(leaf("up_output", value));
  }
  if (linear_input_saved(setup, lora_down, layer_trainable)) parts.push_back(leaf("down_input", value));
  return parts;
}

Term mlp_activations(const ModelSpec& model, const TrainingSetup& setup, const LayerShape& s, bool moe_layer,
                     bool layer_trainable) {
  std::vector<Term> parts;
  if (linear_input_saved(setup, lora_gate | lora_up, layer_trainable)) {
    parts.push_back(leaf("input", s.a * (s.tokens / s.outer_split) * s.hidden));
  }
  if (!moe_layer) {
    for (Term& part : mlp_parts(model, setup, s, s.tokens, static_cast<double>(model.intermediate), layer_trainable)) {
      parts.push_back(std::move(part));
    }
  } else {
    const double routed_tokens = s.tokens * static_cast<double>(model.experts_per_token);
    // Router: fp32 softmax over experts per token; each token's hidden state is
    // gathered once per chosen expert.
    parts.push_back(leaf("router_probabilities", 4 * s.tokens * static_cast<double>(model.experts)));
    parts.push_back(leaf("expert_inputs", s.a * routed_tokens / s.inner_split * s.hidden));
    parts.push_back(sum_of("experts", mlp_parts(model, setup, s, routed_tokens,
                                                static_cast<double>(model.expert_intermediate), layer_trainable)));
    const int64_t shared_width = shared_expert_width(model);
    if (shared_width > 0) {
      parts.push_back(sum_of("shared_experts", mlp_parts(model, setup, s, s.tokens, static_cast<double>(shared_width),
                                                         layer_trainable)));
    }
  }
  if (model_uses_dropout(model)) parts.push_back(leaf("dropout_mask", s.tokens / s.outer_split * s.hidden));
  return sum_of("mlp", std::move(parts));
}

Term lora_activations(const ModelSpec& model, const TrainingSetup& setup, const LayerShape& s, bool moe_layer) {
  // lora_A's output (T x rank) is saved by lora_B; lora_A's input is the base
  // linear's input, counted with the layer.
  double bytes = 0;
  for (const LinearModule& linear : layer_linears(model, moe_layer)) {
    bool targeted = (linear.lora_bit & setup.lora_targets) != 0 ||
                    (linear.lora_bit == 0 && (setup.lora_targets & lora_all_linear) == lora_all_linear);
    if (!targeted) continue;
    double rows = s.tokens / s.inner_split;
    if (linear.count > 1) rows *= static_cast<double>(model.experts_per_token) / static_cast<double>(linear.count);
    bytes += s.a * rows * static_cast<double>(setup.lora_rank) * static_cast<double>(linear.count);
  }
  return leaf("lora", bytes);
}

}  // namespace

bool model_uses_dropout(const ModelSpec& model) {
  // GPT-2 and BERT configurations train with dropout 0.1; Llama-style models use 0.
  // NOTE: inferred from the architecture (learned positions with biased linears);
  // a config with other dropout settings is not read.
  return model.position == PositionKind::learned && model.linear_bias;
}

double tokens_per_micro_batch(const TrainingSetup& setup) {
  return static_cast<double>(setup.micro_batch) * static_cast<double>(setup.seq_len);
}

Term layer_activations(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer, bool layer_trainable) {
  LayerShape s = layer_shape(model, setup);
  std::vector<Term> parts;
  parts.push_back(norm_activations(model, setup, s, layer_trainable, "attention_norm"));
  parts.push_back(attention_activations(model, setup, s, layer_trainable));
  parts.push_back(norm_activations(model, setup, s, layer_trainable, "mlp_norm"));
  parts.push_back(mlp_activations(model, setup, s, moe_layer, layer_trainable));
  if (setup.method == Method::lora || setup.method == Method::qlora) {
    parts.push_back(lora_activations(model, setup, s, moe_layer));
  }
  return sum_of("layer", std::move(parts));
}

double layer_backward_workspace_bytes(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer) {
  LayerShape s = layer_shape(model, setup);
  double width = static_cast<double>(moe_layer ? model.expert_intermediate : model.intermediate);
  double tokens = moe_layer ? s.tokens * static_cast<double>(model.experts_per_token) : s.tokens;
  // Gradients of the MLP intermediates (gate, activation and up) live together
  // during the MLP backward, beside two hidden-size gradients of the residual stream.
  double mlp = 3 * s.a * tokens / s.inner_split * width;
  double attention = 0;
  if (setup.attention == AttentionImpl::eager) {
    // softmax backward: the gradient of the probabilities and of the fp32 scores.
    double scores = s.batch * (s.heads / s.inner_split) * s.seq_len * s.seq_len;
    attention = (4 + 4 + s.a) * scores;
  }
  return std::max(mlp, attention) + 2 * s.a * s.tokens / s.outer_split * s.hidden;
}

double logits_saved_bytes(const ModelSpec& model, const TrainingSetup& setup) {
  if (model.family == Family::encoder) return 0;  // classification heads have tiny logits
  const double split = static_cast<double>(std::max<int64_t>(1, setup.tensor_parallel));
  const double elements = tokens_per_micro_batch(setup) * static_cast<double>(model.vocab) / split;
  if (setup.fused_cross_entropy) return 0;
  // torchtune's compiled chunked loss saves its 16-bit input chunks, which
  // together are the whole logits tensor.
  if (setup.chunked_cross_entropy) return activation_bytes(setup.precision) * elements;
  // Transformers' ForCausalLMLoss upcasts logits to fp32 before cross_entropy; log_softmax
  // saves its fp32 output (4 bytes per logit) for backward.
  return 4 * elements;
}

double logits_backward_peak_bytes(const ModelSpec& model, const TrainingSetup& setup) {
  if (model.family == Family::encoder) return 0;
  const double split = static_cast<double>(std::max<int64_t>(1, setup.tensor_parallel));
  const double tokens = tokens_per_micro_batch(setup);
  if (setup.fused_cross_entropy) {
    // Chunked linear cross-entropy (Liger) keeps chunk logits of about T x h elements in
    // 16 and 32 bits plus the input gradient.
    return (6 + activation_bytes(setup.precision)) * tokens * static_cast<double>(model.hidden);
  }
  const double elements = tokens * static_cast<double>(model.vocab) / split;
  if (setup.chunked_cross_entropy) {
    // Autograd runs later-created nodes first, so the 8 chunks' loss backwards
    // run before the head's. Each adds one chunk's fp32 softmax and gradient
    // (8 bytes per logit of the chunk) beside the 16-bit tensors, which move
    // from saved inputs to gradients as chunks finish.
    constexpr double kChunks = 8;  // CEWithChunkedOutputLoss(num_output_chunks=8)
    return activation_bytes(setup.precision) * elements + 8 * elements / kChunks;
  }
  if (setup.legacy_loss) {
    // Transformers before 4.46 upcast logits inside the model and cross_entropy read a
    // contiguous shifted copy: the backward of that slice allocates a fourth fp32 tensor.
    return 16 * elements;
  }
  // During the loss backward three fp32 tensors of the logits' size coexist: the saved
  // log_softmax output, the gradient of the NLL loss and the gradient of the fp32 logits.
  return 12 * elements;
}

}  // namespace gpuplan::memory_detail
