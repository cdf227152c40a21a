// Guide method: the worked example and each formula against a hand derivation.
#include <catch2/catch.hpp>

#include "estimate.h"
#include "guide.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

// The guide's worked example: a 1.3B model, B = 16, L = 512, H = 2048, fp16, A100 at 312 TFLOP/s, G = 1.
GuideInput worked_example() {
  GuideInput input;
  input.params = 1.3e9;
  input.micro_batch = 16;
  input.seq_len = 512;
  input.hidden = 2048;
  input.grad_accum = 1;
  input.precision = Precision::fp16;
  input.gpu_peak_flops = 312e12;
  input.gpu_memory_bytes = 80.0 * (1 << 30);
  return input;
}

}  // namespace

TEST_CASE("guide worked example reads as printed", "[guide]") {
  GuideResult result = estimate_guide(worked_example());

  // 2 * 1.3e9 * 16 * 512 = 21.2992e12, printed as 21.3 TFLOPs.
  CHECK_THAT(result.flops_forward, WithinRel(21.2992e12, 1e-12));
  // 2 * 21.2992e12 = 42.5984e12, printed as 42.6.
  CHECK_THAT(result.flops_backward, WithinRel(42.5984e12, 1e-12));
  // 21.2992e12 + 42.5984e12 = 63.8976e12, printed as 63.9.
  CHECK_THAT(result.flops_forward_backward, WithinRel(63.8976e12, 1e-12));
  // Adam: 2 * 1.3e9 = 2.6e9 FLOPs, which the printed total leaves out.
  CHECK_THAT(result.flops_optimizer, WithinRel(2.6e9, 1e-12));
  // Formula (4): 63.8976e12 + 2.6e9 = 63.9002e12.
  CHECK_THAT(result.flops_total, WithinRel(63.9002e12, 1e-12));
  // 63.9002e12 / 312e12 = 0.204808 s, printed as 0.205 s.
  CHECK_THAT(result.step_time_s, WithinRel(0.2048083333, 1e-9));
  // 1.3e9 * 2 bytes = 2.6e9 bytes, printed as 2.6 GB.
  CHECK_THAT(find_term(result.memory, "weights")->value, WithinRel(2.6e9, 1e-12));
}

TEST_CASE("guide memory terms by hand", "[guide]") {
  GuideResult result = estimate_guide(worked_example());

  // Activations: 16 * 512 * 2048 * 2 bytes = 33,554,432 bytes.
  CHECK(find_term(result.memory, "activations")->value == 33554432.0);
  // Gradients and optimizer states: 3 * 1.3e9 * 2 = 7.8e9 bytes.
  CHECK_THAT(find_term(result.memory, "gradients_and_optimizer")->value, WithinRel(7.8e9, 1e-12));
  // Total: 2.6e9 + 33,554,432 + 7.8e9 = 10,433,554,432 bytes.
  CHECK_THAT(result.memory_total_bytes, WithinRel(10433554432.0, 1e-12));
  CHECK(result.memory.value == result.memory_total_bytes);
}

TEST_CASE("guide bytes per precision", "[guide]") {
  struct Row {
    Precision precision;
    double bytes;
  };
  // The guide: FP32 4 bytes, FP16 and BF16 2 bytes, INT8 1 byte; the mixed and
  // autocast modes count as 16-bit.
  const Row rows[] = {
      {Precision::fp32, 4},     {Precision::fp16, 2},      {Precision::bf16, 2},
      {Precision::int8, 1},     {Precision::amp_bf16, 2},  {Precision::amp_fp16, 2},
      {Precision::pure_bf16, 2}, {Precision::pure_fp16, 2}, {Precision::mixed_bf16, 2},
      {Precision::mixed_fp16, 2},
  };
  for (const Row& row : rows) {
    CAPTURE(precision_name(row.precision));
    GuideInput input = worked_example();
    input.precision = row.precision;
    GuideResult result = estimate_guide(input);
    CHECK(result.bytes_per_value == row.bytes);
    // Weights are P * bytes.
    CHECK_THAT(find_term(result.memory, "weights")->value, WithinRel(1.3e9 * row.bytes, 1e-12));
  }
}

TEST_CASE("guide gradient accumulation", "[guide]") {
  GuideInput input = worked_example();
  input.grad_accum = 4;
  GuideResult result = estimate_guide(input);

  // Per micro-batch terms stay the same; the step repeats forward and backward 4 times.
  CHECK_THAT(result.flops_forward, WithinRel(21.2992e12, 1e-12));
  // 4 * 63.8976e12 = 255.5904e12.
  CHECK_THAT(result.flops_forward_backward, WithinRel(255.5904e12, 1e-12));
  // The optimizer runs once per step: 255.5904e12 + 2.6e9 = 255.593e12.
  CHECK_THAT(result.flops_total, WithinRel(255.593e12, 1e-12));
  // 255.593e12 / 312e12 = 0.819208 s.
  CHECK_THAT(result.step_time_s, WithinRel(255.593e12 / 312e12, 1e-12));
  // Memory does not depend on G in the guide's formulas.
  CHECK_THAT(result.memory_total_bytes, WithinRel(10433554432.0, 1e-12));
  // The flops tree sums to the total.
  CHECK_THAT(result.flops.value, WithinRel(result.flops_total, 1e-12));
}

TEST_CASE("guide fp32 on a T4", "[guide]") {
  KeyValues query{{"params", "124e6"}, {"micro_batch", "8"}, {"seq_len", "1024"}, {"hidden", "768"},
                  {"precision", "fp32"}, {"gpu", "t4"}};
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  // Forward 2 * 124e6 * 8 * 1024 = 2.031616e12; total 3 * that + 2 * 124e6 = 6.095096e12.
  CHECK_THAT(response.guide->flops_total, WithinRel(6.095096e12, 1e-12));
  // T4 FP32 (non-tensor) peak is 8.1 TFLOP/s: 6.095096e12 / 8.1e12 = 0.752481 s.
  CHECK_THAT(response.guide->step_time_s, WithinRel(6.095096e12 / 8.1e12, 1e-12));
  // Activations 8 * 1024 * 768 * 4 = 25,165,824 bytes.
  CHECK(find_term(response.guide->memory, "activations")->value == 25165824.0);
}

TEST_CASE("guide custom peak overrides the GPU", "[guide]") {
  KeyValues query{{"params", "1.3e9"}, {"micro_batch", "16"}, {"seq_len", "512"}, {"hidden", "2048"},
                  {"gpu", "a100-80gb"}, {"gpu_tflops", "100"}};
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  // 63.9002e12 / 100e12 = 0.639002 s.
  CHECK_THAT(response.guide->step_time_s, WithinRel(0.639002, 1e-9));
  CHECK(response.input.at("gpu_tflops") == "100");
}
