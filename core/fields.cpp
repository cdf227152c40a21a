#include "fields.h"

#include <cctype>
#include <cmath>

#include "cost.h"
#include "gpus.h"
#include "number_text.h"
#include "precision.h"

namespace gpuplan {

const char* field_kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::number: return "number";
    case FieldKind::integer: return "integer";
    case FieldKind::choice: return "choice";
    case FieldKind::boolean: return "boolean";
    case FieldKind::text: return "text";
  }
  return "text";
}

namespace {

// One row of the setup field table. Plain pointers and numbers keep the table in
// static data; build_fields() turns it into FieldSpecs once.
struct FieldRow {
  const char* name;
  FieldKind kind;
  const char* group;
  double min;
  double max;
  const char* default_value;  // nullptr when the field has no default
  const char* choices;        // space-separated; booleans get "true false" without it
  std::vector<std::string> (*list_choices)();  // choices that come from another table
  const char* unit;
};

constexpr FieldKind kNumber = FieldKind::number;
constexpr FieldKind kInteger = FieldKind::integer;
constexpr FieldKind kChoice = FieldKind::choice;
constexpr FieldKind kBoolean = FieldKind::boolean;

// The guide's P has no default: it comes from the chosen model unless given. The
// guide's H is the model field "hidden" (see model_fields()).
constexpr FieldRow kFieldRows[] = {
    // name, kind, group, min, max, default, choices, list_choices, unit
    {"params", kNumber, "model", 1e3, 1e13, nullptr, nullptr, nullptr, "params"},
    {"micro_batch", kInteger, "batch", 1, 65536, "16", nullptr, nullptr, "sequences"},
    {"seq_len", kInteger, "batch", 1, 10485760, "512", nullptr, nullptr, "tokens"},
    {"grad_accum", kInteger, "batch", 1, 65536, "1", nullptr, nullptr, "micro-batches"},
    {"variable_lengths", kBoolean, "batch", 0, 0, "false", nullptr, nullptr, ""},
    {"precision", kChoice, "precision", 0, 0, "amp_bf16", nullptr, precision_names, ""},
    {"gpu", kChoice, "hardware", 0, 0, "a100-80gb", nullptr, gpu_ids, ""},
    {"gpu_tflops", kNumber, "hardware", 0.001, 1e6, nullptr, nullptr, nullptr, "TFLOP/s"},
    {"gpu_memory_gb", kNumber, "hardware", 1, 100000, nullptr, nullptr, nullptr, "GB"},
    {"gpu_bandwidth_tbps", kNumber, "hardware", 0.01, 1000, nullptr, nullptr, nullptr, "TB/s"},
    {"cuda_context_mib", kNumber, "hardware", 0, 65536, nullptr, nullptr, nullptr, "MiB"},
    {"num_gpus", kInteger, "hardware", 1, 65536, "1", nullptr, nullptr, "GPUs"},
    {"gpus_per_node", kInteger, "hardware", 1, 64, "8", nullptr, nullptr, "GPUs"},
    {"sharding", kChoice, "hardware", 0, 0, "ddp",
     "ddp zero1 zero2 zero3 fsdp_no_shard fsdp_shard_grad_op fsdp_full_shard", nullptr, ""},
    {"offload", kChoice, "hardware", 0, 0, "none", "none optimizer optimizer_and_params", nullptr, ""},
    {"tensor_parallel", kInteger, "hardware", 1, 1024, "1", nullptr, nullptr, "GPUs"},
    {"pipeline_parallel", kInteger, "hardware", 1, 1024, "1", nullptr, nullptr, "stages"},
    {"virtual_stages", kInteger, "hardware", 1, 64, "1", nullptr, nullptr, "stages"},
    {"pipeline_schedule", kChoice, "hardware", 0, 0, "1f1b", "1f1b sequential", nullptr, ""},
    {"sequence_parallel", kBoolean, "hardware", 0, 0, "false", nullptr, nullptr, ""},
    {"sync_each_micro_batch", kBoolean, "hardware", 0, 0, "false", nullptr, nullptr, ""},
    {"fsdp_frozen_grads", kBoolean, "hardware", 0, 0, "false", nullptr, nullptr, ""},
    {"fsdp_wrap_embeddings", kBoolean, "hardware", 0, 0, "false", nullptr, nullptr, ""},

    // Detailed method: fine-tuning method and its options.
    {"method", kChoice, "method", 0, 0, "full", "full lora qlora freeze", nullptr, ""},
    {"lora_rank", kInteger, "method", 1, 65536, "16", nullptr, nullptr, ""},
    {"lora_targets", FieldKind::text, "method", 0, 0, "all-linear", "q k v o gate up down all-linear", nullptr, ""},
    {"lora_train_embeddings", kBoolean, "method", 0, 0, "false", nullptr, nullptr, ""},
    {"quant", kChoice, "method", 0, 0, "nf4", "nf4 fp4", nullptr, ""},
    {"double_quant", kBoolean, "method", 0, 0, "true", nullptr, nullptr, ""},
    {"kbit_upcast", kBoolean, "method", 0, 0, "true", nullptr, nullptr, ""},
    {"trainable_layers", kInteger, "method", 1, 100000, "2", nullptr, nullptr, "layers"},

    // Detailed method: optimizer and memory savers.
    {"optimizer", kChoice, "precision", 0, 0, "adamw",
     "adamw adamw_8bit paged_adamw_8bit paged_adamw_32bit sgd sgd_momentum adafactor adafactor_momentum lion",
     nullptr, ""},
    {"grad_checkpointing", kChoice, "savers", 0, 0, "off", "off full selective offload", nullptr, ""},
    {"attention", kChoice, "savers", 0, 0, "sdpa", "eager sdpa flash", nullptr, ""},
    {"fused_kernels", kBoolean, "savers", 0, 0, "false", nullptr, nullptr, ""},
    {"fused_cross_entropy", kBoolean, "savers", 0, 0, "false", nullptr, nullptr, ""},
    {"chunked_cross_entropy", kBoolean, "savers", 0, 0, "false", nullptr, nullptr, ""},
    {"legacy_loss", kBoolean, "savers", 0, 0, "false", nullptr, nullptr, ""},
    {"zero_grad_set_to_none", kBoolean, "savers", 0, 0, "true", nullptr, nullptr, ""},
    {"optimizer_in_backward", kBoolean, "precision", 0, 0, "false", nullptr, nullptr, ""},
    {"optimizer_impl", kChoice, "precision", 0, 0, "foreach", "foreach fused for_loop", nullptr, ""},
};

std::vector<std::string> split_names(const char* text) {
  std::vector<std::string> names;
  std::string name;
  for (const char* at = text;; ++at) {
    if (*at == ' ' || *at == '\0') {
      names.push_back(name);
      name.clear();
      if (*at == '\0') return names;
    } else {
      name += *at;
    }
  }
}

std::vector<FieldSpec> build_fields() {
  std::vector<FieldSpec> fields;
  for (const FieldRow& row : kFieldRows) {
    FieldSpec spec;
    spec.name = row.name;
    spec.kind = row.kind;
    spec.group = row.group;
    spec.min = row.min;
    spec.max = row.max;
    if (row.default_value != nullptr) spec.default_value = std::string(row.default_value);
    if (row.choices != nullptr) spec.choices = split_names(row.choices);
    if (row.kind == FieldKind::boolean) spec.choices = {"true", "false"};
    if (row.list_choices != nullptr) spec.choices = row.list_choices();
    spec.unit = row.unit;
    fields.push_back(std::move(spec));
  }
  // Time and cost inputs: dataset, price, network, overlap, measured MFU (cost.cpp).
  for (FieldSpec& spec : run_fields()) fields.push_back(std::move(spec));
  return fields;
}

}  // namespace

