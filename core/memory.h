// The detailed memory method: per-GPU peak memory of a fine-tuning step,
// derived from what PyTorch, Transformers, PEFT, bitsandbytes, DeepSpeed and
// FSDP allocate. Every framework constant comes from framework_constants().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "breakdown.h"
#include "model.h"
#include "setup.h"

namespace gpuplan {

enum class PeakPhase { forward_end, backward, optimizer_step };
const char* peak_phase_name(PeakPhase phase);

// A property of a framework that the estimate depends on, with its source.
struct FrameworkConstant {
  std::string key;
  double value = 0;
  std::string unit;
  std::string description;  // empty in the WebAssembly build (NATIVE_TEXT)
  std::string source;
};

// The reviewed table of framework constants (CUDA context, allocator overhead, buffers).
const std::vector<FrameworkConstant>& framework_constants();
double framework_constant(std::string_view key);

struct MemoryResult {
  // Per-GPU breakdown at the peak, bytes. Top-level children:
  // weights, gradients, optimizer, activations, logits_and_loss, temporary, (context is separate).
  Term peak;
  PeakPhase peak_phase = PeakPhase::backward;

  double peak_allocated_bytes = 0;  // torch.cuda.max_memory_allocated()
  double peak_reserved_bytes = 0;   // torch.cuda.max_memory_reserved()
  double cuda_context_bytes = 0;    // CUDA context, cuBLAS/cuDNN workspaces, NCCL buffers
  double nvidia_smi_bytes = 0;      // reserved + context: what nvidia-smi shows for the process
  // Memory the run needs: nvidia_smi_bytes less the cache that variable-length batches leave
  // in the pool, because the allocator frees that cache and retries before it runs out.
  double required_bytes = 0;

  double gpu_usable_bytes = 0;      // memory CUDA reports for the GPU
  bool fits = false;                // required_bytes less paged optimizer states <= gpu_usable_bytes
  double headroom_bytes = 0;        // usable - required (negative when it does not fit)

  double host_memory_bytes = 0;     // CPU RAM for offloaded states (0 without offload)

  // Trainable and frozen parameter counts on this setup.
  double trainable_params = 0;
  double frozen_params = 0;
};

MemoryResult estimate_memory(const ModelSpec& model, const TrainingSetup& setup);
// The same with count_params(model) computed beforehand, for callers that
// estimate one model many times (the planner, the max-fit searches).
MemoryResult estimate_memory(const ModelSpec& model, const TrainingSetup& setup, const ParamCounts& counts);

// Saved activations of one layer (dense or MoE) on this setup, by tensor.
Term memory_detail_layer_activations(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer);

// Largest micro-batch (1..max_micro_batch) and longest seq_len (multiples of 128
// up to the model's max positions) that still fit; 0 when even the smallest does not.
int64_t max_micro_batch_that_fits(const ModelSpec& model, const TrainingSetup& setup, int64_t max_micro_batch = 4096);
int64_t max_seq_len_that_fits(const ModelSpec& model, const TrainingSetup& setup);

}  // namespace gpuplan
