#include "timing.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "native_text.h"
#include "number_text.h"
#include "precision.h"
#include "timing_dispatch.h"

namespace gpuplan {
namespace {

constexpr double kGbit = 1e9 / 8;  // bytes per second in one Gb/s

std::vector<NetworkPreset> build_networks() {
  // Per-node bandwidth in one direction: NIC count × line rate. Line rates are
  // the nominal rates of InfiniBand NDR (400 Gb/s) and HDR (200 Gb/s) ports,
  // RoCE and Ethernet NICs.
  return {
      {"ib_8x400", "8 × 400 Gb/s InfiniBand NDR per node (DGX H100, HGX H100/H200)", 8 * 400 * kGbit},
      {"ib_8x200", "8 × 200 Gb/s InfiniBand HDR per node (DGX A100)", 8 * 200 * kGbit},
      {"ib_4x200", "4 × 200 Gb/s InfiniBand HDR per node", 4 * 200 * kGbit},
      {"roce_8x400", "8 × 400 Gb/s RoCE per node", 8 * 400 * kGbit},
      {"roce_8x200", "8 × 200 Gb/s RoCE per node", 8 * 200 * kGbit},
      {"efa_3200", "AWS EFA, 3200 Gb/s per node (p4d, p5)", 3200 * kGbit},
      {"eth_400", "400 Gb/s Ethernet per node", 400 * kGbit},
      {"eth_100", "100 Gb/s Ethernet per node", 100 * kGbit},
      {"eth_25", "25 Gb/s Ethernet per node", 25 * kGbit},
      {"eth_10", "10 Gb/s Ethernet per node", 10 * kGbit},
  };
}

std::vector<FrameworkConstant> build_constants() {
  return {
      {"gemm_efficiency_max", 0.80, "fraction",
       NATIVE_TEXT("Fraction of the dense tensor-core peak that a large, well-shaped 16-bit GEMM reaches with "
       "cuBLAS. Smaller GEMMs get less through the roofline factor I/(I + peak/bandwidth)."),
       "Estimate, not a measurement. With it the model reproduces LLaMA 65B's published 380 tokens/s per "
       "A100 and the Llama 2 7B and 70B GPU-hours within 10% (tests/core/timing_test.cpp)"},
      {"attention_kernel_efficiency", 0.55, "fraction",
       NATIVE_TEXT("Fraction of the dense peak that fused attention kernels (FlashAttention-2, SDPA) reach on long "
       "sequences, forward and backward together; shorter sequences scale it by s / (s + 256)."),
       "Dao 2023, FlashAttention-2: 50-73% of the A100 peak (abstract); the backward reaches less"},
      {"link_efficiency", 0.80, "fraction",
       NATIVE_TEXT("Bus bandwidth that NCCL collectives reach as a fraction of the link rate per direction."),
       "Estimate, not a measurement: NCCL ring collectives lose some of the line rate to protocol "
       "overhead and synchronization"},
      {"collective_latency_s", 20e-6, "s",
       NATIVE_TEXT("Fixed cost of one NCCL collective call (launch and ring latency), added per call."),
       "Estimate, not a measurement: the order of magnitude of a small NCCL all-reduce"},
      {"pcie_efficiency", 0.80, "fraction",
       NATIVE_TEXT("Achieved fraction of the PCIe rate per direction for pinned host-device copies."),
       "PCIe encoding and protocol overhead leave about 80% of the raw rate for payload"},
      {"cpu_adam_params_per_s", 1.4e9, "params/s",
       NATIVE_TEXT("Parameters that one process's vectorized CPU Adam updates per second. Each data-parallel process "
       "updates only its own partition, so the processes of a node step in parallel."),
       "DeepSpeed CPU-Adam author's measurement: 8.2 s per step for an 11.6B-parameter GPT-2 "
       "(microsoft/DeepSpeed, 'CPU-Adam fix for scalar mode', February 2021)"},
      {"cpu_dispatch_s_per_op", 20e-6, "s",
       NATIVE_TEXT("CPU time eager PyTorch spends on one operator before its kernel runs: the Python module call, the "
       "dispatcher, autograd recording and the launch. The GPU waits when its kernels are shorter."),
       "Estimate: 5-25 us of CPU work per operator is the usual range; 20 us reproduces the CPU-bound "
       "micro-batch-1 fp16 runs of the Transformers single-GPU walkthrough (BERT large, V100) within 25%"},
      {"qlora_dequant_bytes_per_param", 2.5, "bytes",
       NATIVE_TEXT("HBM traffic of dequantizing one NF4 weight to 16 bits (read 0.5 bytes with scales, write 2)."),
       "bitsandbytes dequantize_4bit writes a full 16-bit copy of the weight before the matmul"},
  };
}

struct Link {
  double bandwidth = 0;  // bytes/s, one direction, already times link_efficiency
  double latency = 0;    // seconds per collective
};

double activation_bytes(Precision precision) {
  return compute_dtype(precision) == ComputeDtype::fp32 ? 4.0 : 2.0;
}

// Bytes of one gradient as DDP or ZeRO reduces it: fp32 when the parameters
// are fp32 (autocast keeps parameters and their gradients in fp32), 16-bit when
// the model is kept in 16 bits (pure and DeepSpeed/Megatron mixed precision).
double gradient_bytes(Precision precision) {
  switch (precision) {
    case Precision::fp32:
    case Precision::amp_fp16:
    case Precision::amp_bf16: return 4.0;
    default: return 2.0;
  }
}

// Bytes of one parameter as ZeRO-3 or FSDP gathers it.
double parameter_bytes(const TrainingSetup& setup, bool frozen) {
  if (frozen && setup.method == Method::qlora) return 0.55;  // NF4 weights with scales
  return gradient_bytes(setup.precision);
}

// HBM bytes one optimizer update moves per trainable parameter (derived here by
// counting tensor reads and writes of each implementation's kernels).
double optimizer_bytes_per_param(Optimizer optimizer, Precision precision) {
  const bool master_fp32 = precision == Precision::mixed_bf16 || precision == Precision::mixed_fp16;
  const bool states_16bit = precision == Precision::pure_bf16 || precision == Precision::pure_fp16 ||
                            precision == Precision::bf16 || precision == Precision::fp16;
  const double state = states_16bit ? 2.0 : 4.0;
  const double param = gradient_bytes(precision);
  const double grad = param;
  switch (optimizer) {
    case Optimizer::adamw:
    case Optimizer::paged_adamw_32bit:
      // DeepSpeed and Megatron fused Adam: read fp32 gradient, master, m, v;
      // write master, m, v and the 16-bit model copy: 7 × 4 + 2.
      if (master_fp32) return 30;
      // torch.optim.AdamW (foreach): decay 2p, m lerp 2s + g, v scale 2s,
      // v addcmul 2s + g, sqrt 2s, two in-place scalings 4s, addcdiv 2p + 2s.
      return 4 * param + 12 * state + 2 * grad;
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit:
      // bitsandbytes fused 8-bit kernel: read and write the parameter and both
      // 1-byte moments, read the gradient.
      return 2 * param + grad + 4;
    case Optimizer::sgd: return 2 * param + grad;
    case Optimizer::sgd_momentum: return 2 * param + grad + 4 * state;
    case Optimizer::lion: return 2 * param + 2 * grad + 7 * state;
    case Optimizer::adafactor: return 2 * param + grad + 12 * 4;
    case Optimizer::adafactor_momentum: return 2 * param + grad + 12 * 4 + 3 * state;
  }
  return 4 * param + 12 * state + 2 * grad;
}

bool shards_optimizer(Sharding sharding) {
  return sharding != Sharding::ddp && sharding != Sharding::fsdp_no_shard;
}

bool shards_gradients(Sharding sharding) {
  return sharding == Sharding::zero2 || sharding == Sharding::zero3 ||
         sharding == Sharding::fsdp_shard_grad_op || sharding == Sharding::fsdp_full_shard;
}

bool shards_parameters(Sharding sharding) {
  return sharding == Sharding::zero3 || sharding == Sharding::fsdp_full_shard;
}

// Everything the per-GPU pieces need, computed once.
struct Context {
  const ModelSpec& model;
  const TrainingSetup& setup;
  const TimeOptions& options;
  FlopsResult flops;
  double peak = 0;
  double bandwidth = 0;  // HBM, bytes/s
  double act_bytes = 2;
  double tp = 1;
  double pp = 1;
  double virtual_stages = 1;  // model chunks per pipeline GPU
  double dp = 1;
  double grad_accum = 1;
  Link intra = {};
  Link inter = {};
};

Link intra_node_link(const GpuSpec& gpu) {
  Link link;
  const double efficiency = timing_constant("link_efficiency");
  // Vendors print NVLink as the bidirectional total per GPU; one direction is half.
  const double raw = gpu.nvlink_bandwidth_bytes_per_s > 0 ? gpu.nvlink_bandwidth_bytes_per_s / 2
                                                          : gpu.pcie_bandwidth_bytes_per_s / 2;
  link.bandwidth = raw * efficiency;
  link.latency = timing_constant("collective_latency_s");
  return link;
}

Link inter_node_link(const NetworkPreset& network, const TrainingSetup& setup, const Link& intra) {
  Link link;
  const double gpus_per_node = static_cast<double>(std::max<int64_t>(setup.gpus_per_node, 1));
  // A ring across nodes moves each GPU's share through the node's NICs.
  link.bandwidth = std::min(intra.bandwidth,
                            network.node_bandwidth_bytes_per_s / gpus_per_node * timing_constant("link_efficiency"));
  link.latency = 2 * timing_constant("collective_latency_s");
  return link;
}

// Data-parallel ranks sit next to the tensor-parallel ranks (Megatron-LM's
// default rank order), so the data-parallel group stays inside a node when
// tensor_parallel × data-parallel size fits in one.
const Link& data_parallel_link(const Context& ctx) {
  const bool inside = ctx.tp * ctx.dp <= static_cast<double>(ctx.setup.gpus_per_node);
  return inside ? ctx.intra : ctx.inter;
}

// ---------------------------------------------------------------- compute

double class_efficiency(const Context& ctx, const GemmClass& c) {
  if (c.attention_core && ctx.setup.attention != AttentionImpl::eager) {
    const double s = static_cast<double>(ctx.setup.seq_len);
    return timing_constant("attention_kernel_efficiency") * s / (s + 256.0);
  }
  const double split = c.splits_with_tensor_parallel ? ctx.tp : 1.0;
  const double n = std::max(c.n / split, 1.0);
  return gemm_efficiency(c.m, n, c.k, ctx.act_bytes, ctx.peak, ctx.bandwidth);
}

// Seconds of GEMM work per micro-batch on one GPU, by class.
Term compute_per_micro_batch(const Context& ctx, double& flops_out) {
  std::vector<Term> children;
  flops_out = 0;
  const bool eager_causal = ctx.setup.attention == AttentionImpl::eager &&
                            ctx.model.family == Family::decoder && ctx.options.flops.causal_half;
  for (const GemmClass& c : ctx.flops.classes) {
    const double flops = c.total();
    if (flops <= 0) continue;
    const double split = (c.splits_with_tensor_parallel ? ctx.tp : 1.0) * ctx.pp;
    double seconds = flops / split / (ctx.peak * class_efficiency(ctx, c));
    // Eager attention multiplies the whole s×s matrix and masks it afterwards,
    // so it runs twice the causal FLOPs counted above.
    if (c.attention_core && eager_causal) seconds *= 2;
    flops_out += flops / split;
    children.push_back(leaf(c.key, seconds));
  }
  return sum_of("compute", std::move(children));
}

// ---------------------------------------------------------------- memory-bound

// HBM bytes of the element-wise kernels of one layer's forward pass, per token,
// for Transformers' PyTorch modules (derived here by counting the reads and
// writes of each op). hidden: tensors of width hidden (norms, residual adds),
// which tensor parallelism replicates unless sequence parallelism shards them.
// inner: tensors inside attention and the MLP, which tensor parallelism splits.
struct LayerTraffic {
  double hidden = 0;
  double inner = 0;
};

LayerTraffic layer_forward_traffic(const ModelSpec& spec, const TrainingSetup& setup, double a) {
  LayerTraffic traffic;
  const double h = static_cast<double>(spec.hidden);
  const double head_dim = static_cast<double>(effective_head_dim(spec));
  const double q_width = static_cast<double>(spec.heads) * head_dim;
  const double kv_width = static_cast<double>(spec.kv_heads) * head_dim;
  const bool fused = setup.fused_kernels;

  // RMSNorm in Transformers upcasts to fp32, squares, averages, scales, casts
  // back and multiplies by the weight: about 10 passes over h (2a + 28 bytes).
  // LayerNorm is one native kernel: read and write.
  double norm = 2 * a * h;
  if (spec.norm == NormKind::rmsnorm && !fused) norm = (4 * a + 24) * h;
  traffic.hidden += static_cast<double>(spec.norms_per_layer) * norm;
  traffic.hidden += 2 * 3 * a * h;  // two residual adds: read two, write one

  // Rotary embeddings: q·cos + rotate_half(q)·sin is about four read-write passes.
  if (spec.position == PositionKind::rotary) {
    traffic.inner += (fused ? 2 : 8) * a * (q_width + kv_width);
  }
  // Transposes to and from the attention kernel's layout.
  traffic.inner += 2 * a * (2 * q_width + 2 * kv_width);

  double mlp_width = static_cast<double>(spec.intermediate);
  if (spec.experts > 0) {
    mlp_width = static_cast<double>(spec.experts_per_token * spec.expert_intermediate + shared_expert_width(spec));
    // Token dispatch and combine: gather and scatter of each routed copy.
    traffic.inner += 4 * a * h * static_cast<double>(spec.experts_per_token);
  }
  // Gated: act(gate) reads and writes f, the product reads two and writes one.
  // Plain: one activation pass (plus the bias add of GPT-2 style layers).
  if (spec.mlp == MlpKind::gated) {
    traffic.inner += (fused ? 3 : 5) * a * mlp_width;
  } else {
    traffic.inner += (spec.linear_bias ? 4 : 2) * a * mlp_width;
  }
  return traffic;
}

// Bytes of the element-wise work of one micro-batch on one GPU.
Term memory_bound_per_micro_batch(const Context& ctx) {
  const ModelSpec& spec = ctx.model;
  const TrainingSetup& setup = ctx.setup;
  const double a = ctx.act_bytes;
  const double tokens = static_cast<double>(setup.micro_batch * setup.seq_len);
  const double layers_per_gpu = static_cast<double>(spec.layers) / ctx.pp;
  const bool freeze = setup.method == Method::freeze;
  const double backward_layers =
      freeze ? std::min<double>(static_cast<double>(std::max<int64_t>(setup.trainable_layers, 0)),
                                static_cast<double>(spec.layers)) / ctx.pp
             : layers_per_gpu;

  const LayerTraffic layer = layer_forward_traffic(spec, setup, a);
  const double hidden_split = setup.sequence_parallel ? ctx.tp : 1.0;
  const double per_layer = layer.hidden / hidden_split + layer.inner / ctx.tp;
  // Backward of an element-wise op reads the saved input and the incoming
  // gradient and writes one gradient: about twice the forward traffic.
  double passes = layers_per_gpu + 2 * backward_layers;
  if (recomputes_layers(setup.grad_checkpointing)) passes += backward_layers;
  std::vector<Term> children;
  children.push_back(leaf("layers", tokens * per_layer * passes));

  if (setup.attention == AttentionImpl::eager) {
    // Scores written, masked, softmax in fp32 (read, write), cast back, read by
    // P·V: about 4a + 8 bytes per score element forward, twice that backward.
    const double s = static_cast<double>(setup.seq_len);
    const double elements = static_cast<double>(setup.micro_batch) * static_cast<double>(spec.heads) / ctx.tp * s * s;
    children.push_back(leaf("attention_softmax",
                            elements * (4 * a + 8) * (layers_per_gpu + 2 * backward_layers)));
  }

  if (spec.family == Family::decoder) {
    // Cross-entropy over the vocabulary on the last stage. Transformers
    // upcasts logits to fp32, takes log-softmax and its backward: about
    // 2a + 28 bytes per logit. Fused or chunked cross-entropy reads the logits
    // once forward and once backward.
    const bool one_pass = setup.fused_cross_entropy || setup.chunked_cross_entropy;
    const double per_logit = one_pass ? 3 * a : 2 * a + 28;
    children.push_back(leaf("cross_entropy", tokens * static_cast<double>(spec.vocab) / ctx.tp * per_logit / ctx.pp));
  }

  if (setup.method == Method::qlora) {
    // Every NF4 weight is dequantized for the forward, for the activation
    // gradient and, under full checkpointing, for the recomputed forward.
    const ParamCounts& counts = ctx.flops.params;
    const double quantized = static_cast<double>(counts.total - counts.embedding - counts.lm_head);
    double uses = 2;
    if (recomputes_layers(setup.grad_checkpointing)) uses += 1;
    children.push_back(leaf("dequantization", quantized / (ctx.tp * ctx.pp) * uses *
                                                  timing_constant("qlora_dequant_bytes_per_param")));
  }

  Term bytes = sum_of("memory_bound", std::move(children));
  for (Term& child : bytes.children) child.value /= ctx.bandwidth;
  bytes.value /= ctx.bandwidth;
  return bytes;
}

// Trainable parameters whose optimizer update runs on one GPU.
double local_trainable_params(const Context& ctx) {
  double params = ctx.flops.trainable_params / (ctx.tp * ctx.pp);
  if (shards_optimizer(ctx.setup.sharding)) params /= ctx.dp;
  return params;
}

// ---------------------------------------------------------------- communication

struct Collective {
  double seconds = 0;
  double overlappable = 0;  // part that may hide behind compute
};

double ring_seconds(double bytes_per_rank, double calls, const Link& link) {
  return bytes_per_rank / link.bandwidth + calls * link.latency;
}

// DDP, ZeRO and FSDP traffic per optimizer step (Rajbhandari et al. 2020,
// section 7: 2Ψ for DDP and ZeRO-1/2, 3Ψ for ZeRO-3; ring collectives move
// (n−1)/n of the data per rank for reduce-scatter and all-gather, twice that
// for all-reduce, as nccl-tests doc/PERFORMANCE.md derives).
Term data_parallel_seconds(const Context& ctx) {
  if (ctx.dp <= 1) return sum_of("data_parallel", {});
  const TrainingSetup& setup = ctx.setup;
  const Link& link = data_parallel_link(ctx);
  const double ring = (ctx.dp - 1) / ctx.dp;
  const double trainable = ctx.flops.trainable_params / (ctx.tp * ctx.pp);
  const double all_params = static_cast<double>(ctx.flops.params.total) / (ctx.tp * ctx.pp);
  const double frozen = std::max(all_params - trainable, 0.0);
  // FSDP units that mix adapters and frozen weights reduce gradients for the frozen ones too.
  const bool frozen_grads = setup.fsdp_frozen_grads && is_fsdp(setup.sharding) && setup.method == Method::lora;
  const double root_params =
      static_cast<double>(ctx.flops.params.embedding + ctx.flops.params.lm_head) / (ctx.tp * ctx.pp);
  const double frozen_in_layers = frozen_grads ? std::max(frozen - root_params, 0.0) : 0;
  const double grad_bytes = (trainable + frozen_in_layers) * gradient_bytes(setup.precision);
  // Under no_sync() only the last micro-batch of a step reduce-scatters.
  const double scatters = accumulates_unsharded_gradients(setup) ? 1 : ctx.grad_accum;
  const double param_bytes = trainable * parameter_bytes(setup, false) + frozen * parameter_bytes(setup, true);
  // DDP fills 25 MB buckets; ZeRO-3 and FSDP gather one layer at a time.
  const double buckets = std::max(1.0, std::ceil(grad_bytes / 25e6));
  const double layers = static_cast<double>(ctx.model.layers) / ctx.pp;

  std::vector<Term> children;
  if (shards_parameters(setup.sharding)) {
    // Parameters gathered for the forward and again for the backward of every
    // micro-batch; gradients reduce-scattered after every backward.
    const double gather = ctx.grad_accum * ring_seconds(2 * ring * param_bytes, 2 * layers, link);
    const double scatter = scatters * ring_seconds(ring * grad_bytes, layers, link);
    children.push_back(leaf("parameter_all_gather", gather));
    children.push_back(leaf("gradient_reduce_scatter", scatter));
  } else if (shards_gradients(setup.sharding)) {
    // Gradients reduce-scattered after every backward, updated parameters
    // all-gathered once per step.
    children.push_back(leaf("gradient_reduce_scatter", scatters * ring_seconds(ring * grad_bytes, buckets, link)));
    children.push_back(leaf("parameter_all_gather", ring_seconds(ring * trainable * parameter_bytes(setup, false), buckets, link)));
  } else {
    // One all-reduce of all gradients per step (no_sync during accumulation).
    children.push_back(leaf("gradient_all_reduce", ring_seconds(2 * ring * grad_bytes, buckets, link)));
  }
  return sum_of("data_parallel", std::move(children));
}

// Megatron tensor parallelism: two all-reduces of the [b, s, h] activations in
// the forward of each layer and two in the backward (Shoeybi et al. 2019,
// section 3), two more for a recomputed forward. Sequence parallelism replaces
// each with an all-gather and a reduce-scatter of the same volume
// (Korthikanti et al. 2022, section 4.2.2).
double tensor_parallel_seconds(const Context& ctx) {
  if (ctx.tp <= 1) return 0;
  const TrainingSetup& setup = ctx.setup;
  const bool inside = ctx.tp <= static_cast<double>(setup.gpus_per_node);
  const Link& link = inside ? ctx.intra : ctx.inter;
  const double bytes = static_cast<double>(setup.micro_batch * setup.seq_len) *
                       static_cast<double>(ctx.model.hidden) * ctx.act_bytes;
  double per_layer = 4;
  if (recomputes_layers(setup.grad_checkpointing)) per_layer += 2;
  const double layers = static_cast<double>(ctx.model.layers) / ctx.pp;
  const double calls = per_layer * layers * (setup.sequence_parallel ? 2 : 1);
  return ctx.grad_accum * ring_seconds(per_layer * layers * 2 * (ctx.tp - 1) / ctx.tp * bytes, calls, link);
}

// Pipeline point-to-point: each stage receives and sends one [b, s, h]
// activation per micro-batch forward and one gradient backward, once per
// model chunk under the interleaved schedule (Narayanan et al. 2021, 2.2.2).
double pipeline_p2p_seconds(const Context& ctx) {
  if (ctx.pp <= 1) return 0;
  const bool inside = ctx.tp * ctx.pp <= static_cast<double>(ctx.setup.gpus_per_node);
  const Link& link = inside ? ctx.intra : ctx.inter;
  const double bytes = static_cast<double>(ctx.setup.micro_batch * ctx.setup.seq_len) *
                       static_cast<double>(ctx.model.hidden) * ctx.act_bytes / ctx.tp;
  return ctx.grad_accum * ctx.virtual_stages * 2 * (bytes / link.bandwidth + link.latency);
}

// ---------------------------------------------------------------- offload

Term offload_seconds(const Context& ctx) {
  const TrainingSetup& setup = ctx.setup;
  if (setup.offload == Offload::none) return sum_of("offload", {});
  const GpuSpec& gpu = setup.gpu;
  const double pcie = gpu.pcie_bandwidth_bytes_per_s / 2 * timing_constant("pcie_efficiency");
  const double trainable = local_trainable_params(ctx);
  std::vector<Term> children;
  // ZeRO-Offload (Ren et al. 2021, section 4.1): gradients go to the CPU, the
  // CPU runs Adam, 16-bit parameters come back.
  const double transfer = trainable * (gradient_bytes(setup.precision) + 2.0) / pcie;
  children.push_back(leaf("pcie_transfer", transfer));
  // DeepSpeed's ZeRO documentation: each process updates only its partition, so
  // the node's processes run their CPU steps side by side.
  // NOTE: the processes of a node share its memory bandwidth, which this rate
  // per process does not cap.
  children.push_back(leaf("cpu_optimizer", trainable / timing_constant("cpu_adam_params_per_s")));
  if (setup.offload == Offload::optimizer_and_params) {
    // ZeRO-Infinity parameter offload: every layer's shard is copied in for the
    // forward and again for the backward of each micro-batch.
    double params = static_cast<double>(ctx.flops.params.total) / (ctx.tp * ctx.pp);
    if (shards_parameters(setup.sharding)) params /= ctx.dp;
    children.push_back(leaf("parameter_fetch", ctx.grad_accum * 2 * params * parameter_bytes(setup, false) / pcie));
  }
  return sum_of("offload", std::move(children));
}

Bound largest(const TimeResult& r) {
  struct Entry {
    Bound bound;
    double seconds;
  };
  const Entry entries[] = {
      {Bound::compute, r.compute_s},
      {Bound::memory_bandwidth, r.memory_bound_s},
      {Bound::communication, r.communication_exposed_s},
      {Bound::offload, r.offload_s},
      {Bound::pipeline_bubble, r.pipeline_bubble_s},
  };
  Bound bound = Bound::compute;
  double most = -1;
  for (const Entry& entry : entries) {
    if (entry.seconds > most) {
      most = entry.seconds;
      bound = entry.bound;
    }
  }
  return bound;
}

Term scaled_term(Term term, double factor) {
  term.value *= factor;
  for (Term& child : term.children) child = scaled_term(std::move(child), factor);
  return term;
}

bool validate(const ModelSpec& model, const TrainingSetup& setup, const TimeOptions& options,
              FieldErrors& errors, double& peak) {
  std::optional<double> found = peak_flops_for(setup.gpu, compute_dtype(setup.precision));
  if (!found || *found <= 0) {
    errors.push_back(make_unsupported("precision", precision_name(setup.precision),
                                      setup.gpu.name + " has no " +
                                          compute_dtype_name(compute_dtype(setup.precision)) +
                                          " peak in the GPU table; choose another precision or GPU",
                                      "no_dtype_peak",
                                      {setup.gpu.name, compute_dtype_name(compute_dtype(setup.precision))}));
    return false;
  }
  peak = *found;
  if (setup.gpu.memory_bandwidth_bytes_per_s <= 0) {
    errors.push_back(make_unsupported("gpu", setup.gpu.id, "the GPU has no memory bandwidth figure"));
  }
  if (find_network(options.network) == nullptr) {
    errors.push_back(make_unknown_choice("network", options.network, network_ids()));
  }
  if (options.comm_overlap < 0 || options.comm_overlap > 1) {
    errors.push_back(make_out_of_range("comm_overlap", format_fixed(options.comm_overlap, 6), 0, 1));
  }
  if (options.mfu && (*options.mfu <= 0 || *options.mfu > 1)) {
    errors.push_back(make_out_of_range("mfu", format_fixed(*options.mfu, 6), 0.001, 1));
  }
  const int64_t model_parallel = setup.tensor_parallel * setup.pipeline_parallel;
  if (model_parallel < 1 || setup.num_gpus % model_parallel != 0) {
    errors.push_back(make_unsupported("num_gpus", std::to_string(setup.num_gpus),
                                      "num_gpus must be a multiple of tensor_parallel × pipeline_parallel (" +
                                          std::to_string(model_parallel) + ")",
                                      "num_gpus_multiple", {std::to_string(model_parallel)}));
  }
  if (setup.pipeline_parallel > model.layers) {
    errors.push_back(make_out_of_range("pipeline_parallel", std::to_string(setup.pipeline_parallel), 1,
                                       static_cast<double>(model.layers)));
  } else if (setup.virtual_stages > 1 && setup.pipeline_parallel * setup.virtual_stages > model.layers) {
    // Each model chunk needs at least one layer.
    errors.push_back(make_out_of_range("virtual_stages", std::to_string(setup.virtual_stages), 1,
                                       std::floor(static_cast<double>(model.layers) /
                                                  static_cast<double>(setup.pipeline_parallel))));
  }
  if (setup.micro_batch < 1 || setup.seq_len < 1 || setup.grad_accum < 1) {
    errors.push_back(make_unsupported("micro_batch", std::to_string(setup.micro_batch),
                                      "micro_batch, seq_len and grad_accum must be at least 1"));
  }
  return errors.empty();
}

}  // namespace

const std::vector<NetworkPreset>& network_presets() {
  static const std::vector<NetworkPreset> presets = build_networks();
  return presets;
}

const NetworkPreset* find_network(const std::string& id) {
  for (const NetworkPreset& preset : network_presets()) {
    if (preset.id == id) return &preset;
  }
  return nullptr;
}

std::vector<std::string> network_ids() {
  std::vector<std::string> ids;
  for (const NetworkPreset& preset : network_presets()) ids.push_back(preset.id);
  return ids;
}

const std::vector<FrameworkConstant>& timing_constants() {
  static const std::vector<FrameworkConstant> constants = build_constants();
  return constants;
}

double timing_constant(std::string_view key) {
  for (const FrameworkConstant& constant : timing_constants()) {
    if (constant.key == key) return constant.value;
  }
  return 0;
}

const char* bound_name(Bound bound) {
  switch (bound) {
    case Bound::compute: return "compute";
    case Bound::memory_bandwidth: return "memory_bandwidth";
    case Bound::communication: return "communication";
    case Bound::offload: return "offload";
    case Bound::pipeline_bubble: return "pipeline_bubble";
    case Bound::cpu_dispatch: return "cpu_dispatch";
  }
  return "compute";
}

// A smooth roofline: the GEMM's arithmetic intensity I (FLOPs per byte of its
// three operands, each read or written once) against the GPU's ridge point
// R = peak / bandwidth. Adding the compute time and the operand traffic time
// (instead of taking their maximum) gives I / (I + R), which approaches 1 for
// large GEMMs and falls for a small token count (m), a narrow projection
// (n: LoRA rank, tensor-parallel slices) or a thin expert.
double gemm_efficiency(double m, double n, double k, double bytes_per_element, double peak_flops,
                       double bandwidth_bytes_per_s) {
  if (m <= 0 || n <= 0 || k <= 0 || peak_flops <= 0 || bandwidth_bytes_per_s <= 0) return 0;
  const double flops = 2 * m * n * k;
  const double bytes = bytes_per_element * (m * k + k * n + m * n);
  const double intensity = flops / bytes;
  const double ridge = peak_flops / bandwidth_bytes_per_s;
  return timing_constant("gemm_efficiency_max") * intensity / (intensity + ridge);
}

TimeResult estimate_time(const ModelSpec& model, const TrainingSetup& setup, const TimeOptions& options) {
  TimeResult result;
  double peak = 0;
  if (!validate(model, setup, options, result.errors, peak)) return result;

  Context ctx{model, setup, options, estimate_flops(model, setup, options.flops), peak};
  ctx.bandwidth = setup.gpu.memory_bandwidth_bytes_per_s;
  ctx.act_bytes = activation_bytes(setup.precision);
  ctx.tp = static_cast<double>(setup.tensor_parallel);
  ctx.pp = static_cast<double>(setup.pipeline_parallel);
  ctx.virtual_stages = static_cast<double>(std::max<int64_t>(1, setup.virtual_stages));
  ctx.dp = static_cast<double>(replica_count(setup));
  ctx.grad_accum = static_cast<double>(setup.grad_accum);
  ctx.intra = intra_node_link(setup.gpu);
  ctx.inter = inter_node_link(*find_network(options.network), setup, ctx.intra);

  // One micro-batch on one GPU: GEMMs and element-wise kernels run in turn.
  double gemm_flops_per_micro_batch = 0;
  Term compute = compute_per_micro_batch(ctx, gemm_flops_per_micro_batch);
  Term memory = memory_bound_per_micro_batch(ctx);
  // The CPU queues kernels ahead of the GPU, so a micro-batch takes the longer
  // of the GPU's work and the CPU's dispatch of its operators.
  const double dispatch_per_op_s = timing_constant("cpu_dispatch_s_per_op");
  const double gpu_micro_batch_s = compute.value + memory.value;
  const double dispatch_micro_batch_s = ops_per_micro_batch(model, setup) * dispatch_per_op_s;
  const double micro_batch_s = std::max(gpu_micro_batch_s, dispatch_micro_batch_s);
  double dispatch_wait_s = ctx.grad_accum * (micro_batch_s - gpu_micro_batch_s);

  // 1F1B pipeline: (p − 1) micro-batch slots of idle time per flush (Narayanan
  // et al. 2021, section 2.2: bubble fraction (p − 1) / m of the ideal time).
  // The interleaved schedule (section 2.2.2) gives each GPU v model chunks, so
  // each idle slot lasts one chunk: the bubble shrinks to (p − 1) / (v m).
  // A sequential layer split (device_map) runs one micro-batch through the stages at a
  // time: every micro-batch is its own flush, and each GPU idles (p − 1) / p of the step.
  double flush_micro_batches =
      options.pipeline_microbatches > 0 ? static_cast<double>(options.pipeline_microbatches) : ctx.grad_accum;
  if (setup.pipeline_schedule == PipelineSchedule::sequential) flush_micro_batches = 1;
  const double bubble =
      ctx.pp > 1 ? ctx.grad_accum * micro_batch_s * (ctx.pp - 1) / (flush_micro_batches * ctx.virtual_stages) : 0;

  compute = scaled_term(std::move(compute), ctx.grad_accum);
  memory = scaled_term(std::move(memory), ctx.grad_accum);
  if (setup.offload == Offload::none) {
    const double optimizer_s = local_trainable_params(ctx) *
                               optimizer_bytes_per_param(setup.optimizer, setup.precision) / ctx.bandwidth;
    memory.children.push_back(leaf("optimizer_step", optimizer_s));
    memory.value += optimizer_s;
    dispatch_wait_s += std::max(0.0, ops_per_optimizer_step(model, setup) * dispatch_per_op_s - optimizer_s);
  }

  Term data_parallel = data_parallel_seconds(ctx);
  const double tensor_parallel = tensor_parallel_seconds(ctx);
  const double pipeline_p2p = pipeline_p2p_seconds(ctx);
  // Data-parallel traffic overlaps with the backward (bucketed all-reduce,
  // reduce-scatter) or with the whole step (ZeRO-3 prefetch), up to
  // comm_overlap of it. Tensor- and pipeline-parallel transfers sit on the
  // critical path between dependent kernels and stay exposed.
  const double overlappable_compute = shards_parameters(setup.sharding) ? compute.value + memory.value
                                                                         : (compute.value + memory.value) * 2 / 3;
  const double hidden = std::min(options.comm_overlap * data_parallel.value, overlappable_compute);
  const double data_parallel_exposed = data_parallel.value - hidden;
  Term communication = sum_of_terms("communication", leaf("data_parallel", data_parallel_exposed),
                                    leaf("tensor_parallel", tensor_parallel), leaf("pipeline_parallel", pipeline_p2p));
  Term offload = offload_seconds(ctx);

  result.compute_s = compute.value;
  result.memory_bound_s = memory.value;
  result.communication_s = data_parallel.value + tensor_parallel + pipeline_p2p;
  result.communication_exposed_s = communication.value;
  result.offload_s = offload.value;
  result.pipeline_bubble_s = bubble;
  result.micro_batch_time_s = micro_batch_s;
  result.cpu_dispatch_wait_s = dispatch_wait_s;
  result.step = sum_of_terms("step_time_s", std::move(compute), std::move(memory), std::move(communication),
                              std::move(offload), leaf("pipeline_bubble", bubble),
                              leaf("cpu_dispatch", dispatch_wait_s));
  result.step_time_s = result.step.value;
  // When the CPU dispatches a micro-batch slower than the GPU runs it, the
  // dispatch is the critical path. Short waits at the optimizer step do not
  // change what bounds the step.
  result.bound = dispatch_micro_batch_s > gpu_micro_batch_s ? Bound::cpu_dispatch : largest(result);

  const double gpus = static_cast<double>(setup.num_gpus);
  result.peak_flops_per_gpu = peak;
  result.model_flops = ctx.flops.model_flops;
  result.hardware_flops = ctx.flops.hardware_flops;
  result.tokens_per_step = ctx.flops.tokens_per_step;
  result.gemm_efficiency = result.compute_s > 0
                               ? gemm_flops_per_micro_batch * ctx.grad_accum / (result.compute_s * peak)
                               : 0;

  if (options.mfu) {
    // A measured MFU replaces the whole model: the step takes the model FLOPs
    // at that fraction of the peak.
    result.mfu_from_user = true;
    result.step_time_s = result.model_flops / (gpus * peak * *options.mfu);
    result.step = sum_of("step_time_s", {leaf("from_mfu", result.step_time_s)});
    result.bound = Bound::compute;
  }

  result.mfu = result.model_flops / (result.step_time_s * gpus * peak);
  result.hfu = result.hardware_flops / (result.step_time_s * gpus * peak);
  result.tokens_per_s = result.tokens_per_step / result.step_time_s;
  result.tokens_per_s_per_gpu = result.tokens_per_s / gpus;
  result.flops = std::move(ctx.flops);
  result.ok = true;
  return result;
}

}  // namespace gpuplan
