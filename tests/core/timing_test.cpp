// Detailed time model: each term against a hand derivation, properties, and
// published throughput and pretraining budgets.
#include <catch2/catch.hpp>

#include <cmath>

#include "cost.h"
#include "gpus.h"
#include "presets.h"
#include "timing.h"
#include "timing_dispatch.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

TrainingSetup setup_on(const char* gpu_id) {
  TrainingSetup setup;
  setup.gpu_id = gpu_id;
  setup.gpu = *find_gpu(gpu_id);
  return setup;
}

double term_value(const Term& root, const std::string& path) {
  const Term* term = find_term(root, path);
  return term == nullptr ? 0 : term->value;
}

constexpr double kLatency = 20e-6;   // collective_latency_s
constexpr double kLink = 0.8;        // link_efficiency
constexpr double kDispatchPerOp = 20e-6;  // cpu_dispatch_s_per_op

}  // namespace

// Smooth roofline on an A100 (312e12 FLOP/s bf16, 2.039e12 B/s): ridge R = 153.02 FLOP/byte.
//   4096³ bf16 GEMM: I = 2·4096³ / (2·3·4096²) = 1365.33, efficiency 0.8 · I / (I + R) = 0.7194
//   m = 16: I = 2·16·4096² / (2·(2·16·4096 + 4096²)) = 15.876, efficiency 0.8 · 15.876 / 168.90 = 0.0752
TEST_CASE("time gemm efficiency by hand", "[time]") {
  const double peak = 312e12;
  const double bandwidth = 2.039e12;
  CHECK_THAT(gemm_efficiency(4096, 4096, 4096, 2, peak, bandwidth), WithinRel(0.8 * 1365.333 / (1365.333 + 153.016), 1e-4));
  CHECK_THAT(gemm_efficiency(16, 4096, 4096, 2, peak, bandwidth), WithinRel(0.8 * 15.876 / (15.876 + 153.016), 1e-3));
  CHECK(gemm_efficiency(0, 4096, 4096, 2, peak, bandwidth) == 0);

  // Larger in every dimension reaches more of the peak, never above the maximum.
  double previous = 0;
  for (double m : {64.0, 256.0, 1024.0, 4096.0, 65536.0}) {
    const double efficiency = gemm_efficiency(m, 4096, 4096, 2, peak, bandwidth);
    CHECK(efficiency > previous);
    CHECK(efficiency < timing_constant("gemm_efficiency_max"));
    previous = efficiency;
  }
  CHECK(gemm_efficiency(4096, 16, 4096, 2, peak, bandwidth) < gemm_efficiency(4096, 4096, 4096, 2, peak, bandwidth));
}

TEST_CASE("time measured mfu replaces the model", "[time]") {
  const ModelSpec& llama = *find_preset("llama-2-7b");
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 8;
  setup.sharding = Sharding::zero3;
  TimeOptions options;
  options.mfu = 0.4;
  TimeResult result = estimate_time(llama, setup, options);
  REQUIRE(result.ok);
  CHECK(result.mfu_from_user);
  // step = model FLOPs / (GPUs · peak · MFU)
  CHECK_THAT(result.step_time_s, WithinRel(result.model_flops / (8 * 312e12 * 0.4), 1e-12));
  CHECK_THAT(result.mfu, WithinRel(0.4, 1e-12));
  CHECK_THAT(result.tokens_per_s, WithinRel(result.tokens_per_step / result.step_time_s, 1e-12));
  CHECK_THAT(result.tokens_per_s_per_gpu * 8, WithinRel(result.tokens_per_s, 1e-12));
}

