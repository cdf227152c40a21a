// The detailed time model: seconds per optimizer step on the critical path of
// one GPU, from GEMM FLOPs at an achievable fraction of the dense peak,
// memory-bound element-wise work at HBM bandwidth, data-, tensor- and
// pipeline-parallel communication, CPU offload, the pipeline bubble and the
// CPU's operator dispatch when the GPU's kernels are shorter.
// Every calibrated constant lives in timing_constants() with its source.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "breakdown.h"
#include "errors.h"
#include "flops.h"
#include "memory.h"
#include "model.h"
#include "setup.h"

namespace gpuplan {

// Inter-node network of one node, as bandwidth per direction.
struct NetworkPreset {
  std::string id;  // URL and CLI value
  std::string description;
  double node_bandwidth_bytes_per_s = 0;  // all NICs of one node together, one direction
};

const std::vector<NetworkPreset>& network_presets();
const NetworkPreset* find_network(const std::string& id);
std::vector<std::string> network_ids();

inline constexpr const char* kDefaultNetworkId = "ib_8x400";
// Fraction of data-parallel communication hidden behind compute. DDP launches
// each gradient bucket's all-reduce as soon as the bucket is ready, and FSDP
// and ZeRO-3 prefetch the next layer's parameters, but the last bucket, the
// first gather and contention with compute kernels stay exposed.
// NOTE: 0.5 is a judgment, not a measurement; comm_overlap lets users set it.
inline constexpr double kDefaultCommOverlap = 0.5;

// The reviewed table of time-model constants, in the same shape as the
// framework constants of the memory model.
const std::vector<FrameworkConstant>& timing_constants();
double timing_constant(std::string_view key);

struct TimeOptions {
  std::string network = kDefaultNetworkId;
  double comm_overlap = kDefaultCommOverlap;  // 0..1
  std::optional<double> mfu;  // measured model FLOPs utilization; replaces the efficiency model
  int64_t pipeline_microbatches = 0;  // micro-batches per pipeline flush; 0 means grad_accum
  FlopsOptions flops;
};

enum class Bound { compute, memory_bandwidth, communication, offload, pipeline_bubble, cpu_dispatch };
const char* bound_name(Bound bound);

struct TimeResult {
  bool ok = false;
  FieldErrors errors;  // why no estimate was possible (a GPU without the compute dtype, ...)

  // Seconds per optimizer step on one GPU. Children: compute (GEMM classes),
  // memory_bound (element-wise, dequantization, optimizer), communication
  // (exposed part of each collective), offload, pipeline_bubble, cpu_dispatch.
  Term step;
  double step_time_s = 0;

  double compute_s = 0;          // GEMMs, including recomputation
  double memory_bound_s = 0;     // element-wise kernels, QLoRA dequantization and the optimizer step
  double communication_s = 0;    // all collectives before overlap
  double communication_exposed_s = 0;
  double offload_s = 0;          // PCIe transfers and the CPU optimizer step
  double pipeline_bubble_s = 0;
  double micro_batch_time_s = 0;  // one micro-batch on one pipeline stage: GPU work, or CPU dispatch when longer
  double cpu_dispatch_wait_s = 0;  // time the GPU idles while the CPU dispatches operators
  Bound bound = Bound::compute;
  bool mfu_from_user = false;

  double peak_flops_per_gpu = 0;  // dense peak of the compute dtype
  double gemm_efficiency = 0;     // achieved fraction of peak over all GEMM work

  double model_flops = 0;     // per step, all GPUs
  double hardware_flops = 0;  // per step, all GPUs, with recomputation
  double mfu = 0;             // model FLOPs / (step time × GPUs × peak)
  double hfu = 0;             // hardware FLOPs / (step time × GPUs × peak)
  double tokens_per_step = 0;
  double tokens_per_s = 0;
  double tokens_per_s_per_gpu = 0;

  FlopsResult flops;
};

TimeResult estimate_time(const ModelSpec& model, const TrainingSetup& setup, const TimeOptions& options = {});

// Fraction of the dense peak an (m x k)·(k x n) GEMM reaches, from a smooth
// roofline (see timing.cpp). bytes_per_element is the operand width.
double gemm_efficiency(double m, double n, double k, double bytes_per_element, double peak_flops,
                       double bandwidth_bytes_per_s);

}  // namespace gpuplan
