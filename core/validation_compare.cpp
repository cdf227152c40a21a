#include "validation_compare.h"

#include <algorithm>
#include <cmath>

#include "number_text.h"
#include "timing.h"

namespace gpuplan {
namespace {

template <typename Row>
Row labelled(const ValidationCase& record) {
  Row row;
  row.id = record.id;
  row.source = record.source;
  row.quality = record.quality;
  return row;
}

double error_fraction(double estimated, double measured) { return (estimated - measured) / measured; }

std::vector<Term> largest_terms(const Term& peak, size_t count) {
  std::vector<Term> terms;
  for (const Term& child : peak.children) terms.push_back(leaf(child.key, child.value));
  std::stable_sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.value > b.value; });
  if (terms.size() > count) terms.resize(count);
  return terms;
}

void skip(ValidationReport& report, const ValidationCase& record, const std::string& quantity,
          const std::string& reason) {
  SkippedComparison row = labelled<SkippedComparison>(record);
  row.quantity = quantity;
  row.reason = reason;
  report.skipped.push_back(std::move(row));
}

void compare_memory(const ValidationCase& record, const MemoryResult& estimate, ValidationReport& report) {
  const MeasuredQuantities& measured = record.measured;
  if (!measured.peak_memory_per_gpu_bytes) return;
  if (*measured.peak_memory_per_gpu_bytes <= 0) {
    skip(report, record, "peak_memory_per_gpu", "the measured value is not positive");
    return;
  }
  MemoryComparison row = labelled<MemoryComparison>(record);
  row.memory_kind = measured.memory_kind;
  row.measured_bytes = *measured.peak_memory_per_gpu_bytes;
  row.estimated_bytes = estimated_bytes_for(estimate, measured.memory_kind);
  row.error_fraction = error_fraction(row.estimated_bytes, row.measured_bytes);
  row.dominant_terms = largest_terms(estimate.peak, 3);
  report.memory.push_back(std::move(row));
}

void compare_verdicts(const ValidationCase& record, const MemoryResult& estimate, ValidationReport& report) {
  const MeasuredQuantities& measured = record.measured;
  for (const auto& [quantity, value] : {std::pair<const char*, std::optional<bool>>{"fits", measured.fits},
                                        {"oom", measured.oom}}) {
    if (!value) continue;
    if (!record.gpu_memory_known) {
      skip(report, record, quantity, "the case does not say how much memory the GPU has");
      continue;
    }
    VerdictComparison row = labelled<VerdictComparison>(record);
    row.quantity = quantity;
    row.measured_fits = std::string(quantity) == "fits" ? *value : !*value;
    row.estimated_fits = estimate.fits;
    row.estimated_bytes = estimate.required_bytes;
    row.usable_bytes = estimate.gpu_usable_bytes;
    report.verdicts.push_back(std::move(row));
  }
}

void compare_max_fit(const ValidationCase& record, ValidationReport& report) {
  const MeasuredQuantities& measured = record.measured;
  for (const auto& [quantity, value] :
       {std::pair<const char*, std::optional<int64_t>>{"max_batch_that_fits", measured.max_batch_that_fits},
        {"max_seq_that_fits", measured.max_seq_that_fits}}) {
    if (!value) continue;
    if (!record.gpu_memory_known) {
      skip(report, record, quantity, "the case does not say how much memory the GPU has");
      continue;
    }
    if (*value <= 0) {
      skip(report, record, quantity, "the measured value is not positive");
      continue;
    }
    MaxFitComparison row = labelled<MaxFitComparison>(record);
    row.quantity = quantity;
    row.measured = *value;
    row.estimated = std::string(quantity) == "max_batch_that_fits"
                        ? max_micro_batch_that_fits(record.model, record.setup)
                        : max_seq_len_that_fits(record.model, record.setup);
    row.within_one_step =
        row.estimated > 0 &&
        std::fabs(std::log2(static_cast<double>(row.estimated) / static_cast<double>(row.measured))) <= 1.0;
    report.max_fit.push_back(std::move(row));
  }
}

