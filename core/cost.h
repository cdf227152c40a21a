// Run totals: dataset size to optimizer steps, wall-clock time, GPU-hours and
// money, on top of the step time of timing.h. Also the input fields of the
// time and cost model (network, overlap, measured MFU, dataset, price).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "fields.h"
#include "setup.h"
#include "timing.h"

namespace gpuplan {

// The training data. Give either dataset_tokens (already packed into full
// sequences) or samples with tokens_per_sample.
struct DatasetSpec {
  std::optional<double> dataset_tokens;
  std::optional<double> samples;
  std::optional<double> tokens_per_sample;  // mean tokens per sample
  bool packing = false;  // concatenate samples into full sequences instead of padding each to seq_len
  double epochs = 1;
};

struct RunTotals {
  bool ok = false;
  FieldErrors errors;

  double sequences_per_epoch = 0;  // sequences of seq_len tokens the trainer runs
  double processed_tokens = 0;     // all epochs, padding included
  double useful_tokens = 0;        // all epochs, padding and truncated tokens excluded
  double padding_fraction = 0;     // share of processed tokens that are padding
  double global_batch_sequences = 0;  // micro_batch × grad_accum × data-parallel size
  double optimizer_steps = 0;

  double wall_time_s = 0;
  double gpu_hours = 0;
  std::optional<double> price_per_gpu_hour;  // absent when neither given nor in the GPU table
  std::optional<double> cost_usd;            // absent without a price (never 0 for an unknown price)
};

// price_per_gpu_hour overrides the GPU table's default price.
RunTotals estimate_run(const TrainingSetup& setup, double step_time_s, const DatasetSpec& dataset,
                       std::optional<double> price_per_gpu_hour = std::nullopt);

// The time and cost inputs that are not part of TrainingSetup.
struct RunOptions {
  TimeOptions time;
  DatasetSpec dataset;
  std::optional<double> price_per_gpu_hour;
};

// Field specs of the run inputs (dataset, price, network, overlap, measured MFU,
// pipeline micro-batches); setup_fields() includes them.
std::vector<FieldSpec> run_fields();

// Reads the run inputs with validation; returns nothing when one is invalid
// (the errors name each field).
std::optional<RunOptions> read_run_options(FieldReader& reader, FieldErrors& errors);

}  // namespace gpuplan
