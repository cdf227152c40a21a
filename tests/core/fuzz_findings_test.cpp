// Regression tests for what fuzzing found (tools/fuzz.sh, docs/reliability.md).
#include <catch2/catch.hpp>

#include "gpus.h"
#include "memory.h"
#include "planner.h"
#include "presets.h"

using namespace gpuplan;

namespace {

// Llama 2 7B, LoRA with the embeddings and LM head trained, and bitsandbytes
// paged 32-bit AdamW, whose states live in unified memory, on a V100 32GB, at
// a sequence length that brings the rest of the memory close to the limit.
TrainingSetup paged_setup() {
  TrainingSetup setup;
  setup.gpu_id = "v100-32gb";
  setup.gpu = *find_gpu(setup.gpu_id);
  setup.method = Method::lora;
  setup.lora_train_embeddings = true;
  setup.precision = Precision::amp_fp16;
  setup.optimizer = Optimizer::paged_adamw_32bit;
  setup.grad_checkpointing = Checkpointing::full;
  setup.micro_batch = 1;
  setup.seq_len = 4096;
  return setup;
}

}  // namespace

TEST_CASE("paged optimizer states may exceed usable memory", "[memory][fuzz]") {
  // The planner fuzzer first assumed that a fitting setup has
  // nvidia_smi_bytes <= gpu_usable_bytes. Paged optimizer states are the
  // exception: they move to host memory under pressure, so fits leaves them out.
  const ModelSpec& model = *find_preset("llama-2-7b");
  const MemoryResult memory = estimate_memory(model, paged_setup());
  const Term* paged = find_term(memory.peak, "paged_optimizer_states");
  REQUIRE(paged != nullptr);
  // Trainable: embeddings and LM head 2 * 32000 * 4096 = 262,144,000, plus
  // rank-16 adapters on q and v, 32 layers * 2 * 16 * (4096 + 4096) = 8,388,608.
  // Two fp32 moments: 270,532,608 * 8 = 2,164,260,864 bytes.
  CHECK(paged->value == 2164260864.0);
  CHECK(memory.nvidia_smi_bytes > memory.gpu_usable_bytes);
  CHECK(memory.headroom_bytes < 0);
  CHECK(memory.nvidia_smi_bytes - paged->value <= memory.gpu_usable_bytes);
  CHECK(memory.fits);
}

TEST_CASE("planner rows fit with paged optimizer", "[plan][fuzz]") {
  const ModelSpec& model = *find_preset("llama-2-7b");
  PlanRequest request;
  request.base = paged_setup();
  request.gpu_ids = {"v100-32gb"};
  request.max_gpus = 2;
  request.global_batch = 2;
  request.dataset.dataset_tokens = 1e6;
  const PlanResult result = plan_training(model, request);
  REQUIRE(result.ok);
  REQUIRE_FALSE(result.by_time.empty());
  for (const PlanCandidate& candidate : result.by_time) {
    CHECK(estimate_memory(model, candidate.setup).fits);
    CHECK(candidate.setup.micro_batch * candidate.setup.grad_accum * replica_count(candidate.setup) == 2);
  }
}
