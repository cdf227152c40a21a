// gpuplan: estimates the GPU memory, FLOPs, time and cost of fine-tuning a
// language model, from the same core as the web page.
#include <cstring>
#include <iostream>

#include "cmd_estimate.h"
#include "cmd_guide.h"
#include "cmd_model.h"
#include "cmd_plan.h"
#include "cmd_validate.h"

namespace {

void print_usage(std::ostream& out) {
  out << "usage: gpuplan <command> [flags]\n\n"
         "commands:\n"
         "  estimate  per-GPU peak memory, step time and cost of a fine-tuning setup (detailed method)\n"
         "  guide     FLOPs, step time and memory by the guide's formulas\n"
         "  model     parameter breakdown of a preset or a Hugging Face config.json\n"
         "  models    list the model presets\n"
         "  plan      fastest and cheapest setups that fit: GPU type, count and parallelism\n"
         "  gpus      list the GPU table\n"
         "  validate  compare the estimates with measured runs (tests/validation/cases.json)\n\n"
         "Run gpuplan <command> --help for the flags of a command.\n";
}

}  // namespace

namespace gpuplan::cli {
int run_gpus_command(int argc, char** argv);
}

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const char* command = argv[1];
  if (std::strcmp(command, "estimate") == 0) return gpuplan::cli::run_estimate_command(argc, argv);
  if (std::strcmp(command, "guide") == 0) return gpuplan::cli::run_guide_command(argc, argv);
  if (std::strcmp(command, "model") == 0) return gpuplan::run_model_command(argc - 1, argv + 1);
  if (std::strcmp(command, "models") == 0) return gpuplan::run_models_command(argc - 1, argv + 1);
  if (std::strcmp(command, "plan") == 0) return gpuplan::cli::run_plan_command(argc, argv);
  if (std::strcmp(command, "validate") == 0) return gpuplan::cli::run_validate_command(argc, argv);
  if (std::strcmp(command, "gpus") == 0) return gpuplan::cli::run_gpus_command(argc, argv);
  std::cerr << "gpuplan: unknown command \"" << command << "\"\n\n";
  print_usage(std::cerr);
  return 2;
}
