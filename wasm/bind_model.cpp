// embind functions for model presets and parameter breakdowns. Each takes and
// returns JSON text; the shapes are documented in core/model_json.h.
#include <emscripten/bind.h>

#include <string>

#include "model_json.h"

namespace {

std::string list_presets() { return gpuplan::presets_json(); }

std::string preset_spec(const std::string& id) { return gpuplan::preset_spec_json(id); }

std::string model_breakdown(const std::string& query_json) {
  return gpuplan::model_breakdown_json(query_json);
}

}  // namespace

EMSCRIPTEN_BINDINGS(gpuplan_model) {
  emscripten::function("listPresets", &list_presets);
  emscripten::function("presetSpec", &preset_spec);
  emscripten::function("modelBreakdown", &model_breakdown);
}