// Tiny model, 1832 parameters, fp32 gradients under amp_bf16: 7328 bytes.
// Two A100s over NVLink (600 GB/s total, 300 per direction, 80% efficiency):
// all-reduce 2 · (1/2) · 7328 bytes / 240e9 B/s + one bucket · 20 µs.
TEST_CASE("time ddp all-reduce by hand", "[time]") {
  ModelSpec tiny;
  tiny.layers = 2;
  tiny.hidden = 8;
  tiny.heads = 2;
  tiny.kv_heads = 2;
  tiny.intermediate = 16;
  tiny.vocab = 32;
  tiny.max_positions = 64;
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 2;
  setup.seq_len = 4;
  TimeOptions options;
  options.comm_overlap = 0;
  TimeResult result = estimate_time(tiny, setup, options);
  REQUIRE(result.ok);
  const double expected = 7328.0 / (300e9 * kLink) + kLatency;
  CHECK_THAT(term_value(result.step, "communication/data_parallel"), WithinRel(expected, 1e-9));
  CHECK_THAT(result.communication_s, WithinRel(expected, 1e-9));
}

// Llama 2 7B, 6,738,415,616 parameters, mixed_bf16 (2-byte gradients and
// gathered parameters), 8 A100s in one node (240e9 B/s per direction):
//   DDP: 2 · (7/8) · 2P bytes, ceil(2P / 25e6) = 540 buckets
//   ZeRO-3: gathers 2 · (7/8) · 2P per micro-batch (2 · 32 layer calls) and
//   reduce-scatters (7/8) · 2P (32 calls): 1.5 times the DDP volume.
TEST_CASE("time zero3 moves 1.5 times the ddp volume", "[time]") {
  const ModelSpec& llama = *find_preset("llama-2-7b");
  const double P = static_cast<double>(count_params(llama).total);
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 8;
  setup.precision = Precision::mixed_bf16;
  setup.seq_len = 1024;
  TimeOptions options;
  options.comm_overlap = 0;
  const double bandwidth = 300e9 * kLink;
  const double bytes = 2 * P;

  setup.sharding = Sharding::ddp;
  TimeResult ddp = estimate_time(llama, setup, options);
  const double ddp_expected = 2 * 7.0 / 8 * bytes / bandwidth + std::ceil(bytes / 25e6) * kLatency;
  CHECK_THAT(ddp.communication_s, WithinRel(ddp_expected, 1e-9));

  setup.sharding = Sharding::zero3;
  TimeResult zero3 = estimate_time(llama, setup, options);
  const double gather = 2 * 7.0 / 8 * bytes / bandwidth + 64 * kLatency;
  const double scatter = 7.0 / 8 * bytes / bandwidth + 32 * kLatency;
  CHECK_THAT(term_value(zero3.step, "communication/data_parallel"), WithinRel(gather + scatter, 1e-9));
  CHECK_THAT((gather + scatter - 96 * kLatency) / (ddp_expected - 540 * kLatency), WithinRel(1.5, 1e-9));

  // Under gradient accumulation ZeRO-3 repeats its collectives per micro-batch; DDP does not.
  setup.grad_accum = 4;
  CHECK_THAT(estimate_time(llama, setup, options).communication_s, WithinRel(4 * (gather + scatter), 1e-9));
  setup.sharding = Sharding::ddp;
  CHECK_THAT(estimate_time(llama, setup, options).communication_s, WithinRel(ddp_expected, 1e-9));
}

// Across two nodes the ring runs at the NIC share of each GPU: ib_8x400 gives
// 8 · 400 Gb/s / 8 GPUs = 50e9 B/s, 40e9 at 80% efficiency, and twice the latency.
TEST_CASE("time inter-node all-reduce uses the network", "[time]") {
  const ModelSpec& llama = *find_preset("llama-2-7b");
  const double P = static_cast<double>(count_params(llama).total);
  TrainingSetup setup = setup_on("h100-sxm");
  setup.num_gpus = 16;
  setup.precision = Precision::mixed_bf16;
  TimeOptions options;
  options.comm_overlap = 0;
  options.network = "ib_8x400";
  const double expected = 2 * 15.0 / 16 * 2 * P / 40e9 + std::ceil(2 * P / 25e6) * 2 * kLatency;
  CHECK_THAT(estimate_time(llama, setup, options).communication_s, WithinRel(expected, 1e-9));

  options.network = "eth_25";
  TimeResult slow = estimate_time(llama, setup, options);
  CHECK(slow.bound == Bound::communication);
}

