// The guide method: the simple FLOPs and memory formulas of the Chinese
// fine-tuning guide that gpuplan grew from, implemented exactly as printed.
// Symbols: P parameters, B micro-batch, L sequence length, H hidden size,
// G gradient-accumulation steps.
#pragma once

#include <cstdint>
#include <string>

#include "breakdown.h"
#include "precision.h"

namespace gpuplan {

struct GuideInput {
  double params = 0;        // P
  int64_t micro_batch = 0;  // B
  int64_t seq_len = 0;      // L
  int64_t hidden = 0;       // H
  int64_t grad_accum = 1;   // G
  Precision precision = Precision::fp16;
  double gpu_peak_flops = 0;    // FLOP/s used for the step time
  double gpu_memory_bytes = 0;  // for the chart of memory against the GPU
};

// One function per formula term of the guide.
double guide_forward_flops(double params, int64_t micro_batch, int64_t seq_len);  // 2·P·B·L
double guide_backward_flops(double forward_flops);                               // 2 × forward
double guide_optimizer_flops(double params);                                     // 2·P (Adam)
double guide_step_flops(double forward_flops, double backward_flops, int64_t grad_accum,
                        double optimizer_flops);                                 // (F + B)·G + optimizer
double guide_step_time_s(double step_flops, double gpu_peak_flops);              // FLOPs ÷ peak
double guide_weights_bytes(double params, double bytes_per_value);               // P·bytes
double guide_activations_bytes(int64_t micro_batch, int64_t seq_len, int64_t hidden,
                               double bytes_per_value);                          // B·L·H·bytes
double guide_gradients_and_optimizer_bytes(double params, double bytes_per_value);  // 3·P·bytes

struct GuideResult {
  double bytes_per_value = 0;
  double gpu_peak_flops = 0;
  double gpu_memory_bytes = 0;

  double flops_forward = 0;           // one micro-batch
  double flops_backward = 0;          // one micro-batch
  double flops_forward_backward = 0;  // (forward + backward) × G: the total the guide's example prints
  double flops_optimizer = 0;
  double flops_total = 0;             // forward_backward + optimizer, the guide's formula
  double step_time_s = 0;
  Term flops;  // flops_per_step → forward_backward {forward, backward} and optimizer

  Term memory;  // memory_bytes → weights, activations, gradients_and_optimizer
  double memory_total_bytes = 0;
};

GuideResult estimate_guide(const GuideInput& input);

}  // namespace gpuplan
