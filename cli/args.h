// Command-line flags as key/value text: "--name value" or "--name=value".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "fields.h"
#include "key_values.h"

namespace gpuplan::cli {

struct ParsedArgs {
  KeyValues values;                     // every --name value pair
  std::vector<std::string> positional;  // arguments that are not flags
  bool json = false;                    // --json
  bool help = false;                    // --help or -h
  std::string error;                    // non-empty when the flags cannot be parsed
};

// Parses argv[first..argc). A flag listed in boolean_flags may stand alone
// (meaning true) or take "true" or "false" after it.
ParsedArgs parse_args(int argc, char** argv, int first, const std::vector<std::string>& boolean_flags = {});

// The names of the boolean fields in the given field tables, for parse_args.
std::vector<std::string> boolean_field_names(const std::vector<const std::vector<FieldSpec>*>& tables);

// Handles --help, unparsable flags and stray positional arguments the same way
// for every command. Returns the exit status when the command should stop there
// (0 after printing help, 2 after an error), or nothing when it should go on.
std::optional<int> finish_early(const ParsedArgs& args, const char* command, void (*print_help)());

// Prints each field error as "gpuplan COMMAND: --message" (unknown keys as
// unknown flags). Returns true when there was an error to print.
bool print_field_errors(const FieldErrors& errors, const char* command);

// The page's one-line description of a field (web/src/i18n/en.ts, copied into
// cli/field_help.inc by tools/field-help.mjs), or null when it has none.
const char* field_help(const std::string& name);

// Prints "  --name (accepted values) default D" and, below it, the field's
// description (help, else field_help) wrapped to 80 columns.
void print_field_flag(const FieldSpec& spec, const char* help = nullptr);

// Formats a value with three significant digits and no trailing zeros ("21.3", "0.205", "2.6").
std::string format_significant(double value, int digits = 3);

// Formats FLOPs with a unit prefix: "21.3 TFLOPs".
std::string format_flops(double flops);

// Formats a duration in the largest fitting unit of s, min, h and days: "2.14 s", "3.02 days".
std::string format_duration(double seconds);

// Formats bytes in decimal gigabytes (10^9), as the guide prints them: "2.6 GB".
std::string format_gigabytes(double bytes);

}  // namespace gpuplan::cli
