// Entry point shared by the CLI and the WebAssembly module: validates a setup
// given as key/value text and runs every estimation method on it.
#pragma once

#include <optional>
#include <string>

#include "errors.h"
#include "guide.h"
#include "key_values.h"

namespace gpuplan {

struct EstimateResponse {
  bool ok = false;
  FieldErrors errors;
  KeyValues input;  // the accepted setup, every field as text
  std::optional<GuideResult> guide;
};

EstimateResponse run_estimate(const KeyValues& query);

std::string estimate_response_json(const EstimateResponse& response);

}  // namespace gpuplan
