// Detailed FLOPs model: a tiny model derived by hand, published closed forms
// for large models, and properties across setups.
#include <catch2/catch.hpp>

#include "flops.h"
#include "presets.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

// Two decoder layers, hidden 8, 2 heads of 4, gated MLP of 16, vocab 32,
// untied LM head, no biases.
ModelSpec tiny_model() {
  ModelSpec spec;
  spec.id = "custom";
  spec.layers = 2;
  spec.hidden = 8;
  spec.heads = 2;
  spec.kv_heads = 2;
  spec.intermediate = 16;
  spec.vocab = 32;
  spec.max_positions = 64;
  return spec;
}

// One sequence of 4 tokens on one GPU, eager attention so that no kernel
// recomputes anything unless checkpointing is on.
TrainingSetup tiny_setup() {
  TrainingSetup setup;
  setup.micro_batch = 1;
  setup.seq_len = 4;
  setup.grad_accum = 1;
  setup.attention = AttentionImpl::eager;
  return setup;
}

double term_value(const Term& root, const std::string& path) {
  const Term* term = find_term(root, path);
  return term == nullptr ? 0 : term->value;
}

}  // namespace

// Hand derivation for tiny_model, T = 4 tokens:
//   per layer linears: q, k, v, o 8×8 (4 × 64) + gate, up 8×16 + down 16×8 (3 × 128) = 640 weights
//   linear forward = 2 · T · 640 = 5120 per layer, 10240 for two layers
//   scores per layer = 2 · b · s² · heads · head_dim / 2 (causal) = 2 · 16 · 2 · 4 / 2 = 128; values the same
//   attention forward, two layers: 2 × (128 + 128) = 512
//   LM head = 2 · T · 8 · 32 = 2048
//   forward = 10240 + 512 + 2048 = 12800
//   activation grad = 10240 + 2 × 512 + 2048 = 13312; weight grad = 10240 + 2048 = 12288
//   model FLOPs = 12800 + 13312 + 12288 = 38400
//   parameters: embedding 256 + 2 × (640 + 2 norms × 8) + final norm 8 + LM head 256 = 1832
//   AdamW at 15 FLOPs per parameter: 27480
TEST_CASE("flops tiny model full fine-tuning", "[flops]") {
  FlopsResult result = estimate_flops(tiny_model(), tiny_setup());

  CHECK(term_value(result.step, "forward") == 12800);
  CHECK(term_value(result.step, "forward/attention_linear") == 2 * 2 * 4 * 256);
  CHECK(term_value(result.step, "forward/mlp") == 2 * 2 * 4 * 384);
  CHECK(term_value(result.step, "forward/attention_scores") == 256);
  CHECK(term_value(result.step, "forward/attention_values") == 256);
  CHECK(term_value(result.step, "forward/lm_head") == 2048);
  CHECK(term_value(result.step, "backward/activation_grad") == 13312);
  CHECK(term_value(result.step, "backward/weight_grad") == 12288);
  CHECK(find_term(result.step, "recompute") == nullptr);
  CHECK(result.model_flops == 38400);
  CHECK(result.hardware_flops == 38400);
  CHECK(result.trainable_params == 1832);
  CHECK(result.optimizer_flops == 1832 * 15);
  CHECK(result.total_flops == 38400 + 1832 * 15);
  CHECK(result.step.value == result.total_flops);
  CHECK(result.tokens_per_step == 4);
  CHECK(result.model_flops_per_token == 9600);
}

// Full checkpointing recomputes the forward of both layers: 10240 + 512 = 10752
// (not the LM head). Selective recomputes the attention core only: 512.
TEST_CASE("flops tiny model recomputation", "[flops]") {
  TrainingSetup setup = tiny_setup();

  setup.grad_checkpointing = Checkpointing::full;
  FlopsResult full = estimate_flops(tiny_model(), setup);
  CHECK(term_value(full.step, "recompute") == 10752);
  CHECK(full.model_flops == 38400);
  CHECK(full.hardware_flops == 38400 + 10752);

  setup.grad_checkpointing = Checkpointing::selective;
  FlopsResult selective = estimate_flops(tiny_model(), setup);
  CHECK(term_value(selective.step, "recompute") == 512);
  CHECK(term_value(selective.step, "recompute/attention_scores") == 256);

  // FlashAttention recomputes Q·Kᵀ in its backward: the 256 score FLOPs once more.
  setup.grad_checkpointing = Checkpointing::off;
  setup.attention = AttentionImpl::flash;
  FlopsResult flash = estimate_flops(tiny_model(), setup);
  CHECK(term_value(flash.step, "recompute") == 256);
  CHECK(term_value(flash.step, "recompute/attention_scores") == 256);
  CHECK(flash.model_flops == 38400);
}

