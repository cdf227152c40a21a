#pragma once

namespace gpuplan::cli {

// `gpuplan validate [--cases PATH] [--markdown]`: compares the estimates with
// the measured cases. argv[1] is "validate". Returns the process exit status:
// 0 when the report was printed, 1 when the cases file cannot be read or
// parsed, 2 for invalid flags.
int run_validate_command(int argc, char** argv);

}  // namespace gpuplan::cli
