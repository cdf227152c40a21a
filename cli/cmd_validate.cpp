#include "cmd_validate.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "args.h"
#include "validation_cases.h"
#include "validation_compare.h"

namespace gpuplan::cli {

namespace {

constexpr const char* kDefaultCasesPath = "tests/validation/cases.json";
constexpr const char* kRegenerateCommand = "./build/native/gpuplan validate --markdown > docs/validation.md";

// Accuracy targets; tests/core/validation_test.cpp bounds the statistics.
constexpr double kMedianTarget = 0.10;
constexpr double kP90Target = 0.25;
constexpr double kVerdictTarget = 0.95;
constexpr double kTimeMedianTarget = 0.20;
constexpr double kTimeP90Target = 0.40;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

void print_validate_help() {
  std::cout << "usage: gpuplan validate [--cases PATH] [--markdown]\n\n"
               "Compares the detailed memory and time estimates with measured fine-tuning runs.\n\n"
               "flags:\n"
               "  --cases PATH   the cases file (default " << kDefaultCasesPath << ", relative to the current directory)\n"
               "  --markdown     print the report as Markdown, the content of docs/validation.md\n";
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string gib(double bytes) { return format("%.2f", bytes / kGiB); }
std::string signed_percent(double fraction) { return format("%+.1f%%", fraction * 100); }
std::string percent(double fraction) { return format("%.1f%%", fraction * 100); }

std::string shorten(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

std::string dominant_terms_text(const std::vector<Term>& terms) {
  std::string text;
  for (const Term& term : terms) {
    if (!text.empty()) text += ", ";
    text += term.key + " " + format("%.1f", term.value / kGiB);
  }
  return text;
}

std::string fits_text(bool fits) { return fits ? "fits" : "oom"; }

std::string time_value_text(const std::string& quantity, double value) {
  if (quantity == "mfu") return percent(value);
  return format("%.4g", value);
}

// Counts unmatched cases by the text of their reason before the first colon
// or parenthesis, which names the field and leaves out case details.
std::map<std::string, int> unmatched_reason_counts(const std::vector<UnmatchedCase>& unmatched) {
  std::map<std::string, int> counts;
  for (const UnmatchedCase& row : unmatched) {
    std::string key = row.reason.substr(0, row.reason.find_first_of(":("));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    ++counts[key];
  }
  return counts;
}

// ---------------------------------------------------------------- text

void print_text(const std::string& path, const ValidationReport& report) {
  const ValidationStatistics& stats = report.statistics;
  std::printf("Validation against %zu measured cases (%s): %zu matched, %zu unmatched\n\n", stats.cases,
              path.c_str(), stats.matched, report.unmatched.size());

  std::printf("Peak memory per GPU: %zu cases, median |error| %s, 90th percentile %s (targets %s and %s)\n",
              stats.memory_count, percent(stats.memory_median_abs_error).c_str(),
              percent(stats.memory_p90_abs_error).c_str(), percent(kMedianTarget).c_str(),
              percent(kP90Target).c_str());
  std::printf("%-5s %-40s %-7s %-21s %9s %9s %8s  %s\n", "case", "source", "quality", "kind", "measured",
              "estimate", "error", "dominant terms (GiB)");
  for (const MemoryComparison& row : report.memory) {
    std::printf("%-5s %-40s %-7s %-21s %9s %9s %8s  %s\n", row.id.c_str(), shorten(row.source, 40).c_str(),
                row.quality.c_str(), memory_kind_name(row.memory_kind), gib(row.measured_bytes).c_str(),
                gib(row.estimated_bytes).c_str(), signed_percent(row.error_fraction).c_str(),
                dominant_terms_text(row.dominant_terms).c_str());
  }
  std::printf("(measured and estimate in GiB; unknown kinds are compared with the nvidia-smi estimate)\n\n");

  std::printf("Fit verdicts: %zu of %zu right (%s; target %s)\n", stats.verdicts_right, stats.verdict_count,
              percent(stats.verdict_accuracy).c_str(), percent(kVerdictTarget).c_str());
  std::printf("%-5s %-40s %-7s %-8s %-8s %10s %10s  %s\n", "case", "source", "quality", "measured", "estimate",
              "est. GiB", "usable GiB", "agrees");
  for (const VerdictComparison& row : report.verdicts) {
    std::printf("%-5s %-40s %-7s %-8s %-8s %10s %10s  %s\n", row.id.c_str(), shorten(row.source, 40).c_str(),
                row.quality.c_str(), fits_text(row.measured_fits).c_str(), fits_text(row.estimated_fits).c_str(),
                gib(row.estimated_bytes).c_str(), gib(row.usable_bytes).c_str(), row.agrees() ? "yes" : "no");
  }

  std::printf("\nLargest micro-batch and sequence that fit: %zu of %zu within one step (%s)\n",
              stats.max_fit_within, stats.max_fit_count, percent(stats.max_fit_agreement).c_str());
  std::printf("%-5s %-40s %-7s %-19s %9s %9s  %s\n", "case", "source", "quality", "quantity", "measured",
              "estimate", "within");
  for (const MaxFitComparison& row : report.max_fit) {
    std::printf("%-5s %-40s %-7s %-19s %9lld %9lld  %s\n", row.id.c_str(), shorten(row.source, 40).c_str(),
                row.quality.c_str(), row.quantity.c_str(), static_cast<long long>(row.measured),
                static_cast<long long>(row.estimated), row.within_one_step ? "yes" : "no");
  }

  // Time and throughput: the comparison rows come from estimate_time (core/timing.h).
  std::printf("\nTime and throughput: %zu comparisons, median |error| %s, 90th percentile %s (targets %s and %s)\n",
              stats.time_count, percent(stats.time_median_abs_error).c_str(), percent(stats.time_p90_abs_error).c_str(),
              percent(kTimeMedianTarget).c_str(), percent(kTimeP90Target).c_str());
  std::printf("%-5s %-40s %-7s %-20s %10s %10s %8s %8s  %s\n", "case", "source", "quality", "quantity", "measured",
              "estimate", "error", "impl.HFU", "bound");
  for (const TimeComparison& row : report.time) {
    std::printf("%-5s %-40s %-7s %-20s %10s %10s %8s %8s  %s\n", row.id.c_str(), shorten(row.source, 40).c_str(),
                row.quality.c_str(), row.quantity.c_str(), time_value_text(row.quantity, row.measured).c_str(),
                time_value_text(row.quantity, row.estimated).c_str(), signed_percent(row.error_fraction).c_str(),
                percent(row.implied_hfu).c_str(), row.bound.c_str());
  }

  std::printf("\nMeasured quantities not compared: %zu\n", report.skipped.size());
  for (const SkippedComparison& row : report.skipped) {
    std::printf("  %-5s %-20s %s\n", row.id.c_str(), row.quantity.c_str(), row.reason.c_str());
  }

  std::printf("\nUnmatched cases: %zu\n", report.unmatched.size());
  for (const UnmatchedCase& row : report.unmatched) {
    std::printf("  %-5s %s\n", row.id.c_str(), row.reason.c_str());
  }
}

// ---------------------------------------------------------------- Markdown

std::string cell(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|') escaped += '\\';
    if (c == '\n') {
      escaped += ' ';
      continue;
    }
    escaped += c;
  }
  return escaped;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += "; ";
    text += item;
  }
  return text;
}

void print_markdown_summary(const std::vector<ValidationCase>& cases, const ValidationReport& report) {
  const ValidationStatistics& stats = report.statistics;
  std::cout << "# Validation against measured runs\n\n"
               "This page compares the detailed estimates of gpuplan with "
            << stats.cases
            << " fine-tuning and training runs that others measured and published: benchmark tables, framework "
               "documentation, model cards, papers and issue threads. Each row names its source. "
               "`tests/validation/README.md` describes the case format, and `tests/validation/cases.json` holds "
               "every value with the source's own wording.\n\n"
               "Regenerate this page from the repository root after building the CLI:\n\n"
               "```\n"
            << kRegenerateCommand
            << "\n```\n\n"
               "## Summary\n\n"
               "| Check | Compared | Result | Target |\n"
               "|---|---|---|---|\n";
  std::cout << "| Peak memory per GPU, median absolute error | " << stats.memory_count << " | "
            << percent(stats.memory_median_abs_error) << " | at most " << percent(kMedianTarget) << " |\n";
  std::cout << "| Peak memory per GPU, 90th percentile absolute error | " << stats.memory_count << " | "
            << percent(stats.memory_p90_abs_error) << " | at most " << percent(kP90Target) << " |\n";
  std::cout << "| Fit verdicts right | " << stats.verdict_count << " | " << percent(stats.verdict_accuracy)
            << " | at least " << percent(kVerdictTarget) << " |\n";
  std::cout << "| Largest micro-batch or sequence within one step | " << stats.max_fit_count << " | "
            << percent(stats.max_fit_agreement) << " | all |\n";
  std::cout << "| Step time and throughput, median absolute error | " << stats.time_count << " | "
            << percent(stats.time_median_abs_error) << " | at most " << percent(kTimeMedianTarget) << " |\n";
  std::cout << "| Step time and throughput, 90th percentile absolute error | " << stats.time_count << " | "
            << percent(stats.time_p90_abs_error) << " | at most " << percent(kTimeP90Target) << " |\n\n";
  std::cout << stats.matched << " of " << cases.size()
            << " cases could be mapped onto a model and a training setup. The others are listed under "
               "[Unmatched cases](#unmatched-cases) with the reason.\n\n";
}

void print_markdown_memory(const ValidationReport& report) {
  std::cout << "## Peak memory per GPU\n\n"
               "Each measurement is compared with the estimate of the same kind: "
               "`torch.cuda.max_memory_allocated()` with the estimate's peak allocated bytes, "
               "`torch.cuda.max_memory_reserved()` with its peak reserved bytes, and nvidia-smi readings with "
               "reserved bytes plus the CUDA context. Sources that do not say how they measured (kind `unknown`) "
               "are compared with the nvidia-smi estimate, because tools that print a bare \"memory\" figure "
               "mostly read nvidia-smi or the reserved pool. Error is (estimate - measured) / measured. "
               "Dominant terms are the three largest top-level terms of the estimate at its peak, in GiB.\n\n"
               "| Case | Source | Quality | Kind | Measured (GiB) | Estimate (GiB) | Error | Dominant terms (GiB) |\n"
               "|---|---|---|---|---:|---:|---:|---|\n";
  for (const MemoryComparison& row : report.memory) {
    std::cout << "| " << row.id << " | " << cell(row.source) << " | " << row.quality << " | "
              << memory_kind_name(row.memory_kind) << " | " << gib(row.measured_bytes) << " | "
              << gib(row.estimated_bytes) << " | " << signed_percent(row.error_fraction) << " | "
              << dominant_terms_text(row.dominant_terms) << " |\n";
  }
  std::cout << '\n';
}

void print_markdown_fits(const ValidationReport& report) {
  std::cout << "## Fit verdicts\n\n"
               "A run that trained (`fits`) or ran out of memory (`oom`) against the estimate's verdict: the "
               "nvidia-smi estimate at most the memory CUDA reports for the GPU.\n\n"
               "| Case | Source | Quality | Measured | Estimate | Estimate (GiB) | Usable (GiB) | Agrees |\n"
               "|---|---|---|---|---|---:|---:|---|\n";
  for (const VerdictComparison& row : report.verdicts) {
    std::cout << "| " << row.id << " | " << cell(row.source) << " | " << row.quality << " | "
              << fits_text(row.measured_fits) << " | " << fits_text(row.estimated_fits) << " | "
              << gib(row.estimated_bytes) << " | " << gib(row.usable_bytes) << " | " << (row.agrees() ? "yes" : "no")
              << " |\n";
  }

  std::cout << "\n## Largest micro-batch and sequence that fit\n\n"
               "The largest micro-batch or sequence that trained against the largest the estimate lets fit "
               "(micro-batches 1 to 4096, sequences in multiples of 128). They agree within one step when the "
               "estimate is between half and twice the measured value, since sources mostly try powers of two.\n\n"
               "| Case | Source | Quality | Quantity | Measured | Estimate | Within one step |\n"
               "|---|---|---|---|---:|---:|---|\n";
  for (const MaxFitComparison& row : report.max_fit) {
    std::cout << "| " << row.id << " | " << cell(row.source) << " | " << row.quality << " | " << row.quantity
              << " | " << row.measured << " | " << row.estimated << " | " << (row.within_one_step ? "yes" : "no")
              << " |\n";
  }
  std::cout << '\n';
}

// Time and throughput: the part of the report that the time model (core/timing.h) owns.
void print_markdown_time(const ValidationReport& report) {
  std::cout << "## Time and throughput\n\n"
               "Measured step time, tokens per second, samples per second and MFU against `estimate_time` with "
               "its default options (network, communication overlap). Samples per second is the estimate's "
               "tokens per second divided by the sequence length. Where a case's notes say the time is per "
               "micro-batch iteration, the estimated step time is divided by the gradient accumulation steps. Measured MFU uses each source's own FLOP "
               "formula and peak, which the case notes describe. Only cases whose GPU is a row of the GPU table "
               "are compared. Implied HFU is the hardware FLOPs utilization that the measured figure implies for "
               "the recorded setup: the estimate's HFU times the measured speed over the estimated speed. A row "
               "whose implied HFU is above 100% cannot have run as recorded, so it is listed under measured "
               "quantities not compared. So are the times of runs whose samples mostly run shorter than the "
               "sequence length (the case marks them), and the MFU of cases that do not state their "
               "precision.\n\n"
               "| Case | Source | Quality | Quantity | Measured | Estimate | Error | Implied HFU | Bound |\n"
               "|---|---|---|---|---:|---:|---:|---:|---|\n";
  for (const TimeComparison& row : report.time) {
    std::cout << "| " << row.id << " | " << cell(row.source) << " | " << row.quality << " | " << row.quantity
              << " | " << time_value_text(row.quantity, row.measured) << " | "
              << time_value_text(row.quantity, row.estimated) << " | " << signed_percent(row.error_fraction)
              << " | " << percent(row.implied_hfu) << " | " << row.bound << " |\n";
  }
  std::cout << '\n';
}

void print_markdown_rest(const std::vector<ValidationCase>& cases, const ValidationReport& report) {
  std::cout << "## Measured quantities not compared\n\n"
               "Quantities of mapped cases that have no estimate to compare with.\n\n"
               "| Case | Quantity | Reason |\n"
               "|---|---|---|\n";
  for (const SkippedComparison& row : report.skipped) {
    std::cout << "| " << row.id << " | " << row.quantity << " | " << cell(row.reason) << " |\n";
  }

  std::cout << "\n## Unmatched cases\n\n"
               "Cases that could not be mapped onto a model and a training setup, by reason:\n\n";
  for (const auto& [reason, count] : unmatched_reason_counts(report.unmatched)) {
    std::cout << "- " << cell(reason) << ": " << count << '\n';
  }
  std::cout << "\n| Case | Source | Quality | Reason |\n"
               "|---|---|---|---|\n";
  for (const UnmatchedCase& row : report.unmatched) {
    std::cout << "| " << row.id << " | " << cell(row.source) << " | " << row.quality << " | " << cell(row.reason)
              << " |\n";
  }

  std::cout << "\n## How each case was mapped\n\n"
               "Settings a case leaves null that the loader filled in, and mappings that are close but not "
               "exact. The cases' own `assumed` lists, in `tests/validation/cases.json`, say which of their "
               "values the sources did not state.\n\n"
               "| Case | Defaults filled in | Approximations |\n"
               "|---|---|---|\n";
  for (const ValidationCase& record : cases) {
    if (!record.matched()) continue;
    if (record.loader_defaults.empty() && record.approximations.empty()) continue;
    std::cout << "| " << record.id << " | " << cell(joined(record.loader_defaults)) << " | "
              << cell(joined(record.approximations)) << " |\n";
  }
}

void print_markdown(const std::vector<ValidationCase>& cases, const ValidationReport& report) {
  print_markdown_summary(cases, report);
  print_markdown_memory(report);
  print_markdown_fits(report);
  print_markdown_time(report);
  print_markdown_rest(cases, report);
}

}  // namespace

int run_validate_command(int argc, char** argv) {
  ParsedArgs args = parse_args(argc, argv, 2, {"markdown"});
  if (args.help) {
    print_validate_help();
    return 0;
  }
  if (!args.error.empty()) {
    std::cerr << "gpuplan validate: " << args.error << '\n';
    return 2;
  }
  if (!args.positional.empty()) {
    std::cerr << "gpuplan validate: unexpected argument \"" << args.positional.front()
              << "\"; run gpuplan validate --help for the flags\n";
    return 2;
  }
  if (args.json) {
    std::cerr << "gpuplan validate: --json is not supported; use --markdown or the plain table\n";
    return 2;
  }
  std::string path = kDefaultCasesPath;
  bool markdown = false;
  for (const auto& [name, value] : args.values) {
    if (name == "cases") {
      path = value;
    } else if (name == "markdown") {
      markdown = value == "true";
      if (value != "true" && value != "false") {
        std::cerr << "gpuplan validate: --markdown takes no value, got \"" << value << "\"\n";
        return 2;
      }
    } else {
      std::cerr << "gpuplan validate: unknown flag --" << name << "; run gpuplan validate --help for the list\n";
      return 2;
    }
  }

  const std::optional<std::string> text = read_file(path);
  if (!text) {
    std::cerr << "gpuplan validate: failed to read \"" << path
              << "\"; run from the repository root or pass --cases PATH\n";
    return 1;
  }
  FieldErrors errors;
  const std::vector<ValidationCase> cases = load_validation_cases(*text, errors);
  for (const FieldError& error : errors) std::cerr << "gpuplan validate: " << error.message << '\n';
  if (cases.empty() && !errors.empty()) return 1;
  if (cases.empty()) {
    std::cerr << "gpuplan validate: \"" << path << "\" contains no cases\n";
    return 1;
  }

  const ValidationReport report = compare_validation_cases(cases);
  if (markdown) {
    print_markdown(cases, report);
  } else {
    print_text(path, report);
  }
  return 0;
}

}  // namespace gpuplan::cli
