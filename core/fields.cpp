#include "fields.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "cost.h"
#include "gpus.h"
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

FieldSpec number_field(std::string name, std::string group, double min, double max,
                       std::optional<std::string> default_value, std::string unit) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.kind = FieldKind::number;
  spec.group = std::move(group);
  spec.min = min;
  spec.max = max;
  spec.default_value = std::move(default_value);
  spec.unit = std::move(unit);
  return spec;
}

FieldSpec integer_field(std::string name, std::string group, double min, double max,
                        std::optional<std::string> default_value, std::string unit) {
  FieldSpec spec = number_field(std::move(name), std::move(group), min, max, std::move(default_value), std::move(unit));
  spec.kind = FieldKind::integer;
  return spec;
}

FieldSpec choice_field(std::string name, std::string group, std::vector<std::string> choices,
                       std::optional<std::string> default_value) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.kind = FieldKind::choice;
  spec.group = std::move(group);
  spec.choices = std::move(choices);
  spec.default_value = std::move(default_value);
  return spec;
}

std::vector<FieldSpec> build_fields() {
  std::vector<FieldSpec> fields;
  // The guide's P has no default: it comes from the chosen model unless given. The
  // guide's H is the model field "hidden" (see model_fields()).
  fields.push_back(number_field("params", "model", 1e3, 1e13, std::nullopt, "params"));
  fields.push_back(integer_field("micro_batch", "batch", 1, 65536, std::string("16"), "sequences"));
  fields.push_back(integer_field("seq_len", "batch", 1, 10485760, std::string("512"), "tokens"));
  fields.push_back(integer_field("grad_accum", "batch", 1, 65536, std::string("1"), "micro-batches"));
  fields.push_back(choice_field("precision", "precision", precision_names(), std::string("amp_bf16")));
  fields.push_back(choice_field("gpu", "hardware", gpu_ids(), std::string("a100-80gb")));
  fields.push_back(number_field("gpu_tflops", "hardware", 0.001, 1e6, std::nullopt, "TFLOP/s"));
  fields.push_back(number_field("gpu_memory_gb", "hardware", 1, 100000, std::nullopt, "GB"));
  fields.push_back(number_field("gpu_bandwidth_tbps", "hardware", 0.01, 1000, std::nullopt, "TB/s"));
  fields.push_back(integer_field("num_gpus", "hardware", 1, 65536, std::string("1"), "GPUs"));
  fields.push_back(integer_field("gpus_per_node", "hardware", 1, 64, std::string("8"), "GPUs"));
  fields.push_back(choice_field("sharding", "hardware",
                                {"ddp", "zero1", "zero2", "zero3", "fsdp_no_shard", "fsdp_shard_grad_op",
                                 "fsdp_full_shard"},
                                std::string("ddp")));
  fields.push_back(choice_field("offload", "hardware", {"none", "optimizer", "optimizer_and_params"}, std::string("none")));
  fields.push_back(integer_field("tensor_parallel", "hardware", 1, 1024, std::string("1"), "GPUs"));
  fields.push_back(integer_field("pipeline_parallel", "hardware", 1, 1024, std::string("1"), "stages"));
  fields.push_back(choice_field("sequence_parallel", "hardware", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;

  // Detailed method: fine-tuning method and its options.
  fields.push_back(choice_field("method", "method", {"full", "lora", "qlora", "freeze"}, std::string("full")));
  fields.push_back(integer_field("lora_rank", "method", 1, 65536, std::string("16"), ""));
  FieldSpec targets;
  targets.name = "lora_targets";
  targets.kind = FieldKind::text;
  targets.group = "method";
  targets.default_value = std::string("all-linear");
  targets.choices = {"q", "k", "v", "o", "gate", "up", "down", "all-linear"};
  fields.push_back(targets);
  fields.push_back(choice_field("lora_train_embeddings", "method", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(choice_field("quant", "method", {"nf4", "fp4"}, std::string("nf4")));
  fields.push_back(choice_field("double_quant", "method", {"true", "false"}, std::string("true")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(choice_field("kbit_upcast", "method", {"true", "false"}, std::string("true")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(integer_field("trainable_layers", "method", 1, 100000, std::string("2"), "layers"));

  // Detailed method: optimizer and memory savers.
  fields.push_back(choice_field("optimizer", "precision",
                                {"adamw", "adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd",
                                 "sgd_momentum", "adafactor", "adafactor_momentum", "lion"},
                                std::string("adamw")));
  fields.push_back(
      choice_field("grad_checkpointing", "savers", {"off", "full", "selective", "offload"}, std::string("off")));
  fields.push_back(choice_field("attention", "savers", {"eager", "sdpa", "flash"}, std::string("sdpa")));
  fields.push_back(choice_field("fused_kernels", "savers", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(choice_field("fused_cross_entropy", "savers", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(choice_field("legacy_loss", "savers", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;
  fields.push_back(choice_field("optimizer_in_backward", "precision", {"true", "false"}, std::string("false")));
  fields.back().kind = FieldKind::boolean;
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
  // Only decimal notation: strtod would also take hex, "inf" and "nan".
  for (char c : trimmed) {
    bool allowed = std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    if (!allowed) return std::nullopt;
  }
  char* parse_end = nullptr;
  double value = std::strtod(trimmed.c_str(), &parse_end);
  if (parse_end != trimmed.c_str() + trimmed.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  if (value == 0) value = 0;  // turns -0 into 0
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
  if (value == "true" || value == "1" || value == "on" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "off" || value == "no") return false;
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
