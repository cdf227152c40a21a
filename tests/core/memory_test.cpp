// Detailed memory method: a tiny model derived byte by byte, and properties
// that must hold for every model and setup.
#include <catch2/catch.hpp>

#include "gpus.h"
#include "memory.h"
#include "presets.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

// 2 layers, hidden 64, 4 heads of 16, MLP 128 (SwiGLU), vocabulary 256, untied.
// Parameters: embedding 256*64 = 16,384; per layer q,k,v,o 4*64*64 = 16,384,
// MLP 3*64*128 = 24,576, two norms 128, so 41,088 per layer and 82,176 for two;
// final norm 64; LM head 16,384. Total 115,008.
ModelSpec tiny_model() {
  ModelSpec model;
  model.id = "tiny";
  model.layers = 2;
  model.hidden = 64;
  model.heads = 4;
  model.kv_heads = 4;
  model.intermediate = 128;
  model.vocab = 256;
  model.max_positions = 512;
  return model;
}

TrainingSetup tiny_setup() {
  TrainingSetup setup;
  setup.method = Method::full;
  setup.precision = Precision::fp32;
  setup.optimizer = Optimizer::adamw;
  setup.micro_batch = 2;
  setup.seq_len = 8;
  setup.grad_accum = 1;
  setup.attention = AttentionImpl::sdpa;
  setup.gpu = *find_gpu("a100-80gb");
  setup.gpu_id = "a100-80gb";
  return setup;
}

// Value of a breakdown term, or -1 when the term is absent.
double term_value(const MemoryResult& memory, const std::string& path) {
  const Term* term = find_term(memory.peak, path);
  return term == nullptr ? -1 : term->value;
}

// The tiny model with SGD (no optimizer state) and micro-batch 16 (T = 128 tokens),
// so a backward moment is the peak.
TrainingSetup tiny_sgd_setup() {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;
  return setup;
}

// The SGD setup on 2 GPUs under FSDP full-shard, reducing gradients after every micro-batch.
TrainingSetup tiny_fsdp_setup(int64_t grad_accum) {
  TrainingSetup setup = tiny_sgd_setup();
  setup.grad_accum = grad_accum;
  setup.num_gpus = 2;
  setup.sharding = Sharding::fsdp_full_shard;
  setup.sync_each_micro_batch = true;
  return setup;
}

TrainingSetup preset_setup(Method method) {
  TrainingSetup setup = tiny_setup();
  setup.method = method;
  setup.precision = Precision::amp_bf16;
  setup.micro_batch = 4;
  setup.seq_len = 1024;
  return setup;
}

}  // namespace

TEST_CASE("tiny model parameter total", "[memory]") {
  CHECK(count_params(tiny_model()).total == 115008);
}

TEST_CASE("tiny model full fp32 by hand", "[memory]") {
  MemoryResult memory = estimate_memory(tiny_model(), tiny_setup());

  // Weights 4 * 115,008 = 460,032; AdamW moments 8 * 115,008 = 920,064.
  CHECK(term_value(memory, "weights") == 460032);
  CHECK(term_value(memory, "optimizer_states") == 920064);

  // Activations, T = 2 * 8 = 16 tokens, 4 bytes each (fp32):
  //   each RMSNorm: fp32 input 16*64*4 = 4,096 + rstd 16*4 = 64 + normalized 4,096 = 8,256
  //   attention: q/k/v input 4,096 + q, k, v, output 4 * 4,096 + log-sum-exp 4*2*4*8 = 256
  //              + o_proj input copy 4,096 = 24,832
  //   MLP: input 4,096 + gate, SiLU, up, down input 4 * 16*128*4 = 32,768 = 36,864
  //   one layer 8,256*2 + 24,832 + 36,864 = 78,208; two layers 156,416;
  //   LM head input 4,096; total 160,512.
  // Moments (bytes):
  //   end of forward: 1,380,096 + 160,512 + log-softmax output 4*16*256 = 16,384 -> 1,556,992
  //   loss backward: 1,380,096 + 160,512 + 12*16*256 = 49,152 -> 1,589,760
  //   layer backward: 1,380,096 + 160,512 + workspace (3*16*128*4 + 2*16*64*4 = 32,768)
  //                   + LM head gradient 16,384*4 = 65,536 -> 1,638,912
  //   optimizer step: weights + moments + gradients 460,032 + foreach sqrt temporary 460,032
  //                   -> 2,300,160, the peak.
  CHECK(memory.peak_phase == PeakPhase::optimizer_step);
  CHECK(memory.peak_allocated_bytes == 2300160);
  CHECK(term_value(memory, "gradients") == 460032);
  CHECK(term_value(memory, "temporary/optimizer_step") == 460032);
  // The allocator overhead (10%) applies to what the step allocates and frees:
  // gradients and the temporary, 920,064 bytes, not weights and moments.
  CHECK_THAT(memory.peak_reserved_bytes, WithinRel(2300160 + 0.10 * 920064, 1e-12));
  CHECK_THAT(memory.nvidia_smi_bytes, WithinRel(2300160 + 0.10 * 920064 + 512.0 * 1024 * 1024, 1e-12));
  CHECK(memory.fits);
}

