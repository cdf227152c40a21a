// The planner: searches GPU type, GPU count, sharding, tensor and pipeline
// parallelism, micro-batch, gradient checkpointing and CPU offload for setups
// that fit in memory, and returns them ranked by time and by cost with the
// Pareto front of the two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cost.h"
#include "errors.h"
#include "model.h"
#include "setup.h"
#include "timing.h"

namespace gpuplan {

struct PlanRequest {
  // Method, LoRA settings, precision, optimizer, seq_len, attention kernel and
  // fused-kernel flags come from here; the planner chooses num_gpus,
  // sharding, offload, tensor_parallel, pipeline_parallel, micro_batch,
  // grad_accum and grad_checkpointing.
  TrainingSetup base;
  std::vector<std::string> gpu_ids;  // shortlist; empty means base.gpu_id
  int64_t max_gpus = 1024;
  int64_t global_batch = 64;  // sequences per optimizer step
  DatasetSpec dataset;
  std::optional<double> budget_usd;      // drop setups that cost more
  std::optional<double> deadline_hours;  // drop setups that take longer
  std::optional<double> price_per_gpu_hour;  // replaces every GPU's table price
  TimeOptions time;
  std::vector<Sharding> shardings = {Sharding::ddp, Sharding::zero1, Sharding::zero2, Sharding::zero3};
  bool allow_offload = true;
  size_t max_results = 20;  // length of each ranked list
};

struct PlanCandidate {
  TrainingSetup setup;
  double peak_memory_bytes = 0;  // nvidia-smi view per GPU, from estimate_memory
  double gpu_usable_bytes = 0;
  double step_time_s = 0;
  double total_time_s = 0;
  double gpu_hours = 0;
  std::optional<double> cost_usd;  // absent when the GPU has no price
  double mfu = 0;
  double tokens_per_s = 0;
  Bound bound = Bound::compute;
};

// Counts of the search, to show how much pruning saved.
struct PlanStats {
  int64_t groups = 0;                 // (GPU, count, tp, pp, sharding, offload, checkpointing) combinations
  int64_t pruned_by_state_bound = 0;  // groups whose weights, gradients and optimizer states alone overflow
  int64_t pruned_by_time_bound = 0;   // groups that could not beat the best setup already found
  int64_t time_evaluations = 0;
  int64_t memory_evaluations = 0;
  int64_t fitting = 0;                // best fitting setups, one per (GPU, count)
  int64_t over_budget = 0;            // dropped by budget_usd or deadline_hours
};

struct PlanResult {
  bool ok = false;
  FieldErrors errors;
  std::vector<PlanCandidate> by_time;  // fastest first
  std::vector<PlanCandidate> by_cost;  // cheapest first; setups without a price are left out
  std::vector<PlanCandidate> pareto;   // no other setup is both faster and cheaper; fastest first
  double optimizer_steps = 0;
  PlanStats stats;
};

PlanResult plan_training(const ModelSpec& model, const PlanRequest& request);

// GPU counts the planner tries: 1, 2, 4, then every multiple of 8, up to max_gpus (at most 1,024).
std::vector<int64_t> planner_gpu_counts(int64_t max_gpus);

}  // namespace gpuplan
