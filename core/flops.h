// The detailed FLOPs model: matrix-multiplication work of one optimizer step,
// split by phase (forward, activation-gradient and weight-gradient GEMMs,
// recomputation, optimizer) and by GEMM class.
//
// Conventions:
// - A GEMM of (m x k) by (k x n) costs 2·m·n·k FLOPs (one multiply-add = 2 FLOPs).
// - The backward pass of a linear layer is two GEMMs of the forward's size: the
//   activation gradient (dX = dY·W) and the weight gradient (dW = dYᵀ·X).
//   Frozen weights (LoRA, QLoRA, freeze) skip the weight-gradient GEMM.
// - Element-wise work (norms, activations, softmax, rotary) is not counted as
//   FLOPs. The time model charges it as memory traffic instead. The optimizer
//   update has its own term.
#pragma once

#include <cstdint>
#include <vector>

#include "breakdown.h"
#include "model.h"
#include "setup.h"

namespace gpuplan {

// Choices that change how attention FLOPs are counted.
struct FlopsOptions {
  // Counts half of the s×s score and value products for causal (decoder)
  // attention, because the masked half is never needed and causal FlashAttention
  // kernels skip its blocks. false counts the full matrix, as PaLM (Chowdhery
  // et al. 2022, appendix B) and Narayanan et al. 2021 (eq. 3) do. Encoders
  // always count the full matrix.
  bool causal_half = true;
  // count_params(model) computed beforehand, for callers that estimate the
  // same model many times (the planner); nullptr counts them here.
  const ParamCounts* params = nullptr;
  // false leaves FlopsResult::step empty and computes only the totals, with
  // the same sums in the same order; the planner reads nothing else.
  bool breakdown = true;
};

// One class of GEMMs with the shape that decides its achievable efficiency.
// FLOPs are per micro-batch for one model replica (before tensor or pipeline
// splitting). m is the token dimension of one GEMM, n and k its two feature
// dimensions before tensor parallelism.
struct GemmClass {
  const char* key = "";  // "attention_linear", "mlp", "lm_head", ...
  double forward = 0;
  double activation_grad = 0;
  double weight_grad = 0;
  double recompute = 0;  // gradient checkpointing and FlashAttention's backward recomputation
  double m = 0;
  double n = 0;
  double k = 0;
  bool attention_core = false;  // the s×s score or value product (a fused kernel under flash/sdpa)
  bool splits_with_tensor_parallel = true;

  double total() const { return forward + activation_grad + weight_grad + recompute; }
};

struct FlopsResult {
  // Per optimizer step over all GPUs. Children: forward, backward
  // {activation_grad, weight_grad}, recompute (absent when zero) and optimizer;
  // each phase node has one child per GEMM class.
  Term step;

  double tokens_per_step = 0;     // micro_batch × seq_len × grad_accum × data-parallel size
  double micro_batches_per_step = 0;  // grad_accum × data-parallel size

  // Model FLOPs: forward plus backward without any recomputation, the numerator
  // of MFU as PaLM (Chowdhery et al. 2022, appendix B) and Narayanan et al. 2021
  // (section 5.1) define it. Frozen weights contribute no weight-gradient GEMM.
  double model_flops = 0;
  // Hardware FLOPs: model FLOPs plus recomputation (gradient checkpointing and
  // FlashAttention's score recomputation); the numerator of hardware FLOPs utilization.
  double hardware_flops = 0;
  double optimizer_flops = 0;  // element-wise optimizer arithmetic, once per trainable parameter
  double total_flops = 0;      // hardware_flops + optimizer_flops (the value of step)

  double model_flops_per_token = 0;
  ParamCounts params;           // parameter counts of the model
  double trainable_params = 0;  // parameters that receive gradients and optimizer updates

  // Per micro-batch, one replica: the GEMM classes the time model prices.
  std::vector<GemmClass> classes;
};

FlopsResult estimate_flops(const ModelSpec& model, const TrainingSetup& setup,
                           const FlopsOptions& options = {});

// Element-wise FLOPs per trainable parameter of one optimizer update, counted
// from the update rule of each optimizer (see the table in flops.cpp).
double optimizer_flops_per_param(Optimizer optimizer);

// Parameters the method trains: every parameter for full fine-tuning, the
// adapters (plus embeddings and LM head when they are trained) for LoRA and
// QLoRA, the last trainable_layers layers for freeze.
double trainable_param_count(const ModelSpec& model, const TrainingSetup& setup);

// Data-parallel degree: num_gpus / (tensor_parallel × pipeline_parallel), at least 1.
int64_t replica_count(const TrainingSetup& setup);

}  // namespace gpuplan