TEST_CASE("tiny model activations by hand", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;  // no state, so a backward moment is the peak
  setup.micro_batch = 16;            // T = 128 tokens: 8 times the activations above
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  // Activations 8 * 160,512 = 1,284,096. Moments:
  //   loss backward: weights 460,032 + 1,284,096 + 12*128*256 = 393,216 -> 2,137,344 (peak)
  //   layer backward: 460,032 + 1,284,096 + workspace 8 * 32,768 + LM head gradient 65,536 = 2,071,808
  //   optimizer step: weights + gradients 920,064
  CHECK(memory.peak_phase == PeakPhase::backward);
  CHECK(term_value(memory, "activations") == 1284096);
  CHECK(term_value(memory, "activations/layers/attention") == 2 * 8 * 24832);
  CHECK(term_value(memory, "activations/layers/mlp") == 2 * 8 * 36864);
  CHECK(term_value(memory, "logits_and_loss") == 393216);
  CHECK(memory.peak_allocated_bytes == 2137344);
}

// Before PyTorch 2.0, zero_grad() zeroed the gradients in place, so the fp32
// gradients (460,032 bytes, as many as the weights) stay allocated through the
// next forward and backward. With the setup above:
//   loss backward: 2,137,344 + 460,032 = 2,597,376 (peak)
//   layer backward: 460,032 + 460,032 + 1,284,096 + 262,144 = 2,466,304
//     (the LM head gradient is part of the kept gradients)
TEST_CASE("tiny model gradients kept by zero_grad", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;
  setup.zero_grad_set_to_none = false;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  CHECK(memory.peak_phase == PeakPhase::backward);
  CHECK(term_value(memory, "gradients/gradients") == 460032);
  CHECK(memory.peak_allocated_bytes == 2597376);
}

// Variable-length batches on the activations setup above. The peak allocated is 2,137,344
// and the weights 460,032 stay, so a step allocates and frees 1,677,312. With the 10%
// overhead the run needs 2,137,344 + 167,731.2 = 2,305,075.2 reserved. The pool doubles the
// per-step part, 1,845,043.2 more, which the readings show and the fit leaves out.
TEST_CASE("tiny model variable-length cache", "[memory]") {
  TrainingSetup setup = tiny_sgd_setup();
  const MemoryResult fixed = estimate_memory(tiny_model(), setup);
  CHECK_THAT(fixed.peak_reserved_bytes, WithinRel(2305075.2, 1e-12));
  CHECK(fixed.required_bytes == fixed.nvidia_smi_bytes);

  setup.variable_lengths = true;
  const MemoryResult varying = estimate_memory(tiny_model(), setup);
  CHECK(varying.peak_allocated_bytes == 2137344);
  CHECK_THAT(term_value(varying, "variable_length_cache"), WithinRel(1845043.2, 1e-12));
  CHECK_THAT(varying.peak_reserved_bytes, WithinRel(2305075.2 + 1845043.2, 1e-12));
  CHECK_THAT(varying.nvidia_smi_bytes - varying.required_bytes, WithinRel(1845043.2, 1e-12));
  CHECK(varying.required_bytes == fixed.required_bytes);
  CHECK(varying.headroom_bytes == fixed.headroom_bytes);
  CHECK(varying.fits == fixed.fits);

  // The allocator frees its cache before it fails, so the pool stops at the GPU's memory.
  setup.gpu.visible_memory_bytes = fixed.required_bytes + 1000;
  const MemoryResult capped = estimate_memory(tiny_model(), setup);
  CHECK(capped.nvidia_smi_bytes == setup.gpu.visible_memory_bytes);
  CHECK(capped.fits);
}

