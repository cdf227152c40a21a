#include "cmd_estimate.h"

#include <cstdio>
#include <iostream>

#include "args.h"
#include "estimate.h"
#include "fields.h"
#include "model_fields.h"

namespace gpuplan::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string gib(double bytes) { return format_significant(bytes / kGiB, 3) + " GiB"; }

void print_help() {
  std::cout << "usage: gpuplan estimate [--name value ...] [--json]\n\n"
               "Estimates per-GPU peak memory of a fine-tuning step (detailed method) and the\n"
               "guide method beside it. Model: --model <preset id> (see gpuplan models) or\n"
               "--model custom with the architecture fields.\n\nsetup flags:\n";
  for (const FieldSpec& spec : setup_fields()) {
    std::cout << "  --" << spec.name;
    if (!spec.choices.empty()) {
      std::cout << " (";
      for (size_t i = 0; i < spec.choices.size(); ++i) std::cout << (i ? "|" : "") << spec.choices[i];
      std::cout << ')';
    } else if (spec.kind == FieldKind::number || spec.kind == FieldKind::integer) {
      std::cout << " (" << format_significant(spec.min, 6) << " to " << format_significant(spec.max, 6)
                << (spec.unit.empty() ? "" : " " + spec.unit) << ')';
    }
    if (spec.default_value) std::cout << " default " << *spec.default_value;
    std::cout << '\n';
  }
  std::cout << "\nmodel flags: --model, and for custom models:";
  for (const FieldSpec& spec : model_fields()) std::cout << " --" << spec.name;
  std::cout << "\n  --json (print JSON instead of a table)\n";
}

void print_tree(const Term& term, int depth, double total) {
  if (term.value <= 0 && depth > 0) return;
  std::string label(static_cast<size_t>(depth) * 2, ' ');
  label += term.key;
  double share = total > 0 ? 100.0 * term.value / total : 0;
  std::printf("  %-40s %12s %7.1f%%\n", label.c_str(), gib(term.value).c_str(), share);
  if (depth < 3) {
    for (const Term& child : term.children) print_tree(child, depth + 1, total);
  }
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
              gib(memory.nvidia_smi_bytes).c_str(), gib(memory.gpu_usable_bytes).c_str(),
              gib(memory.headroom_bytes).c_str());
  std::printf("Peak per GPU (during %s)\n", peak_phase_name(memory.peak_phase));
  print_tree(memory.peak, 0, memory.peak.value);
  std::printf("\n  %-40s %12s\n", "torch peak allocated", gib(memory.peak_allocated_bytes).c_str());
  std::printf("  %-40s %12s\n", "torch peak reserved", gib(memory.peak_reserved_bytes).c_str());
  std::printf("  %-40s %12s\n", "nvidia-smi (reserved + context)", gib(memory.nvidia_smi_bytes).c_str());
  if (memory.host_memory_bytes > 0) {
    std::printf("  %-40s %12s\n", "host RAM for offload", gib(memory.host_memory_bytes).c_str());
  }
  std::printf("\n  %-40s %12lld\n", "largest micro_batch that fits", static_cast<long long>(detailed.max_micro_batch));
  std::printf("  %-40s %12lld\n", "longest seq_len that fits", static_cast<long long>(detailed.max_seq_len));

  if (response.guide) {
    std::printf("\nGuide method: %s in total; it leaves out:\n", gib(response.guide->memory_total_bytes).c_str());
    for (const GuideGap& gap : response.guide_gaps) std::printf("  %-40s %12s\n", gap.key.c_str(), gib(gap.bytes).c_str());
  }
}

}  // namespace

int run_estimate_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2);
  if (args.help) {
    print_help();
    return 0;
  }
  if (!args.error.empty()) {
    std::cerr << "gpuplan estimate: " << args.error << '\n';
    return 2;
  }
  if (!args.positional.empty()) {
    std::cerr << "gpuplan estimate: unexpected argument \"" << args.positional.front()
              << "\"; flags are written --name value\n";
    return 2;
  }
  EstimateResponse response = run_estimate(args.values);
  if (!response.errors.empty()) {
    for (const FieldError& error : response.errors) {
      if (error.code == ErrorCode::unknown_field) {
        std::cerr << "gpuplan estimate: unknown flag --" << error.field << "; run gpuplan estimate --help\n";
      } else {
        std::cerr << "gpuplan estimate: --" << error.message << '\n';
      }
    }
    return 2;
  }
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
