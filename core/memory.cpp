// Assembly of the per-GPU peak: model states after sharding, activations,
// logits, temporaries, then the allocator and the CUDA context on top. The peak
// is the largest of four moments of a training step: the end of the forward
// pass, the loss backward, the first layer backward, and optimizer.step().
#include "memory.h"

#include <algorithm>
#include <cmath>

#include "memory_terms.h"
#include "native_text.h"

namespace gpuplan {

using namespace memory_detail;

const char* peak_phase_name(PeakPhase phase) {
  switch (phase) {
    case PeakPhase::forward_end: return "forward_end";
    case PeakPhase::backward: return "backward";
    case PeakPhase::optimizer_step: return "optimizer_step";
  }
  return "backward";
}

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::vector<FrameworkConstant> build_constants() {
  return {
      {"cuda_context_bytes", 512 * kMiB, "bytes",
       NATIVE_TEXT("CUDA context of a PyTorch process with lazy module loading, plus cuBLAS and cuDNN handles"),
       "PyTorch 1.13+ sets CUDA_MODULE_LOADING=LAZY; PyTorch pull request 86509 measured about 300 MB for the "
       "context alone, and cuBLAS/cuDNN handles add more at the first GEMM"},
      {"nccl_buffers_bytes", 256 * kMiB, "bytes",
       NATIVE_TEXT("NCCL communicator buffers per process when more than one GPU trains"),
       "NCCL documentation: NCCL_BUFFSIZE defaults to 4 MiB per channel and peer connection"},
      {"allocator_overhead_fraction", 0.10, "fraction",
       NATIVE_TEXT("memory the PyTorch caching allocator reserves beyond live tensors (rounding and fragmentation), as a "
       "fraction of what each step allocates and frees: activations, logits, gradients and temporaries. "
       "Weights and optimizer states, allocated once and kept, add none"),
       "PyTorch CUDA caching allocator rounds blocks to 512 bytes and splits 2 MiB / 20 MiB segments. "
       "The 10% is an estimate; variable_length_pool_factor covers batches of changing shape"},
      {"variable_length_pool_factor", 2.0, "x per-step memory",
       NATIVE_TEXT("with varying batch lengths, freed blocks of earlier shapes stay cached: the pool holds about twice "
       "what a step allocates and frees"),
       "torchtune issue 1185: Llama 3 8B QLoRA reserved 16.39 GiB, and 10.83 GiB with expandable_segments, "
       "about 5.5 GiB of it weights"},
      {"ddp_bucket_copy", 1.0, "gradient copies",
       NATIVE_TEXT("DistributedDataParallel keeps its own gradient buckets next to .grad"),
       "torch.nn.parallel.DistributedDataParallel, gradient_as_bucket_view=False by default"},
      {"deepspeed_reduce_bucket_elements_per_hidden_squared", 1.0, "x hidden^2",
       NATIVE_TEXT("DeepSpeed reduce_bucket_size as the Transformers integration sets it for \"auto\""),
       "transformers integrations/deepspeed.py: reduce_bucket_size = hidden_size * hidden_size"},
      {"deepspeed_allgather_bucket_elements", 2e8, "elements",
       NATIVE_TEXT("DeepSpeed ZeRO-1/2 all-gather bucket of updated 16-bit parameters after the optimizer step"),
       "DeepSpeed ZeRO-2 example configuration in the Transformers documentation (allgather_bucket_size 2e8)"},
      {"gathered_layers", 2, "layers",
       NATIVE_TEXT("ZeRO-3 and FSDP full-shard hold the current layer and one prefetched layer unsharded"),
       "FSDP forward_prefetch / backward_prefetch=BACKWARD_PRE; DeepSpeed stage3_prefetch_bucket_size"},
  };
}

// Micro-batches whose activations the first pipeline GPU keeps at once, in
// units of a whole stage (its layers / p of the model). 1F1B keeps one per
// stage ahead of it, min(p, m) (Narayanan et al. 2021, section 2.2.1). The
// interleaved schedule splits a GPU's layers into v chunks and runs
// 2 (p - 1) + (v - 1) p warm-up chunk forwards before its first backward
// (Megatron-LM schedules.py, forward_backward_pipelining_with_interleaving),
// all m v of them when m = p; each chunk keeps 1 / v of a stage.
double pipeline_in_flight_micro_batches(const TrainingSetup& setup) {
  const int64_t p = setup.pipeline_parallel;
  const int64_t m = std::max<int64_t>(1, setup.grad_accum);
  const int64_t v = std::max<int64_t>(1, setup.virtual_stages);
  if (p <= 1 || setup.pipeline_schedule == PipelineSchedule::sequential) return 1;
  if (v == 1) return static_cast<double>(std::min(p, m));
  const int64_t chunks = m == p ? m * v : std::min(2 * (p - 1) + (v - 1) * p + 1, m * v);
  return static_cast<double>(chunks) / static_cast<double>(v);
}

struct Moments {
  double forward_end = 0;
  double loss_backward = 0;
  double layer_backward = 0;
  double optimizer_step = 0;
};

bool shards_optimizer(Sharding sharding) {
  return sharding != Sharding::ddp && sharding != Sharding::fsdp_no_shard;
}
bool shards_gradients(Sharding sharding) {
  return sharding == Sharding::zero2 || sharding == Sharding::zero3 || sharding == Sharding::fsdp_shard_grad_op ||
         sharding == Sharding::fsdp_full_shard;
}
bool shards_parameters(Sharding sharding) {
  return sharding == Sharding::zero3 || sharding == Sharding::fsdp_full_shard;
}
bool is_deepspeed(Sharding sharding) {
  return sharding == Sharding::zero1 || sharding == Sharding::zero2 || sharding == Sharding::zero3;
}

bool layer_is_trainable(const ModelSpec& model, const TrainingSetup& setup, int64_t layer) {
  if (setup.method != Method::freeze) return true;
  return layer >= model.layers - std::min(setup.trainable_layers, model.layers);
}

// Multiplies every value of a tree by factor, in place.
void scale_term(Term& term, double factor) {
  term.value *= factor;
  for (Term& child : term.children) scale_term(child, factor);
}

// Adds the children of `extra` into `total`, matching keys, so per-layer trees of
// dense and MoE layers merge into one tree.
void merge_into(Term& total, Term&& extra) {
  total.value += extra.value;
  for (Term& child : extra.children) {
    auto found = std::find_if(total.children.begin(), total.children.end(),
                              [&](const Term& existing) { return existing.key == child.key; });
    if (found == total.children.end()) {
      total.children.push_back(std::move(child));
    } else {
      merge_into(*found, std::move(child));
    }
  }
}

}  // namespace