// FSDP full-shard on 2 GPUs, gradient accumulation 4, SGD, fp32, micro-batch 16
// (activations 1,284,096 as above). Per GPU: weights 460,032 / 2 = 230,016; gathered
// layers 2 * 41,088 * 2 bytes = 164,352 plus the unsharded root (embedding and LM head,
// 32,768 * 2 bytes = 65,536), 229,888 in all.
//   Reduce-scatter after every micro-batch: the gradient shard 230,016 is carried.
//     loss backward 230,016 + 230,016 + 1,284,096 + 393,216 + 229,888 = 2,367,232
//     layer backward 230,016 + 230,016 + 1,284,096 + workspace 262,144 + 229,888
//                    + one unit's gradient 41,088 * 4 = 164,352 -> 2,400,512 (peak)
//   no_sync: the full fp32 gradient 460,032 is carried, the unit's gradient is part of it.
//     loss backward 230,016 + 460,032 + 1,284,096 + 393,216 + 229,888 = 2,597,248 (peak)
//     layer backward 230,016 + 460,032 + 1,284,096 + 262,144 + 229,888 = 2,466,176
TEST_CASE("tiny model FSDP no_sync accumulation", "[memory]") {
  TrainingSetup setup = tiny_fsdp_setup(4);
  MemoryResult synced = estimate_memory(tiny_model(), setup);
  CHECK(synced.peak_phase == PeakPhase::backward);
  CHECK(term_value(synced, "gradients/gradients") == 230016);
  CHECK(synced.peak_allocated_bytes == 2400512);

  setup.sync_each_micro_batch = false;
  MemoryResult unsynced = estimate_memory(tiny_model(), setup);
  CHECK(term_value(unsynced, "gradients/unsharded_gradients") == 460032);
  CHECK(unsynced.peak_allocated_bytes == 2597248);

  // One micro-batch per step never runs under no_sync.
  setup.grad_accum = 1;
  CHECK(term_value(estimate_memory(tiny_model(), setup), "gradients/unsharded_gradients") == -1);
}

// The same FSDP setup with one micro-batch per step. The peak is the first layer backward:
// weights 230,016 + activations 1,284,096 + workspace 262,144 + gathered 229,888 + one layer's
// gradient 164,352 + the LM head's unsharded gradient 16,384 * 4 = 65,536 -> 2,236,032.
// With the embedding and the head wrapped as units of their own, the root no longer keeps them
// gathered (65,536 less) and the head reduce-scatters its gradient before the layers' backward
// (65,536 less): 2,104,960. The layer stays the largest unit (41,088 > 16,384).
TEST_CASE("tiny model FSDP wrapped embeddings", "[memory]") {
  TrainingSetup setup = tiny_fsdp_setup(1);
  const MemoryResult root = estimate_memory(tiny_model(), setup);
  CHECK(root.peak_phase == PeakPhase::backward);
  CHECK(root.peak_allocated_bytes == 2236032);
  CHECK(term_value(root, "weights/gathered") == 229888);

  setup.fsdp_wrap_embeddings = true;
  const MemoryResult wrapped = estimate_memory(tiny_model(), setup);
  CHECK(wrapped.peak_allocated_bytes == 2104960);
  CHECK(term_value(wrapped, "weights/gathered") == 164352);
}

// CPU offload copies each reduced gradient shard to the host, so no gradient buffer persists on
// the GPU. At the optimizer step, which runs on the CPU, the GPU keeps none of the gradients.
TEST_CASE("tiny model offloaded gradients", "[memory]") {
  TrainingSetup setup = tiny_fsdp_setup(1);
  setup.offload = Offload::optimizer_and_params;
  const MemoryResult memory = estimate_memory(tiny_model(), setup);
  CHECK(memory.peak_phase == PeakPhase::backward);
  CHECK(term_value(memory, "gradients") == 0);
  // Host: fp32 gradients 115,008 * 4 / 2 = 230,016 and the offloaded weight shard 230,016 per GPU.
  CHECK(memory.host_memory_bytes == 460032);
}

// With one data-parallel rank, FSDP switches its sharded modes to NO_SHARD: two GPUs that hold
// one pipeline stage each estimate the same under full shard as under no shard.
TEST_CASE("one-rank FSDP shards nothing", "[memory]") {
  ModelSpec model = tiny_model();
  model.layers = 4;
  TrainingSetup setup = tiny_fsdp_setup(4);
  setup.pipeline_parallel = 2;
  setup.sync_each_micro_batch = false;
  const double full_shard = estimate_memory(model, setup).peak_allocated_bytes;
  setup.sharding = Sharding::fsdp_no_shard;
  CHECK(estimate_memory(model, setup).peak_allocated_bytes == full_shard);
}

