#include "cmd_guide.h"

#include <cstdio>
#include <iostream>

#include "args.h"
#include "estimate.h"
#include "fields.h"
#include "model_fields.h"

namespace gpuplan::cli {

namespace {

// The inputs the guide's formulas read; the other setup fields change only the detailed method.
constexpr const char* kGuideFields[] = {"params", "micro_batch", "seq_len", "grad_accum",
                                        "precision", "gpu", "gpu_tflops", "gpu_memory_gb"};

bool is_guide_field(const std::string& name) {
  for (const char* field : kGuideFields) {
    if (name == field) return true;
  }
  return false;
}

void print_guide_help() {
  std::cout << "usage: gpuplan guide [--name value ...] [--json]\n\n"
               "Estimates FLOPs, step time and memory with the guide's formulas. They read only the\n"
               "flags below. The other flags of gpuplan estimate are accepted (and checked) but change\n"
               "nothing here; the memory formula is that of full fine-tuning whatever --method says.\n\n"
               "flags:\n";
  for (const FieldSpec& spec : setup_fields()) {
    if (is_guide_field(spec.name)) print_field_flag(spec);
  }
  std::cout << "  --model (a preset id, see gpuplan models), or --params with --hidden\n";
  for (const FieldSpec& spec : model_fields()) {
    if (spec.name == "hidden") print_field_flag(spec);
  }
  std::cout << "  --json (print JSON instead of a table)\n";
}

void print_row(const std::string& label, const std::string& value, const std::string& note = "") {
  std::printf("  %-28s %14s", label.c_str(), value.c_str());
  if (!note.empty()) std::printf("   %s", note.c_str());
  std::printf("\n");
}

void print_guide_table(const EstimateResponse& response) {
  const GuideResult& guide = *response.guide;
  std::printf("Guide method: the guide's formulas exactly as printed\n");
  const auto method = response.input.find("method");
  if (method != response.input.end() && method->second != "full") {
    std::printf("(The guide's memory formula is that of full fine-tuning; --method %s changes nothing here.)\n",
                method->second.c_str());
  }
  std::printf("\n");
  std::printf("Input\n");
  for (const auto& [key, value] : response.input) {
    if (is_guide_field(key) || key == "model") print_row(key, value);
  }
  if (response.model) print_row("hidden", std::to_string(response.model->hidden));

  std::printf("\nFLOPs per optimizer step\n");
  print_row("forward (2 P B L)", format_flops(guide.flops_forward), "per micro-batch");
  print_row("backward (2 x forward)", format_flops(guide.flops_backward), "per micro-batch");
  print_row("(forward + backward) x G", format_flops(guide.flops_forward_backward), "the guide's printed total");
  print_row("optimizer (Adam, 2 P)", format_flops(guide.flops_optimizer), "left out of the guide's printed total");
  print_row("total", format_flops(guide.flops_total));

  std::printf("\nTime\n");
  print_row("step time", format_significant(guide.step_time_s) + " s",
            "at " + format_significant(guide.gpu_peak_flops / 1e12, 4) + " TFLOP/s, 100% utilization");

  std::printf("\nMemory (%s bytes per value)\n", format_significant(guide.bytes_per_value).c_str());
  for (const Term& term : guide.memory.children) print_row(term.key, format_gigabytes(term.value));
  print_row("total", format_gigabytes(guide.memory_total_bytes),
            "GPU has " + format_gigabytes(guide.gpu_memory_bytes));
}

}  // namespace

int run_guide_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2);
  if (std::optional<int> status = finish_early(args, "guide", print_guide_help)) return *status;

  EstimateResponse response = run_estimate(args.values);
  if (!response.errors.empty()) {
    for (const FieldError& error : response.errors) {
      if (error.code == ErrorCode::unknown_field) {
        std::cerr << "gpuplan guide: unknown flag --" << error.field << "; run gpuplan guide --help for the list\n";
      } else {
        std::cerr << "gpuplan guide: --" << error.message << '\n';
      }
    }
    return 2;
  }
  if (args.json) {
    std::cout << estimate_response_json(response) << '\n';
  } else {
    print_guide_table(response);
  }
  return 0;
}

}  // namespace gpuplan::cli