const std::vector<FrameworkConstant>& framework_constants() {
  static const std::vector<FrameworkConstant> constants = build_constants();
  return constants;
}

double framework_constant(std::string_view key) {
  for (const FrameworkConstant& constant : framework_constants()) {
    if (constant.key == key) return constant.value;
  }
  return 0;
}

MemoryResult estimate_memory(const ModelSpec& model, const TrainingSetup& setup) {
  return estimate_memory(model, setup, count_params(model));
}

MemoryResult estimate_memory(const ModelSpec& model, const TrainingSetup& requested, const ParamCounts& counts) {
  // DeepSpeed ZeRO does not run torch.autocast: with bf16 or fp16 enabled (as the
  // Transformers integration sets for bf16=True) it keeps a 16-bit model and fp32
  // master weights inside its optimizer, so autocast precisions become mixed ones.
  TrainingSetup setup = requested;
  if (is_deepspeed(setup.sharding) && setup.method == Method::full) {
    if (setup.precision == Precision::amp_bf16) setup.precision = Precision::mixed_bf16;
    if (setup.precision == Precision::amp_fp16) setup.precision = Precision::mixed_fp16;
  }
  MemoryResult result;
  const ParamRoles roles = param_roles(model, setup, counts);
  const double model_parallel = static_cast<double>(std::max<int64_t>(1, setup.tensor_parallel * setup.pipeline_parallel));
  const double dp = static_cast<double>(data_parallel_size(setup));
  const bool adapters = setup.method == Method::lora || setup.method == Method::qlora;
  const bool offload_optimizer = setup.offload != Offload::none;
  const bool offload_params = setup.offload == Offload::optimizer_and_params;
  // With one data-parallel rank FSDP runs as NO_SHARD (it switches and warns), so its full-shard
  // and grad-op modes gather nothing.
  const Sharding sharding = is_fsdp(setup.sharding) && dp == 1 ? Sharding::fsdp_no_shard : setup.sharding;
  // NCCL's buffers exist where processes communicate; a device_map split is one process.
  const bool communicates = dp > 1 || setup.tensor_parallel > 1 ||
                            (setup.pipeline_parallel > 1 && setup.pipeline_schedule != PipelineSchedule::sequential);

  result.trainable_params = roles.trainable;
  result.frozen_params = roles.frozen + roles.quantized;

  // ---- Weights ----
  // PEFT (0.12+, autocast_adapter_dtype=True) keeps LoRA adapters in fp32; trained
  // copies of embeddings and LM head (modules_to_save) keep the model's dtype.
  const double trainable_weight_bytes = weight_bytes(setup.precision);
  double trainable_weights = adapters ? roles.adapters * 4 + (roles.trainable - roles.adapters) * trainable_weight_bytes
                                      : roles.trainable * trainable_weight_bytes;
  double frozen_bytes = frozen_weight_bytes(setup.precision);
  if (setup.method == Method::qlora) {
    // Non-quantized parameters load in 16 bits; prepare_model_for_kbit_training
    // casts them to fp32 (PEFT utils/other.py).
    frozen_bytes = (setup.kbit_upcast || setup.precision == Precision::fp32) ? 4 : 2;
  }
  double frozen_weights = roles.frozen * frozen_bytes;
  double quantized_weights = roles.quantized * quantized_bits_per_param(setup.quant, setup.double_quant) / 8.0;
  double weight_split = model_parallel * (shards_parameters(sharding) ? dp : 1.0);
  trainable_weights /= weight_split;
  frozen_weights /= weight_split;
  quantized_weights /= weight_split;
  if (offload_params) {
    // ZeRO-3 offload and FSDP CPU offload keep parameter shards in host memory.
    result.host_memory_bytes += trainable_weights + frozen_weights + quantized_weights;
    trainable_weights = frozen_weights = quantized_weights = 0;
  }

  // ---- Gradients, master weights, optimizer states ----
  const double trainable_local = roles.trainable / model_parallel;
  const double grad_value_bytes = adapters ? 4 : gradient_bytes(setup.precision);
  double gradients = trainable_local * grad_value_bytes;
  // FSDP1 allocates one gradient per flat parameter. With use_orig_params=True a unit may
  // mix LoRA adapters and frozen weights; the flat parameter then requires grad and the
  // frozen weights get gradients as if trained (torch.distributed.fsdp docs, "FSDP has
  // some constraints on freezing parameters"). Embeddings and head sit in the frozen root.
  const double frozen_unit_params = setup.fsdp_frozen_grads && is_fsdp(sharding) && setup.method == Method::lora
                                        ? roles.frozen_in_layers / model_parallel
                                        : 0;
  double frozen_weight_gradients = frozen_unit_params * frozen_bytes;
  const double compute_bytes = setup.precision == Precision::fp32 ? 4 : 2;  // FSDP's unsharded gradients
  double fp32_gradients = 0;  // DeepSpeed/Megatron fp32 gradient accumulation buffers
  if (has_master_weights(setup.precision) && !adapters) fp32_gradients = trainable_local * 4;
  if (shards_gradients(sharding)) {
    gradients /= dp;
    frozen_weight_gradients /= dp;
    fp32_gradients /= dp;
  } else if (shards_optimizer(sharding)) {
    fp32_gradients /= dp;  // ZeRO-1 keeps fp32 gradients for its own partition only
  }
  double master_weights = has_master_weights(setup.precision) && !adapters ? trainable_local * 4 : 0;
  double optimizer_states = trainable_local * optimizer_state_bytes_per_param(setup.optimizer, setup.precision);
  double optimizer_temporary =
      trainable_local * optimizer_step_temporary_bytes_per_param(setup.optimizer, setup.precision);
  if (setup.optimizer == Optimizer::adafactor || setup.optimizer == Optimizer::adafactor_momentum) {
    // Adafactor works tensor by tensor: a few fp32 copies of the largest one.
    optimizer_temporary = 3 * 4 * roles.largest_tensor / model_parallel;
  } else if (setup.optimizer_impl == OptimizerImpl::fused) {
    optimizer_temporary = 0;  // the fused kernel updates in place
  } else if (setup.optimizer_impl == OptimizerImpl::for_loop) {
    // One parameter at a time: the temporary of the largest tensor only.
    optimizer_temporary = roles.largest_tensor / model_parallel *
                          optimizer_step_temporary_bytes_per_param(setup.optimizer, setup.precision);
  }
  if (shards_optimizer(sharding)) {
    master_weights /= dp;
    optimizer_states /= dp;
    optimizer_temporary /= dp;
  }
  if (offload_optimizer) {
    // The optimizer step runs on the CPU with fp32 master weights, states and gradients. Each
    // reduced gradient shard is copied to the host as it is ready (FSDP CPUOffload offloads
    // gradients with the parameters, ZeRO-Offload accumulates them in pinned host buffers), so
    // only the gradients in flight stay on the GPU.
    result.host_memory_bytes += master_weights + optimizer_states + fp32_gradients + trainable_local * 4 / dp;
    master_weights = optimizer_states = optimizer_temporary = fp32_gradients = 0;
    gradients = 0;
    frozen_weight_gradients = 0;
  }
  // bitsandbytes paged optimizers allocate state with cudaMallocManaged, outside
  // PyTorch's allocator, so nvidia-smi counts it and torch.cuda.max_memory_allocated does not.
  double paged_states = 0;
  if (setup.optimizer == Optimizer::paged_adamw_8bit || setup.optimizer == Optimizer::paged_adamw_32bit) {
    paged_states = optimizer_states;
    optimizer_states = 0;
  }

  // ---- Framework buffers ----
  double framework_buffers = 0;
  if (dp > 1 && sharding == Sharding::ddp) {
    framework_buffers += gradients * framework_constant("ddp_bucket_copy");
  }
  if (is_deepspeed(sharding)) {
    framework_buffers += 2.0 * framework_constant("deepspeed_reduce_bucket_elements_per_hidden_squared") *
                         static_cast<double>(model.hidden) * static_cast<double>(model.hidden);
  }
  double allgather_bucket = 0;
  if (sharding == Sharding::zero1 || sharding == Sharding::zero2) {
    allgather_bucket = std::min(framework_constant("deepspeed_allgather_bucket_elements"), trainable_local) * 2;
  }
  double gathered = 0;
  double gathered_gradients = 0;
  const bool wrapped_embeddings = setup.fsdp_wrap_embeddings && is_fsdp(sharding);
  if (shards_parameters(sharding) || offload_params) {
    // With the embedding and the head wrapped apart, the largest unit gathered may be one of them.
    const double largest_unit = wrapped_embeddings ? std::max({roles.largest_layer, static_cast<double>(counts.embedding),
                                                               static_cast<double>(counts.lm_head)})
                                                   : roles.largest_layer;
    const double unit = largest_unit / static_cast<double>(std::max<int64_t>(1, setup.tensor_parallel));
    // Gathered layers keep their storage format: 16-bit compute copies of trained or
    // 16-bit frozen weights, 4-bit blocks for QLoRA (FSDP-QLoRA gathers packed NF4).
    double gathered_bytes_per_param = 2;
    if (setup.method == Method::qlora) {
      gathered_bytes_per_param = quantized_bits_per_param(setup.quant, setup.double_quant) / 8.0;
    } else if (adapters) {
      gathered_bytes_per_param = std::min(2.0, frozen_bytes);
    }
    gathered = framework_constant("gathered_layers") * unit * gathered_bytes_per_param;
    if (sharding == Sharding::fsdp_full_shard && !wrapped_embeddings) {
      // FSDP's root unit (embeddings, final norm, LM head) stays unsharded through
      // forward and backward because the root does not reshard after forward.
      gathered += static_cast<double>(counts.embedding + counts.lm_head) * 2;
    }
    if (frozen_unit_params > 0) {
      gathered_gradients = unit * compute_bytes;  // the whole unit's flat gradient, in the compute dtype
    } else {
      gathered_gradients = unit * grad_value_bytes * (adapters ? roles.adapters / std::max(1.0, roles.total) : 1.0);
    }
  }
  // Micro-batches under FSDP's no_sync() leave each unit's gradient unsharded, in the
  // compute dtype, until the last micro-batch reduce-scatters it (the docstring of
  // FullyShardedDataParallel.no_sync: it accumulates full model gradients instead of shards).
  double unsharded_gradients = 0;
  if (accumulates_unsharded_gradients(setup) && sharding == setup.sharding) {
    unsharded_gradients = trainable_local * (adapters ? grad_value_bytes : compute_bytes) +
                          frozen_unit_params * compute_bytes;
    gathered_gradients = 0;  // the unit being reduced is part of the unsharded gradients
  }
  if (sharding == Sharding::fsdp_shard_grad_op) {
    // Parameters stay unsharded from forward until the end of backward.
    gathered = (roles.total / model_parallel) * 2;
  }

  // ---- Activations ----
  const double pipeline_in_flight = pipeline_in_flight_micro_batches(setup);
  Term layer_total{"layers", 0, {}};
  double largest_layer_activation = 0;
  double workspace = 0;
  const double a = activation_bytes(setup.precision);
  const double outer_split = setup.sequence_parallel ? static_cast<double>(setup.tensor_parallel) : 1.0;
  // The residual stream between layers keeps the embedding weight's dtype: an fp32 embedding
  // (AMP keeps fp32 weights, and k-bit preparation upcasts it) gives fp32 hidden states, and
  // adding a layer's 16-bit output to them stays fp32 by type promotion. FSDP and ZeRO-3 compute
  // with gathered 16-bit copies instead.
  const bool fp32_embedding = (setup.method == Method::qlora ? frozen_bytes : weight_bytes(setup.precision)) == 4;
  const bool gathers_16_bit = is_fsdp(sharding) || shards_parameters(sharding) || offload_params;
  const double residual_bytes = fp32_embedding && !gathers_16_bit ? 4 : a;
  const double layer_input =
      residual_bytes * tokens_per_micro_batch(setup) / outer_split * static_cast<double>(model.hidden);
  // Layers of the same kind (dense or MoE, trained or frozen) save the same
  // tensors, so each kind is derived once and scaled by its count.
  int64_t kind_counts[2][2] = {{0, 0}, {0, 0}};
  for (int64_t layer = 0; layer < model.layers; ++layer) {
    kind_counts[is_moe_layer(model, layer) ? 1 : 0][layer_is_trainable(model, setup, layer) ? 1 : 0] += 1;
  }
  for (int moe = 0; moe < 2; ++moe) {
    for (int trainable = 0; trainable < 2; ++trainable) {
      const int64_t count = kind_counts[moe][trainable];
      const bool records_graph = setup.method != Method::freeze || trainable == 1;
      if (count == 0 || !records_graph) continue;
      Term saved = layer_activations(model, setup, moe == 1, trainable == 1);
      largest_layer_activation = std::max(largest_layer_activation, saved.value);
      workspace = std::max(workspace, layer_backward_workspace_bytes(model, setup, moe == 1));
      const double copies = static_cast<double>(count);
      if (setup.grad_checkpointing == Checkpointing::offload) {
        // Unsloth's checkpointing copies each layer input to host memory.
        result.host_memory_bytes += layer_input * copies;
      } else if (setup.grad_checkpointing == Checkpointing::full) {
        // Transformers checkpoints each decoder layer: only its input stays saved.
        merge_into(layer_total,
                   Term{"layers", layer_input * copies, {leaf("checkpointed_input", layer_input * copies)}});
      } else {
        scale_term(saved, copies);
        merge_into(layer_total, std::move(saved));
      }
    }
  }
  const double stage_factor = pipeline_in_flight / static_cast<double>(setup.pipeline_parallel);
  scale_term(layer_total, stage_factor);

  std::vector<Term> model_level;
  const double hidden_elements = tokens_per_micro_batch(setup) / outer_split * static_cast<double>(model.hidden);
  if (model_uses_dropout(model)) model_level.push_back(leaf("embedding_dropout_mask", hidden_elements));
  const bool lm_head_trained = setup.method == Method::full || setup.lora_train_embeddings;
  // The head's matmul saves its input in the compute dtype (autocast casts fp32 hidden states).
  if (lm_head_trained && model.family == Family::decoder) model_level.push_back(leaf("lm_head_input", a * hidden_elements));
  if (setup.attention == AttentionImpl::eager && model.family == Family::decoder) {
    // Transformers builds one [B, 1, S, S] causal mask in the model dtype for eager attention.
    model_level.push_back(leaf("causal_mask", a * static_cast<double>(setup.micro_batch) *
                                                  static_cast<double>(setup.seq_len) *
                                                  static_cast<double>(setup.seq_len)));
  }
  std::vector<Term> activation_terms;
  activation_terms.push_back(std::move(layer_total));
  activation_terms.push_back(sum_of("model_level", std::move(model_level)));
  Term activations = sum_of("activations", std::move(activation_terms));

  const bool recomputes = setup.grad_checkpointing == Checkpointing::full ||
                          setup.grad_checkpointing == Checkpointing::offload;
  const double recompute = recomputes ? largest_layer_activation : 0;
  const double logits_saved = logits_saved_bytes(model, setup);
  const double logits_peak = logits_backward_peak_bytes(model, setup);

  // Autocast casts fp32 weights to 16 bits on use. The copies stay saved for the
  // input gradient until each layer's backward, one layer at a time under checkpointing.
  // The LM head is outside the checkpointed layers: its copy stays from the end of forward
  // to its backward either way (a tied head reads the embedding weight).
  double autocast_copies = 0;
  if (uses_autocast(setup.precision)) {
    double fp32_linear = roles.trainable_linear + (frozen_bytes == 4 ? roles.frozen_linear : 0);
    if (adapters) fp32_linear = frozen_bytes == 4 ? roles.frozen_linear : 0;
    const bool head_fp32 = (lm_head_trained ? trainable_weight_bytes : frozen_bytes) == 4;
    const double untied_head = head_fp32 ? static_cast<double>(counts.lm_head) : 0;
    const double head_params = model.family == Family::decoder && head_fp32
                                   ? static_cast<double>(counts.lm_head > 0 ? counts.lm_head : model.vocab * model.hidden)
                                   : 0;
    double layer_copies = std::max(0.0, fp32_linear - untied_head);
    if (recomputes) layer_copies /= static_cast<double>(std::max<int64_t>(1, model.layers));
    autocast_copies = 2 * (layer_copies + head_params) / model_parallel;
    if (shards_parameters(sharding)) autocast_copies = 0;  // gathered units are already 16-bit
  }
  double dequantized = 0;
  if (setup.method == Method::qlora) {
    // bitsandbytes dequantizes one 4-bit weight to the compute dtype per matmul.
    // Only the layers' linears are quantized, so the embeddings and the head
    // (often the largest tensors) never are.
    dequantized = 2 * roles.largest_layer_linear / model_parallel;
  }

  // Applying the optimizer inside backward frees each gradient right after its
  // update, so at most one layer's gradients exist at a time (torchtune optimizer_in_bwd).
  if (setup.optimizer_in_backward) {
    const double layer_share = roles.largest_layer / std::max(1.0, roles.total);
    gradients *= layer_share;
    optimizer_temporary *= layer_share;
  }

  // ---- The four moments ----
  const double persistent = trainable_weights + frozen_weights + quantized_weights + master_weights + optimizer_states +
                            framework_buffers + fp32_gradients;
  // Gradients exist through forward when accumulation keeps them between
  // micro-batches, or when zero_grad() zeroes them in place instead of freeing
  // them (torch.nn.Module.zero_grad(set_to_none=False), the default before PyTorch 2.0).
  const bool keeps_gradients = setup.grad_accum > 1 || !setup.zero_grad_set_to_none;
  gradients += frozen_weight_gradients;
  const double carried_gradients =
      unsharded_gradients > 0 ? unsharded_gradients : (keeps_gradients ? gradients : 0);
  // A head wrapped as its own FSDP unit reduce-scatters its gradient as soon as its backward ends.
  const bool head_reduced_early = wrapped_embeddings && shards_gradients(sharding);
  const double lm_head_gradient = lm_head_trained && !adapters && !head_reduced_early
                                      ? static_cast<double>(counts.lm_head > 0 ? counts.lm_head : model.vocab * model.hidden) *
                                            grad_value_bytes / model_parallel
                                      : 0;
  Moments moments;
  moments.forward_end = persistent + carried_gradients + activations.value + logits_saved + autocast_copies + gathered;
  moments.loss_backward = persistent + carried_gradients + activations.value + logits_peak + autocast_copies + gathered;
  moments.layer_backward = persistent + carried_gradients + activations.value + recompute + workspace +
                           autocast_copies + gathered + gathered_gradients + dequantized +
                           (carried_gradients > 0 ? 0 : lm_head_gradient);
  moments.optimizer_step = persistent + gradients + optimizer_temporary + allgather_bucket;

  double allocated = moments.forward_end;
  result.peak_phase = PeakPhase::forward_end;
  if (moments.loss_backward > allocated || moments.layer_backward > allocated) {
    allocated = std::max(moments.loss_backward, moments.layer_backward);
    result.peak_phase = PeakPhase::backward;
  }
  if (moments.optimizer_step > allocated) {
    allocated = moments.optimizer_step;
    result.peak_phase = PeakPhase::optimizer_step;
  }

  // ---- Breakdown at the peak ----
  std::vector<Term> weight_terms;
  weight_terms.push_back(leaf("trainable", trainable_weights));
  if (frozen_weights > 0) weight_terms.push_back(leaf("frozen", frozen_weights));
  if (quantized_weights > 0) weight_terms.push_back(leaf("quantized", quantized_weights));
  if (master_weights > 0) weight_terms.push_back(leaf("master_fp32", master_weights));
  if (autocast_copies > 0 && result.peak_phase != PeakPhase::optimizer_step) {
    weight_terms.push_back(leaf("autocast_copies", autocast_copies));
  }
  if (gathered > 0 && result.peak_phase != PeakPhase::optimizer_step) {
    weight_terms.push_back(leaf("gathered", gathered));
  }

  const bool at_optimizer = result.peak_phase == PeakPhase::optimizer_step;
  std::vector<Term> gradient_terms;
  if (!at_optimizer && unsharded_gradients > 0) {
    gradient_terms.push_back(leaf("unsharded_gradients", unsharded_gradients));
  } else {
    const double gradients_at_peak = at_optimizer ? gradients : carried_gradients;
    const double frozen_part = gradients_at_peak > 0 ? frozen_weight_gradients : 0;
    gradient_terms.push_back(leaf("gradients", gradients_at_peak - frozen_part));
    if (frozen_part > 0) gradient_terms.push_back(leaf("frozen_weight_gradients", frozen_part));
  }
  if (fp32_gradients > 0) gradient_terms.push_back(leaf("fp32_gradients", fp32_gradients));

  std::vector<Term> temporary_terms;
  double logits_term = 0;
  if (result.peak_phase == PeakPhase::optimizer_step) {
    temporary_terms.push_back(leaf("optimizer_step", optimizer_temporary));
    if (allgather_bucket > 0) temporary_terms.push_back(leaf("allgather_bucket", allgather_bucket));
  } else if (result.peak_phase == PeakPhase::forward_end) {
    logits_term = logits_saved;
  } else if (moments.loss_backward >= moments.layer_backward) {
    logits_term = logits_peak;
  } else {
    if (recompute > 0) temporary_terms.push_back(leaf("recomputed_layer", recompute));
    temporary_terms.push_back(leaf("backward_workspace", workspace));
    if (gathered_gradients > 0) temporary_terms.push_back(leaf("gathered_gradients", gathered_gradients));
    if (dequantized > 0) temporary_terms.push_back(leaf("dequantized_weight", dequantized));
    if (carried_gradients == 0 && lm_head_gradient > 0) temporary_terms.push_back(leaf("lm_head_gradient", lm_head_gradient));
  }

  std::vector<Term> allocated_terms;
  allocated_terms.push_back(sum_of("weights", std::move(weight_terms)));
  allocated_terms.push_back(sum_of("gradients", std::move(gradient_terms)));
  allocated_terms.push_back(leaf("optimizer_states", optimizer_states));
  allocated_terms.push_back(at_optimizer ? Term{"activations", 0, {}} : std::move(activations));
  allocated_terms.push_back(leaf("logits_and_loss", logits_term));
  allocated_terms.push_back(sum_of("temporary", std::move(temporary_terms)));
  allocated_terms.push_back(leaf("framework_buffers", framework_buffers));
  Term allocated_tree = sum_of("allocated", std::move(allocated_terms));
  // The tree is built from the winning moment's terms, so it matches its total.
  result.peak_allocated_bytes = allocated_tree.value;

  // Weights and optimizer states are allocated once and stay live, so their
  // blocks are never split or reused. Fragmentation comes from the tensors that
  // each step allocates and frees.
  const double per_step_allocations = result.peak_allocated_bytes - persistent;
  const double needed_reserved =
      result.peak_allocated_bytes + per_step_allocations * framework_constant("allocator_overhead_fraction");
  const double context_bytes = setup.cuda_context_mib ? *setup.cuda_context_mib * kMiB
                                                      : framework_constant("cuda_context_bytes");
  const double nccl_bytes = communicates ? framework_constant("nccl_buffers_bytes") : 0;
  result.cuda_context_bytes = context_bytes + nccl_bytes;
  result.gpu_usable_bytes = setup.gpu.visible_memory_bytes;
  result.required_bytes = needed_reserved + result.cuda_context_bytes + paged_states;

  // Variable-length batches leave freed blocks of earlier shapes in the pool. The pool
  // never grows past the GPU: before failing, the allocator frees its cache and retries
  // (c10/cuda/CUDACachingAllocator.cpp, release_cached_blocks after a failed cudaMalloc).
  double cached_beyond_need = 0;
  if (setup.variable_lengths) {
    const double grown = (needed_reserved - persistent) * (framework_constant("variable_length_pool_factor") - 1);
    const double room = result.gpu_usable_bytes - result.required_bytes;
    cached_beyond_need = std::max(0.0, std::min(grown, room));
  }
  result.peak_reserved_bytes = needed_reserved + cached_beyond_need;
  result.nvidia_smi_bytes = result.required_bytes + cached_beyond_need;

  std::vector<Term> peak_terms = std::move(allocated_tree.children);
  peak_terms.push_back(leaf("allocator_overhead", needed_reserved - result.peak_allocated_bytes));
  if (cached_beyond_need > 0) peak_terms.push_back(leaf("variable_length_cache", cached_beyond_need));
  peak_terms.push_back(leaf("cuda_context", context_bytes));
  if (nccl_bytes > 0) peak_terms.push_back(leaf("nccl_buffers", nccl_bytes));
  if (paged_states > 0) peak_terms.push_back(leaf("paged_optimizer_states", paged_states));
  result.peak = sum_of("peak_memory", std::move(peak_terms));

  // Paged optimizer states move to host memory under pressure instead of failing.
  result.fits = result.required_bytes - paged_states <= result.gpu_usable_bytes;
  result.headroom_bytes = result.gpu_usable_bytes - result.required_bytes;
  return result;
}

