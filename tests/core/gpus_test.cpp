// GPU table: unique ids, and the datasheet figures the estimates rely on.
#include <catch2/catch.hpp>

#include <set>

#include "gpus.h"

using namespace gpuplan;

TEST_CASE("gpu table has unique ids", "[gpus]") {
  std::set<std::string> ids;
  for (const GpuSpec& gpu : gpu_table()) {
    CAPTURE(gpu.id);
    CHECK(ids.insert(gpu.id).second);
    CHECK(gpu.memory_bytes > 0);
    CHECK(gpu.visible_memory_bytes > 0);
    CHECK(gpu.visible_memory_bytes <= gpu.memory_bytes);
    CHECK(gpu.memory_bandwidth_bytes_per_s > 0);
    CHECK(gpu.peak_fp32_flops.has_value());
    CHECK(gpu.peak_fp16_flops.has_value());
    CHECK_FALSE(gpu.source.empty());
    if (gpu.price_usd_per_hour) CHECK_FALSE(gpu.price_source.empty());
  }
}

TEST_CASE("gpu table covers common cards", "[gpus]") {
  for (const char* id : {"a100-40gb", "a100-80gb", "h100-sxm", "h800", "a800-80gb", "h20", "l40s", "rtx-4090",
                         "rtx-3090", "v100-32gb", "v100-16gb", "t4"}) {
    CAPTURE(id);
    CHECK(find_gpu(id) != nullptr);
  }
  CHECK(find_gpu("a100") == nullptr);
}

TEST_CASE("gpu dense peaks from datasheets", "[gpus]") {
  // A100: 312 TFLOP/s dense BF16/FP16 (A100 datasheet; 624 is the sparse figure).
  CHECK(*find_gpu("a100-80gb")->peak_bf16_flops == 312e12);
  // H100 SXM: 1,979 TFLOP/s with sparsity, so 989.4 dense.
  CHECK(*find_gpu("h100-sxm")->peak_bf16_flops == 989.4e12);
  // RTX 4090: 165.2 TFLOP/s with FP32 accumulation (330.3 with FP16 accumulation).
  CHECK(*find_gpu("rtx-4090")->peak_bf16_flops == 165.2e12);
  // V100 and T4 have no BF16.
  CHECK_FALSE(find_gpu("v100-16gb")->peak_bf16_flops.has_value());
  CHECK_FALSE(find_gpu("t4")->peak_bf16_flops.has_value());
  // A100 80 GB: nvidia-smi reports 81920 MiB.
  CHECK(find_gpu("a100-80gb")->visible_memory_bytes == 81920.0 * 1024 * 1024);
}
