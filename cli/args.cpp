#include "args.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace gpuplan::cli {

ParsedArgs parse_args(int argc, char** argv, int first, const std::vector<std::string>& boolean_flags) {
  ParsedArgs parsed;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      parsed.json = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      parsed.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    size_t equals = name.find('=');
    if (equals != std::string::npos) {
      parsed.values[name.substr(0, equals)] = name.substr(equals + 1);
      continue;
    }
    if (std::find(boolean_flags.begin(), boolean_flags.end(), name) != boolean_flags.end()) {
      // A boolean flag alone means true. A word after it that is not a flag is its value,
      // and the field reader checks it (true, false, 1, 0, yes, no, on, off).
      const bool has_value = i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0;
      parsed.values[name] = has_value ? argv[++i] : "true";
      continue;
    }
    if (i + 1 >= argc) {
      parsed.error = "flag --" + name + " needs a value; --help lists the values it accepts";
      return parsed;
    }
    parsed.values[name] = argv[++i];
  }
  return parsed;
}

std::vector<std::string> boolean_field_names(const std::vector<const std::vector<FieldSpec>*>& tables) {
  std::vector<std::string> names;
  for (const std::vector<FieldSpec>* table : tables) {
    for (const FieldSpec& spec : *table) {
      if (spec.kind == FieldKind::boolean) names.push_back(spec.name);
    }
  }
  return names;
}

std::optional<int> finish_early(const ParsedArgs& args, const char* command, void (*print_help)()) {
  if (args.help) {
    print_help();
    return 0;
  }
  if (!args.error.empty()) {
    std::cerr << "gpuplan " << command << ": " << args.error << '\n';
    return 2;
  }
  if (!args.positional.empty()) {
    std::cerr << "gpuplan " << command << ": unexpected argument \"" << args.positional.front()
              << "\"; flags are written --name value\n";
    return 2;
  }
  return std::nullopt;
}

bool print_field_errors(const FieldErrors& errors, const char* command) {
  for (const FieldError& error : errors) {
    if (error.code == ErrorCode::unknown_field) {
      std::cerr << "gpuplan " << command << ": unknown flag --" << error.field << "; run gpuplan " << command
                << " --help\n";
    } else {
      std::cerr << "gpuplan " << command << ": --" << error.message << '\n';
    }
  }
  return !errors.empty();
}

namespace {

struct FieldHelp {
  const char* name;
  const char* help;
};

constexpr FieldHelp kFieldHelp[] = {
#include "field_help.inc"
};

}  // namespace

const char* field_help(const std::string& name) {
  for (const FieldHelp& row : kFieldHelp) {
    if (name == row.name) return row.help;
  }
  return nullptr;
}

namespace {

// Prints text indented by six spaces, breaking between words so that no line
// passes 80 columns (a word longer than a line keeps a line of its own).
// Columns count bytes, so a line with non-ASCII characters ends a little early.
void print_wrapped(const char* text) {
  constexpr size_t kIndent = 6;
  constexpr size_t kWidth = 80;
  std::string line;
  std::string word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && kIndent + line.size() + 1 + word.size() > kWidth) {
      std::cout << std::string(kIndent, ' ') << line << '\n';
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c == ' ') {
      flush_word();
    } else {
      word += *c;
    }
  }
  flush_word();
  if (!line.empty()) std::cout << std::string(kIndent, ' ') << line << '\n';
}

}  // namespace

void print_field_flag(const FieldSpec& spec, const char* help) {
  std::cout << "  --" << spec.name;
  if (!spec.choices.empty()) {
    // A text field with choices is a comma list of them (lora_targets).
    std::cout << (spec.kind == FieldKind::text ? " (comma list of " : " (");
    for (size_t i = 0; i < spec.choices.size(); ++i) std::cout << (i ? "|" : "") << spec.choices[i];
    std::cout << ')';
  } else if (spec.kind == FieldKind::number || spec.kind == FieldKind::integer) {
    std::cout << " (" << format_significant(spec.min, 6) << " to " << format_significant(spec.max, 6)
              << (spec.unit.empty() ? "" : " " + spec.unit) << ')';
  } else if (spec.kind == FieldKind::boolean) {
    std::cout << " (true|false)";
  }
  if (spec.default_value) std::cout << " default " << *spec.default_value;
  std::cout << '\n';

  if (help == nullptr) help = field_help(spec.name);
  if (help != nullptr) print_wrapped(help);
}

std::string format_significant(double value, int digits) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return "0";
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  int decimals = std::max(0, digits - 1 - magnitude);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string format_flops(double flops) {
  struct Prefix {
    double scale;
    const char* unit;
  };
  constexpr Prefix kPrefixes[] = {{1e18, "EFLOPs"}, {1e15, "PFLOPs"}, {1e12, "TFLOPs"},
                                  {1e9, "GFLOPs"},  {1e6, "MFLOPs"},  {1, "FLOPs"}};
  for (const Prefix& prefix : kPrefixes) {
    if (std::fabs(flops) >= prefix.scale) return format_significant(flops / prefix.scale) + " " + prefix.unit;
  }
  return format_significant(flops) + " FLOPs";
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "n/a";
  if (seconds < 60) return format_significant(seconds) + " s";
  if (seconds < 3600) return format_significant(seconds / 60) + " min";
  if (seconds < 86400) return format_significant(seconds / 3600) + " h";
  return format_significant(seconds / 86400) + " days";
}

std::string format_gigabytes(double bytes) { return format_significant(bytes / 1e9) + " GB"; }

}  // namespace gpuplan::cli
