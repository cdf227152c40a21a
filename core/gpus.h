// GPU specification table: memory, bandwidth, dense peak throughput per dtype,
// interconnect and a default rental price. Every row names its sources.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gpuplan {

struct GpuSpec {
  std::string id;    // kebab-case key used in URLs and CLI flags
  std::string name;  // display name
  double memory_bytes = 0;          // vendor label (binary GB, so 80 GB = 80 * 2^30 bytes)
  double visible_memory_bytes = 0;  // total that CUDA reports (nvidia-smi "Total"), the ceiling for a fit
  double memory_bandwidth_bytes_per_s = 0;

  // Dense (no 2:4 sparsity) peaks in FLOP/s (OP/s for int8). 16-bit rates are the
  // tensor-core rates with FP32 accumulation, which is what PyTorch's fp16/bf16 GEMMs use.
  std::optional<double> peak_fp32_flops;  // non-tensor FP32
  std::optional<double> peak_tf32_flops;
  std::optional<double> peak_fp16_flops;
  std::optional<double> peak_bf16_flops;
  std::optional<double> peak_fp8_flops;
  std::optional<double> peak_int8_ops;

  std::string interconnect;                  // e.g. "NVLink 4 (900 GB/s)", "PCIe Gen4 x16"
  double nvlink_bandwidth_bytes_per_s = 0;   // total bidirectional per GPU as vendors print it; 0 without NVLink
  double pcie_bandwidth_bytes_per_s = 0;     // total bidirectional of the host link
  std::optional<double> price_usd_per_hour;  // default rental price per GPU-hour
  std::string price_source;                  // where and when the price was read
  std::string source;                        // datasheet the specification comes from
};

const std::vector<GpuSpec>& gpu_table();

// Returns nullptr when id is not in the table.
const GpuSpec* find_gpu(const std::string& id);

std::vector<std::string> gpu_ids();

}  // namespace gpuplan
