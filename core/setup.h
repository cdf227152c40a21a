// The training setup: everything besides the model that decides memory, FLOPs
// and time. Field names are the URL keys and CLI flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "gpus.h"
#include "key_values.h"
#include "model.h"
#include "fields.h"
#include "precision.h"

namespace gpuplan {

enum class Method { full, lora, qlora, freeze };
enum class Optimizer {
  adamw,               // torch.optim.AdamW: two fp32 (or parameter-dtype) moments
  adamw_8bit,          // bitsandbytes AdamW8bit: two 8-bit moments, blockwise scales
  paged_adamw_8bit,    // bitsandbytes paged variant: same state, in unified memory
  paged_adamw_32bit,   // bitsandbytes paged AdamW with 32-bit moments
  sgd,                 // no state
  sgd_momentum,        // one momentum buffer
  adafactor,           // factored second moment, no momentum (Transformers Adafactor)
  adafactor_momentum,  // factored second moment plus a full first moment (beta1 set)
  lion,                // one momentum buffer
};
// full: Transformers' per-layer recompute; selective: Megatron's attention-only
// recompute; offload: per-layer recompute with the saved layer inputs in host memory (Unsloth).
enum class Checkpointing { off, full, selective, offload };
// Implementation of torch.optim's step over a parameter group: foreach
// (multi-tensor kernels over the group, the CUDA default), fused (one fused
// kernel, fused=True) or for_loop (one parameter at a time, as foreach=False
// and Transformers' old adamw_hf).
enum class OptimizerImpl { foreach, fused, for_loop };
enum class AttentionImpl { eager, sdpa, flash };
enum class Sharding { ddp, zero1, zero2, zero3, fsdp_no_shard, fsdp_shard_grad_op, fsdp_full_shard };
enum class Offload { none, optimizer, optimizer_and_params };
// 1f1b: micro-batches flow through the stages (Megatron, DeepSpeed pipelines; interleaved
// when virtual_stages > 1). sequential: the layers are split over the GPUs of one process
// (Transformers' device_map) and one micro-batch runs through them at a time.
enum class PipelineSchedule { one_f_one_b, sequential };
enum class Quant { nf4, fp4 };

// LoRA target modules as bits.
enum LoraTarget : unsigned {
  lora_q = 1u << 0,
  lora_k = 1u << 1,
  lora_v = 1u << 2,
  lora_o = 1u << 3,
  lora_gate = 1u << 4,
  lora_up = 1u << 5,
  lora_down = 1u << 6,
  lora_all_linear = (1u << 7) - 1,
};

struct TrainingSetup {
  Method method = Method::full;
  int64_t lora_rank = 16;
  unsigned lora_targets = lora_q | lora_v;  // PEFT's default for Llama-style models
  bool lora_train_embeddings = false;       // embeddings and LM head fully trained (modules_to_save)
  Quant quant = Quant::nf4;                 // QLoRA base-weight format
  bool double_quant = true;                 // bitsandbytes bnb_4bit_use_double_quant
  bool kbit_upcast = true;                  // PEFT prepare_model_for_kbit_training casts non-quantized params to fp32
  int64_t trainable_layers = 2;             // freeze: the last N transformer layers are trained

  Precision precision = Precision::amp_bf16;
  Optimizer optimizer = Optimizer::adamw;
  OptimizerImpl optimizer_impl = OptimizerImpl::foreach;  // torch optimizers only (adamw, sgd, lion)

  int64_t micro_batch = 1;
  int64_t seq_len = 2048;
  int64_t grad_accum = 1;
  // Batches padded to their longest sample, so tensor shapes change from step to step.
  // PyTorch's default caching allocator (no expandable_segments) then reserves more than
  // one step needs.
  bool variable_lengths = false;
  Checkpointing grad_checkpointing = Checkpointing::off;
  AttentionImpl attention = AttentionImpl::sdpa;
  bool fused_kernels = false;       // fused RMSNorm, SwiGLU and rotary kernels (Liger, Unsloth)
  bool fused_cross_entropy = false; // chunked or fused linear cross-entropy: no full logits tensor
  // torchtune's CEWithChunkedOutputLoss with its loss compiled: the full bf16 logits
  // exist as chunks, and only one chunk at a time is upcast to fp32.
  bool chunked_cross_entropy = false;
  bool legacy_loss = false;         // Transformers before 4.46: the model upcasts logits to fp32 and the loss shifts a copy
  bool optimizer_in_backward = false;
  // PyTorch 2.0 and later free gradients at zero_grad(); earlier releases zeroed them in place,
  // so a full gradient buffer stayed allocated through the next forward.
  bool zero_grad_set_to_none = true;  // torchtune optimizer_in_bwd: each gradient is applied and freed during backward

