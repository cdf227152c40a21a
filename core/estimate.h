// Entry point shared by the CLI and the WebAssembly module: validates a setup
// given as key/value text and runs every estimation method on it.
#pragma once

#include <optional>
#include <string>

#include "errors.h"
#include "guide.h"
#include "key_values.h"
#include "memory.h"
#include "model.h"
#include "setup.h"

namespace gpuplan {

// A term the guide method leaves out, with its size on this setup (bytes).
struct GuideGap {
  std::string key;
  double bytes = 0;
};

struct DetailedResult {
  MemoryResult memory;
  Term activations_per_layer;  // saved tensors of one (the largest) layer
  int64_t max_micro_batch = 0;
  int64_t max_seq_len = 0;
};

struct EstimateResponse {
  bool ok = false;
  FieldErrors errors;
  KeyValues input;  // the accepted setup, every field as text
  std::optional<ModelSpec> model;
  std::optional<GuideResult> guide;
  std::optional<TrainingSetup> setup;
  std::optional<DetailedResult> detailed;
  std::string detailed_unavailable;  // why the detailed method did not run, when it did not
  std::vector<GuideGap> guide_gaps;
};

EstimateResponse run_estimate(const KeyValues& query);

std::string estimate_response_json(const EstimateResponse& response);

// Every input field (model fields first, then setup fields) as JSON.
std::string all_fields_json();

}  // namespace gpuplan
