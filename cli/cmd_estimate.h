#pragma once

namespace gpuplan::cli {

// `gpuplan estimate --model llama-3-8b --method lora ... [--json]`: the detailed
// memory estimate beside the guide method. Returns the process exit status.
int run_estimate_command(int argc, char** argv);

}  // namespace gpuplan::cli
