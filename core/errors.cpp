#include "errors.h"

#include <cmath>

#include "number_text.h"

namespace gpuplan {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::missing: return "missing";
    case ErrorCode::not_a_number: return "not_a_number";
    case ErrorCode::not_an_integer: return "not_an_integer";
    case ErrorCode::out_of_range: return "out_of_range";
    case ErrorCode::unknown_choice: return "unknown_choice";
    case ErrorCode::unknown_field: return "unknown_field";
    case ErrorCode::invalid_json: return "invalid_json";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::too_large: return "too_large";
  }
  return "invalid";
}

std::string truncate_for_message(const std::string& text) {
  constexpr size_t kMaxChars = 80;
  if (text.size() <= kMaxChars) return text;
  // Cut on a UTF-8 character boundary so the message stays valid text.
  size_t cut = kMaxChars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

namespace {

// Formats a limit without a trailing ".000000" and with an exponent for large values.
std::string format_limit(double value) {
  if (std::fabs(value) >= 1e7 && std::fabs(value) == std::floor(std::fabs(value))) {
    return format_general(value, 6);
  }
  return format_general(value, 10);
}

// Quotes user text once; config.json values arrive already written as JSON strings.
std::string quoted(const std::string& value) {
  const std::string text = truncate_for_message(value);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text;
  return "\"" + text + "\"";
}

}  // namespace

FieldError make_missing(const std::string& field) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::missing;
  error.message = field + ": missing: give a value for " + field;
  return error;
}

FieldError make_not_a_number(const std::string& field, const std::string& value) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::not_a_number;
  error.value = truncate_for_message(value);
  error.message = field + ": invalid value " + quoted(value) + ": expected a finite number";
  return error;
}

FieldError make_not_an_integer(const std::string& field, const std::string& value) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::not_an_integer;
  error.value = truncate_for_message(value);
  error.message = field + ": invalid value " + quoted(value) + ": expected a whole number";
  return error;
}

FieldError make_out_of_range(const std::string& field, const std::string& value, double min, double max) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::out_of_range;
  error.value = truncate_for_message(value);
  error.min = min;
  error.max = max;
  error.message = field + ": invalid value " + quoted(value) + ": must be from " + format_limit(min) + " to " +
                  format_limit(max);
  return error;
}

FieldError make_unknown_choice(const std::string& field, const std::string& value,
                               std::vector<std::string> choices) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::unknown_choice;
  error.value = truncate_for_message(value);
  std::string list;
  constexpr size_t kListedChoices = 12;
  for (size_t i = 0; i < choices.size() && i < kListedChoices; ++i) {
    if (i > 0) list += ", ";
    list += choices[i];
  }
  if (choices.size() > kListedChoices) list += ", ... (" + std::to_string(choices.size()) + " in all)";
  error.message = field + ": unknown value " + quoted(value) + ": expected one of " + list;
  error.choices = std::move(choices);
  return error;
}

FieldError make_unknown_field(const std::string& field, const std::string& value) {
  FieldError error;
  error.field = truncate_for_message(field);
  error.code = ErrorCode::unknown_field;
  error.value = truncate_for_message(value);
  error.message = "unknown field " + quoted(field) + " was ignored";
  return error;
}

FieldError make_unsupported(const std::string& field, const std::string& value, const std::string& reason) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::unsupported;
  error.value = truncate_for_message(value);
  error.reason = reason;
  error.message = field + ": unsupported value " + quoted(value) + ": " + reason;
  return error;
}

FieldError make_unsupported(const std::string& field, const std::string& value, const std::string& reason,
                            const std::string& reason_code, std::vector<std::string> reason_args) {
  FieldError error = make_unsupported(field, value, reason);
  error.reason_code = reason_code;
  error.reason_args = std::move(reason_args);
  return error;
}

}  // namespace gpuplan