  int64_t num_gpus = 1;
  int64_t gpus_per_node = 8;
  Sharding sharding = Sharding::ddp;
  Offload offload = Offload::none;
  int64_t tensor_parallel = 1;
  int64_t pipeline_parallel = 1;
  int64_t virtual_stages = 1;  // model chunks per pipeline GPU (interleaved 1F1B when above 1)
  PipelineSchedule pipeline_schedule = PipelineSchedule::one_f_one_b;
  bool sequence_parallel = false;
  // FSDP with gradient accumulation: true reduce-scatters the gradients after every
  // micro-batch (torchtune, Composer, accelerate's sync_each_batch=True); false runs
  // the other micro-batches under no_sync(), so each GPU keeps the full unsharded
  // gradients until the last one (the Transformers Trainer and Lightning Fabric).
  bool sync_each_micro_batch = false;
  // FSDP1 with use_orig_params=True and a wrap unit that holds both LoRA adapters and
  // frozen weights (Lightning Fabric's default with a per-block wrap policy): the unit's
  // flat parameter requires grad, so the frozen weights get gradients too.
  bool fsdp_frozen_grads = false;
  // FSDP with the token embedding and the LM head wrapped as units of their own (torchtune's
  // custom_sharded_layers): they are gathered only while used, instead of staying unsharded in
  // the root unit from forward to the end of backward.
  bool fsdp_wrap_embeddings = false;

  // Hardware: a GPU from the table, optionally with custom figures.
  std::string gpu_id = "a100-80gb";
  std::optional<double> gpu_tflops;          // custom dense peak for every dtype, TFLOP/s
  std::optional<double> gpu_memory_gb;       // custom memory label, binary GB
  std::optional<double> gpu_bandwidth_tbps;  // custom memory bandwidth, TB/s
  // Device memory a process uses before its first tensor (CUDA context, cuBLAS
  // and cuDNN handles), MiB. Unset means the cuda_context_bytes constant.
  std::optional<double> cuda_context_mib;
  GpuSpec gpu;  // the row, with custom overrides applied
};

// Whether backward recomputes each layer's forward (full and offload checkpointing).
inline bool recomputes_layers(Checkpointing checkpointing) {
  return checkpointing == Checkpointing::full || checkpointing == Checkpointing::offload;
}

inline bool is_fsdp(Sharding sharding) {
  return sharding == Sharding::fsdp_no_shard || sharding == Sharding::fsdp_shard_grad_op ||
         sharding == Sharding::fsdp_full_shard;
}

// Whether FSDP keeps full unsharded gradients between micro-batches: accumulation
// under no_sync() with a sharding strategy that would otherwise reduce-scatter them.
inline bool accumulates_unsharded_gradients(const TrainingSetup& setup) {
  const bool sharded_gradients =
      setup.sharding == Sharding::fsdp_shard_grad_op || setup.sharding == Sharding::fsdp_full_shard;
  return sharded_gradients && setup.grad_accum > 1 && !setup.sync_each_micro_batch;
}

// Names of the enum values, as in URLs.
const char* method_name(Method method);
const char* optimizer_name(Optimizer optimizer);
const char* checkpointing_name(Checkpointing checkpointing);
const char* optimizer_impl_name(OptimizerImpl impl);
std::optional<OptimizerImpl> parse_optimizer_impl(const std::string& text);
const char* attention_impl_name(AttentionImpl attention);
const char* sharding_name(Sharding sharding);
const char* offload_name(Offload offload);
const char* pipeline_schedule_name(PipelineSchedule schedule);
const char* quant_name(Quant quant);
std::string lora_targets_text(unsigned targets);

// Reads the setup fields (see setup_fields()) from key/value text. The GPU is
// the table row of `gpu` with gpu_memory_gb, gpu_bandwidth_tbps and gpu_tflops
// overrides applied. Invalid values append errors and keep the default.
TrainingSetup read_setup(FieldReader& reader, FieldErrors& errors);

// Writes the setup back as key/value text (every field).
KeyValues setup_key_values(const TrainingSetup& setup);

// Parses "q,v" or "all-linear" into LoraTarget bits; returns nothing when a name is unknown.
std::optional<unsigned> parse_lora_targets(const std::string& text);

// Data-parallel degree: GPUs that hold a model replica (or shard group).
int64_t data_parallel_size(const TrainingSetup& setup);

}  // namespace gpuplan
