// Google Benchmark timings of the core's hot paths: one detailed memory
// estimate, one full run_estimate (with the max-fit searches and the time
// model), and the planner's full enumeration up to 8, 64 and 1,024 GPUs.
// Build with -DGPUPLAN_BUILD_BENCH=ON; results are in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "estimate.h"
#include "gpus.h"
#include "memory.h"
#include "planner.h"
#include "presets.h"

namespace {

using namespace gpuplan;

// Llama 3 8B, full fine-tuning in bf16 mixed precision with FlashAttention on
// one A100 80GB: the page's default kind of setup.
TrainingSetup llama_setup() {
  TrainingSetup setup;
  setup.gpu_id = "a100-80gb";
  setup.gpu = *find_gpu(setup.gpu_id);
  setup.precision = Precision::amp_bf16;
  setup.attention = AttentionImpl::flash;
  setup.micro_batch = 4;
  setup.seq_len = 2048;
  setup.grad_accum = 8;
  setup.grad_checkpointing = Checkpointing::full;
  return setup;
}

void BM_EstimateMemory(benchmark::State& state) {
  const ModelSpec& model = *find_preset("llama-3-8b");
  const TrainingSetup setup = llama_setup();
  for (auto _ : state) {
    MemoryResult result = estimate_memory(model, setup);
    benchmark::DoNotOptimize(result.nvidia_smi_bytes);
  }
}
BENCHMARK(BM_EstimateMemory)->Unit(benchmark::kMicrosecond);

// The query the page sends for the same setup, parsed and estimated, then
// written as JSON.
void BM_RunEstimate(benchmark::State& state) {
  const KeyValues query = {{"model", "llama-3-8b"},       {"method", "full"},
                           {"precision", "amp_bf16"},     {"attention", "flash"},
                           {"micro_batch", "4"},          {"seq_len", "2048"},
                           {"grad_accum", "8"},           {"grad_checkpointing", "full"},
                           {"gpu", "a100-80gb"},          {"dataset_tokens", "1e9"}};
  for (auto _ : state) {
    std::string json = estimate_response_json(run_estimate(query));
    benchmark::DoNotOptimize(json.data());
  }
}
BENCHMARK(BM_RunEstimate)->Unit(benchmark::kMicrosecond);

// Llama 3 8B full fine-tuning on A100 80GB and H100 SXM, 1e9 tokens, global
// batch 64, every GPU count up to the argument.
void BM_PlanTraining(benchmark::State& state) {
  const ModelSpec& model = *find_preset("llama-3-8b");
  PlanRequest request;
  request.base = llama_setup();
  request.base.grad_checkpointing = Checkpointing::off;
  request.gpu_ids = {"a100-80gb", "h100-sxm"};
  request.global_batch = 64;
  request.max_gpus = state.range(0);
  request.dataset.dataset_tokens = 1e9;
  int64_t evaluations = 0;
  for (auto _ : state) {
    PlanResult result = plan_training(model, request);
    evaluations = result.stats.time_evaluations + result.stats.memory_evaluations;
    benchmark::DoNotOptimize(result.pareto.data());
  }
  state.counters["evaluations"] = static_cast<double>(evaluations);
}
BENCHMARK(BM_PlanTraining)->Arg(8)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