// LoRA rank 2 on q and v: each adapter costs 2 · T · r · (in + out) = 2 · 4 · 2 · 16 = 256
// per pass, 2 adapters × 2 layers = 1024 forward, 1024 activation grad, 1024 weight grad.
// Frozen base: no weight grad for linears or LM head.
//   forward 12800 + 1024 = 13824; activation grad 13312 + 1024 = 14336; weight grad 1024
//   model FLOPs = 29184; trainable = 2 layers × 2 adapters × 2 × (8 + 8) = 128
TEST_CASE("flops tiny model lora", "[flops]") {
  TrainingSetup setup = tiny_setup();
  setup.method = Method::lora;
  setup.lora_rank = 2;
  setup.lora_targets = lora_q | lora_v;
  FlopsResult result = estimate_flops(tiny_model(), setup);

  CHECK(term_value(result.step, "forward") == 13824);
  CHECK(term_value(result.step, "forward/lora") == 1024);
  CHECK(term_value(result.step, "backward/activation_grad") == 14336);
  CHECK(term_value(result.step, "backward/weight_grad") == 1024);
  CHECK(term_value(result.step, "backward/weight_grad/lora") == 1024);
  CHECK(result.model_flops == 29184);
  CHECK(result.trainable_params == 128);

  // QLoRA does the same matrix multiplications; only the time model differs.
  setup.method = Method::qlora;
  CHECK(estimate_flops(tiny_model(), setup).model_flops == 29184);

  // Training the embeddings and LM head adds the LM head's weight gradient (2048).
  setup.method = Method::lora;
  setup.lora_train_embeddings = true;
  FlopsResult with_head = estimate_flops(tiny_model(), setup);
  CHECK(with_head.model_flops == 29184 + 2048);
  CHECK(with_head.trainable_params == 128 + 256 + 256);
}

// Freeze with the last layer trainable: layer 0 runs forward only.
//   activation grad = layer 1 linears 5120 + attention 2 × 256 + LM head 2048 = 7680
//   weight grad = layer 1 linears 5120 (LM head frozen)
TEST_CASE("flops tiny model freeze", "[flops]") {
  TrainingSetup setup = tiny_setup();
  setup.method = Method::freeze;
  setup.trainable_layers = 1;
  FlopsResult result = estimate_flops(tiny_model(), setup);

  CHECK(term_value(result.step, "forward") == 12800);
  CHECK(term_value(result.step, "backward/activation_grad") == 7680);
  CHECK(term_value(result.step, "backward/weight_grad") == 5120);
  CHECK(result.trainable_params == 656);

  // Full checkpointing recomputes only the layer that runs backward: 5120 + 256.
  setup.grad_checkpointing = Checkpointing::full;
  CHECK(term_value(estimate_flops(tiny_model(), setup).step, "recompute") == 5376);
}

// Megatron-LM, Narayanan et al. 2021, section 5.1, eq. 3 and the text before
// it: a GPT layer with a 4h MLP costs 72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h)) per
// iteration without recomputation and 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))
// with full recomputation. Both count the full s×s attention matrix.
TEST_CASE("flops match Megatron for GPT-3 175B", "[flops]") {
  const ModelSpec& gpt3 = *find_preset("gpt3-175b");
  TrainingSetup setup;
  setup.micro_batch = 4;
  setup.grad_accum = 384;  // B = 1536 sequences, the GPT-3 batch
  setup.seq_len = 2048;
  setup.attention = AttentionImpl::eager;
  FlopsOptions full_matrix;
  full_matrix.causal_half = false;

  const double B = 1536, s = 2048, l = 96, h = 12288, V = 50257;
  const double model = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h));
  CHECK_THAT(estimate_flops(gpt3, setup, full_matrix).model_flops, WithinRel(model, 1e-12));

  setup.grad_checkpointing = Checkpointing::full;
  const double hardware = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
  CHECK_THAT(estimate_flops(gpt3, setup, full_matrix).hardware_flops, WithinRel(hardware, 1e-12));
}

