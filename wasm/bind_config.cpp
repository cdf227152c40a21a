// embind function of the config.json import, in the gpuplan_extra module.
// Takes the file's text and returns JSON of ModelResponse (core/model_json.h).
#include <emscripten/bind.h>

#include <string>

#include "model_json.h"

namespace {

std::string parse_hf_config(const std::string& text) { return gpuplan::hf_config_json(text); }

}  // namespace

EMSCRIPTEN_BINDINGS(gpuplan_config) {
  emscripten::function("parseHfConfig", &parse_hf_config);
}
