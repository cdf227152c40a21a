// CPU-side cost of eager PyTorch training: every operator goes through
// Python, the dispatcher, autograd and a kernel launch before the GPU runs it.
// The CPU queues kernels ahead of the GPU, so this cost only shows when the
// kernels are shorter than their dispatch: small models, short sequences and
// micro-batch 1 on fast GPUs.
#pragma once

#include "model.h"
#include "setup.h"

namespace gpuplan {

// Operators (kernels launched through PyTorch) of one layer's forward pass in
// Transformers' eager modules, for the layer's attention, MLP, norms and
// adapters, with autocast casts where the precision autocasts.
double forward_ops_per_layer(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer);

// Operators of one micro-batch on one pipeline stage: forward, backward (about
// two kernels per forward operator) and recomputation, plus the embedding,
// final norm, head and loss.
double ops_per_micro_batch(const ModelSpec& model, const TrainingSetup& setup);

// Operators of one optimizer.step(): torch's foreach and fused implementations
// launch a fixed handful per parameter group, while the for-loop
// implementation, bitsandbytes and Transformers' Adafactor loop over the
// parameter tensors.
double ops_per_optimizer_step(const ModelSpec& model, const TrainingSetup& setup);

}  // namespace gpuplan