// NCCL keeps 256 MiB of buffers per process where processes communicate: data-parallel
// replicas or a 1F1B pipeline, but not one process driving a device_map split.
TEST_CASE("NCCL buffers need communicating processes", "[memory]") {
  ModelSpec model = tiny_model();
  model.layers = 4;
  TrainingSetup setup = tiny_setup();
  CHECK(term_value(estimate_memory(model, setup), "nccl_buffers") == -1);
  setup.num_gpus = 2;
  CHECK(term_value(estimate_memory(model, setup), "nccl_buffers") == 256.0 * 1024 * 1024);
  setup.pipeline_parallel = 2;
  CHECK(term_value(estimate_memory(model, setup), "nccl_buffers") == 256.0 * 1024 * 1024);
  setup.pipeline_schedule = PipelineSchedule::sequential;
  CHECK(term_value(estimate_memory(model, setup), "nccl_buffers") == -1);
}

// LoRA rank 4 on q and v: 4 * (64 + 64) = 512 per module, 2,048 adapter parameters.
// The layers' frozen weights are 2 * 41,088 = 82,176. With use_orig_params units that
// mix both, FSDP keeps 16-bit gradients for the frozen weights too. Per GPU of 2, with
// gradients reduce-scattered each micro-batch: adapters 2,048 * 4 / 2 = 4,096 and frozen
// 82,176 * 2 / 2 = 82,176. Under no_sync: 2,048 * 4 + 82,176 * 2 = 172,544 unsharded.
TEST_CASE("tiny model FSDP frozen-weight gradients", "[memory]") {
  TrainingSetup setup = tiny_fsdp_setup(2);
  setup.method = Method::lora;
  setup.lora_rank = 4;
  setup.lora_targets = lora_q | lora_v;
  setup.precision = Precision::pure_bf16;
  MemoryResult isolated = estimate_memory(tiny_model(), setup);
  CHECK(isolated.peak_phase == PeakPhase::backward);
  CHECK(term_value(isolated, "gradients/gradients") == 4096);
  CHECK(term_value(isolated, "gradients/frozen_weight_gradients") == -1);

  setup.fsdp_frozen_grads = true;
  MemoryResult mixed = estimate_memory(tiny_model(), setup);
  CHECK(term_value(mixed, "gradients/gradients") == 4096);
  CHECK(term_value(mixed, "gradients/frozen_weight_gradients") == 82176);

  setup.sync_each_micro_batch = false;
  CHECK(term_value(estimate_memory(tiny_model(), setup), "gradients/unsharded_gradients") == 172544);

  // DDP has no flat parameters: the setting changes nothing.
  setup.sharding = Sharding::ddp;
  MemoryResult ddp = estimate_memory(tiny_model(), setup);
  setup.fsdp_frozen_grads = false;
  CHECK(ddp.peak_allocated_bytes == estimate_memory(tiny_model(), setup).peak_allocated_bytes);
}

// torchtune's compiled chunked loss keeps the 16-bit (here fp32, a = 4) logits
// and one chunk's fp32 softmax and gradient: a + 8/8 = 5 bytes per logit at the
// loss backward, against 12 for the standard loss. With a vocabulary of 4,096
// the logits dominate: T = 128 tokens, E = 128 * 4,096 = 524,288 logits.
// Parameters: embedding and head 2 * 4,096 * 64 = 524,288, layers 82,176,
// final norm 64: 606,528, so fp32 weights 2,426,112. Activations 1,284,096.
//   standard loss backward: 2,426,112 + 1,284,096 + 12 * 524,288 = 10,001,664
//   chunked loss backward:  2,426,112 + 1,284,096 +  5 * 524,288 =  6,331,648
//   layer backward: 2,426,112 + 1,284,096 + workspace 262,144
//                   + LM head gradient 4 * 262,144 = 5,020,928
TEST_CASE("tiny model chunked cross-entropy", "[memory]") {
  ModelSpec model = tiny_model();
  model.vocab = 4096;
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;

  MemoryResult standard = estimate_memory(model, setup);
  CHECK(term_value(standard, "logits_and_loss") == 12 * 524288);
  CHECK(standard.peak_allocated_bytes == 10001664);

  setup.chunked_cross_entropy = true;
  MemoryResult chunked = estimate_memory(model, setup);
  CHECK(chunked.peak_phase == PeakPhase::backward);
  CHECK(term_value(chunked, "logits_and_loss") == 5 * 524288);
  CHECK(chunked.peak_allocated_bytes == 6331648);
}