// Tensor parallelism, Llama 2 7B, tp = 2, one 2048-token sequence in bf16:
// four all-reduces of 2048 · 4096 · 2 bytes per layer, each moving 2 · (1/2) of it.
TEST_CASE("time tensor parallel all-reduces by hand", "[time]") {
  const ModelSpec& llama = *find_preset("llama-2-7b");
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 2;
  setup.tensor_parallel = 2;
  setup.seq_len = 2048;
  const double bytes = 2048.0 * 4096 * 2;
  const double expected = 32 * 4 * bytes / (300e9 * kLink) + 32 * 4 * kLatency;
  TimeResult result = estimate_time(llama, setup);
  CHECK_THAT(term_value(result.step, "communication/tensor_parallel"), WithinRel(expected, 1e-9));

  // Full recomputation repeats the two forward all-reduces.
  setup.grad_checkpointing = Checkpointing::full;
  CHECK_THAT(term_value(estimate_time(llama, setup).step, "communication/tensor_parallel"),
             WithinRel(expected * 6 / 4, 1e-9));
}

// 1F1B bubble: (p − 1) / m of the ideal time (Narayanan et al. 2021, section 2.2).
TEST_CASE("time pipeline bubble fraction", "[time]") {
  const ModelSpec& llama = *find_preset("llama-2-13b");
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 4;
  setup.pipeline_parallel = 4;
  setup.grad_accum = 8;
  TimeResult result = estimate_time(llama, setup);
  REQUIRE(result.ok);
  const double ideal = result.compute_s + result.memory_bound_s - term_value(result.step, "memory_bound/optimizer_step");
  CHECK_THAT(result.pipeline_bubble_s, WithinRel(ideal * 3 / 8, 1e-9));
  CHECK_THAT(result.pipeline_bubble_s, WithinRel(3 * result.micro_batch_time_s, 1e-9));

  TimeOptions options;
  options.pipeline_microbatches = 24;
  CHECK_THAT(estimate_time(llama, setup, options).pipeline_bubble_s, WithinRel(ideal * 3 / 24, 1e-9));

  // A sequential device_map split: each of the 8 micro-batches passes the 4 stages
  // alone, so every GPU idles 3 stage-times per micro-batch, 3 times the ideal.
  TrainingSetup sequential = setup;
  sequential.pipeline_schedule = PipelineSchedule::sequential;
  CHECK_THAT(estimate_time(llama, sequential).pipeline_bubble_s, WithinRel(ideal * 3, 1e-9));

  // Interleaved 1F1B with v model chunks per GPU: the bubble is (p − 1) / (v m)
  // of the ideal time and the point-to-point traffic v times that of 1F1B
  // (section 2.2.2). p = 4, m = 8, v = 2: 3/16.
  setup.virtual_stages = 2;
  const TimeResult interleaved = estimate_time(llama, setup);
  REQUIRE(interleaved.ok);
  CHECK_THAT(interleaved.pipeline_bubble_s, WithinRel(ideal * 3 / 16, 1e-9));
  CHECK_THAT(term_value(interleaved.step, "communication/pipeline_parallel"),
             WithinRel(2 * term_value(result.step, "communication/pipeline_parallel"), 1e-9));

  // Each chunk needs a layer: 40 layers allow at most 10 chunks on 4 stages.
  setup.virtual_stages = 11;
  const TimeResult too_many = estimate_time(llama, setup);
  REQUIRE_FALSE(too_many.ok);
  CHECK(too_many.errors.front().field == "virtual_stages");
}

