// The input vocabulary: one table of every setup field (name, kind, range,
// default, unit), and a reader that validates text values against it. URL keys,
// CLI flags, embind JSON and the form all use these names.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "errors.h"
#include "key_values.h"

namespace gpuplan {

enum class FieldKind { number, integer, choice, boolean, text };

const char* field_kind_name(FieldKind kind);

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::number;
  std::string group;  // form group: model, method, batch, precision, savers, hardware, dataset
  double min = 0;
  double max = 0;
  std::optional<std::string> default_value;  // as URL text; empty when the field has no default
  std::vector<std::string> choices;          // for FieldKind::choice
  std::string unit;
};

// Every setup field except the custom-model fields, which the model parser owns.
const std::vector<FieldSpec>& setup_fields();
const FieldSpec* find_field(const std::string& name);

// Parses a finite number from text ("1.3e9", " 16 "); rejects hex, inf and nan.
std::optional<double> parse_finite_number(const std::string& text);

// Reads fields from key/value text, validating each against its spec and
// appending FieldErrors. Every key it reads is marked consumed.
class FieldReader {
 public:
  FieldReader(const KeyValues& values, FieldErrors& errors) : values_(values), errors_(errors) {}

  // Each returns the value, the default when the key is absent, or nothing when
  // the value is invalid (an error is recorded) or absent without a default.
  std::optional<double> number(const FieldSpec& spec);
  std::optional<int64_t> integer(const FieldSpec& spec);
  std::optional<std::string> choice(const FieldSpec& spec);
  std::optional<bool> boolean(const FieldSpec& spec);

  // Convenience overloads that look the spec up in setup_fields().
  std::optional<double> number(const std::string& name) { return number(*find_field(name)); }
  std::optional<int64_t> integer(const std::string& name) { return integer(*find_field(name)); }
  std::optional<std::string> choice(const std::string& name) { return choice(*find_field(name)); }
  std::optional<bool> boolean(const std::string& name) { return boolean(*find_field(name)); }

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // The raw text of a present key (empty when absent); marks it consumed.
  std::string raw_text(const std::string& name) {
    consumed_.insert(name);
    auto found = values_.find(name);
    return found == values_.end() ? std::string() : found->second;
  }
  void mark_consumed(const std::string& name) { consumed_.insert(name); }
  const std::set<std::string>& consumed() const { return consumed_; }

  // Records an unknown_field error for every key that no reader consumed.
  void report_unconsumed(const std::set<std::string>& also_consumed);

 private:
  const std::string* raw(const FieldSpec& spec);

  const KeyValues& values_;
  FieldErrors& errors_;
  std::set<std::string> consumed_;
};

}  // namespace gpuplan