void compare_time(const ValidationCase& record, ValidationReport& report) {
  const MeasuredQuantities& measured = record.measured;
  struct Quantity {
    const char* name;
    std::optional<double> value;
  };
  const Quantity compared[] = {{"step_time_s", measured.step_time_s},
                               {"tokens_per_s_per_gpu", measured.tokens_per_s_per_gpu},
                               {"tokens_per_s_total", measured.tokens_per_s_total},
                               {"samples_per_s", measured.samples_per_s},
                               {"mfu", measured.mfu}};
  const Quantity whole_run[] = {{"gpu_hours", measured.gpu_hours},
                                {"wall_clock_hours", measured.wall_clock_hours},
                                {"total_flops", measured.total_flops}};
  for (const Quantity& quantity : whole_run) {
    if (quantity.value) {
      skip(report, record, quantity.name,
           "the workload (tokens, steps or epochs) is given only in the notes, so there is no estimate to compare");
    }
  }

  bool any = false;
  for (const Quantity& quantity : compared) any = any || quantity.value.has_value();
  if (!any) return;
  if (!record.gpu_in_table) {
    for (const Quantity& quantity : compared) {
      if (quantity.value) skip(report, record, quantity.name, "the GPU row is a stand-in, so its compute figures do not apply");
    }
    return;
  }

  if (record.samples_shorter_than_seq_len) {
    for (const Quantity& quantity : compared) {
      if (quantity.value) {
        skip(report, record, quantity.name,
             "most samples run shorter than seq_len and the source gives no mean padded length, so the "
             "measured time belongs to a shorter workload than the estimate's");
      }
    }
    return;
  }

  const TimeResult estimate = estimate_time(record.model, record.setup);
  for (const Quantity& quantity : compared) {
    if (!quantity.value) continue;
    if (!estimate.ok) {
      skip(report, record, quantity.name,
           "estimate_time failed: " + (estimate.errors.empty() ? std::string("no reason given")
                                                               : estimate.errors.front().message));
      continue;
    }
    if (*quantity.value <= 0) {
      skip(report, record, quantity.name, "the measured value is not positive");
      continue;
    }
    const std::string name = quantity.name;
    if (name == "mfu" && !record.precision_stated) {
      skip(report, record, name,
           "the case does not state the precision, and MFU divides by the peak of the compute dtype (FP8 runs "
           "divide by about twice the bf16 peak)");
      continue;
    }
    double estimated = 0;
    if (name == "step_time_s") {
      estimated = estimate.step_time_s;
      if (measured.step_time_per_micro_batch) estimated /= static_cast<double>(record.setup.grad_accum);
    } else if (name == "tokens_per_s_per_gpu") {
      estimated = estimate.tokens_per_s_per_gpu;
    } else if (name == "tokens_per_s_total") {
      estimated = estimate.tokens_per_s;
    } else if (name == "samples_per_s") {
      estimated = estimate.tokens_per_s / static_cast<double>(record.setup.seq_len);
    } else {
      estimated = estimate.mfu;
    }
    TimeComparison row = labelled<TimeComparison>(record);
    row.quantity = name;
    row.measured = *quantity.value;
    row.estimated = estimated;
    row.error_fraction = error_fraction(estimated, row.measured);
    row.bound = bound_name(estimate.bound);
    // A smaller step time means a faster run, but a larger throughput or MFU does.
    const double measured_speed_ratio = name == "step_time_s" ? estimated / row.measured : row.measured / estimated;
    // Under a sequential layer split only one stage's GPUs compute at a time.
    const bool sequential = record.setup.pipeline_schedule == PipelineSchedule::sequential;
    const double concurrent_share = sequential ? 1.0 / static_cast<double>(record.setup.pipeline_parallel) : 1.0;
    row.implied_hfu = estimate.hfu * measured_speed_ratio / concurrent_share;
    if (row.implied_hfu > 1.0) {
      skip(report, record, name,
           "the measured figure implies " + format_fixed(100 * row.implied_hfu, 0) + "% of the dense peak of " +
               (sequential ? "the GPUs that compute at once (one stage of the sequential split)" : "the GPUs") +
               " for the recorded setup (hardware FLOPs with recomputation), which no run reaches, so the run did "
               "not use that setup as recorded (shorter samples or more GPUs)");
      continue;
    }
    report.time.push_back(std::move(row));
  }
}

void compute_statistics(const std::vector<ValidationCase>& cases, ValidationReport& report) {
  ValidationStatistics& stats = report.statistics;
  stats.cases = cases.size();
  stats.matched = cases.size() - report.unmatched.size();

  std::vector<double> memory_errors;
  for (const MemoryComparison& row : report.memory) memory_errors.push_back(std::fabs(row.error_fraction));
  stats.memory_count = memory_errors.size();
  stats.memory_median_abs_error = median_of(memory_errors);
  stats.memory_p90_abs_error = percentile_nearest_rank(memory_errors, 0.9);

  stats.verdict_count = report.verdicts.size();
  for (const VerdictComparison& row : report.verdicts) stats.verdicts_right += row.agrees() ? 1 : 0;
  if (stats.verdict_count > 0) {
    stats.verdict_accuracy = static_cast<double>(stats.verdicts_right) / static_cast<double>(stats.verdict_count);
  }

  stats.max_fit_count = report.max_fit.size();
  for (const MaxFitComparison& row : report.max_fit) stats.max_fit_within += row.within_one_step ? 1 : 0;
  if (stats.max_fit_count > 0) {
    stats.max_fit_agreement = static_cast<double>(stats.max_fit_within) / static_cast<double>(stats.max_fit_count);
  }

  std::vector<double> time_errors;
  for (const TimeComparison& row : report.time) time_errors.push_back(std::fabs(row.error_fraction));
  stats.time_count = time_errors.size();
  stats.time_median_abs_error = median_of(time_errors);
  stats.time_p90_abs_error = percentile_nearest_rank(time_errors, 0.9);
}

}  // namespace

double estimated_bytes_for(const MemoryResult& result, MemoryKind kind) {
  switch (kind) {
    case MemoryKind::torch_peak_allocated: return result.peak_allocated_bytes;
    case MemoryKind::torch_peak_reserved: return result.peak_reserved_bytes;
    case MemoryKind::nvidia_smi: return result.nvidia_smi_bytes;
    case MemoryKind::unknown: return result.nvidia_smi_bytes;
  }
  return result.nvidia_smi_bytes;
}

ValidationReport compare_validation_cases(const std::vector<ValidationCase>& cases) {
  ValidationReport report;
  for (const ValidationCase& record : cases) {
    if (!record.matched()) {
      UnmatchedCase row = labelled<UnmatchedCase>(record);
      row.reason = record.unmatched_reason;
      report.unmatched.push_back(std::move(row));
      continue;
    }
    const MemoryResult estimate = estimate_memory(record.model, record.setup);
    compare_memory(record, estimate, report);
    compare_verdicts(record, estimate, report);
    compare_max_fit(record, report);
    compare_time(record, report);
  }
  compute_statistics(cases, report);
  return report;
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

double percentile_nearest_rank(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(fraction * static_cast<double>(values.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size()))) - 1;
  return values[index];
}

}  // namespace gpuplan
