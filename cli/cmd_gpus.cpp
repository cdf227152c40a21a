#include <cstdio>
#include <iostream>

#include "args.h"
#include "gpus.h"
#include "json_io.h"

namespace gpuplan::cli {

// `gpuplan gpus [--json]`: the GPU table.
int run_gpus_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2);
  if (!args.error.empty() || !args.values.empty() || !args.positional.empty()) {
    std::cerr << "gpuplan gpus: takes only --json\n";
    return 2;
  }
  if (args.json) {
    std::cout << gpus_json() << '\n';
    return 0;
  }
  std::printf("%-16s %-34s %10s %10s %12s %12s\n", "id", "name", "memory", "TB/s", "bf16 TFLOP/s",
              "fp16 TFLOP/s");
  for (const GpuSpec& gpu : gpu_table()) {
    std::string bf16 = gpu.peak_bf16_flops ? format_significant(*gpu.peak_bf16_flops / 1e12, 4) : "-";
    std::string fp16 = gpu.peak_fp16_flops ? format_significant(*gpu.peak_fp16_flops / 1e12, 4) : "-";
    std::printf("%-16s %-34s %7.0f GiB %10s %12s %12s\n", gpu.id.c_str(), gpu.name.c_str(),
                gpu.memory_bytes / (1024.0 * 1024.0 * 1024.0),
                format_significant(gpu.memory_bandwidth_bytes_per_s / 1e12, 4).c_str(), bf16.c_str(), fp16.c_str());
  }
  return 0;
}

}  // namespace gpuplan::cli
