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

std::optional<double> tflops(double value) { return value * kTera; }

// Each builder fills one row; values are dense (datasheets print 2:4 sparse
// figures with an asterisk, and dense is half of those).
std::vector<GpuSpec> build_table() {
  std::vector<GpuSpec> table;

  // NVIDIA V100 datasheet (volta-v100-datasheet-update-us-1165301-r5): 15.7 FP32,
  // 125 FP16 tensor, 900 GB/s, NVLink 2 300 GB/s. No BF16 or INT8 tensor cores.
  // Visible memory 16160 MiB: nvidia-smi output in the Transformers docs page
  // "Model training anatomy" (model_memory_anatomy.md).
  {
    GpuSpec gpu = row("v100-16gb", "NVIDIA V100 SXM2 16 GB", 16, 16160, 0.9);
    gpu.peak_fp32_flops = tflops(15.7);
    gpu.peak_fp16_flops = tflops(125);
    gpu.interconnect = "NVLink 2 (300 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 300 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen3;
    gpu.source = "NVIDIA V100 datasheet";
    table.push_back(gpu);
  }
  {
    // NOTE: the visible total (32510 MiB) is the commonly posted nvidia-smi reading, not a datasheet value.
    GpuSpec gpu = row("v100-32gb", "NVIDIA V100 SXM2 32 GB", 32, 32510, 0.9);
    gpu.peak_fp32_flops = tflops(15.7);
    gpu.peak_fp16_flops = tflops(125);
    gpu.interconnect = "NVLink 2 (300 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 300 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen3;
    gpu.source = "NVIDIA V100 datasheet";
    table.push_back(gpu);
  }
  // NVIDIA T4 datasheet (t4-tensor-core-datasheet-951643): 8.1 FP32, 65 FP16 mixed
  // precision, 130 INT8, 320 GB/s, PCIe Gen3. 15360 MiB visible with ECC on.
  {
    GpuSpec gpu = row("t4", "NVIDIA T4 16 GB", 16, 15360, 0.32);
    gpu.peak_fp32_flops = tflops(8.1);
    gpu.peak_fp16_flops = tflops(65);
    gpu.peak_int8_ops = tflops(130);
    gpu.interconnect = "PCIe Gen3 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen3;
    gpu.source = "NVIDIA T4 datasheet";
    table.push_back(gpu);
  }
  // NVIDIA A10 datasheet: 31.2 FP32, 62.5 TF32, 125 FP16/BF16, 250 INT8, 600 GB/s.
  {
    GpuSpec gpu = row("a10", "NVIDIA A10 24 GB", 24, 0, 0.6);
    gpu.peak_fp32_flops = tflops(31.2);
    gpu.peak_tf32_flops = tflops(62.5);
    gpu.peak_fp16_flops = tflops(125);
    gpu.peak_bf16_flops = tflops(125);
    gpu.peak_int8_ops = tflops(250);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA A10 datasheet";
    table.push_back(gpu);
  }
  // NVIDIA L4 datasheet: 30.3 FP32, 60 TF32, 121 FP16/BF16, 242 INT8, 300 GB/s.
  {
    GpuSpec gpu = row("l4", "NVIDIA L4 24 GB", 24, 0, 0.3);
    gpu.peak_fp32_flops = tflops(30.3);
    gpu.peak_tf32_flops = tflops(60);
    gpu.peak_fp16_flops = tflops(121);
    gpu.peak_bf16_flops = tflops(121);
    gpu.peak_int8_ops = tflops(242);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA L4 datasheet";
    table.push_back(gpu);
  }
  // NVIDIA L40S datasheet: 91.6 FP32, 183 TF32, 362 FP16/BF16, 733 FP8 and INT8
  // (dense), 864 GB/s, PCIe Gen4, no NVLink.
  {
    GpuSpec gpu = row("l40s", "NVIDIA L40S 48 GB", 48, 0, 0.864);
    gpu.peak_fp32_flops = tflops(91.6);
    gpu.peak_tf32_flops = tflops(183);
    gpu.peak_fp16_flops = tflops(362);
    gpu.peak_bf16_flops = tflops(362);
    gpu.peak_fp8_flops = tflops(733);
    gpu.peak_int8_ops = tflops(733);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA L40S datasheet";
    table.push_back(gpu);
  }
  // NVIDIA A100 datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4): 19.5 FP32,
  // 156 TF32, 312 FP16/BF16, 624 INT8; 40 GB at 1,555 GB/s, 80 GB at 2,039 GB/s
  // (SXM) and 1,935 GB/s (PCIe); NVLink 3 600 GB/s.
  {
    GpuSpec gpu = row("a100-40gb", "NVIDIA A100 SXM 40 GB", 40, 40960, 1.555);
    gpu.peak_fp32_flops = tflops(19.5);
    gpu.peak_tf32_flops = tflops(156);
    gpu.peak_fp16_flops = tflops(312);
    gpu.peak_bf16_flops = tflops(312);
    gpu.peak_int8_ops = tflops(624);
    gpu.interconnect = "NVLink 3 (600 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 600 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.price_usd_per_hour = 1.844;
    gpu.price_source = "AWS EC2 Capacity Blocks, p4d, per GPU (2025)";
    gpu.source = "NVIDIA A100 datasheet";
    table.push_back(gpu);
  }
  {
    GpuSpec gpu = row("a100-80gb", "NVIDIA A100 SXM 80 GB", 80, 81920, 2.039);
    gpu.peak_fp32_flops = tflops(19.5);
    gpu.peak_tf32_flops = tflops(156);
    gpu.peak_fp16_flops = tflops(312);
    gpu.peak_bf16_flops = tflops(312);
    gpu.peak_int8_ops = tflops(624);
    gpu.interconnect = "NVLink 3 (600 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 600 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.price_usd_per_hour = 1.90;
    gpu.price_source = "midpoint of the $0.80-3.00 on-demand range across providers (May 2026)";
    gpu.source = "NVIDIA A100 datasheet";
    table.push_back(gpu);
  }
  {
    GpuSpec gpu = row("a100-pcie-80gb", "NVIDIA A100 PCIe 80 GB", 80, 81920, 1.935);
    gpu.peak_fp32_flops = tflops(19.5);
    gpu.peak_tf32_flops = tflops(156);
    gpu.peak_fp16_flops = tflops(312);
    gpu.peak_bf16_flops = tflops(312);
    gpu.peak_int8_ops = tflops(624);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA A100 datasheet";
    table.push_back(gpu);
  }
  // A800: the A100 die with NVLink cut to 400 GB/s for export rules; compute and
  // memory as the A100 80 GB SXM.
  {
    GpuSpec gpu = row("a800-80gb", "NVIDIA A800 SXM 80 GB", 80, 81920, 2.039);
    gpu.peak_fp32_flops = tflops(19.5);
    gpu.peak_tf32_flops = tflops(156);
    gpu.peak_fp16_flops = tflops(312);
    gpu.peak_bf16_flops = tflops(312);
    gpu.peak_int8_ops = tflops(624);
    gpu.interconnect = "NVLink 3 (400 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 400 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA A800 product brief";
    table.push_back(gpu);
  }
  // NVIDIA H100 datasheet (SXM5): 67 FP32, 989 TF32*, 1,979 FP16/BF16*, 3,958 FP8*
  // and INT8* (* with sparsity, dense is half), 3.35 TB/s, NVLink 4 900 GB/s.
  // NOTE: the visible total (81559 MiB) is the commonly posted nvidia-smi reading.
  {
    GpuSpec gpu = row("h100-sxm", "NVIDIA H100 SXM 80 GB", 80, 81559, 3.35);
    gpu.peak_fp32_flops = tflops(67);
    gpu.peak_tf32_flops = tflops(494.7);
    gpu.peak_fp16_flops = tflops(989.4);
    gpu.peak_bf16_flops = tflops(989.4);
    gpu.peak_fp8_flops = tflops(1978.9);
    gpu.peak_int8_ops = tflops(1978.9);
    gpu.interconnect = "NVLink 4 (900 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 900 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.price_usd_per_hour = 3.50;
    gpu.price_source = "midpoint of the $1.99-5.00 on-demand range across providers (May 2026)";
    gpu.source = "NVIDIA H100 datasheet";
    table.push_back(gpu);
  }
  // H100 PCIe: 51 FP32, 756 FP16/BF16 dense, 2.0 TB/s HBM2e, PCIe Gen5.
  {
    GpuSpec gpu = row("h100-pcie", "NVIDIA H100 PCIe 80 GB", 80, 81559, 2.0);
    gpu.peak_fp32_flops = tflops(51);
    gpu.peak_tf32_flops = tflops(378);
    gpu.peak_fp16_flops = tflops(756);
    gpu.peak_bf16_flops = tflops(756);
    gpu.peak_fp8_flops = tflops(1513);
    gpu.peak_int8_ops = tflops(1513);
    gpu.interconnect = "PCIe Gen5 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.source = "NVIDIA H100 datasheet";
    table.push_back(gpu);
  }
  // H800: the H100 SXM die with NVLink cut to 400 GB/s.
  {
    GpuSpec gpu = row("h800", "NVIDIA H800 SXM 80 GB", 80, 81559, 3.35);
    gpu.peak_fp32_flops = tflops(67);
    gpu.peak_tf32_flops = tflops(494.7);
    gpu.peak_fp16_flops = tflops(989.4);
    gpu.peak_bf16_flops = tflops(989.4);
    gpu.peak_fp8_flops = tflops(1978.9);
    gpu.peak_int8_ops = tflops(1978.9);
    gpu.interconnect = "NVLink 4 (400 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 400 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.source = "NVIDIA H800 product brief";
    table.push_back(gpu);
  }
  // H20: 44 FP32, 74 TF32, 148 FP16/BF16, 296 FP8 and INT8, 96 GB HBM3 at 4.0 TB/s,
  // NVLink 900 GB/s.
  {
    GpuSpec gpu = row("h20", "NVIDIA H20 96 GB", 96, 0, 4.0);
    gpu.peak_fp32_flops = tflops(44);
    gpu.peak_tf32_flops = tflops(74);
    gpu.peak_fp16_flops = tflops(148);
    gpu.peak_bf16_flops = tflops(148);
    gpu.peak_fp8_flops = tflops(296);
    gpu.peak_int8_ops = tflops(296);
    gpu.interconnect = "NVLink 4 (900 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 900 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.source = "NVIDIA H20 product brief";
    table.push_back(gpu);
  }
  // H200 SXM: H100 compute with 141 GB HBM3e at 4.8 TB/s; about 139 GiB visible to CUDA.
  {
    GpuSpec gpu = row("h200", "NVIDIA H200 SXM 141 GB", 141, 143771, 4.8);
    gpu.peak_fp32_flops = tflops(67);
    gpu.peak_tf32_flops = tflops(494.7);
    gpu.peak_fp16_flops = tflops(989.4);
    gpu.peak_bf16_flops = tflops(989.4);
    gpu.peak_fp8_flops = tflops(1978.9);
    gpu.peak_int8_ops = tflops(1978.9);
    gpu.interconnect = "NVLink 4 (900 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 900 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.price_usd_per_hour = 4.75;
    gpu.price_source = "midpoint of the $2.50-7.00 on-demand range across providers (May 2026)";
    gpu.source = "NVIDIA H200 datasheet";
    table.push_back(gpu);
  }
  // HGX B200 (1000 W): 80 FP32, 1,100 TF32, 2,250 FP16/BF16, 4,500 FP8 and INT8
  // dense; 180 GB HBM3e at 8 TB/s; NVLink 5 1.8 TB/s.
  {
    GpuSpec gpu = row("b200", "NVIDIA B200 180 GB", 180, 0, 8.0);
    gpu.peak_fp32_flops = tflops(80);
    gpu.peak_tf32_flops = tflops(1100);
    gpu.peak_fp16_flops = tflops(2250);
    gpu.peak_bf16_flops = tflops(2250);
    gpu.peak_fp8_flops = tflops(4500);
    gpu.peak_int8_ops = tflops(4500);
    gpu.interconnect = "NVLink 5 (1800 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 1800 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.source = "NVIDIA DGX B200 datasheet";
    table.push_back(gpu);
  }
  // GeForce cards run FP16/BF16 tensor GEMMs with FP32 accumulation at half the
  // FP16-accumulate rate (NVIDIA Ampere GA102 and Ada Lovelace whitepapers, appendix tables).
  {
    GpuSpec gpu = row("rtx-3090", "NVIDIA GeForce RTX 3090 24 GB", 24, 24576, 0.936);
    gpu.peak_fp32_flops = tflops(35.6);
    gpu.peak_tf32_flops = tflops(35.6);
    gpu.peak_fp16_flops = tflops(71);
    gpu.peak_bf16_flops = tflops(71);
    gpu.peak_int8_ops = tflops(284);
    gpu.interconnect = "PCIe Gen4 x16 (NVLink bridge 112.5 GB/s, 2 cards)";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA Ampere GA102 whitepaper";
    table.push_back(gpu);
  }
  {
    GpuSpec gpu = row("rtx-4090", "NVIDIA GeForce RTX 4090 24 GB", 24, 24564, 1.008);
    gpu.peak_fp32_flops = tflops(82.6);
    gpu.peak_tf32_flops = tflops(82.6);
    gpu.peak_fp16_flops = tflops(165.2);
    gpu.peak_bf16_flops = tflops(165.2);
    gpu.peak_fp8_flops = tflops(330.3);
    gpu.peak_int8_ops = tflops(660.6);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.price_usd_per_hour = 0.34;
    gpu.price_source = "upper end of the $0.17-0.34 marketplace range (March 2026)";
    gpu.source = "NVIDIA Ada Lovelace whitepaper";
    table.push_back(gpu);
  }
  {
    GpuSpec gpu = row("rtx-4090d", "NVIDIA GeForce RTX 4090 D 24 GB", 24, 24564, 1.008);
    gpu.peak_fp32_flops = tflops(73.5);
    gpu.peak_tf32_flops = tflops(73.5);
    gpu.peak_fp16_flops = tflops(147.1);
    gpu.peak_bf16_flops = tflops(147.1);
    gpu.peak_fp8_flops = tflops(294.2);
    gpu.peak_int8_ops = tflops(588.4);
    gpu.interconnect = "PCIe Gen4 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA RTX 4090 D specifications (14,592 CUDA cores)";
    table.push_back(gpu);
  }
  {
    GpuSpec gpu = row("rtx-5090", "NVIDIA GeForce RTX 5090 32 GB", 32, 0, 1.792);
    gpu.peak_fp32_flops = tflops(104.8);
    gpu.peak_fp16_flops = tflops(209.5);
    gpu.peak_bf16_flops = tflops(209.5);
    gpu.peak_int8_ops = tflops(838);
    gpu.interconnect = "PCIe Gen5 x16";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.source = "NVIDIA GeForce RTX 5090 datasheet";
    table.push_back(gpu);
  }
  // Professional GA102 runs FP16/BF16 with FP32 accumulation at the full rate.
  {
    GpuSpec gpu = row("rtx-a6000", "NVIDIA RTX A6000 48 GB", 48, 0, 0.768);
    gpu.peak_fp32_flops = tflops(38.7);
    gpu.peak_tf32_flops = tflops(77.4);
    gpu.peak_fp16_flops = tflops(154.8);
    gpu.peak_bf16_flops = tflops(154.8);
    gpu.peak_int8_ops = tflops(309.7);
    gpu.interconnect = "PCIe Gen4 x16 (NVLink bridge 112.5 GB/s, 2 cards)";
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen4;
    gpu.source = "NVIDIA Ampere GA102 whitepaper";
    table.push_back(gpu);
  }
  // AMD Instinct MI300X datasheet: 163.4 FP32, 653.7 TF32, 1,307.4 FP16/BF16,
  // 2,614.9 FP8 dense, 192 GB HBM3 at 5.3 TB/s, Infinity Fabric 896 GB/s.
  {
    GpuSpec gpu = row("mi300x", "AMD Instinct MI300X 192 GB", 192, 0, 5.3);
    gpu.peak_fp32_flops = tflops(163.4);
    gpu.peak_tf32_flops = tflops(653.7);
    gpu.peak_fp16_flops = tflops(1307.4);
    gpu.peak_bf16_flops = tflops(1307.4);
    gpu.peak_fp8_flops = tflops(2614.9);
    gpu.peak_int8_ops = tflops(2614.9);
    gpu.interconnect = "Infinity Fabric (896 GB/s)";
    gpu.nvlink_bandwidth_bytes_per_s = 896 * kGBps;
    gpu.pcie_bandwidth_bytes_per_s = kPcieGen5;
    gpu.price_usd_per_hour = 1.78;
    gpu.price_source = "midpoint of $1.71-1.85 listed by two providers (2026)";
    gpu.source = "AMD Instinct MI300X datasheet";
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