TEST_CASE("time properties across setups", "[time]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  TrainingSetup base = setup_on("a100-80gb");
  base.seq_len = 2048;
  base.micro_batch = 2;
  const TimeResult full = estimate_time(llama, base);
  REQUIRE(full.ok);

  SECTION("the step is the sum of its parts") {
    CHECK_THAT(full.step_time_s, WithinRel(full.compute_s + full.memory_bound_s + full.communication_exposed_s +
                                               full.offload_s + full.pipeline_bubble_s, 1e-12));
    CHECK(full.mfu > 0);
    CHECK(full.mfu < full.hfu + 1e-12);
    CHECK(full.mfu < timing_constant("gemm_efficiency_max"));
  }

  SECTION("qlora is slower than lora because of dequantization") {
    TrainingSetup lora = base;
    lora.method = Method::lora;
    TrainingSetup qlora = lora;
    qlora.method = Method::qlora;
    const TimeResult lora_time = estimate_time(llama, lora);
    const TimeResult qlora_time = estimate_time(llama, qlora);
    CHECK(qlora_time.step_time_s > lora_time.step_time_s);
    CHECK(term_value(qlora_time.step, "memory_bound/dequantization") > 0);
    CHECK(lora_time.step_time_s < full.step_time_s);
  }

  SECTION("checkpointing costs time") {
    TrainingSetup setup = base;
    setup.grad_checkpointing = Checkpointing::full;
    CHECK(estimate_time(llama, setup).step_time_s > full.step_time_s);
  }

  SECTION("optimizer offload on one GPU is bound by the CPU") {
    TrainingSetup setup = base;
    setup.sharding = Sharding::zero2;
    setup.offload = Offload::optimizer;
    setup.micro_batch = 1;
    setup.seq_len = 512;
    const TimeResult offload = estimate_time(llama, setup);
    CHECK(offload.bound == Bound::offload);
    // 8,030,261,248 parameters at 1.4e9 per second on the node's CPUs.
    CHECK_THAT(term_value(offload.step, "offload/cpu_optimizer"), WithinRel(8030261248.0 / 1.4e9, 1e-6));
  }

  SECTION("a GPU without the compute dtype is reported") {
    TrainingSetup setup = base;
    setup.gpu = *find_gpu("v100-32gb");
    setup.gpu_id = "v100-32gb";
    const TimeResult v100 = estimate_time(llama, setup);
    CHECK_FALSE(v100.ok);
    REQUIRE(v100.errors.size() == 1);
    CHECK(v100.errors[0].field == "precision");
  }
}

// LLaMA 65B (Touvron et al. 2023, "LLaMA", section 2.4): about 380 tokens/s per
// GPU on 2048 A100-80GB, with model and sequence parallelism and reduced
// recomputation. Setup here: tensor parallel 8, pipeline 4, selective
// recomputation, 4M-token batches of 2048-token sequences.
TEST_CASE("time reproduces LLaMA 65B throughput", "[time]") {
  ModelSpec llama65;
  llama65.layers = 80;
  llama65.hidden = 8192;
  llama65.heads = 64;
  llama65.kv_heads = 64;
  llama65.intermediate = 22016;
  llama65.vocab = 32000;
  llama65.max_positions = 2048;
  TrainingSetup setup = setup_on("a100-80gb");
  setup.num_gpus = 2048;
  setup.tensor_parallel = 8;
  setup.pipeline_parallel = 4;
  setup.sequence_parallel = true;
  setup.precision = Precision::mixed_bf16;
  setup.sharding = Sharding::zero1;
  setup.seq_len = 2048;
  setup.grad_accum = 32;  // 2048 sequences over 64 replicas
  setup.grad_checkpointing = Checkpointing::selective;
  setup.attention = AttentionImpl::flash;
  setup.fused_kernels = true;
  setup.fused_cross_entropy = true;
  TimeOptions options;
  options.network = "ib_8x200";
  CHECK_THAT(estimate_time(llama65, setup, options).tokens_per_s_per_gpu, WithinRel(380.0, 0.15));
}

