// Comparison of the detailed estimates (estimate_memory, estimate_time) with
// the measured cases, and the accuracy statistics over them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "breakdown.h"
#include "memory.h"
#include "validation_cases.h"

namespace gpuplan {

struct MemoryComparison {
  std::string id;
  std::string source;
  std::string quality;
  MemoryKind memory_kind = MemoryKind::unknown;
  double measured_bytes = 0;
  double estimated_bytes = 0;  // the estimate's reading of the same kind
  double error_fraction = 0;   // (estimated - measured) / measured
  std::vector<Term> dominant_terms;  // the three largest top-level terms of the estimate's peak, largest first
};

// The MemoryResult reading compared with a measured kind. A source that does
// not say how it measured is compared with nvidia_smi_bytes, because tools
// that print "memory" without a kind mostly read nvidia-smi or the reserved pool.
double estimated_bytes_for(const MemoryResult& result, MemoryKind kind);

// A measured fits or oom verdict against estimate_memory(...).fits.
struct VerdictComparison {
  std::string id;
  std::string source;
  std::string quality;
  std::string quantity;  // "fits" or "oom", as measured
  bool measured_fits = false;
  bool estimated_fits = false;
  double estimated_bytes = 0;  // required_bytes, the memory that decides the fit
  double usable_bytes = 0;     // gpu_usable_bytes

  bool agrees() const { return measured_fits == estimated_fits; }
};

// The largest micro-batch or sequence that trained against the estimate's.
// They agree within one step when |log2(estimated / measured)| <= 1: sources
// mostly try powers of two, so the next value tried is twice or half the
// measured one.
struct MaxFitComparison {
  std::string id;
  std::string source;
  std::string quality;
  std::string quantity;  // "max_batch_that_fits" or "max_seq_that_fits"
  int64_t measured = 0;
  int64_t estimated = 0;  // 0 when even the smallest value does not fit
  bool within_one_step = false;
};

// A measured throughput or step time against estimate_time.
struct TimeComparison {
  std::string id;
  std::string source;
  std::string quality;
  std::string quantity;  // step_time_s, tokens_per_s_per_gpu, tokens_per_s_total, samples_per_s or mfu
  double measured = 0;
  double estimated = 0;       // a step time measured per micro-batch is compared with step time / grad_accum
  double error_fraction = 0;  // (estimated - measured) / measured
  std::string bound;          // what limits the estimated step (compute, memory_bandwidth, ...)
  // Hardware FLOPs utilization that the measured figure implies: the
  // estimate's HFU times the measured speed over the estimated speed. Above 1
  // the row is skipped, because no run exceeds the dense peak.
  double implied_hfu = 0;
};

// A measured quantity of a matched case that is not compared, with the reason.
struct SkippedComparison {
  std::string id;
  std::string source;
  std::string quality;
  std::string quantity;
  std::string reason;
};

struct UnmatchedCase {
  std::string id;
  std::string source;
  std::string quality;
  std::string reason;
};

struct ValidationStatistics {
  size_t cases = 0;
  size_t matched = 0;

  size_t memory_count = 0;
  double memory_median_abs_error = 0;  // fraction
  double memory_p90_abs_error = 0;     // fraction, nearest-rank 90th percentile

  size_t verdict_count = 0;
  size_t verdicts_right = 0;
  double verdict_accuracy = 0;  // fraction; 0 when there are no verdicts

  size_t max_fit_count = 0;
  size_t max_fit_within = 0;
  double max_fit_agreement = 0;  // fraction; 0 when there are no max-fit cases

  size_t time_count = 0;
  double time_median_abs_error = 0;
  double time_p90_abs_error = 0;
};

struct ValidationReport {
  std::vector<MemoryComparison> memory;
  std::vector<VerdictComparison> verdicts;
  std::vector<MaxFitComparison> max_fit;
  std::vector<TimeComparison> time;
  std::vector<SkippedComparison> skipped;
  std::vector<UnmatchedCase> unmatched;
  ValidationStatistics statistics;
};

// Runs the estimates on every matched case and compares each measured
// quantity; unmatched cases are listed with their reasons.
ValidationReport compare_validation_cases(const std::vector<ValidationCase>& cases);

// Median of the values (mean of the middle two for an even count); 0 when empty.
double median_of(std::vector<double> values);

// Nearest-rank percentile: the smallest value with at least fraction of the
// values at or below it; 0 when empty.
double percentile_nearest_rank(std::vector<double> values, double fraction);

}  // namespace gpuplan