// The optimizer step of the full fp32 run above (weights, moments and
// gradients 1,840,128 bytes) with each torch.optim implementation:
//   foreach: one sqrt temporary of every moment, 4 * 115,008 = 460,032 -> 2,300,160
//   fused: updates in place, no temporary -> 1,840,128
//   for_loop: the temporary of the largest tensor, the embedding or LM head
//             (256 * 64 = 16,384 params): 4 * 16,384 = 65,536 -> 1,905,664
TEST_CASE("tiny model optimizer implementations", "[memory]") {
  struct Row {
    OptimizerImpl impl;
    double peak_bytes;
  };
  const Row rows[] = {
      {OptimizerImpl::foreach, 2300160},
      {OptimizerImpl::fused, 1840128},
      {OptimizerImpl::for_loop, 1905664},
  };
  for (const Row& row : rows) {
    CAPTURE(optimizer_impl_name(row.impl));
    TrainingSetup setup = tiny_setup();
    setup.optimizer_impl = row.impl;
    MemoryResult memory = estimate_memory(tiny_model(), setup);
    CHECK(memory.peak_phase == PeakPhase::optimizer_step);
    CHECK(memory.peak_allocated_bytes == row.peak_bytes);
  }
}

// A measured CUDA context replaces the 512 MiB constant in the nvidia-smi reading.
TEST_CASE("tiny model measured CUDA context", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.cuda_context_mib = 1343;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  CHECK(memory.cuda_context_bytes == 1343.0 * 1024 * 1024);
  CHECK_THAT(memory.nvidia_smi_bytes, WithinRel(2300160 + 0.10 * 920064 + 1343.0 * 1024 * 1024, 1e-12));
}

// QLoRA dequantizes one layer linear at a time. In Llama 3 8B the largest is
// the gate or up projection, 4,096 x 14,336 = 58,720,256 weights, 2 bytes each
// in bf16: 117,440,512 bytes. The 128,256 x 4,096 embedding is larger but
// stays unquantized.
TEST_CASE("qlora dequantizes largest layer linear", "[memory]") {
  TrainingSetup setup;
  setup.gpu = *find_gpu("a100-80gb");
  setup.method = Method::qlora;
  setup.micro_batch = 1;
  setup.seq_len = 1024;
  setup.fused_cross_entropy = true;  // so the peak is a layer backward, where the term appears
  MemoryResult memory = estimate_memory(*find_preset("llama-3.1-8b"), setup);
  const Term* dequantized = find_term(memory.peak, "temporary/dequantized_weight");
  REQUIRE(dequantized != nullptr);
  CHECK(dequantized->value == 117440512);
}

// The first pipeline GPU keeps activations of several micro-batches at once,
// counted in stages (layers / p). 8 layers, p = 4 (2 layers per GPU):
//   1F1B, m = 8: min(p, m) = 4 stages, as many layer-activations as the whole
//     model saves for one micro-batch without a pipeline.
//   interleaved, v = 2, m = 8: 2 (p - 1) + (v - 1) p + 1 = 11 chunk forwards of
//     one layer each before the first backward, 11 / 2 = 5.5 stages,
//     the 1 + (p - 1) / (p v) = 1.375 of Korthikanti et al. 2022, section 4.2.3.
//   interleaved, v = 2, m = p = 4: all m v = 8 chunk forwards run first, 4 stages.
TEST_CASE("pipeline micro-batches in flight", "[memory]") {
  ModelSpec model = tiny_model();
  model.layers = 8;
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;  // no state, so a backward moment is the peak
  setup.micro_batch = 16;
  const double one_micro_batch = term_value(estimate_memory(model, setup), "activations/layers");
  REQUIRE(one_micro_batch > 0);
  struct Row {
    int64_t virtual_stages;
    int64_t grad_accum;
    double stages;
  };
  const Row rows[] = {{1, 8, 4}, {2, 8, 5.5}, {2, 4, 4}, {1, 2, 2}};
  for (const Row& row : rows) {
    CAPTURE(row.virtual_stages, row.grad_accum);
    setup.num_gpus = 4;
    setup.pipeline_parallel = 4;
    setup.virtual_stages = row.virtual_stages;
    setup.grad_accum = row.grad_accum;
    CHECK_THAT(term_value(estimate_memory(model, setup), "activations/layers"),
               WithinRel(one_micro_batch * row.stages / 4, 1e-12));
  }
  // A sequential device_map split keeps one micro-batch at a time, so a stage stores a quarter of the layers' share.
  setup.virtual_stages = 1;
  setup.grad_accum = 8;
  setup.pipeline_schedule = PipelineSchedule::sequential;
  CHECK_THAT(term_value(estimate_memory(model, setup), "activations/layers"), WithinRel(one_micro_batch / 4, 1e-12));
}