// Llama 2 pretraining budgets (Touvron et al. 2023, "Llama 2", Table 2): 2T
// tokens, 4M-token batches of 4096 tokens, A100-80GB; 184,320 GPU-hours for
// 7B and 1,720,320 for 70B. The paper gives no parallel layout, and the
// estimate depends on it: 7B here runs ZeRO-3 data parallel on 512 GPUs with
// micro-batch 2 (the same model gives 125k to 274k GPU-hours across the
// layouts of 128 to 1024 GPUs), 70B tensor parallel 8 with pipeline 4 and
// selective recomputation on 2048 GPUs, both on 8 × 200 Gb/s InfiniBand.
TEST_CASE("time reproduces Llama 2 budgets", "[time]") {
  struct Row {
    const char* model;
    int64_t gpus;
    int64_t tensor_parallel;
    int64_t pipeline_parallel;
    Sharding sharding;
    Checkpointing checkpointing;
    int64_t micro_batch;
    double gpu_hours;
  };
  const Row rows[] = {
      {"llama-2-7b", 512, 1, 1, Sharding::zero3, Checkpointing::off, 2, 184320},
      {"llama-2-70b", 2048, 8, 4, Sharding::zero1, Checkpointing::selective, 1, 1720320},
  };
  for (const Row& row : rows) {
    CAPTURE(row.model);
    TrainingSetup setup = setup_on("a100-80gb");
    setup.num_gpus = row.gpus;
    setup.tensor_parallel = row.tensor_parallel;
    setup.pipeline_parallel = row.pipeline_parallel;
    setup.sequence_parallel = row.tensor_parallel > 1;
    setup.sharding = row.sharding;
    setup.grad_checkpointing = row.checkpointing;
    setup.precision = Precision::mixed_bf16;
    setup.attention = AttentionImpl::flash;
    setup.fused_kernels = true;
    setup.fused_cross_entropy = true;
    setup.seq_len = 4096;
    setup.micro_batch = row.micro_batch;
    const int64_t replicas = row.gpus / (row.tensor_parallel * row.pipeline_parallel);
    setup.grad_accum = 1024 / (replicas * row.micro_batch);  // 1024 sequences = 4M tokens
    TimeOptions options;
    options.network = "ib_8x200";
    const TimeResult time = estimate_time(*find_preset(row.model), setup, options);
    REQUIRE(time.ok);
    DatasetSpec dataset;
    dataset.dataset_tokens = 2e12;
    const RunTotals totals = estimate_run(setup, time.step_time_s, dataset);
    REQUIRE(totals.ok);
    CHECK_THAT(totals.gpu_hours, WithinRel(row.gpu_hours, 0.15));
  }
}

// Llama 3.1 405B (Dubey et al. 2024, "The Llama 3 Herd of Models", Table 4):
// 16,384 H100 with tensor parallel 8, pipeline 16 and data parallel 128,
// sequences of 8,192 tokens, 16 sequences per data-parallel rank per step
// (16M tokens). The Llama 3.1 model card gives 30.84M H100-hours for the
// 15.6T pretraining tokens. The paper runs an interleaved pipeline schedule
// (section 3.3.2) without stating its number of virtual stages; v = 2 gives
// 39.5% MFU, inside the 38-43% BF16 MFU that Table 4 reports for its 405B
// layouts, and v = 4 would give 45%. The estimate is 27.99M H100-hours (-9%);
// plain 1F1B would give 35.6M (+15%).
TEST_CASE("time reproduces Llama 3 405B budget", "[time]") {
  TrainingSetup setup = setup_on("h100-sxm");
  setup.num_gpus = 16384;
  setup.tensor_parallel = 8;
  setup.pipeline_parallel = 16;
  setup.virtual_stages = 2;
  setup.sequence_parallel = true;
  setup.sharding = Sharding::zero1;
  setup.precision = Precision::mixed_bf16;
  setup.attention = AttentionImpl::flash;
  setup.fused_kernels = true;
  setup.fused_cross_entropy = true;
  setup.grad_checkpointing = Checkpointing::selective;
  setup.micro_batch = 1;
  setup.seq_len = 8192;
  setup.grad_accum = 16;
  TimeOptions options;
  options.network = "ib_8x400";
  const TimeResult time = estimate_time(*find_preset("llama-3.1-405b"), setup, options);
  REQUIRE(time.ok);
  CHECK(time.mfu >= 0.38);
  CHECK(time.mfu <= 0.43);
  DatasetSpec dataset;
  dataset.dataset_tokens = 15.6e12;
  const RunTotals totals = estimate_run(setup, time.step_time_s, dataset);
  REQUIRE(totals.ok);
  CHECK_THAT(totals.gpu_hours, WithinRel(30.84e6, 0.15));
}

