// Fuzz target for the planner. The bytes choose a small plan request: a
// preset or a small custom model, method, precision, optimizer, sequence
// length, global batch, a GPU shortlist, shardings, offload and limits. GPU
// counts stay at or below 16 and the global batch at or below 256, so one
// input runs in milliseconds. The Catch2 tests cover the request limits.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_check.h"
#include "gpus.h"
#include "memory.h"
#include "planner.h"
#include "presets.h"

namespace {

using namespace gpuplan;

template <typename T, size_t N>
T pick(FuzzedDataProvider& input, const T (&choices)[N]) {
  return choices[input.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

ModelSpec custom_model(FuzzedDataProvider& input) {
  ModelSpec spec;
  spec.id = "custom";
  spec.layers = input.ConsumeIntegralInRange<int64_t>(0, 64);
  spec.heads = input.ConsumeIntegralInRange<int64_t>(0, 64);
  spec.kv_heads = input.ConsumeIntegralInRange<int64_t>(0, 64);
  spec.hidden = spec.heads * input.ConsumeIntegralInRange<int64_t>(0, 128);
  spec.intermediate = input.ConsumeIntegralInRange<int64_t>(0, 16384);
  spec.vocab = input.ConsumeIntegralInRange<int64_t>(0, 200000);
  spec.max_positions = input.ConsumeIntegralInRange<int64_t>(0, 1 << 20);
  spec.tied_embeddings = input.ConsumeBool();
  if (input.ConsumeBool()) {
    spec.experts = input.ConsumeIntegralInRange<int64_t>(0, 64);
    spec.experts_per_token = input.ConsumeIntegralInRange<int64_t>(0, 8);
    spec.expert_intermediate = input.ConsumeIntegralInRange<int64_t>(0, 4096);
    spec.shared_experts = input.ConsumeIntegralInRange<int64_t>(0, 2);
    spec.first_dense_layers = input.ConsumeIntegralInRange<int64_t>(0, 4);
    spec.moe_layer_interval = input.ConsumeIntegralInRange<int64_t>(0, 3);
  }
  return spec;
}

// The candidate's setup as text, for the failure report.
std::string describe(const ModelSpec& model, const PlanCandidate& candidate) {
  const TrainingSetup& setup = candidate.setup;
  return model.name + " on " + std::to_string(setup.num_gpus) + "x " + setup.gpu_id + ", method " +
         method_name(setup.method) + ", precision " + precision_name(setup.precision) + ", optimizer " +
         optimizer_name(setup.optimizer) + ", sharding " + sharding_name(setup.sharding) + ", offload " +
         offload_name(setup.offload) + ", tp " + std::to_string(setup.tensor_parallel) + ", pp " +
         std::to_string(setup.pipeline_parallel) + ", micro_batch " + std::to_string(setup.micro_batch) +
         ", grad_accum " + std::to_string(setup.grad_accum) + ", seq_len " + std::to_string(setup.seq_len) +
         ", checkpointing " + checkpointing_name(setup.grad_checkpointing) + ", attention " +
         attention_impl_name(setup.attention) + ": peak " + std::to_string(candidate.peak_memory_bytes) +
         " of " + std::to_string(candidate.gpu_usable_bytes) + " bytes, step " +
         std::to_string(candidate.step_time_s) + " s";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);

  const std::vector<ModelSpec>& table = presets();
  const size_t model_choice = input.ConsumeIntegralInRange<size_t>(0, table.size());
  const ModelSpec model = model_choice < table.size() ? table[model_choice] : custom_model(input);

  PlanRequest request;
  static const Method kMethods[] = {Method::full, Method::lora, Method::qlora, Method::freeze};
  static const Precision kPrecisions[] = {Precision::fp32,      Precision::amp_fp16,  Precision::amp_bf16,
                                          Precision::pure_fp16, Precision::pure_bf16, Precision::mixed_fp16,
                                          Precision::mixed_bf16};
  static const Optimizer kOptimizers[] = {Optimizer::adamw, Optimizer::adamw_8bit,   Optimizer::paged_adamw_8bit,
                                          Optimizer::paged_adamw_32bit, Optimizer::sgd, Optimizer::sgd_momentum,
                                          Optimizer::adafactor, Optimizer::adafactor_momentum, Optimizer::lion};
  static const AttentionImpl kAttention[] = {AttentionImpl::eager, AttentionImpl::sdpa, AttentionImpl::flash};
  static const Sharding kShardings[] = {Sharding::ddp,           Sharding::zero1,
                                        Sharding::zero2,         Sharding::zero3,
                                        Sharding::fsdp_no_shard, Sharding::fsdp_shard_grad_op,
                                        Sharding::fsdp_full_shard};

  request.base.method = pick(input, kMethods);
  request.base.lora_rank = input.ConsumeIntegralInRange<int64_t>(1, 256);
  request.base.lora_targets = input.ConsumeIntegralInRange<unsigned>(1, lora_all_linear);
  request.base.trainable_layers = input.ConsumeIntegralInRange<int64_t>(1, 8);
  request.base.precision = pick(input, kPrecisions);
  request.base.optimizer = pick(input, kOptimizers);
  request.base.attention = pick(input, kAttention);
  request.base.seq_len = input.ConsumeIntegralInRange<int64_t>(1, 32768);
  request.base.gpus_per_node = input.ConsumeIntegralInRange<int64_t>(1, 8);
  request.base.sequence_parallel = input.ConsumeBool();
  request.base.fused_cross_entropy = input.ConsumeBool();
  request.base.gpu = *find_gpu(request.base.gpu_id);

  const std::vector<std::string> ids = gpu_ids();
  const size_t shortlist = input.ConsumeIntegralInRange<size_t>(0, 3);
  for (size_t i = 0; i < shortlist; ++i) {
    request.gpu_ids.push_back(ids[input.ConsumeIntegralInRange<size_t>(0, ids.size() - 1)]);
  }
  request.max_gpus = input.ConsumeIntegralInRange<int64_t>(0, 16);
  request.global_batch = input.ConsumeIntegralInRange<int64_t>(0, 256);
  request.shardings.clear();
  for (Sharding sharding : kShardings) {
    if (input.ConsumeBool()) request.shardings.push_back(sharding);
  }
  request.allow_offload = input.ConsumeBool();
  if (input.ConsumeBool()) request.dataset.dataset_tokens = input.ConsumeFloatingPointInRange<double>(0, 1e12);
  if (input.ConsumeBool()) request.budget_usd = input.ConsumeFloatingPointInRange<double>(0, 1e6);
  if (input.ConsumeBool()) request.deadline_hours = input.ConsumeFloatingPointInRange<double>(0, 1e4);
  request.time.comm_overlap = input.ConsumeProbability<double>();
  request.time.pipeline_microbatches = input.ConsumeIntegralInRange<int64_t>(0, 64);
  request.max_results = input.ConsumeIntegralInRange<size_t>(0, 20);

  const PlanResult result = plan_training(model, request);
  if (result.ok != result.errors.empty()) gpuplan_fuzz::fail("plan ok flag disagrees with its errors", model.name);
  for (const PlanCandidate& candidate : result.by_time) {
    // fits, not peak <= usable: paged optimizer states may spill to host memory.
    if (!estimate_memory(model, candidate.setup).fits) {
      gpuplan_fuzz::fail("planner returned a setup that does not fit", describe(model, candidate));
    }
    if (candidate.setup.micro_batch * candidate.setup.grad_accum * replica_count(candidate.setup) !=
        request.global_batch) {
      gpuplan_fuzz::fail("planner changed the global batch", describe(model, candidate));
    }
    if (!std::isfinite(candidate.step_time_s) || candidate.step_time_s <= 0) {
      gpuplan_fuzz::fail("planner returned a step time that is not positive and finite",
                        describe(model, candidate));
    }
  }
  return 0;
}