// PaLM (Chowdhery et al. 2022, appendix B): 6N + 12·L·H·Q·T model FLOPs per
// token, N the matmul parameters, H·Q the attention width, T the sequence
// length, full attention matrix. With the causal half (Megatron-LM's current
// count) the attention term becomes 6·L·H·Q·T.
TEST_CASE("flops match PaLM per token", "[flops]") {
  const ModelSpec& llama = *find_preset("llama-2-7b");
  const ParamCounts counts = count_params(llama);
  // Matmul parameters: everything except the token embedding and the norms
  // (2 per layer plus the final one, hidden each).
  const double norms = (2.0 * 32 + 1) * 4096;
  const double matmul_params = static_cast<double>(counts.total - counts.embedding) - norms;
  const double L = 32, HQ = 4096, T = 4096;

  TrainingSetup setup;
  setup.seq_len = 4096;
  setup.micro_batch = 2;
  FlopsOptions full_matrix;
  full_matrix.causal_half = false;
  CHECK_THAT(estimate_flops(llama, setup, full_matrix).model_flops_per_token,
             WithinRel(6 * matmul_params + 12 * L * HQ * T, 1e-12));
  CHECK_THAT(estimate_flops(llama, setup).model_flops_per_token,
             WithinRel(6 * matmul_params + 6 * L * HQ * T, 1e-12));
}

// Brown et al. 2020, Table D.1: GPT-3 175B trained on 300B tokens took 3.14e23
// FLOPs (6·N·D, attention excluded). Our count adds the causal attention and
// the LM head and stays within 15%.
TEST_CASE("flops reproduce the GPT-3 175B budget", "[flops]") {
  const ModelSpec& gpt3 = *find_preset("gpt3-175b");
  TrainingSetup setup;
  setup.seq_len = 2048;
  setup.micro_batch = 1;
  FlopsResult result = estimate_flops(gpt3, setup);
  const double total = result.model_flops_per_token * 300e9;
  CHECK_THAT(total, WithinRel(3.14e23, 0.15));
}

// MoE: each token runs experts_per_token routed experts and the shared ones,
// plus the router. Mixtral 8x7B, one token of a 1-token sequence: routed
// experts forward = 2 · 2 experts · 3 · 4096 · 14336 per layer, router 2 · 4096 · 8.
TEST_CASE("flops count active experts", "[flops]") {
  const ModelSpec& mixtral = *find_preset("mixtral-8x7b");
  TrainingSetup setup;
  setup.seq_len = 1;
  FlopsResult result = estimate_flops(mixtral, setup);
  CHECK_THAT(term_value(result.step, "forward/routed_experts"), WithinRel(32 * 2.0 * 2 * 3 * 4096 * 14336, 1e-12));
  CHECK_THAT(term_value(result.step, "forward/router"), WithinRel(32 * 2.0 * 4096 * 8, 1e-12));
  CHECK(find_term(result.step, "forward/mlp") == nullptr);
}

TEST_CASE("flops properties across setups", "[flops]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  TrainingSetup base;
  base.seq_len = 2048;
  base.micro_batch = 2;
  const FlopsResult full = estimate_flops(llama, base);

  SECTION("full checkpointing adds one forward of the layers") {
    TrainingSetup setup = base;
    setup.attention = AttentionImpl::eager;
    const FlopsResult off = estimate_flops(llama, setup);
    setup.grad_checkpointing = Checkpointing::full;
    const FlopsResult on = estimate_flops(llama, setup);
    const double layers_forward = term_value(off.step, "forward") - term_value(off.step, "forward/lm_head");
    CHECK_THAT(on.hardware_flops - off.hardware_flops, WithinRel(layers_forward, 1e-12));
    CHECK(on.model_flops == off.model_flops);
  }

  SECTION("lora needs fewer FLOPs than full fine-tuning") {
    TrainingSetup setup = base;
    setup.method = Method::lora;
    setup.lora_targets = lora_all_linear;
    const FlopsResult lora = estimate_flops(llama, setup);
    CHECK(lora.model_flops < full.model_flops);
    // About 4N instead of 6N per token: between 60% and 75% of full.
    CHECK(lora.model_flops / full.model_flops > 0.6);
    CHECK(lora.model_flops / full.model_flops < 0.75);
  }

  SECTION("more tokens need more FLOPs") {
    TrainingSetup longer = base;
    longer.seq_len = 4096;
    CHECK(estimate_flops(llama, longer).model_flops > full.model_flops);
    TrainingSetup bigger = base;
    bigger.micro_batch = 4;
    CHECK_THAT(estimate_flops(llama, bigger).model_flops, WithinRel(2 * full.model_flops, 1e-12));
    TrainingSetup more_gpus = base;
    more_gpus.num_gpus = 8;
    CHECK_THAT(estimate_flops(llama, more_gpus).model_flops, WithinRel(8 * full.model_flops, 1e-12));
  }

  SECTION("the tree sums to its total") {
    double children = 0;
    for (const Term& child : full.step.children) children += child.value;
    CHECK_THAT(children, WithinRel(full.total_flops, 1e-12));
  }
}
