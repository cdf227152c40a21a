// Model states: which parameters are trained, frozen or quantized, and the
// bytes of weights, gradients and optimizer states per parameter.
#include <algorithm>

#include "memory_terms.h"

namespace gpuplan::memory_detail {

std::vector<LinearModule> layer_linears(const ModelSpec& model, bool moe_layer) {
  std::vector<LinearModule> linears;
  const int64_t h = model.hidden;
  if (model.attention_type == AttentionKind::mla) {
    // DeepSeek latent attention: LoRA's q target selects q_proj or q_a/q_b, k selects
    // kv_a_proj_with_mqa, v selects kv_b_proj.
    const int64_t qk_head_dim = model.qk_nope_head_dim + model.qk_rope_head_dim;
    if (model.q_lora_rank > 0) {
      linears.push_back({"q_a", lora_q, h, model.q_lora_rank, 1});
      linears.push_back({"q_b", lora_q, model.q_lora_rank, model.heads * qk_head_dim, 1});
    } else {
      linears.push_back({"q", lora_q, h, model.heads * qk_head_dim, 1});
    }
    linears.push_back({"kv_a", lora_k, h, model.kv_lora_rank + model.qk_rope_head_dim, 1});
    linears.push_back(
        {"kv_b", lora_v, model.kv_lora_rank, model.heads * (model.qk_nope_head_dim + model.v_head_dim), 1});
    linears.push_back({"o", lora_o, model.heads * model.v_head_dim, h, 1});
  } else {
    const int64_t head_dim = effective_head_dim(model);
    linears.push_back({"q", lora_q, h, model.heads * head_dim, 1});
    linears.push_back({"k", lora_k, h, model.kv_heads * head_dim, 1});
    linears.push_back({"v", lora_v, h, model.kv_heads * head_dim, 1});
    linears.push_back({"o", lora_o, model.heads * head_dim, h, 1});
  }

  auto add_mlp = [&](const std::string& prefix, int64_t width, int64_t count) {
    if (width <= 0 || count <= 0) return;
    if (model.mlp == MlpKind::gated) linears.push_back({prefix + "gate", lora_gate, h, width, count});
    linears.push_back({prefix + "up", lora_up, h, width, count});
    linears.push_back({prefix + "down", lora_down, width, h, count});
  };
  if (moe_layer) {
    // The router is an nn.Linear too, so PEFT's all-linear selects it.
    linears.push_back({"router", 0, h, model.experts, 1});
    add_mlp("expert_", model.expert_intermediate, model.experts);
    add_mlp("shared_", shared_expert_width(model), model.shared_experts > 0 || model.shared_expert_intermediate > 0 ? 1 : 0);
  } else {
    add_mlp("", model.intermediate, 1);
  }
  return linears;
}

int64_t lora_params_per_layer(const ModelSpec& model, bool moe_layer, int64_t rank, unsigned targets) {
  int64_t params = 0;
  for (const LinearModule& linear : layer_linears(model, moe_layer)) {
    bool targeted = (linear.lora_bit & targets) != 0 ||
                    (linear.lora_bit == 0 && (targets & lora_all_linear) == lora_all_linear);
    if (targeted) params += rank * (linear.in_features + linear.out_features) * linear.count;
  }
  return params;
}

namespace {

double linear_params_per_layer(const ModelSpec& model, bool moe_layer) {
  double params = 0;
  for (const LinearModule& linear : layer_linears(model, moe_layer)) {
    params += static_cast<double>(linear.in_features) * static_cast<double>(linear.out_features) *
              static_cast<double>(linear.count);
  }
  return params;
}

}  // namespace

ParamRoles param_roles(const ModelSpec& model, const TrainingSetup& setup, const ParamCounts& counts) {
  ParamRoles roles;
  roles.total = static_cast<double>(counts.total);
  const double dense_layer = static_cast<double>(counts.per_dense_layer);
  const double moe_layer = static_cast<double>(counts.per_moe_layer);
  const int64_t moe_layers = moe_layer_count(model);
  const int64_t dense_layers = model.layers - moe_layers;
  const double dense_linear = linear_params_per_layer(model, false);
  const double moe_linear = moe_layers > 0 ? linear_params_per_layer(model, true) : 0;
  const double all_layer_linear = dense_linear * static_cast<double>(dense_layers) +
                                  moe_linear * static_cast<double>(moe_layers);
  // The LM head is an nn.Linear (bitsandbytes leaves it unquantized); embeddings are not.
  const double lm_head = static_cast<double>(counts.lm_head);
  const double embedding_and_head = static_cast<double>(counts.embedding) + lm_head;

  roles.largest_layer = std::max(dense_layer, moe_layer);
  roles.largest_tensor = std::max(static_cast<double>(model.vocab) * static_cast<double>(model.hidden),
                                  static_cast<double>(model.hidden) * static_cast<double>(model.intermediate));
  for (bool moe : {false, true}) {
    if (moe && moe_layers == 0) continue;
    for (const LinearModule& linear : layer_linears(model, moe)) {
      roles.largest_layer_linear = std::max(
          roles.largest_layer_linear, static_cast<double>(linear.in_features) * static_cast<double>(linear.out_features));
    }
  }

  switch (setup.method) {
    case Method::full:
      roles.trainable = roles.total;
      roles.trainable_linear = all_layer_linear + lm_head;
      break;
    case Method::freeze: {
      // The last trainable_layers layers and the final norm are trained (LLaMA-Factory's
      // freeze mode); the embeddings and the LM head stay frozen.
      int64_t trained = std::min(setup.trainable_layers, model.layers);
      double trained_params = 0;
      double trained_linear = 0;
      for (int64_t layer = model.layers - trained; layer < model.layers; ++layer) {
        bool moe = is_moe_layer(model, layer);
        trained_params += moe ? moe_layer : dense_layer;
        trained_linear += moe ? moe_linear : dense_linear;
      }
      roles.trainable = trained_params;
      roles.trainable_linear = trained_linear;
      roles.frozen = roles.total - trained_params;
      roles.frozen_linear = all_layer_linear + lm_head - trained_linear;
      break;
    }
    case Method::lora:
    case Method::qlora: {
      double adapters = static_cast<double>(lora_params_per_layer(model, false, setup.lora_rank, setup.lora_targets)) *
                        static_cast<double>(dense_layers);
      if (moe_layers > 0) {
        adapters += static_cast<double>(lora_params_per_layer(model, true, setup.lora_rank, setup.lora_targets)) *
                    static_cast<double>(moe_layers);
      }
      roles.adapters = adapters;
      roles.trainable = adapters;
      roles.trainable_linear = adapters;
      double base = roles.total;
      if (setup.lora_train_embeddings) {
        // modules_to_save: PEFT trains a full copy of the embeddings and the LM head
        // and keeps the frozen originals too.
        roles.trainable += embedding_and_head;
        roles.trainable_linear += lm_head;
      }
      if (setup.method == Method::qlora) {
        roles.quantized = all_layer_linear;
        roles.frozen = base - all_layer_linear;
        roles.frozen_linear = lm_head;
      } else {
        roles.frozen = base;
        roles.frozen_linear = all_layer_linear + lm_head;
        roles.frozen_in_layers = dense_layer * static_cast<double>(dense_layers) +
                                 moe_layer * static_cast<double>(moe_layers);
      }
      break;
    }
  }
  return roles;
}

double weight_bytes(Precision precision) {
  switch (precision) {
    case Precision::fp32:
    case Precision::amp_fp16:
    case Precision::amp_bf16: return 4;
    case Precision::int8: return 1;
    default: return 2;
  }
}

double frozen_weight_bytes(Precision precision) { return weight_bytes(precision); }

double activation_bytes(Precision precision) { return precision == Precision::fp32 ? 4 : 2; }

double gradient_bytes(Precision precision) { return weight_bytes(precision); }

bool uses_autocast(Precision precision) {
  return precision == Precision::amp_bf16 || precision == Precision::amp_fp16;
}

bool has_master_weights(Precision precision) {
  return precision == Precision::mixed_bf16 || precision == Precision::mixed_fp16;
}

double optimizer_state_bytes_per_param(Optimizer optimizer, Precision precision) {
  // torch optimizers keep states in the parameter's dtype; under mixed precision
  // the optimizer updates the fp32 master weights, so states are fp32 there too.
  const double state = has_master_weights(precision) ? 4 : weight_bytes(precision);
  // bitsandbytes 8-bit optimizers: one byte per value plus one fp32 absmax per
  // block of 256 values (bitsandbytes optim/optimizer.py, blocksize 256 since 0.44).
  const double eight_bit = 1.0 + 4.0 / 256.0;
  switch (optimizer) {
    case Optimizer::adamw: return 2 * state;
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit: return 2 * eight_bit;
    case Optimizer::paged_adamw_32bit: return 8;
    case Optimizer::sgd: return 0;
    case Optimizer::sgd_momentum: return state;
    // Transformers' Adafactor factors the second moment of a matrix into a row and a
    // column vector (about 0 bytes per parameter) and keeps states in fp32.
    case Optimizer::adafactor: return 0;
    case Optimizer::adafactor_momentum: return 4;
    case Optimizer::lion: return state;
  }
  return 0;
}

double optimizer_step_temporary_bytes_per_param(Optimizer optimizer, Precision precision) {
  const double state = has_master_weights(precision) ? 4 : weight_bytes(precision);
  switch (optimizer) {
    // torch.optim.AdamW with foreach=True (the default on CUDA) computes
    // torch._foreach_sqrt(exp_avg_sqs) for a whole parameter group: one
    // temporary of the size of the second moment.
    case Optimizer::adamw: return state;
    // Transformers' Adafactor updates one parameter at a time; its temporaries are
    // a few copies of the largest tensor, added separately.
    default: return 0;
  }
}

double quantized_bits_per_param(Quant quant, bool double_quant) {
  (void)quant;  // NF4 and FP4 store the same 4 bits and block constants.
  // bitsandbytes quantize_4bit: blocksize 64, one fp32 absmax per block (0.5 bits).
  // Double quantization stores the absmax in 8 bits with one fp32 constant per 256
  // of them: 8/64 + 32/(64*256) = 0.127 bits (Dettmers et al. 2023, QLoRA, section 3).
  if (double_quant) return 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0);
  return 4.0 + 32.0 / 64.0;
}

}  // namespace gpuplan::memory_detail
