#include "cmd_estimate.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "args.h"
#include "estimate.h"
#include "fields.h"
#include "hf_config.h"
#include "model_fields.h"

namespace gpuplan::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string gib(double bytes) { return format_significant(bytes / kGiB, 3) + " GiB"; }

void print_help() {
  std::cout << "usage: gpuplan estimate [--name value ...] [--json]\n\n"
               "Estimates per-GPU peak memory of a fine-tuning step (detailed method), its\n"
               "step time, and with a dataset the run's wall-clock time, GPU-hours and cost,\n"
               "and the guide method beside them. Model: --model <preset id> (see gpuplan models) or\n"
               "--model custom with the architecture fields, or --hf-config PATH/config.json.\n\nsetup flags:\n";
  for (const FieldSpec& spec : setup_fields()) print_field_flag(spec);
  std::cout << "\nmodel flags: --model, and for custom models (--model custom):\n";
  for (const FieldSpec& spec : model_fields()) print_field_flag(spec);
  std::cout << "\n  --json (print JSON instead of a table)\n";
}

// Prints a breakdown to depth 3 with each term's share of total; format
// writes a value in the tree's unit.
void print_tree(const Term& term, int depth, double total, std::string (*format)(double) = gib) {
  if (term.value <= 0 && depth > 0) return;
  std::string label(static_cast<size_t>(depth) * 2, ' ');
  label += term.key;
  double share = total > 0 ? 100.0 * term.value / total : 0;
  std::printf("  %-40s %12s %7.1f%%\n", label.c_str(), format(term.value).c_str(), share);
  if (depth < 3) {
    for (const Term& child : term.children) print_tree(child, depth + 1, total, format);
  }
}

std::string percent(double fraction) { return format_significant(100 * fraction) + "%"; }

void print_time(const EstimateResponse& response) {
  if (!response.time) {
    std::printf("\nTime: not estimated (%s)\n", response.time_unavailable.c_str());
    return;
  }
  const TimeResult& time = *response.time;
  std::printf("\nTime per optimizer step (bound by %s)\n", bound_name(time.bound));
  print_tree(time.step, 0, time.step_time_s, format_duration);
  std::printf("\n  %-40s %12s\n", "model FLOPs per step", format_flops(time.model_flops).c_str());
  std::printf("  %-40s %12s\n", "hardware FLOPs per step", format_flops(time.hardware_flops).c_str());
  std::printf("  %-40s %12s\n", "MFU", percent(time.mfu).c_str());
  std::printf("  %-40s %12s\n", "HFU", percent(time.hfu).c_str());
  std::printf("  %-40s %12s\n", "tokens/s per GPU", format_significant(time.tokens_per_s_per_gpu, 4).c_str());
  std::printf("  %-40s %12s\n", "tokens/s, all GPUs", format_significant(time.tokens_per_s, 4).c_str());
  if (time.mfu_from_user) {
    std::printf("  %-40s %12s\n", "efficiency: measured MFU given", percent(time.mfu).c_str());
  } else {
    std::printf("  %-40s %12s\n", "efficiency: GEMM share of peak", percent(time.gemm_efficiency).c_str());
  }
}

void print_run(const EstimateResponse& response) {
  if (!response.run) {
    std::printf("\nCost: not estimated (%s)\n", response.run_unavailable.c_str());
    return;
  }
  const RunTotals& run = *response.run;
  std::printf("\nCost of the run\n");
  std::printf("  %-40s %12s\n", "epochs", format_significant(response.run_options->dataset.epochs).c_str());
  std::printf("  %-40s %12.0f\n", "optimizer steps", run.optimizer_steps);
  std::printf("  %-40s %12.4g\n", "tokens processed", run.processed_tokens);
  std::printf("  %-40s %12s\n", "padding", percent(run.padding_fraction).c_str());
  std::printf("  %-40s %12s\n", "wall-clock time", format_duration(run.wall_time_s).c_str());
  std::printf("  %-40s %12s\n", "GPU-hours", format_significant(run.gpu_hours, 4).c_str());
  if (run.price_per_gpu_hour && run.cost_usd) {
    std::printf("  %-40s %12.2f\n", "price per GPU-hour (USD)", *run.price_per_gpu_hour);
    if (!response.run_options->price_per_gpu_hour) {
      std::printf("  %-40s %s\n", "  price source", response.setup->gpu.price_source.c_str());
    }
    std::printf("  %-40s %12.2f\n", "cost (USD)", *run.cost_usd);
  } else {
    std::printf("  %-40s %12s\n", "cost", "no price; give --price_per_gpu_hour");
  }
}

// Prints each warning as "warning: ..." on stderr, so that the table on stdout stays parseable.
void print_warnings(const EstimateResponse& response) {
  if (response.warnings.empty()) return;
  std::fflush(stdout);  // keeps the warnings under the verdict when both streams go to one terminal
  for (const Warning& warning : response.warnings) std::fprintf(stderr, "warning: %s\n", warning.message.c_str());
  std::fputc('\n', stderr);
}

