#include "cmd_plan.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "args.h"
#include "fields.h"
#include "gpus.h"
#include "model_fields.h"
#include "plan_query.h"
#include "setup.h"

namespace gpuplan::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// The planner's inputs have labels on the page but no help text there, so
// their descriptions live here.
const char* planner_flag_help(const std::string& name) {
  if (name == "max_gpus") return "Largest GPU count to try: 1, 2, 4 and every multiple of 8 up to it.";
  if (name == "global_batch") return "Sequences per optimizer step; every setup keeps it (micro-batch x accumulation x data-parallel GPUs).";
  if (name == "budget_usd") return "Keep only setups whose total cost is at most this.";
  if (name == "deadline_hours") return "Keep only setups whose wall-clock time is at most this.";
  if (name == "shardings") return "Data-parallel shardings to try, as a comma list.";
  if (name == "allow_offload") return "Also try moving optimizer states (and weights) to host memory.";
  if (name == "max_results") return "Length of the fastest and cheapest lists.";
  return nullptr;
}

void print_help() {
  std::cout << "usage: gpuplan plan [--name value ...] [--json]\n\n"
               "Searches GPU type, GPU count, sharding, tensor and pipeline parallelism,\n"
               "micro-batch, gradient checkpointing and CPU offload for setups that fit in\n"
               "memory, and prints the Pareto front of total time against cost and the fastest\n"
               "and cheapest setups. Needs a dataset: --dataset_tokens, or --samples with\n"
               "--tokens_per_sample. Exits 1 when no setup fits, 2 on invalid flags.\n\n"
               "planner flags (--gpus is a comma list of GPU ids; without it, --gpu):\n";
  for (const FieldSpec& spec : plan_fields()) {
    if (spec.name == "gpus") {
      std::cout << "  --gpus (comma list of: see gpuplan gpus)\n"
                   "      GPU types to consider; without it, the type of --gpu.\n";
      continue;
    }
    print_field_flag(spec, planner_flag_help(spec.name));
  }
  std::cout << "\nsetup flags (the planner chooses";
  for (const std::string& name : planner_chosen_fields()) std::cout << ' ' << name;
  std::cout << " itself):\n";
  for (const FieldSpec& spec : setup_fields()) {
    const std::vector<std::string>& chosen = planner_chosen_fields();
    if (std::find(chosen.begin(), chosen.end(), spec.name) == chosen.end()) print_field_flag(spec);
  }
  std::cout << "\nmodel flags: --model, and for custom models (--model custom):\n";
  for (const FieldSpec& spec : model_fields()) print_field_flag(spec);
  std::cout << "\n  --json (print JSON instead of tables)\n";
}

void print_rows(const char* heading, const std::vector<PlanCandidate>& rows) {
  std::printf("\n%s\n", heading);
  if (rows.empty()) {
    std::printf("  (none)\n");
    return;
  }
  std::printf("  %-12s %5s %-8s %3s %3s %5s %-10s %-21s %8s %9s %10s %9s %11s\n", "GPU", "count", "sharding", "TP",
              "PP", "micro", "ckpt", "offload", "peak GiB", "step", "total", "GPU-h", "cost USD");
  for (const PlanCandidate& row : rows) {
    const TrainingSetup& setup = row.setup;
    char cost[32] = "no price";
    if (row.cost_usd) std::snprintf(cost, sizeof cost, "%.2f", *row.cost_usd);
    std::printf("  %-12s %5lld %-8s %3lld %3lld %5lld %-10s %-21s %8.1f %9s %10s %9s %11s\n", setup.gpu_id.c_str(),
                static_cast<long long>(setup.num_gpus), sharding_name(setup.sharding),
                static_cast<long long>(setup.tensor_parallel), static_cast<long long>(setup.pipeline_parallel),
                static_cast<long long>(setup.micro_batch), checkpointing_name(setup.grad_checkpointing),
                offload_name(setup.offload), row.peak_memory_bytes / kGiB, format_duration(row.step_time_s).c_str(),
                format_duration(row.total_time_s).c_str(), format_significant(row.gpu_hours, 4).c_str(), cost);
  }
}

void print_tables(const PlanResponse& response) {
  const PlanResult& result = *response.result;
  const PlanRequest& request = *response.request;
  std::printf("%s, %s, %s, seq_len %lld, global batch %lld sequences, %.0f optimizer steps\n",
              response.model->name.c_str(), method_name(request.base.method),
              precision_name(request.base.precision), static_cast<long long>(request.base.seq_len),
              static_cast<long long>(request.global_batch), result.optimizer_steps);
  std::printf("%lld setups fit", static_cast<long long>(result.stats.fitting));
  if (result.stats.over_budget > 0) {
    std::printf(", %lld of them over the budget or deadline", static_cast<long long>(result.stats.over_budget));
  }
  std::printf("; %lld estimates in %.1f ms\n",
              static_cast<long long>(result.stats.time_evaluations + result.stats.memory_evaluations),
              response.elapsed_ms);
  print_rows("Pareto front (no other setup is both faster and cheaper), fastest first", result.pareto);
  print_rows("Fastest", result.by_time);
  print_rows("Cheapest", result.by_cost);
}

}  // namespace

int run_plan_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2, boolean_field_names({&setup_fields(), &model_fields(), &plan_fields()}));
  if (std::optional<int> status = finish_early(args, "plan", print_help)) return *status;
  PlanResponse response = run_plan(args.values);
  if (print_field_errors(response.errors, "plan")) return 2;
  if (args.json) {
    std::cout << plan_response_json(response) << '\n';
    return response.result->by_time.empty() ? 1 : 0;
  }
  for (const std::string& name : response.ignored) {
    std::cerr << "gpuplan plan: --" << name << " is ignored; the planner chooses it\n";
  }
  print_tables(response);
  if (response.result->by_time.empty()) {
    std::cerr << "gpuplan plan: no setup fits within the limits; raise --max_gpus, --budget_usd or "
                 "--deadline_hours, or add GPUs to --gpus\n";
    return 1;
  }
  return 0;
}

}  // namespace gpuplan::cli