TEST_CASE("tiny model flash attention saves less", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;
  setup.attention = AttentionImpl::flash;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  // Flash returns [B, S, heads, d], so o_proj reads the saved output without a copy:
  // 4,096 * 8 bytes less per layer than sdpa.
  CHECK(term_value(memory, "activations/layers/attention") == 2 * 8 * (24832 - 4096));
}

TEST_CASE("tiny model eager attention scores", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;
  setup.attention = AttentionImpl::eager;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  // Eager, fp32, T = 128: q/k/v input 32,768 + q, k, v 3 * 32,768 + fp32 softmax output
  // 4*16*4*8*8 = 16,384 + o_proj copy 32,768 = 180,224 per layer (fp32 needs no 16-bit
  // copy of the probabilities and eager has no log-sum-exp).
  CHECK(term_value(memory, "activations/layers/attention") == 2 * 180224);
  // One [16, 1, 8, 8] causal mask in fp32: 4,096 bytes.
  CHECK(term_value(memory, "activations/model_level/causal_mask") == 4096);
}

TEST_CASE("tiny model checkpointing keeps layer inputs", "[memory]") {
  TrainingSetup setup = tiny_setup();
  setup.optimizer = Optimizer::sgd;
  setup.micro_batch = 16;
  setup.grad_checkpointing = Checkpointing::full;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  // Saved: each layer's input 128*64*4 = 32,768, two layers, plus the LM head input: 98,304.
  CHECK(term_value(memory, "activations") == 98304);
  // Layer backward recomputes one layer (8 * 78,208 = 625,664) beside workspace 262,144
  // and the LM head gradient: 460,032 + 98,304 + 625,664 + 262,144 + 65,536 = 1,511,680.
  CHECK(memory.peak_allocated_bytes == 1511680);
  CHECK(term_value(memory, "temporary/recomputed_layer") == 625664);
}

// Under AMP the weights stay fp32, so the embedding's output and the residual stream after it
// are fp32 (a 16-bit layer output added to them promotes to fp32): each checkpointed layer
// input is 128*64*4 = 32,768 bytes although activations are 16-bit. The LM head saves its
// autocast bf16 input, 128*64*2 = 16,384. In pure bf16 the layer inputs are 16,384 each.
TEST_CASE("tiny model AMP fp32 residual stream", "[memory]") {
  TrainingSetup setup = tiny_sgd_setup();
  setup.grad_checkpointing = Checkpointing::full;
  setup.precision = Precision::amp_bf16;
  MemoryResult amp = estimate_memory(tiny_model(), setup);
  CHECK(term_value(amp, "activations/layers/checkpointed_input") == 2 * 32768);
  CHECK(term_value(amp, "activations/model_level/lm_head_input") == 16384);

  setup.precision = Precision::pure_bf16;
  MemoryResult pure = estimate_memory(tiny_model(), setup);
  CHECK(term_value(pure, "activations/layers/checkpointed_input") == 2 * 16384);
}

// Autocast saves a bf16 copy of each fp32 weight for the input gradient. Under checkpointing
// the layers' copies live one layer at a time, but the LM head is outside the checkpointed
// layers. LoRA under AMP on the tiny model (fp32 frozen base): one layer's linears
// 16,384 + 24,576 = 40,960 and the head 16,384, 2 bytes each: 2 * 57,344 = 114,688.
TEST_CASE("tiny model autocast copy of the head", "[memory]") {
  TrainingSetup setup = tiny_sgd_setup();
  setup.method = Method::lora;
  setup.precision = Precision::amp_bf16;
  setup.grad_checkpointing = Checkpointing::full;
  MemoryResult memory = estimate_memory(tiny_model(), setup);
  REQUIRE(memory.peak_phase != PeakPhase::optimizer_step);
  CHECK(term_value(memory, "weights/autocast_copies") == 114688);
}