Term memory_detail_layer_activations(const ModelSpec& model, const TrainingSetup& setup, bool moe_layer) {
  return layer_activations(model, setup, moe_layer, true);
}

int64_t max_micro_batch_that_fits(const ModelSpec& model, const TrainingSetup& setup, int64_t max_micro_batch) {
  TrainingSetup trial = setup;
  const ParamCounts counts = count_params(model);
  auto fits = [&](int64_t micro_batch) {
    trial.micro_batch = micro_batch;
    return estimate_memory(model, trial, counts).fits;
  };
  if (!fits(1)) return 0;
  int64_t low = 1;
  int64_t high = max_micro_batch;
  if (fits(high)) return high;
  while (high - low > 1) {
    int64_t middle = low + (high - low) / 2;
    if (fits(middle)) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low;
}

int64_t max_seq_len_that_fits(const ModelSpec& model, const TrainingSetup& setup) {
  constexpr int64_t kStep = 128;
  int64_t limit = model.max_positions > 0 ? model.max_positions : 131072;
  TrainingSetup trial = setup;
  const ParamCounts counts = count_params(model);
  auto fits = [&](int64_t seq_len) {
    trial.seq_len = seq_len;
    return estimate_memory(model, trial, counts).fits;
  };
  if (!fits(kStep)) return 0;
  int64_t low = 1;  // in steps of 128 tokens
  int64_t high = limit / kStep;
  if (high <= low) return kStep;
  if (fits(high * kStep)) return high * kStep;
  while (high - low > 1) {
    int64_t middle = low + (high - low) / 2;
    if (fits(middle * kStep)) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low * kStep;
}

}  // namespace gpuplan
