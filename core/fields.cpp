#include "fields.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

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
  // Guide method inputs. params and hidden have no default: they come from the
  // chosen model unless given.
  fields.push_back(number_field("params", "model", 1e3, 1e13, std::nullopt, "params"));
  fields.push_back(integer_field("hidden", "model", 1, 1048576, std::nullopt, ""));
  fields.push_back(integer_field("micro_batch", "batch", 1, 65536, std::string("16"), "sequences"));
  fields.push_back(integer_field("seq_len", "batch", 1, 10485760, std::string("512"), "tokens"));
  fields.push_back(integer_field("grad_accum", "batch", 1, 65536, std::string("1"), "micro-batches"));
  fields.push_back(choice_field("precision", "precision", precision_names(), std::string("fp16")));
  fields.push_back(choice_field("gpu", "hardware", gpu_ids(), std::string("a100-80gb")));
  fields.push_back(number_field("gpu_tflops", "hardware", 0.001, 1e6, std::nullopt, "TFLOP/s"));
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
