#include "gpus.h"

namespace gpuplan {

namespace {

constexpr double kTera = 1e12;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGBps = 1e9;
constexpr double kTBps = 1e12;

// Host links, total bidirectional per x16 slot (PCI-SIG: 2, 4 and 8 GB/s per
// lane each way after encoding for Gen3, Gen4 and Gen5).
constexpr double kPcieGen3 = 32 * kGBps;
constexpr double kPcieGen4 = 64 * kGBps;
constexpr double kPcieGen5 = 128 * kGBps;

GpuSpec row(const char* id, const char* name, double memory_label_gib, double visible_mib, double bandwidth_tbps) {
  GpuSpec gpu;
  gpu.id = id;
  gpu.name = name;
  gpu.memory_bytes = memory_label_gib * kGiB;
  gpu.visible_memory_bytes = visible_mib > 0 ? visible_mib * kMiB : gpu.memory_bytes;
  gpu.memory_bandwidth_bytes_per_s = bandwidth_tbps * kTBps;
  return gpu;
}

// One row of the table in plain numbers and pointers, so the table is static data
// and gpu_table() converts it once. A zero peak or price means "not listed".
struct GpuRow {
  const char* id;
  const char* name;
  double memory_label_gib;
  double visible_mib;  // 0 when CUDA reports the full label size
  double bandwidth_tbps;
  double peak_tflops[6];  // dense fp32, tf32, fp16, bf16, fp8, int8
  const char* interconnect;
  double nvlink_gbps;  // 0 without NVLink
  double pcie_bytes_per_s;
  double price_usd_per_hour;
  const char* price_source;
  const char* source;
};

// Each row's values are dense (datasheets print 2:4 sparse figures with an
// asterisk, and dense is half of those).
constexpr GpuRow kGpuRows[] = {
    // id, name, memory label GiB, visible MiB, bandwidth TB/s,
    // {fp32, tf32, fp16, bf16, fp8, int8 TFLOP/s},
    // interconnect, NVLink GB/s, PCIe bytes/s, price USD/h, price source,
    // source

    // NVIDIA V100 datasheet (volta-v100-datasheet-update-us-1165301-r5): 15.7 FP32,
    // 125 FP16 tensor, 900 GB/s, NVLink 2 300 GB/s. No BF16 or INT8 tensor cores.
    // Visible memory 16160 MiB: nvidia-smi output in the Transformers docs page
    // "Model training anatomy" (model_memory_anatomy.md).
    {"v100-16gb", "NVIDIA V100 SXM2 16 GB", 16, 16160, 0.9, {15.7, 0, 125, 0, 0, 0},
     "NVLink 2 (300 GB/s)", 300, kPcieGen3, 0, "",
     "NVIDIA V100 datasheet"},
    // NOTE: the visible total (32510 MiB) is the commonly posted nvidia-smi reading, not a datasheet value.
    {"v100-32gb", "NVIDIA V100 SXM2 32 GB", 32, 32510, 0.9, {15.7, 0, 125, 0, 0, 0},
     "NVLink 2 (300 GB/s)", 300, kPcieGen3, 0, "",
     "NVIDIA V100 datasheet"},
    // NVIDIA T4 datasheet (t4-tensor-core-datasheet-951643): 8.1 FP32, 65 FP16 mixed
    // precision, 130 INT8, 320 GB/s, PCIe Gen3. 15360 MiB visible with ECC on.
    {"t4", "NVIDIA T4 16 GB", 16, 15360, 0.32, {8.1, 0, 65, 0, 0, 130},
     "PCIe Gen3 x16", 0, kPcieGen3, 0, "",
     "NVIDIA T4 datasheet"},
    // NVIDIA A10 datasheet: 31.2 FP32, 62.5 TF32, 125 FP16/BF16, 250 INT8, 600 GB/s.
    {"a10", "NVIDIA A10 24 GB", 24, 0, 0.6, {31.2, 62.5, 125, 125, 0, 250},
     "PCIe Gen4 x16", 0, kPcieGen4, 0, "",
     "NVIDIA A10 datasheet"},
    // NVIDIA L4 datasheet: 30.3 FP32, 60 TF32, 121 FP16/BF16, 242 INT8, 300 GB/s.
    {"l4", "NVIDIA L4 24 GB", 24, 0, 0.3, {30.3, 60, 121, 121, 0, 242},
     "PCIe Gen4 x16", 0, kPcieGen4, 0, "",
     "NVIDIA L4 datasheet"},
    // NVIDIA L40S datasheet: 91.6 FP32, 183 TF32, 362 FP16/BF16, 733 FP8 and INT8
    // (dense), 864 GB/s, PCIe Gen4, no NVLink.
    {"l40s", "NVIDIA L40S 48 GB", 48, 0, 0.864, {91.6, 183, 362, 362, 733, 733},
     "PCIe Gen4 x16", 0, kPcieGen4, 0, "",
     "NVIDIA L40S datasheet"},
    // NVIDIA A100 datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4): 19.5 FP32,
    // 156 TF32, 312 FP16/BF16, 624 INT8; 40 GB at 1,555 GB/s, 80 GB at 2,039 GB/s
    // (SXM) and 1,935 GB/s (PCIe); NVLink 3 600 GB/s.
    {"a100-40gb", "NVIDIA A100 SXM 40 GB", 40, 40960, 1.555, {19.5, 156, 312, 312, 0, 624},
     "NVLink 3 (600 GB/s)", 600, kPcieGen4, 1.844, "AWS EC2 Capacity Blocks, p4d, per GPU (2025)",
     "NVIDIA A100 datasheet"},
    {"a100-80gb", "NVIDIA A100 SXM 80 GB", 80, 81920, 2.039, {19.5, 156, 312, 312, 0, 624},
     "NVLink 3 (600 GB/s)", 600, kPcieGen4, 1.90, "midpoint of the $0.80-3.00 on-demand range across providers (May 2026)",
     "NVIDIA A100 datasheet"},
    {"a100-pcie-80gb", "NVIDIA A100 PCIe 80 GB", 80, 81920, 1.935, {19.5, 156, 312, 312, 0, 624},
     "PCIe Gen4 x16", 0, kPcieGen4, 0, "",
     "NVIDIA A100 datasheet"},
    // A800: the A100 die with NVLink cut to 400 GB/s for export rules; compute and
    // memory as the A100 80 GB SXM.
    {"a800-80gb", "NVIDIA A800 SXM 80 GB", 80, 81920, 2.039, {19.5, 156, 312, 312, 0, 624},
     "NVLink 3 (400 GB/s)", 400, kPcieGen4, 0, "",
     "NVIDIA A800 product brief"},
    // NVIDIA H100 datasheet (SXM5): 67 FP32, 989 TF32*, 1,979 FP16/BF16*, 3,958 FP8*
    // and INT8* (* with sparsity, dense is half), 3.35 TB/s, NVLink 4 900 GB/s.
    // NOTE: the visible total (81559 MiB) is the commonly posted nvidia-smi reading.
    {"h100-sxm", "NVIDIA H100 SXM 80 GB", 80, 81559, 3.35, {67, 494.7, 989.4, 989.4, 1978.9, 1978.9},
     "NVLink 4 (900 GB/s)", 900, kPcieGen5, 3.50, "midpoint of the $1.99-5.00 on-demand range across providers (May 2026)",
     "NVIDIA H100 datasheet"},
    // H100 PCIe: 51 FP32, 756 FP16/BF16 dense, 2.0 TB/s HBM2e, PCIe Gen5.
    {"h100-pcie", "NVIDIA H100 PCIe 80 GB", 80, 81559, 2.0, {51, 378, 756, 756, 1513, 1513},
     "PCIe Gen5 x16", 0, kPcieGen5, 0, "",
     "NVIDIA H100 datasheet"},
    // H800: the H100 SXM die with NVLink cut to 400 GB/s.
    {"h800", "NVIDIA H800 SXM 80 GB", 80, 81559, 3.35, {67, 494.7, 989.4, 989.4, 1978.9, 1978.9},
     "NVLink 4 (400 GB/s)", 400, kPcieGen5, 0, "",
     "NVIDIA H800 product brief"},
    // H20: 44 FP32, 74 TF32, 148 FP16/BF16, 296 FP8 and INT8, 96 GB HBM3 at 4.0 TB/s,
    // NVLink 900 GB/s.
    {"h20", "NVIDIA H20 96 GB", 96, 0, 4.0, {44, 74, 148, 148, 296, 296},
     "NVLink 4 (900 GB/s)", 900, kPcieGen5, 0, "",
     "NVIDIA H20 product brief"},
    // H200 SXM: H100 compute with 141 GB HBM3e at 4.8 TB/s; about 139 GiB visible to CUDA.
    {"h200", "NVIDIA H200 SXM 141 GB", 141, 143771, 4.8, {67, 494.7, 989.4, 989.4, 1978.9, 1978.9},
     "NVLink 4 (900 GB/s)", 900, kPcieGen5, 4.75, "midpoint of the $2.50-7.00 on-demand range across providers (May 2026)",
     "NVIDIA H200 datasheet"},
    // HGX B200 (1000 W): 80 FP32, 1,100 TF32, 2,250 FP16/BF16, 4,500 FP8 and INT8
    // dense; 180 GB HBM3e at 8 TB/s; NVLink 5 1.8 TB/s.
    {"b200", "NVIDIA B200 180 GB", 180, 0, 8.0, {80, 1100, 2250, 2250, 4500, 4500},
     "NVLink 5 (1800 GB/s)", 1800, kPcieGen5, 0, "",
     "NVIDIA DGX B200 datasheet"},
    // GeForce cards run FP16/BF16 tensor GEMMs with FP32 accumulation at half the
    // FP16-accumulate rate (NVIDIA Ampere GA102 and Ada Lovelace whitepapers, appendix tables).
    {"rtx-3090", "NVIDIA GeForce RTX 3090 24 GB", 24, 24576, 0.936, {35.6, 35.6, 71, 71, 0, 284},
     "PCIe Gen4 x16 (NVLink bridge 112.5 GB/s, 2 cards)", 0, kPcieGen4, 0, "",
     "NVIDIA Ampere GA102 whitepaper"},
    {"rtx-4090", "NVIDIA GeForce RTX 4090 24 GB", 24, 24564, 1.008, {82.6, 82.6, 165.2, 165.2, 330.3, 660.6},
     "PCIe Gen4 x16", 0, kPcieGen4, 0.34, "upper end of the $0.17-0.34 marketplace range (March 2026)",
     "NVIDIA Ada Lovelace whitepaper"},
    {"rtx-4090d", "NVIDIA GeForce RTX 4090 D 24 GB", 24, 24564, 1.008, {73.5, 73.5, 147.1, 147.1, 294.2, 588.4},
     "PCIe Gen4 x16", 0, kPcieGen4, 0, "",
     "NVIDIA RTX 4090 D specifications (14,592 CUDA cores)"},
    {"rtx-5090", "NVIDIA GeForce RTX 5090 32 GB", 32, 0, 1.792, {104.8, 0, 209.5, 209.5, 0, 838},
     "PCIe Gen5 x16", 0, kPcieGen5, 0, "",
     "NVIDIA GeForce RTX 5090 datasheet"},
    // Professional GA102 runs FP16/BF16 with FP32 accumulation at the full rate.
    {"rtx-a6000", "NVIDIA RTX A6000 48 GB", 48, 0, 0.768, {38.7, 77.4, 154.8, 154.8, 0, 309.7},
     "PCIe Gen4 x16 (NVLink bridge 112.5 GB/s, 2 cards)", 0, kPcieGen4, 0, "",
     "NVIDIA Ampere GA102 whitepaper"},
    // AMD Instinct MI300X datasheet: 163.4 FP32, 653.7 TF32, 1,307.4 FP16/BF16,
    // 2,614.9 FP8 dense, 192 GB HBM3 at 5.3 TB/s, Infinity Fabric 896 GB/s.
    {"mi300x", "AMD Instinct MI300X 192 GB", 192, 0, 5.3, {163.4, 653.7, 1307.4, 1307.4, 2614.9, 2614.9},
     "Infinity Fabric (896 GB/s)", 896, kPcieGen5, 1.78, "midpoint of $1.71-1.85 listed by two providers (2026)",
     "AMD Instinct MI300X datasheet"},
};

std::optional<double> tflops(double value) {
  if (value == 0) return std::nullopt;
  return value * kTera;
}

std::vector<GpuSpec> build_table() {
  std::vector<GpuSpec> table;
  for (const GpuRow& gpu_row : kGpuRows) {
    GpuSpec gpu = row(gpu_row.id, gpu_row.name, gpu_row.memory_label_gib, gpu_row.visible_mib, gpu_row.bandwidth_tbps);
    gpu.peak_fp32_flops = tflops(gpu_row.peak_tflops[0]);
    gpu.peak_tf32_flops = tflops(gpu_row.peak_tflops[1]);
    gpu.peak_fp16_flops = tflops(gpu_row.peak_tflops[2]);
    gpu.peak_bf16_flops = tflops(gpu_row.peak_tflops[3]);
    gpu.peak_fp8_flops = tflops(gpu_row.peak_tflops[4]);
    gpu.peak_int8_ops = tflops(gpu_row.peak_tflops[5]);
    gpu.interconnect = gpu_row.interconnect;
    gpu.nvlink_bandwidth_bytes_per_s = gpu_row.nvlink_gbps * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = gpu_row.pcie_bytes_per_s;
    if (gpu_row.price_usd_per_hour != 0) gpu.price_usd_per_hour = gpu_row.price_usd_per_hour;
    gpu.price_source = gpu_row.price_source;
    gpu.source = gpu_row.source;
    table.push_back(gpu);
  }
  return table;
}

}  // namespace

const std::vector<GpuSpec>& gpu_table() {
  static const std::vector<GpuSpec> table = build_table();
  return table;
}

const GpuSpec* find_gpu(const std::string& id) {
  for (const GpuSpec& gpu : gpu_table()) {
    if (gpu.id == id) return &gpu;
  }
  return nullptr;
}

std::vector<std::string> gpu_ids() {
  std::vector<std::string> ids;
  for (const GpuSpec& gpu : gpu_table()) ids.push_back(gpu.id);
  return ids;
}

}  // namespace gpuplan