TEST_CASE("qlora weights by hand", "[memory]") {
  // Llama-2-7B: 32 layers of 4 attention matrices 4096x4096 and 3 MLP matrices
  // 4096x11008 are quantized: 32 * (4*16,777,216 + 3*45,088,768) = 6,476,005,376 parameters.
  const ModelSpec* model = find_preset("llama-2-7b");
  REQUIRE(model != nullptr);
  TrainingSetup setup = preset_setup(Method::qlora);
  setup.double_quant = true;
  MemoryResult memory = estimate_memory(*model, setup);
  // NF4 with double quantization: 4 + 8/64 + 32/(64*256) = 4.126953125 bits per parameter.
  CHECK_THAT(term_value(memory, "weights/quantized"),
             WithinRel(6476005376.0 * 4.126953125 / 8, 1e-12));
  // Embedding and LM head 2 * 32000*4096 plus 65 norms of 4096 stay unquantized, cast to fp32.
  CHECK_THAT(term_value(memory, "weights/frozen"),
             WithinRel((2.0 * 32000 * 4096 + 65 * 4096) * 4, 1e-12));

  setup.double_quant = false;
  memory = estimate_memory(*model, setup);
  // Without double quantization: 4.5 bits per parameter.
  CHECK_THAT(term_value(memory, "weights/quantized"), WithinRel(6476005376.0 * 4.5 / 8, 1e-12));
}

TEST_CASE("lora adapters by hand", "[memory]") {
  const ModelSpec* model = find_preset("llama-2-7b");
  REQUIRE(model != nullptr);
  TrainingSetup setup = preset_setup(Method::lora);
  setup.lora_rank = 8;
  setup.lora_targets = lora_q | lora_v;
  MemoryResult memory = estimate_memory(*model, setup);
  // q and v: 8 * (4096 + 4096) each, 2 per layer, 32 layers = 4,194,304 adapter parameters.
  CHECK(memory.trainable_params == 4194304);
  // fp32 adapters: weights 4 bytes, AdamW moments 8 bytes per parameter.
  CHECK(term_value(memory, "weights/trainable") == 4194304.0 * 4);
  CHECK(term_value(memory, "optimizer_states") == 4194304.0 * 8);
}

TEST_CASE("memory grows with batch, length, rank", "[memory]") {
  for (const char* id : {"gpt2", "llama-3.2-1b", "qwen2.5-7b", "mixtral-8x7b"}) {
    const ModelSpec* model = find_preset(id);
    REQUIRE(model != nullptr);
    for (Method method : {Method::full, Method::lora, Method::qlora, Method::freeze}) {
      CAPTURE(id, method_name(method));
      TrainingSetup setup = preset_setup(method);
      double previous = 0;
      for (int64_t micro_batch : {1, 2, 3, 8, 16}) {
        setup.micro_batch = micro_batch;
        double bytes = estimate_memory(*model, setup).peak_allocated_bytes;
        CHECK(bytes >= previous);
        previous = bytes;
      }
      setup.micro_batch = 2;
      previous = 0;
      for (int64_t seq_len : {128, 512, 1000, 4096}) {
        setup.seq_len = seq_len;
        double bytes = estimate_memory(*model, setup).peak_allocated_bytes;
        CHECK(bytes >= previous);
        previous = bytes;
      }
      if (method == Method::lora || method == Method::qlora) {
        previous = 0;
        for (int64_t rank : {1, 8, 64, 256}) {
          setup.lora_rank = rank;
          double bytes = estimate_memory(*model, setup).peak_allocated_bytes;
          CHECK(bytes >= previous);
          previous = bytes;
        }
      }
    }
  }
}

TEST_CASE("zero stages order per GPU", "[memory]") {
  for (const char* id : {"llama-3-8b", "qwen2.5-0.5b", "llama-2-70b"}) {
    const ModelSpec* model = find_preset(id);
    REQUIRE(model != nullptr);
    for (Precision precision : {Precision::mixed_bf16, Precision::amp_bf16, Precision::pure_bf16}) {
      CAPTURE(id, precision_name(precision));
      TrainingSetup setup = preset_setup(Method::full);
      setup.precision = precision;
      setup.num_gpus = 8;
      double previous = 1e300;
      for (Sharding sharding : {Sharding::ddp, Sharding::zero1, Sharding::zero2, Sharding::zero3}) {
        setup.sharding = sharding;
        double bytes = estimate_memory(*model, setup).peak_allocated_bytes;
        CAPTURE(sharding_name(sharding));
        CHECK(bytes <= previous);
        previous = bytes;
      }
    }
  }
}