const std::vector<FieldSpec>& setup_fields() {
  static const std::vector<FieldSpec> fields = build_fields();
  return fields;
}

const FieldSpec* find_field(const std::string& name) {
  for (const FieldSpec& spec : setup_fields()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<double> parse_finite_number(const std::string& text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  if (begin == end || end - begin > 64) return std::nullopt;
  std::string trimmed = text.substr(begin, end - begin);
  // parse_decimal takes decimal notation only, never hex, "inf" or "nan".
  std::optional<double> value = parse_decimal(trimmed);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  if (*value == 0) *value = 0;  // turns -0 into 0
  return value;
}

const std::string* FieldReader::raw(const FieldSpec& spec) {
  auto found = values_.find(spec.name);
  if (found == values_.end()) return nullptr;
  consumed_.insert(spec.name);
  return &found->second;
}

std::optional<double> FieldReader::number(const FieldSpec& spec) {
  const std::string* text = raw(spec);
  if (text == nullptr) {
    if (!spec.default_value) return std::nullopt;
    return parse_finite_number(*spec.default_value);
  }
  std::optional<double> value = parse_finite_number(*text);
  if (!value) {
    errors_.push_back(make_not_a_number(spec.name, *text));
    return std::nullopt;
  }
  if (*value < spec.min || *value > spec.max) {
    errors_.push_back(make_out_of_range(spec.name, *text, spec.min, spec.max));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> FieldReader::integer(const FieldSpec& spec) {
  const std::string* text = raw(spec);
  if (text == nullptr) {
    if (!spec.default_value) return std::nullopt;
    return static_cast<int64_t>(*parse_finite_number(*spec.default_value));
  }
  std::optional<double> value = parse_finite_number(*text);
  if (!value) {
    errors_.push_back(make_not_a_number(spec.name, *text));
    return std::nullopt;
  }
  if (*value != std::floor(*value)) {
    errors_.push_back(make_not_an_integer(spec.name, *text));
    return std::nullopt;
  }
  if (*value < spec.min || *value > spec.max) {
    errors_.push_back(make_out_of_range(spec.name, *text, spec.min, spec.max));
    return std::nullopt;
  }
  return static_cast<int64_t>(*value);
}

std::optional<std::string> FieldReader::choice(const FieldSpec& spec) {
  const std::string* text = raw(spec);
  if (text == nullptr) return spec.default_value;
  for (const std::string& accepted : spec.choices) {
    if (*text == accepted) return accepted;
  }
  errors_.push_back(make_unknown_choice(spec.name, *text, spec.choices));
  return std::nullopt;
}

std::optional<bool> FieldReader::boolean(const FieldSpec& spec) {
  const std::string* text = raw(spec);
  const std::string& value = text != nullptr ? *text : spec.default_value.value_or("");
  if (text == nullptr && !spec.default_value) return std::nullopt;
  std::string lower = value;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1" || lower == "on" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "off" || lower == "no") return false;
  errors_.push_back(make_unknown_choice(spec.name, value, {"true", "false"}));
  return std::nullopt;
}

void FieldReader::report_unconsumed(const std::set<std::string>& also_consumed) {
  for (const auto& [key, value] : values_) {
    if (consumed_.count(key) == 0 && also_consumed.count(key) == 0) {
      errors_.push_back(make_unknown_field(key, value));
    }
  }
}

}  // namespace gpuplan
