#include "cost.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "flops.h"
#include "number_text.h"

namespace gpuplan {
namespace {

FieldSpec run_field(std::string name, FieldKind kind, double min, double max,
                    std::optional<std::string> default_value, std::string unit) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.kind = kind;
  spec.group = kind == FieldKind::choice ? "hardware" : "dataset";
  spec.min = min;
  spec.max = max;
  spec.default_value = std::move(default_value);
  spec.unit = std::move(unit);
  return spec;
}

FieldSpec hardware_field(std::string name, FieldKind kind, double min, double max,
                         std::optional<std::string> default_value, std::string unit) {
  FieldSpec spec = run_field(std::move(name), kind, min, max, std::move(default_value), std::move(unit));
  spec.group = "hardware";
  return spec;
}

}  // namespace

std::vector<FieldSpec> run_fields() {
  std::vector<FieldSpec> fields;
  fields.push_back(run_field("dataset_tokens", FieldKind::number, 1, 1e16, std::nullopt, "tokens"));
  fields.push_back(run_field("samples", FieldKind::number, 1, 1e13, std::nullopt, "samples"));
  fields.push_back(run_field("tokens_per_sample", FieldKind::number, 1, 1e8, std::nullopt, "tokens"));
  fields.push_back(run_field("packing", FieldKind::boolean, 0, 0, std::string("false"), ""));
  fields.back().choices = {"true", "false"};
  fields.push_back(run_field("epochs", FieldKind::number, 0.001, 1e4, std::string("1"), "epochs"));
  fields.push_back(hardware_field("price_per_gpu_hour", FieldKind::number, 0, 1e4, std::nullopt, "USD/GPU-hour"));

  FieldSpec network = hardware_field("network", FieldKind::choice, 0, 0, std::string(kDefaultNetworkId), "");
  network.choices = network_ids();
  fields.push_back(std::move(network));
  fields.push_back(hardware_field("comm_overlap", FieldKind::number, 0, 1, std::string("0.5"), "fraction"));
  fields.push_back(hardware_field("mfu", FieldKind::number, 0.001, 1, std::nullopt, "fraction"));
  fields.push_back(hardware_field("pipeline_microbatches", FieldKind::integer, 0, 65536, std::string("0"),
                                  "micro-batches"));
  return fields;
}

std::optional<RunOptions> read_run_options(FieldReader& reader, FieldErrors& errors) {
  const size_t errors_before = errors.size();
  RunOptions options;
  options.dataset.dataset_tokens = reader.number("dataset_tokens");
  options.dataset.samples = reader.number("samples");
  options.dataset.tokens_per_sample = reader.number("tokens_per_sample");
  options.dataset.packing = reader.boolean("packing").value_or(false);
  options.dataset.epochs = reader.number("epochs").value_or(1);
  options.price_per_gpu_hour = reader.number("price_per_gpu_hour");
  options.time.network = reader.choice("network").value_or(kDefaultNetworkId);
  options.time.comm_overlap = reader.number("comm_overlap").value_or(kDefaultCommOverlap);
  options.time.mfu = reader.number("mfu");
  options.time.pipeline_microbatches = reader.integer("pipeline_microbatches").value_or(0);

  const DatasetSpec& dataset = options.dataset;
  if (dataset.dataset_tokens && (dataset.samples || dataset.tokens_per_sample)) {
    errors.push_back(make_unsupported("dataset_tokens", format_general(*dataset.dataset_tokens, 17),
                                      "give either dataset_tokens or samples with tokens_per_sample, not both",
                                      "dataset_size_twice"));
  }
  if (dataset.samples.has_value() != dataset.tokens_per_sample.has_value()) {
    errors.push_back(dataset.samples ? make_missing("tokens_per_sample") : make_missing("samples"));
  }
  if (errors.size() != errors_before) return std::nullopt;
  return options;
}

RunTotals estimate_run(const TrainingSetup& setup, double step_time_s, const DatasetSpec& dataset,
                       std::optional<double> price_per_gpu_hour) {
  RunTotals totals;
  const double seq_len = static_cast<double>(setup.seq_len);

  double useful_per_epoch = 0;
  if (dataset.dataset_tokens) {
    // Pretraining-style token counts: packed into full sequences.
    totals.sequences_per_epoch = std::ceil(*dataset.dataset_tokens / seq_len);
    useful_per_epoch = *dataset.dataset_tokens;
  } else if (dataset.samples && dataset.tokens_per_sample) {
    const double samples = *dataset.samples;
    const double per_sample = *dataset.tokens_per_sample;
    if (dataset.packing) {
      totals.sequences_per_epoch = std::ceil(samples * per_sample / seq_len);
      useful_per_epoch = samples * per_sample;
    } else {
      // One sample per sequence, padded to seq_len (or truncated to it).
      totals.sequences_per_epoch = samples;
      useful_per_epoch = samples * std::min(per_sample, seq_len);
    }
  } else {
    totals.errors.push_back(make_missing("dataset_tokens"));
    return totals;
  }
  if (step_time_s <= 0 || !std::isfinite(step_time_s)) {
    totals.errors.push_back(make_unsupported("step_time_s", format_fixed(step_time_s, 6),
                                             "the step time must be a positive number"));
    return totals;
  }

  totals.global_batch_sequences =
      static_cast<double>(setup.micro_batch * setup.grad_accum * replica_count(setup));
  totals.optimizer_steps = std::ceil(totals.sequences_per_epoch * dataset.epochs / totals.global_batch_sequences);
  totals.processed_tokens = totals.optimizer_steps * totals.global_batch_sequences * seq_len;
  totals.useful_tokens = useful_per_epoch * dataset.epochs;
  totals.padding_fraction =
      totals.processed_tokens > 0 ? std::max(0.0, 1.0 - totals.useful_tokens / totals.processed_tokens) : 0;

  totals.wall_time_s = totals.optimizer_steps * step_time_s;
  totals.gpu_hours = totals.wall_time_s * static_cast<double>(setup.num_gpus) / 3600.0;
  totals.price_per_gpu_hour = price_per_gpu_hour ? price_per_gpu_hour : setup.gpu.price_usd_per_hour;
  if (totals.price_per_gpu_hour) totals.cost_usd = totals.gpu_hours * *totals.price_per_gpu_hour;
  totals.ok = true;
  return totals;
}

}  // namespace gpuplan
