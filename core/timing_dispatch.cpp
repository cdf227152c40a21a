// Operator counts of eager PyTorch training, counted from the modules of
// Transformers (BertLayer, LlamaDecoderLayer, GPT2Block), PEFT's LoRA Linear
// and torch.optim. Each count is the kernels one call launches, and views,
// reshapes and transposes launch none.
#include "timing_dispatch.h"

#include <algorithm>

#include "memory_terms.h"

namespace gpuplan {

using memory_detail::LinearModule;

namespace {

bool is_adapter_method(Method method) { return method == Method::lora || method == Method::qlora; }

// One nn.Linear: the GEMM (addmm folds the bias in), autocast's casts of the
// fp32 weight and bias, bitsandbytes' dequantization of a 4-bit weight, and
// PEFT's LoRA branch: dropout (mask and multiply), A, B, the scaling and the add.
double linear_ops(const LinearModule& linear, const ModelSpec& model, const TrainingSetup& setup) {
  double ops = 1;
  const bool frozen_base = is_adapter_method(setup.method);
  if (memory_detail::uses_autocast(setup.precision) && !(setup.method == Method::qlora)) {
    ops += 1 + (model.linear_bias ? 1 : 0);
  }
  if (setup.method == Method::qlora) ops += 1;
  if (frozen_base && (setup.lora_targets & linear.lora_bit) != 0) ops += 6;
  return ops * static_cast<double>(linear.count);
}

// A norm: LayerNorm is one kernel (autocast runs it in fp32 after a cast).
// Transformers' RMSNorm upcasts, squares, averages, adds epsilon, takes rsqrt,
// multiplies, casts back and scales: eight kernels. A fused kernel is one.
double norm_ops(const ModelSpec& model, const TrainingSetup& setup) {
  if (setup.fused_kernels) return 1;
  if (model.norm == NormKind::layernorm) return memory_detail::uses_autocast(setup.precision) ? 2 : 1;
  return 8;
}

// Trainable parameter tensors of one layer: weights and biases of the
// linears and norms, or LoRA's A and B of each targeted linear.
double trainable_tensors_per_layer(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer) {
  double tensors = 0;
  for (const LinearModule& linear : memory_detail::layer_linears(model, moe_layer)) {
    const double count = static_cast<double>(linear.count);
    if (is_adapter_method(setup.method)) {
      if ((setup.lora_targets & linear.lora_bit) != 0) tensors += 2 * count;
    } else {
      tensors += count * (model.linear_bias ? 2 : 1);
    }
  }
  if (!is_adapter_method(setup.method)) {
    const double per_norm = model.norm == NormKind::layernorm && model.norm_bias ? 2 : 1;
    tensors += static_cast<double>(model.norms_per_layer) * per_norm;
  }
  return tensors;
}

}  // namespace

double forward_ops_per_layer(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer) {
  double ops = 0;
  for (const LinearModule& linear : memory_detail::layer_linears(model, moe_layer)) {
    ops += linear_ops(linear, model, setup);
  }
  if (moe_layer) {
    // Transformers' eager MoE blocks loop over the experts: routing softmax and
    // top-k, then per expert a mask, an index, the expert's activation and the
    // weighted index_add back.
    ops += 6 + 5 * static_cast<double>(model.experts);
  }
  ops += static_cast<double>(model.norms_per_layer) * norm_ops(model, setup);
  if (model.qk_norm) ops += 2 * norm_ops(model, setup);

  // Attention core. Eager: QK^T, scale, mask, softmax (with autocast's fp32
  // cast), dropout, P·V and the contiguous copy of the output heads. Fused
  // kernels (SDPA, FlashAttention): the kernel plus the layout copies.
  const bool dropout = memory_detail::model_uses_dropout(model);
  if (setup.attention == AttentionImpl::eager) {
    ops += 6 + (memory_detail::uses_autocast(setup.precision) ? 1 : 0) + (dropout ? 2 : 0);
  } else {
    ops += 3;
  }
  // Rotary embeddings on q and k: multiply by cos, rotate_half (two slices, a
  // negation and a concatenation), multiply by sin and add, for each.
  if (model.position == PositionKind::rotary) ops += setup.fused_kernels ? 2 : 12;

  // MLP activation: act(gate) * up for gated MLPs, one activation otherwise.
  if (model.mlp == MlpKind::gated) {
    ops += setup.fused_kernels ? 1 : 2;
  } else {
    ops += 1;
  }
  // Two residual adds, and the two hidden-state dropouts of GPT-2 and BERT layers.
  ops += 2 + (dropout ? 4 : 0);
  return ops;
}

double ops_per_micro_batch(const ModelSpec& model, const TrainingSetup& setup) {
  const double stages = static_cast<double>(std::max<int64_t>(setup.pipeline_parallel, 1));
  // Each kind of layer is counted once: the planner calls this for every candidate.
  const double moe_layers = static_cast<double>(moe_layer_count(model));
  const double dense_layers = static_cast<double>(model.layers) - moe_layers;
  double forward = dense_layers * forward_ops_per_layer(model, setup, false);
  if (moe_layers > 0) forward += moe_layers * forward_ops_per_layer(model, setup, true);
  forward /= stages;

  // Backward: about two kernels per forward operator (the input gradient, and
  // the weight gradient or an element-wise product).
  double ops = 3 * forward;
  if (recomputes_layers(setup.grad_checkpointing)) ops += forward;
  // Embedding lookup and its backward, the final norm, the head GEMMs and the
  // cross-entropy with its fp32 casts, forward and backward.
  ops += 30;
  return ops;
}

double ops_per_optimizer_step(const ModelSpec& model, const TrainingSetup& setup) {
  const int64_t first_trainable =
      setup.method == Method::freeze ? model.layers - std::min(setup.trainable_layers, model.layers) : 0;
  double moe_layers = 0;
  for (int64_t layer = first_trainable; layer < model.layers; ++layer) moe_layers += is_moe_layer(model, layer) ? 1 : 0;
  const double dense_layers = static_cast<double>(model.layers - first_trainable) - moe_layers;
  double tensors = dense_layers * trainable_tensors_per_layer(model, setup, false);
  if (moe_layers > 0) tensors += moe_layers * trainable_tensors_per_layer(model, setup, true);
  if (setup.method == Method::full) tensors += 3;  // embeddings, final norm, head
  const double stages = static_cast<double>(std::max<int64_t>(setup.pipeline_parallel, 1));
  tensors /= stages;

  switch (setup.optimizer) {
    case Optimizer::adamw:
    case Optimizer::sgd:
    case Optimizer::sgd_momentum:
    case Optimizer::lion:
      switch (setup.optimizer_impl) {
        // A dozen multi-tensor kernels per group, plus gradient clipping's norms.
        case OptimizerImpl::foreach: return 24;
        // One fused update kernel per group, plus the clipping.
        case OptimizerImpl::fused: return 12;
        // AdamW's per-tensor loop: moment updates, sqrt, bias corrections,
        // epsilon, addcdiv and weight decay, about 12 kernels per tensor.
        case OptimizerImpl::for_loop: return 12 * tensors;
      }
      return 24;
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit:
    case Optimizer::paged_adamw_32bit:
      return 2 * tensors;  // bitsandbytes launches one update kernel per tensor, plus its bookkeeping
    case Optimizer::adafactor:
    case Optimizer::adafactor_momentum:
      return 15 * tensors;  // Transformers' Adafactor steps each tensor in Python
  }
  return 24;
}

}  // namespace gpuplan
