// The "model" and "models" commands of the gpuplan CLI.
#pragma once

namespace gpuplan {

// gpuplan model <preset-id> [--json]
// gpuplan model --hf-config PATH [--json]
// argv[0] is the command name ("model"). Returns the exit status: 0 on
// success, 1 when the config file cannot be read or parsed, 2 on invalid
// arguments.
int run_model_command(int argc, char** argv);

// gpuplan models [--json]: lists the presets. argv[0] is "models".
int run_models_command(int argc, char** argv);

}  // namespace gpuplan
