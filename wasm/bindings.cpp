// embind bindings of the setup, GPU and estimate functions. Every function
// takes and returns JSON text (see gpuplan.d.ts), so nothing throws across the
// boundary and no C++ object needs deleting from JavaScript.
#include <string>

#include <emscripten/bind.h>

#include "estimate.h"
#include "json_io.h"

namespace {

std::string estimate_json(const std::string& query_json) {
  gpuplan::FieldErrors errors;
  gpuplan::KeyValues query = gpuplan::parse_query_json(query_json, errors);
  if (!errors.empty()) {
    gpuplan::EstimateResponse failed;
    failed.errors = errors;
    return gpuplan::estimate_response_json(failed);
  }
  return gpuplan::estimate_response_json(gpuplan::run_estimate(query));
}

}  // namespace

EMSCRIPTEN_BINDINGS(gpuplan_estimate) {
  emscripten::function("gpus", &gpuplan::gpus_json);
  emscripten::function("fields", &gpuplan::all_fields_json);
  emscripten::function("estimate", &estimate_json);
}