void print_table(const EstimateResponse& response) {
  const ModelSpec& model = *response.model;
  const TrainingSetup& setup = *response.setup;
  const DetailedResult& detailed = *response.detailed;
  const MemoryResult& memory = detailed.memory;

  std::printf("%s, %s, %s, micro_batch %lld, seq_len %lld, on %lld x %s\n\n", model.name.c_str(),
              method_name(setup.method), precision_name(setup.precision), static_cast<long long>(setup.micro_batch),
              static_cast<long long>(setup.seq_len), static_cast<long long>(setup.num_gpus), setup.gpu.name.c_str());
  std::printf("%s: %s of %s usable per GPU (headroom %s)\n\n", memory.fits ? "FITS" : "DOES NOT FIT",
              gib(memory.required_bytes).c_str(), gib(memory.gpu_usable_bytes).c_str(),
              gib(memory.headroom_bytes).c_str());
  print_warnings(response);
  std::printf("Peak per GPU (during %s)\n", peak_phase_name(memory.peak_phase));
  print_tree(memory.peak, 0, memory.peak.value);
  std::printf("\n  %-40s %12s\n", "torch peak allocated", gib(memory.peak_allocated_bytes).c_str());
  std::printf("  %-40s %12s\n", "torch peak reserved", gib(memory.peak_reserved_bytes).c_str());
  std::printf("  %-40s %12s\n", "nvidia-smi (reserved + context)", gib(memory.nvidia_smi_bytes).c_str());
  if (memory.nvidia_smi_bytes > memory.required_bytes) {
    std::printf("  %-40s %12s\n", "needed to run (cache freed first)", gib(memory.required_bytes).c_str());
  }
  if (memory.host_memory_bytes > 0) {
    // Each GPU's process keeps its own partition in host memory, so a node needs one per GPU.
    const int64_t on_node = std::min(setup.num_gpus, setup.gpus_per_node);
    std::printf("  %-40s %12s\n", "host RAM for offload, per GPU", gib(memory.host_memory_bytes).c_str());
    std::printf("  %-40s %12s\n", ("host RAM for offload, node of " + std::to_string(on_node) + " GPUs").c_str(),
                gib(memory.host_memory_bytes * static_cast<double>(on_node)).c_str());
  }
  // 0 means that not even 1 fits.
  auto largest = [](int64_t value) { return value > 0 ? std::to_string(value) : std::string("none"); };
  std::printf("\n  %-40s %12s\n", "largest micro_batch that fits", largest(detailed.max_micro_batch).c_str());
  std::printf("  %-40s %12s\n", "longest seq_len that fits", largest(detailed.max_seq_len).c_str());

  print_time(response);
  print_run(response);

  if (response.guide) {
    // The guide prints decimal GB, and its memory formula is that of full fine-tuning whatever the method.
    const bool full = response.input.count("method") == 0 || response.input.at("method") == "full";
    std::printf("\nGuide method%s: %s (%s) in total; it leaves out:\n", full ? "" : " (its formula is for full fine-tuning)",
                format_gigabytes(response.guide->memory_total_bytes).c_str(),
                gib(response.guide->memory_total_bytes).c_str());
    for (const GuideGap& gap : response.guide_gaps) std::printf("  %-40s %12s\n", gap.key.c_str(), gib(gap.bytes).c_str());
  }
}

}  // namespace

int run_estimate_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2, boolean_field_names({&setup_fields(), &model_fields()}));
  if (std::optional<int> status = finish_early(args, "estimate", print_help)) return *status;
  auto hf_config = args.values.find("hf-config");
  if (hf_config != args.values.end()) {
    // The architecture comes from a Hugging Face config.json, as a custom model.
    std::ifstream file(hf_config->second, std::ios::binary);
    if (!file) {
      std::cerr << "gpuplan estimate: --hf-config: cannot read \"" << hf_config->second << "\"\n";
      return 2;
    }
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    FieldErrors config_errors;
    std::optional<ModelSpec> spec = parse_hf_config(text, config_errors);
    if (!spec) {
      for (const FieldError& error : config_errors) std::cerr << "gpuplan estimate: --hf-config: " << error.message << '\n';
      return 2;
    }
    args.values.erase(hf_config);
    for (const auto& [key, value] : model_key_values(*spec)) args.values.emplace(key, value);
  }
  EstimateResponse response = run_estimate(args.values);
  if (print_field_errors(response.errors, "estimate")) return 2;
  if (args.json) {
    std::cout << estimate_response_json(response) << '\n';
    return 0;
  }
  if (!response.detailed) {
    std::cerr << "gpuplan estimate: " << response.detailed_unavailable << '\n';
    return 2;
  }
  print_table(response);
  return 0;
}

}  // namespace gpuplan::cli
