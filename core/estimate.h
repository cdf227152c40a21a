// Entry point shared by the CLI and the WebAssembly module: validates a setup
// given as key/value text and runs every estimation method on it.
#pragma once

#include <optional>
#include <string>

#include "cost.h"
#include "errors.h"
#include "guide.h"
#include "key_values.h"
#include "memory.h"
#include "model.h"
#include "setup.h"
#include "timing.h"

namespace gpuplan {

// A term the guide method leaves out, with its size on this setup (bytes).
struct GuideGap {
  std::string key;
  double bytes = 0;
};

// A setup that is valid and estimated but probably not what the user meant.
struct Warning {
  std::string code;     // stable id the page words the warning by, e.g. "seq_len_over_max_positions"
  std::string field;    // the input field the warning is about
  std::string value;    // that field's value as text
  std::string message;  // English sentence naming the field, the value and the concern
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
  std::vector<Warning> warnings;  // empty when the input is invalid or nothing looks unintended

  std::optional<RunOptions> run_options;  // network, overlap, measured MFU, dataset and price as read
  std::optional<TimeResult> time;         // the detailed time model on the detailed method's setup
  std::string time_unavailable;           // why `time` is absent for a valid input
  std::optional<RunTotals> run;           // steps, wall-clock time, GPU-hours and cost of the whole dataset
  std::string run_unavailable;            // why `run` is absent for a valid input (no dataset, no step time)
};

EstimateResponse run_estimate(const KeyValues& query);

// Lists the settings of a valid setup that run but probably do not do what the
// user meant: seq_len past the model's max_positions, sharding with a
// data-parallel size of 1, and offload without ZeRO or FSDP sharding.
std::vector<Warning> setup_warnings(const ModelSpec& model, const TrainingSetup& setup);

// The precision the detailed methods use for a guide precision: fp16 and bf16
// become pure 16-bit training. Returns nothing for int8, which they do not model.
std::optional<Precision> detailed_precision(Precision precision);

// The run inputs of options as key/value text (the keys of run_fields()); optional
// inputs that were not given are left out.
KeyValues run_key_values(const RunOptions& options);

std::string estimate_response_json(const EstimateResponse& response);

// Every input field (model fields first, then setup fields) as JSON.
std::string all_fields_json();

}  // namespace gpuplan
