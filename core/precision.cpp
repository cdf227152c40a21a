#include "precision.h"

namespace gpuplan {

namespace {

struct PrecisionName {
  Precision precision;
  const char* name;
};

constexpr PrecisionName kPrecisionNames[] = {
    {Precision::fp32, "fp32"},           {Precision::fp16, "fp16"},
    {Precision::bf16, "bf16"},           {Precision::int8, "int8"},
    {Precision::amp_fp16, "amp_fp16"},   {Precision::amp_bf16, "amp_bf16"},
    {Precision::pure_fp16, "pure_fp16"}, {Precision::pure_bf16, "pure_bf16"},
    {Precision::mixed_fp16, "mixed_fp16"}, {Precision::mixed_bf16, "mixed_bf16"},
};

}  // namespace

const char* precision_name(Precision precision) {
  for (const PrecisionName& entry : kPrecisionNames) {
    if (entry.precision == precision) return entry.name;
  }
  return "fp32";
}

std::optional<Precision> parse_precision(const std::string& text) {
  for (const PrecisionName& entry : kPrecisionNames) {
    if (text == entry.name) return entry.precision;
  }
  return std::nullopt;
}

std::vector<std::string> precision_names() {
  std::vector<std::string> names;
  for (const PrecisionName& entry : kPrecisionNames) names.emplace_back(entry.name);
  return names;
}

double guide_bytes_per_value(Precision precision) {
  switch (precision) {
    case Precision::fp32: return 4;
    case Precision::int8: return 1;
    default: return 2;
  }
}

ComputeDtype compute_dtype(Precision precision) {
  switch (precision) {
    case Precision::fp32: return ComputeDtype::fp32;
    case Precision::int8: return ComputeDtype::int8;
    case Precision::fp16:
    case Precision::amp_fp16:
    case Precision::pure_fp16:
    case Precision::mixed_fp16: return ComputeDtype::fp16;
    default: return ComputeDtype::bf16;
  }
}

const char* compute_dtype_name(ComputeDtype dtype) {
  switch (dtype) {
    case ComputeDtype::fp32: return "fp32";
    case ComputeDtype::fp16: return "fp16";
    case ComputeDtype::bf16: return "bf16";
    case ComputeDtype::int8: return "int8";
  }
  return "fp32";
}

std::optional<double> peak_flops_for(const GpuSpec& gpu, ComputeDtype dtype) {
  switch (dtype) {
    case ComputeDtype::fp32: return gpu.peak_fp32_flops;
    case ComputeDtype::fp16: return gpu.peak_fp16_flops;
    case ComputeDtype::bf16: return gpu.peak_bf16_flops;
    case ComputeDtype::int8: return gpu.peak_int8_ops;
  }
  return std::nullopt;
}

}  // namespace gpuplan