// CPU dispatch of eager PyTorch: operator counts derived by hand from the
// Transformers modules, and the step time of a CPU-bound run.

// Llama 2 7B layer (7 linears, 2 RMSNorms, rotary, SwiGLU):
//   full, amp_bf16, sdpa: linears 7 x (GEMM + weight cast) = 14, norms 2 x 8 = 16,
//     attention 3, rotary 12, SiLU and product 2, residual adds 2: 49
//   LoRA on q and v, pure_bf16: linears 7 + 2 x 6 = 19, then 16 + 3 + 12 + 2 + 2: 54
//   the same with fused kernels: 19 + 2 x 1 + 3 + 2 + 1 + 2 = 29
// BERT large layer (6 biased linears, 2 LayerNorms, learned positions, dropout):
//   full, amp_fp16, eager: linears 6 x (GEMM + weight cast + bias cast) = 18,
//     norms 2 x (cast + LayerNorm) = 4, eager attention 6 + softmax cast 1 + dropout 2 = 9,
//     GELU 1, residual adds 2 and hidden dropouts 4: 38
TEST_CASE("dispatch forward ops per layer", "[time][dispatch]") {
  struct Row {
    const char* label;
    const char* model;
    Method method;
    Precision precision;
    AttentionImpl attention;
    bool fused_kernels;
    double ops;
  };
  const Row rows[] = {
      {"llama full amp", "llama-2-7b", Method::full, Precision::amp_bf16, AttentionImpl::sdpa, false, 49},
      {"llama lora", "llama-2-7b", Method::lora, Precision::pure_bf16, AttentionImpl::sdpa, false, 54},
      {"llama lora fused", "llama-2-7b", Method::lora, Precision::pure_bf16, AttentionImpl::flash, true, 29},
      {"bert full amp eager", "bert-large-uncased", Method::full, Precision::amp_fp16, AttentionImpl::eager, false, 38},
  };
  for (const Row& row : rows) {
    CAPTURE(row.label);
    TrainingSetup setup = setup_on("a100-80gb");
    setup.method = row.method;
    setup.precision = row.precision;
    setup.attention = row.attention;
    setup.fused_kernels = row.fused_kernels;
    setup.lora_targets = lora_q | lora_v;
    CHECK(forward_ops_per_layer(*find_preset(row.model), setup, false) == row.ops);
  }
}

// BERT large, amp_fp16, eager, full recomputation: 24 layers x 38 = 912 forward
// operators; backward 2 x 912, recomputation 912, and 30 for the embeddings,
// head and loss: 912 x 4 + 30 = 3,678.
TEST_CASE("dispatch ops per micro-batch", "[time][dispatch]") {
  TrainingSetup setup = setup_on("v100-16gb");
  setup.precision = Precision::amp_fp16;
  setup.attention = AttentionImpl::eager;
  setup.grad_checkpointing = Checkpointing::full;
  const ModelSpec& bert = *find_preset("bert-large-uncased");
  CHECK(ops_per_micro_batch(bert, setup) == 3678);

  setup.grad_checkpointing = Checkpointing::off;
  CHECK(ops_per_micro_batch(bert, setup) == 912 * 3 + 30);

  setup.pipeline_parallel = 2;  // each stage dispatches half the layers
  CHECK(ops_per_micro_batch(bert, setup) == 912 * 3 / 2 + 30);
}

