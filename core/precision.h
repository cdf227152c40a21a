// Training precision modes and their byte widths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gpus.h"

namespace gpuplan {

enum class Precision {
  fp32,        // everything in fp32
  fp16,        // the guide's "FP16": every value 2 bytes
  bf16,        // the guide's "BF16": every value 2 bytes
  int8,        // the guide's "INT8": every value 1 byte
  amp_fp16,    // fp32 weights and optimizer states, fp16 autocast compute (Trainer fp16=True)
  amp_bf16,    // fp32 weights and optimizer states, bf16 autocast compute (Trainer bf16=True)
  pure_fp16,   // fp16 weights, gradients and optimizer states
  pure_bf16,   // bf16 weights, gradients and optimizer states (Lightning bf16-true)
  mixed_fp16,  // fp16 model copy plus fp32 master weights in the optimizer (DeepSpeed, Megatron)
  mixed_bf16,  // bf16 model copy plus fp32 master weights in the optimizer
};

const char* precision_name(Precision precision);
std::optional<Precision> parse_precision(const std::string& text);
std::vector<std::string> precision_names();

// Bytes of one value in the guide's memory formulas: 4 for fp32, 1 for int8, and 2
// for every 16-bit mode (the guide treats mixed precision as storing 2-byte values).
double guide_bytes_per_value(Precision precision);

enum class ComputeDtype { fp32, fp16, bf16, int8 };

// The dtype the matrix multiplications run in.
ComputeDtype compute_dtype(Precision precision);
const char* compute_dtype_name(ComputeDtype dtype);

// Dense peak of the GPU for the dtype; empty when the GPU lacks it (bf16 on V100 and T4).
std::optional<double> peak_flops_for(const GpuSpec& gpu, ComputeDtype dtype);

}  // namespace gpuplan
