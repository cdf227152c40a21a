#pragma once

namespace gpuplan::cli {

// `gpuplan plan --model llama-3-8b --gpus a100-80gb,h100-sxm --dataset_tokens 1e9 [--json]`:
// searches GPU type, count and parallel layout for the fastest and cheapest
// setups that fit. Returns the process exit status.
int run_plan_command(int argc, char** argv);

}  // namespace gpuplan::cli
