// Field-level input errors shared by every entry point (CLI flags, URL keys,
// config.json, embind). The core never throws across its public API: each
// parser collects FieldError values and the caller decides how to word them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gpuplan {

enum class ErrorCode {
  missing,         // a required field is absent
  not_a_number,    // text that does not parse as a finite number
  not_an_integer,  // a number with a fractional part where a count is expected
  out_of_range,    // outside [min, max]
  unknown_choice,  // not one of the accepted enum values or table ids
  unknown_field,   // a key that no parser consumed
  invalid_json,    // config.json text that is not JSON, or of the wrong shape
  unsupported,     // a valid value that this combination cannot use
  too_large,       // input text or a sweep over the stated size limit
};

const char* error_code_name(ErrorCode code);

struct FieldError {
  std::string field;  // the input's name, spelled as in C++, URL keys and CLI flags
  ErrorCode code = ErrorCode::missing;
  std::string value;  // the rejected text as given (truncated to 80 characters)
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string> choices;  // accepted values for unknown_choice
  std::string reason;                // for unsupported: the English clause saying what conflicts
  std::string reason_code;           // for unsupported: a key that pages word in their language
  std::vector<std::string> reason_args;  // the values the worded reason names, in a fixed order per code
  std::string message;               // complete English sentence naming field, value and range
};

using FieldErrors = std::vector<FieldError>;

// Builders that also fill in the English message.
FieldError make_missing(const std::string& field);
FieldError make_not_a_number(const std::string& field, const std::string& value);
FieldError make_not_an_integer(const std::string& field, const std::string& value);
FieldError make_out_of_range(const std::string& field, const std::string& value, double min, double max);
FieldError make_unknown_choice(const std::string& field, const std::string& value,
                               std::vector<std::string> choices);
FieldError make_unknown_field(const std::string& field, const std::string& value);
FieldError make_unsupported(const std::string& field, const std::string& value, const std::string& reason);
// The same with a reason code and its arguments, for reasons that pages translate.
FieldError make_unsupported(const std::string& field, const std::string& value, const std::string& reason,
                            const std::string& reason_code, std::vector<std::string> reason_args = {});

// Shortens user text before it is echoed in a message.
std::string truncate_for_message(const std::string& text);

}  // namespace gpuplan