// Optimizer steps: torch's foreach AdamW is 24 operators whatever the model;
// bitsandbytes steps each tensor (Llama 2 7B LoRA on q and v: 32 layers x 2
// linears x 2 matrices = 128 tensors, 2 operators each).
TEST_CASE("dispatch ops per optimizer step", "[time][dispatch]") {
  TrainingSetup setup = setup_on("a100-80gb");
  const ModelSpec& llama = *find_preset("llama-2-7b");
  setup.method = Method::lora;
  setup.lora_targets = lora_q | lora_v;
  CHECK(ops_per_optimizer_step(llama, setup) == 24);
  setup.optimizer = Optimizer::adamw_8bit;
  CHECK(ops_per_optimizer_step(llama, setup) == 256);
  setup.optimizer = Optimizer::adafactor;
  CHECK(ops_per_optimizer_step(llama, setup) == 15 * 128);

  // torch AdamW by implementation: fused 12 whatever the model; the for-loop
  // 12 per tensor. BERT large, full: per layer 6 linears with weight and bias
  // and 2 LayerNorms with weight and bias, 16 tensors, 24 layers, plus the
  // embeddings, final norm and head counted as 3: 387 tensors.
  setup.optimizer = Optimizer::adamw;
  setup.optimizer_impl = OptimizerImpl::fused;
  CHECK(ops_per_optimizer_step(llama, setup) == 12);
  setup.optimizer_impl = OptimizerImpl::for_loop;
  CHECK(ops_per_optimizer_step(llama, setup) == 12 * 128);
  setup.method = Method::full;
  CHECK(ops_per_optimizer_step(*find_preset("bert-large-uncased"), setup) == 12 * 387);
}

// BERT large on a V100 at micro-batch 1 with fp16 autocast: the GPU finishes
// a micro-batch faster than the CPU dispatches its 3,678 operators, so each of
// the 4 micro-batches takes 3,678 x 20 us. The optimizer's GPU time is longer
// than the CPU's 24 operators, so it adds no wait.
TEST_CASE("dispatch bounds small micro-batches", "[time][dispatch]") {
  TrainingSetup setup = setup_on("v100-16gb");
  setup.precision = Precision::amp_fp16;
  setup.attention = AttentionImpl::eager;
  setup.grad_checkpointing = Checkpointing::full;
  setup.micro_batch = 1;
  setup.seq_len = 512;
  setup.grad_accum = 4;
  const TimeResult time = estimate_time(*find_preset("bert-large-uncased"), setup);
  REQUIRE(time.ok);
  CHECK(time.bound == Bound::cpu_dispatch);
  CHECK_THAT(time.micro_batch_time_s, WithinRel(3678 * kDispatchPerOp, 1e-12));
  const Term* optimizer = find_term(time.step, "memory_bound/optimizer_step");
  REQUIRE(optimizer != nullptr);
  CHECK_THAT(time.step_time_s, WithinRel(4 * 3678 * kDispatchPerOp + optimizer->value, 1e-9));
  CHECK(time.cpu_dispatch_wait_s > 0);
}

TEST_CASE("dispatch hidden behind large GEMMs", "[time][dispatch]") {
  // Llama 2 7B at 4 x 4096 tokens: about 6.6e14 FLOPs per micro-batch, seconds
  // of GPU work against 49 x 32 x 3 + 30 = 4,734 operators (95 ms).
  TrainingSetup setup = setup_on("a100-80gb");
  setup.micro_batch = 4;
  setup.seq_len = 4096;
  const TimeResult time = estimate_time(*find_preset("llama-2-7b"), setup);
  REQUIRE(time.ok);
  CHECK(time.cpu_dispatch_wait_s == 0);
  CHECK(time.bound != Bound::cpu_dispatch);
}
