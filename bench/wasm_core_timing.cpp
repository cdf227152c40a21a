// Times the core's functions inside WebAssembly without the embind boundary:
// one detailed memory estimate, one time estimate, one full run_estimate with
// its JSON, and the planner up to 1,024 GPUs. Built with em++ against the
// wasm build's libgpuplan_core.a (same -Oz flags as the page's module) and run
// in Node; the commands are in docs/benchmarks.md.
#include <chrono>
#include <cstdio>

#include "estimate.h"
#include "gpus.h"
#include "memory.h"
#include "planner.h"
#include "presets.h"
#include "timing.h"

namespace {

using namespace gpuplan;

// Runs body warmup times, then iterations times, and prints the mean time per call.
template <typename Body>
void time_calls(const char* name, int warmup, int iterations, Body body) {
  for (int i = 0; i < warmup; ++i) body();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) body();
  const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%-28s %10.1f us per call (%d calls)\n", name, elapsed.count() / iterations, iterations);
}

// The setup of bench/core_bench.cpp: Llama 3 8B, full fine-tuning, bf16
// autocast, FlashAttention, 4 × 2048 tokens, 8 accumulation steps, one A100 80GB.
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

}  // namespace

int main() {
  const ModelSpec& model = *find_preset("llama-3-8b");
  const TrainingSetup setup = llama_setup();
  volatile double sink = 0;

  time_calls("estimate_memory", 1000, 20000, [&] { sink = estimate_memory(model, setup).nvidia_smi_bytes; });
  time_calls("estimate_time", 1000, 20000, [&] { sink = estimate_time(model, setup).step_time_s; });

  const KeyValues query = {{"model", "llama-3-8b"},   {"method", "full"},         {"precision", "amp_bf16"},
                           {"attention", "flash"},    {"micro_batch", "4"},       {"seq_len", "2048"},
                           {"grad_accum", "8"},       {"grad_checkpointing", "full"}, {"gpu", "a100-80gb"},
                           {"dataset_tokens", "1e9"}};
  time_calls("run_estimate + JSON", 100, 2000,
             [&] { sink = static_cast<double>(estimate_response_json(run_estimate(query)).size()); });

  for (int64_t max_gpus : {8, 64, 1024}) {
    PlanRequest request;
    request.base = setup;
    request.base.grad_checkpointing = Checkpointing::off;
    request.gpu_ids = {"a100-80gb", "h100-sxm"};
    request.global_batch = 64;
    request.max_gpus = max_gpus;
    request.dataset.dataset_tokens = 1e9;
    char name[40];
    std::snprintf(name, sizeof name, "plan_training max_gpus %lld", static_cast<long long>(max_gpus));
    time_calls(name, 3, max_gpus == 1024 ? 30 : 100,
               [&] { sink = static_cast<double>(plan_training(model, request).pareto.size()); });
  }
  (void)sink;
  return 0;
}
