#pragma once

namespace gpuplan::cli {

// `gpuplan guide --params 1.3e9 ... [--json]`. Returns the process exit status.
int run_guide_command(int argc, char** argv);

}  // namespace gpuplan::cli
