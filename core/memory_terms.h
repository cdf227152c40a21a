// Internal terms of the detailed memory method, one function per cost term.
// Shared by memory.cpp (assembly of the peak), memory_states.cpp (weights,
// gradients, optimizer) and memory_activations.cpp (saved tensors).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "breakdown.h"
#include "model.h"
#include "setup.h"

namespace gpuplan::memory_detail {

// One nn.Linear of a transformer layer, as PEFT's LoRA and bitsandbytes see it.
struct LinearModule {
  std::string key;     // q, k, v, o, gate, up, down, router, ...
  unsigned lora_bit;   // LoraTarget bit that selects it (0: never a target by name)
  int64_t in_features;
  int64_t out_features;
  int64_t count;       // copies per layer (routed experts)
};

// Linear modules of one layer (dense or MoE).
std::vector<LinearModule> layer_linears(const ModelSpec& model, bool moe_layer);

// Parameters that LoRA adds to one layer: rank * (in + out) per targeted linear.
int64_t lora_params_per_layer(const ModelSpec& model, bool moe_layer, int64_t rank, unsigned targets);

// Parameter counts by role for the setup, summed over the whole model.
struct ParamRoles {
  double total = 0;
  double trainable = 0;         // parameters with gradients and optimizer states
  double trainable_linear = 0;  // the part of trainable inside nn.Linear layers
  double frozen = 0;            // frozen parameters kept in 16 or 32 bits
  double frozen_linear = 0;     // the part of frozen inside nn.Linear layers (autocast copies)
  double frozen_in_layers = 0;  // the part of frozen inside the transformer layers (LoRA: the adapted layers)
  double quantized = 0;         // 4-bit base weights (QLoRA)
  double adapters = 0;          // LoRA A and B matrices (a part of trainable)
  double largest_layer = 0;     // parameters of the largest layer (ZeRO-3/FSDP gather unit)
  double largest_tensor = 0;    // parameters of the largest single weight
  double largest_layer_linear = 0;  // parameters of the largest nn.Linear inside a layer (what QLoRA quantizes)
};

ParamRoles param_roles(const ModelSpec& model, const TrainingSetup& setup, const ParamCounts& counts);

// Byte widths that follow from the precision mode.
double weight_bytes(Precision precision);      // storage of trainable weights
double frozen_weight_bytes(Precision precision);  // storage of frozen, non-quantized weights
double activation_bytes(Precision precision);  // saved activations
double gradient_bytes(Precision precision);    // .grad of trainable weights
bool uses_autocast(Precision precision);       // fp32 weights cast to 16 bits on use
bool has_master_weights(Precision precision);  // fp32 master copy inside the optimizer

// Bytes per trainable parameter of optimizer state (moments; master weights excluded).
double optimizer_state_bytes_per_param(Optimizer optimizer, Precision precision);
// Bytes per trainable parameter of temporaries allocated during optimizer.step().
double optimizer_step_temporary_bytes_per_param(Optimizer optimizer, Precision precision);

// Bits per quantized parameter, including the quantization constants.
double quantized_bits_per_param(Quant quant, bool double_quant);

// Activations saved for backward by one transformer layer (bytes, this GPU).
Term layer_activations(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer, bool layer_trainable);

// Working memory of one layer's backward beyond its saved tensors (gradient buffers).
double layer_backward_workspace_bytes(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer);

// Logits and cross-entropy buffers: saved at the end of forward, and the peak during the loss backward.
double logits_saved_bytes(const ModelSpec& model, const TrainingSetup& setup);
double logits_backward_peak_bytes(const ModelSpec& model, const TrainingSetup& setup);

// Tokens per micro-batch on this GPU (sequence parallelism splits them over tensor_parallel).
double tokens_per_micro_batch(const TrainingSetup& setup);

// Whether dropout layers are active in training (GPT-2 and BERT configurations use p = 0.1).
bool model_uses_dropout(const ModelSpec& model);

}  // namespace gpuplan::memory_detail