TEST_CASE("savers never raise memory", "[memory]") {
  for (const char* id : {"gpt2", "llama-3-8b", "qwen3-30b-a3b"}) {
    const ModelSpec* model = find_preset(id);
    REQUIRE(model != nullptr);
    for (Method method : {Method::full, Method::lora, Method::qlora}) {
      CAPTURE(id, method_name(method));
      TrainingSetup setup = preset_setup(method);
      double eager = estimate_memory(*model, setup).peak_allocated_bytes;
      setup.attention = AttentionImpl::flash;
      double flash = estimate_memory(*model, setup).peak_allocated_bytes;
      CHECK(flash <= eager);
      setup.grad_checkpointing = Checkpointing::full;
      double checkpointed = estimate_memory(*model, setup).peak_allocated_bytes;
      CHECK(checkpointed <= flash);
      setup.fused_cross_entropy = true;
      CHECK(estimate_memory(*model, setup).peak_allocated_bytes <= checkpointed);
    }
  }
}

TEST_CASE("per-micro-batch reduce-scatter never raises memory", "[memory]") {
  for (const ModelSpec& model : presets()) {
    for (Method method : {Method::full, Method::lora}) {
      for (Sharding sharding : {Sharding::fsdp_shard_grad_op, Sharding::fsdp_full_shard}) {
        CAPTURE(model.id, method_name(method), sharding_name(sharding));
        TrainingSetup setup = preset_setup(method);
        setup.num_gpus = 8;
        setup.sharding = sharding;
        setup.grad_accum = 4;
        setup.fsdp_frozen_grads = true;
        const double unsynced = estimate_memory(model, setup).peak_allocated_bytes;
        setup.sync_each_micro_batch = true;
        const double synced = estimate_memory(model, setup).peak_allocated_bytes;
        CHECK(synced <= unsynced);
        setup.fsdp_frozen_grads = false;
        CHECK(estimate_memory(model, setup).peak_allocated_bytes <= synced);
      }
    }
  }
}

TEST_CASE("lora below full, qlora below lora", "[memory]") {
  for (const ModelSpec& model : presets()) {
    CAPTURE(model.id);
    double full = estimate_memory(model, preset_setup(Method::full)).peak_allocated_bytes;
    double lora = estimate_memory(model, preset_setup(Method::lora)).peak_allocated_bytes;
    CHECK(lora <= full);
    if (count_params(model).total > 1000000000) {
      double qlora = estimate_memory(model, preset_setup(Method::qlora)).peak_allocated_bytes;
      CHECK(qlora <= lora);
    }
  }
}

TEST_CASE("breakdown leaves sum to totals", "[memory]") {
  for (const ModelSpec& model : presets()) {
    for (Method method : {Method::full, Method::lora, Method::qlora, Method::freeze}) {
      CAPTURE(model.id, method_name(method));
      MemoryResult memory = estimate_memory(model, preset_setup(method));
      double allocated_children = 0;
      for (const Term& child : memory.peak.children) {
        if (child.key != "allocator_overhead" && child.key != "cuda_context" && child.key != "paged_optimizer_states") {
          allocated_children += child.value;
        }
      }
      CHECK_THAT(allocated_children, WithinRel(memory.peak_allocated_bytes, 1e-9));
      CHECK_THAT(memory.peak.value, WithinRel(memory.nvidia_smi_bytes, 1e-9));
      CHECK(std::isfinite(memory.nvidia_smi_bytes));
      CHECK(memory.peak_allocated_bytes > 0);
    }
  }
}

TEST_CASE("largest fitting batch is consistent", "[memory]") {
  const ModelSpec* model = find_preset("llama-3-8b");
  REQUIRE(model != nullptr);
  TrainingSetup setup = preset_setup(Method::qlora);
  setup.seq_len = 2048;
  int64_t largest = max_micro_batch_that_fits(*model, setup);
  REQUIRE(largest > 0);
  setup.micro_batch = largest;
  CHECK(estimate_memory(*model, setup).fits);
  setup.micro_batch = largest + 1;
  CHECK_FALSE(estimate_memory(*model, setup).fits);
}
