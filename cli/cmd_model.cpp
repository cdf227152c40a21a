#include "cmd_model.h"

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "hf_config.h"
#include "model.h"
#include "model_json.h"
#include "presets.h"

namespace gpuplan {
namespace {

constexpr const char* kModelUsage =
    "usage: gpuplan model <preset-id> [--json]\n"
    "       gpuplan model --hf-config PATH/config.json [--json]\n"
    "Prints the exact parameter count and breakdown of a model.\n"
    "  --json             print JSON instead of a table\n"
    "  --hf-config PATH   read the architecture from a Hugging Face config.json\n"
    "Run \"gpuplan models\" to list the preset ids.\n";

constexpr const char* kModelsUsage =
    "usage: gpuplan models [--json]\n"
    "Lists the model presets with their parameter counts.\n";

// Formats an integer with thousands separators: 124439808 -> "124,439,808".
std::string with_commas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

// Formats a count in billions or millions: "8.03B", "124.4M".
std::string short_count(int64_t value) {
  char text[32];
  if (value >= 1000000000) {
    std::snprintf(text, sizeof text, "%.2fB", static_cast<double>(value) / 1e9);
  } else {
    std::snprintf(text, sizeof text, "%.1fM", static_cast<double>(value) / 1e6);
  }
  return text;
}

void print_term(const Term& term, double total, int depth) {
  const std::string label = std::string(static_cast<size_t>(depth) * 2, ' ') + term.key;
  const double percent = total > 0 ? 100.0 * term.value / total : 0.0;
  std::printf("%-40s %22s %7.2f%%\n", label.c_str(),
              with_commas(static_cast<int64_t>(term.value)).c_str(), percent);
  for (const Term& child : term.children) print_term(child, total, depth + 1);
}

void print_model_table(const ModelSpec& spec) {
  const ParamCounts counts = count_params(spec);
  std::printf("%s", spec.name.c_str());
  if (!spec.hf_id.empty()) std::printf(" (%s)", spec.hf_id.c_str());
  std::printf("\n");
  std::printf("  total params     %s (%s)\n", with_commas(counts.total).c_str(),
              short_count(counts.total).c_str());
  if (counts.active != counts.total) {
    std::printf("  active params    %s (%s) per token\n", with_commas(counts.active).c_str(),
                short_count(counts.active).c_str());
  }
  std::printf("  layers           %lld dense, %lld MoE\n", static_cast<long long>(counts.dense_layers),
              static_cast<long long>(counts.moe_layers));
  std::printf("  largest module   %s\n", with_commas(counts.largest_layer).c_str());
  std::printf("  max positions    %s\n\n", with_commas(spec.max_positions).c_str());

  std::printf("%-40s %22s %8s\n", "parameters", "count", "share");
  const Term tree = param_breakdown(spec);
  for (const Term& child : tree.children) print_term(child, tree.value, 0);
  std::printf("%-40s %22s %7.2f%%\n", "total", with_commas(counts.total).c_str(), 100.0);
}

void print_errors(const FieldErrors& errors) {
  for (const FieldError& error : errors) std::fprintf(stderr, "gpuplan model: %s\n", error.message.c_str());
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

int run_model_command(int argc, char** argv) {
  bool json = false;
  std::string preset_id;
  std::string config_path;
  bool from_config = false;

  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kModelUsage);
      return 0;
    } else if (arg == "--hf-config") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "gpuplan model: --hf-config: missing value: expected a path to config.json\n");
        return 2;
      }
      from_config = true;
      config_path = argv[++i];
    } else if (arg.rfind("--", 0) == 0 || (arg.size() > 1 && arg[0] == '-')) {
      std::fprintf(stderr, "gpuplan model: unknown option \"%s\"\n%s", arg.c_str(), kModelUsage);
      return 2;
    } else if (preset_id.empty()) {
      preset_id = arg;
    } else {
      std::fprintf(stderr, "gpuplan model: unexpected argument \"%s\": give one preset id\n", arg.c_str());
      return 2;
    }
  }

  if (from_config && !preset_id.empty()) {
    std::fprintf(stderr, "gpuplan model: give either a preset id or --hf-config, not both\n");
    return 2;
  }

  if (from_config) {
    const std::optional<std::string> text = read_file(config_path);
    if (!text) {
      std::fprintf(stderr, "gpuplan model: --hf-config: failed to read \"%s\"\n", config_path.c_str());
      return 1;
    }
    FieldErrors errors;
    const std::optional<ModelSpec> spec = parse_hf_config(*text, errors);
    if (json) {
      std::printf("%s\n", model_result_json(spec ? &*spec : nullptr, errors).c_str());
    } else if (spec) {
      print_model_table(*spec);
    }
    if (!spec) {
      if (!json) print_errors(errors);
      return 1;
    }
    return 0;
  }

  if (preset_id.empty()) {
    std::fprintf(stderr, "gpuplan model: missing preset id\n%s", kModelUsage);
    return 2;
  }
  const ModelSpec* spec = find_preset(preset_id);
  if (spec == nullptr) {
    std::fprintf(stderr,
                 "gpuplan model: unknown preset \"%s\"; run \"gpuplan models\" to list the ids\n",
                 preset_id.c_str());
    return 2;
  }
  if (json) {
    std::printf("%s\n", model_result_json(spec, {}).c_str());
  } else {
    print_model_table(*spec);
  }
  return 0;
}

int run_models_command(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kModelsUsage);
      return 0;
    } else {
      std::fprintf(stderr, "gpuplan models: unknown option \"%s\"\n%s", arg.c_str(), kModelsUsage);
      return 2;
    }
  }
  if (json) {
    std::printf("%s\n", presets_json().c_str());
    return 0;
  }
  std::printf("%-18s %-22s %16s %16s %10s  %s\n", "id", "name", "params", "active", "context",
              "hugging face id");
  for (const ModelSpec& spec : presets()) {
    const ParamCounts counts = count_params(spec);
    std::printf("%-18s %-22s %16s %16s %10s  %s\n", spec.id.c_str(), spec.name.c_str(),
                with_commas(counts.total).c_str(), with_commas(counts.active).c_str(),
                with_commas(spec.max_positions).c_str(), spec.hf_id.empty() ? "-" : spec.hf_id.c_str());
  }
  return 0;
}

}  // namespace gpuplan
