// Mapping of a case's training and hardware sections onto a TrainingSetup:
// method, precision, optimizer, LoRA targets, run settings, GPU and parallelism.
#include <cstdio>
#include <cctype>
#include <cmath>
#include <string>

#include "gpus.h"
#include "precision.h"
#include "validation_reader.h"

namespace gpuplan::validation_detail {
namespace {

// Finds "torch X.Y" in free text; returns the major and minor version.
std::optional<std::pair<int, int>> torch_version_in(const std::string& text) {
  size_t position = 0;
  while ((position = text.find("torch ", position)) != std::string::npos) {
    position += 6;
    int major = 0;
    int minor = 0;
    if (std::sscanf(text.c_str() + position, "%d.%d", &major, &minor) == 2) return std::make_pair(major, minor);
  }
  return std::nullopt;
}


constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct NamedOptimizer {
  const char* name;
  Optimizer optimizer;
};

// "adamw" in the cases also covers plain Adam, which keeps the same two moments.
constexpr NamedOptimizer kOptimizers[] = {
    {"adamw", Optimizer::adamw},
    {"adam_8bit", Optimizer::adamw_8bit},
    {"adamw_8bit", Optimizer::adamw_8bit},
    {"paged_adamw_8bit", Optimizer::paged_adamw_8bit},
    {"paged_adamw_32bit", Optimizer::paged_adamw_32bit},
    {"sgd", Optimizer::sgd},
    {"sgd_momentum", Optimizer::sgd_momentum},
    {"adafactor", Optimizer::adafactor},
    {"adafactor_momentum", Optimizer::adafactor_momentum},
    {"lion", Optimizer::lion},
};

bool has_bf16(const GpuSpec& gpu) { return peak_flops_for(gpu, ComputeDtype::bf16).has_value(); }

// Picks the GPU row and applies the case's memory label.
void map_gpu(const rapidjson::Value& hardware, CaseReader& reader, ValidationCase& record) {
  const std::string section = "hardware";
  const std::optional<std::string> name = reader.text(hardware, section, "gpu");
  const std::optional<double> memory_gb = reader.number(hardware, section, "gpu_memory_gb");
  record.gpu_name = name.value_or("");
  TrainingSetup& setup = record.setup;
  // Optional, added in this repository's copy where the source measured it.
  setup.cuda_context_mib = reader.number(hardware, section, "cuda_context_mib");

  GpuMatch match;
  if (name) {
    match = match_gpu_name(*name, memory_gb.value_or(0));
    if (match.gpu_id.empty()) {
      std::string lower = *name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("tpu") != std::string::npos) {
        set_reason(record, "hardware.gpu " + quoted(*name) + " is not a GPU");
      } else {
        set_reason(record, "hardware.gpu " + quoted(*name) + " is not in the GPU table and has no stand-in row");
      }
      return;
    }
  } else {
    // Only the memory size matters for the memory comparisons.
    match.gpu_id = "a100-80gb";
    match.exact = false;
    match.memory_known = memory_gb.has_value();
    match.note = "the source names no GPU; the a100-80gb row stands in";
  }

  const GpuSpec* row = find_gpu(match.gpu_id);
  if (row == nullptr) {
    set_reason(record, "hardware.gpu " + quoted(record.gpu_name) + " maps to " + quoted(match.gpu_id) +
                           ", which the GPU table lacks");
    return;
  }
  setup.gpu_id = row->id;
  setup.gpu = *row;
  record.gpu_in_table = match.exact;
  record.gpu_memory_known = match.memory_known || memory_gb.has_value();
  if (!match.note.empty()) record.approximations.push_back("hardware.gpu: " + match.note);

  if (memory_gb && *memory_gb > 0 && std::fabs(*memory_gb * kGiB - row->memory_bytes) > 0.5 * kGiB) {
    setup.gpu.memory_bytes = *memory_gb * kGiB;
    setup.gpu.visible_memory_bytes = setup.gpu.memory_bytes;
    record.approximations.push_back("hardware.gpu_memory_gb: the case's " + std::to_string(std::lround(*memory_gb)) +
                                    " GB label replaces the row's " +
                                    std::to_string(std::lround(row->memory_bytes / kGiB)) + " GiB");
  }
}

void map_method(const rapidjson::Value& training, CaseReader& reader, ValidationCase& record) {
  const std::string section = "training";
  TrainingSetup& setup = record.setup;
  const std::optional<std::string> method = reader.text(training, section, "method");
  const std::optional<int64_t> base_bits = reader.integer(training, section, "base_weight_bits");
  record.base_weight_bits = base_bits.value_or(0);
  if (!method) {
    set_reason(record, "training.method is null");
    return;
  }
  if (*method == "full" || *method == "pretrain") {
    setup.method = Method::full;
  } else if (*method == "lora") {
    setup.method = Method::lora;
    if (base_bits == 8) {
      set_reason(record, "LoRA on an 8-bit base (bitsandbytes LLM.int8) is not modelled by TrainingSetup");
    }
  } else if (*method == "qlora") {
    setup.method = Method::qlora;
    setup.quant = Quant::nf4;
    if (record.model_name.find("GPTQ") != std::string::npos) {
      record.approximations.push_back(
          "training.base_weight_bits: a GPTQ 4-bit base is read as bitsandbytes NF4 (both about 4 bits per "
          "weight plus per-group scales)");
    }
  } else if (*method == "freeze") {
    setup.method = Method::freeze;
  } else {
    reader.reject(make_unknown_choice(reader.field(section, "method"), *method,
                                      {"full", "lora", "qlora", "pretrain", "freeze"}));
  }
}

void map_precision(const rapidjson::Value& training, CaseReader& reader, ValidationCase& record) {
  TrainingSetup& setup = record.setup;
  const bool bf16 = has_bf16(setup.gpu);
  const std::optional<std::string> precision = reader.text(training, "training", "precision");
  if (!precision) {
    // A LoRA base is mostly loaded in 16 bits (torch_dtype) unless
    // base_weight_bits is 32; other methods train fp32 weights under autocast.
    const bool sixteen_bit_lora = setup.method == Method::lora && record.base_weight_bits != 32;
    if (sixteen_bit_lora) {
      setup.precision = bf16 ? Precision::pure_bf16 : Precision::pure_fp16;
    } else {
      setup.precision = bf16 ? Precision::amp_bf16 : Precision::amp_fp16;
    }
    record.precision_stated = false;
    record.loader_defaults.push_back(std::string("training.precision: null; ") + precision_name(setup.precision) +
                                     " assumed (bf16 where the GPU has it, else fp16)");
    return;
  }
  if (*precision == "mixed_fp32_master") {
    // DeepSpeed and Megatron keep a 16-bit model copy plus fp32 master weights;
    // GPUs without bf16 (V100, T4, Turing cards) run the fp16 variant.
    setup.precision = bf16 ? Precision::mixed_bf16 : Precision::mixed_fp16;
    return;
  }
  for (const char* name : {"fp32", "amp_fp16", "amp_bf16", "pure_fp16", "pure_bf16"}) {
    if (*precision == name) {
      setup.precision = *parse_precision(name);
      return;
    }
  }
  reader.reject(make_unknown_choice(reader.field("training", "precision"), *precision,
                                    {"fp32", "amp_fp16", "amp_bf16", "pure_fp16", "pure_bf16", "mixed_fp32_master"}));
}

void map_optimizer(const rapidjson::Value& training, CaseReader& reader, ValidationCase& record) {
  const std::optional<std::string> optimizer = reader.text(training, "training", "optimizer");
  if (!optimizer) {
    record.setup.optimizer = Optimizer::adamw;
    record.loader_defaults.push_back("training.optimizer: null; adamw assumed (the Transformers Trainer default)");
    return;
  }
  std::vector<std::string> names;
  for (const NamedOptimizer& entry : kOptimizers) {
    if (*optimizer == entry.name) {
      record.setup.optimizer = entry.optimizer;
      return;
    }
    names.emplace_back(entry.name);
  }
  reader.reject(make_unknown_choice(reader.field("training", "optimizer"), *optimizer, names));
}

// PEFT's default target_modules per model type
// (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING in peft/utils/constants.py):
// the fused query_key_value / c_attn / Wqkv projection where a family has one, else q and v.
unsigned default_lora_targets(const std::string& arch) {
  if (arch == "gpt2" || arch == "gpt_neox" || arch == "bloom" || arch == "falcon" || arch == "mpt") {
    return lora_q | lora_k | lora_v;
  }
  return lora_q | lora_v;
}

void map_lora(const rapidjson::Value& training, CaseReader& reader, ValidationCase& record) {
  TrainingSetup& setup = record.setup;
  if (setup.method != Method::lora && setup.method != Method::qlora) return;
  const std::optional<int64_t> rank = reader.integer(training, "training", "lora_rank");
  const std::optional<std::vector<std::string>> targets = reader.text_list(training, "training", "lora_targets");

  if (rank) {
    setup.lora_rank = *rank;
  } else {
    setup.lora_rank = 8;
    record.loader_defaults.push_back("training.lora_rank: null; 8 assumed (the PEFT LoraConfig default)");
  }

  unsigned bits = 0;
  if (targets) {
    std::string unknown_name;
    std::optional<unsigned> mapped = map_lora_targets(*targets, setup.lora_train_embeddings, unknown_name);
    if (!mapped) {
      set_reason(record, "training.lora_targets: module name " + quoted(unknown_name) + " is not one the loader maps");
      return;
    }
    bits = *mapped;
  }
  if (bits == 0) {
    bits = default_lora_targets(record.arch);
    record.loader_defaults.push_back("training.lora_targets: no adapter modules named; " + lora_targets_text(bits) +
                                     " assumed (PEFT's default for " + record.arch + ")");
  }
  setup.lora_targets = bits;
}

void map_run_settings(const rapidjson::Value& training, CaseReader& reader, ValidationCase& record) {
  const std::string section = "training";
  TrainingSetup& setup = record.setup;
  const std::optional<int64_t> micro_batch = reader.integer(training, section, "micro_batch");
  const std::optional<int64_t> seq_len = reader.integer(training, section, "seq_len");
  const std::optional<int64_t> grad_accum = reader.integer(training, section, "grad_accum");
  const std::optional<bool> checkpointing = reader.boolean(training, section, "grad_checkpointing");
  const std::optional<std::string> attention = reader.text(training, section, "attention");
  // Optional, added in this repository's copy where the notes state that samples run shorter.
  record.samples_shorter_than_seq_len =
      reader.boolean(training, section, "samples_shorter_than_seq_len").value_or(false);

  if (!micro_batch) {
    set_reason(record, "training.micro_batch is null: the source does not state the per-GPU micro-batch, "
                       "which activation memory and step time scale with");
  } else if (!seq_len) {
    set_reason(record, "training.seq_len is null: the source does not state the sequence length, "
                       "which activation memory and step time scale with");
  }
  setup.micro_batch = micro_batch.value_or(0);
  setup.seq_len = seq_len.value_or(0);

  setup.grad_accum = grad_accum.value_or(1);
  if (!grad_accum) record.loader_defaults.push_back("training.grad_accum: null; 1 assumed");

  setup.grad_checkpointing = checkpointing.value_or(false) ? Checkpointing::full : Checkpointing::off;
  if (!checkpointing) record.loader_defaults.push_back("training.grad_checkpointing: null; off assumed");

  if (!attention) {
    setup.attention = AttentionImpl::sdpa;
    record.loader_defaults.push_back("training.attention: null; sdpa assumed");
  } else if (*attention == "flash") {
    setup.attention = AttentionImpl::flash;
  } else if (*attention == "sdpa") {
    setup.attention = AttentionImpl::sdpa;
  } else if (*attention == "eager") {
    setup.attention = AttentionImpl::eager;
  } else {
    reader.reject(make_unknown_choice(reader.field(section, "attention"), *attention, {"flash", "sdpa", "eager"}));
  }

  // Optional, added in this repository's copy where the framework's default is known.
  if (const std::optional<std::string> impl = reader.text(training, section, "optimizer_impl")) {
    if (const std::optional<OptimizerImpl> parsed = parse_optimizer_impl(*impl)) {
      setup.optimizer_impl = *parsed;
    } else {
      reader.reject(make_unknown_choice(reader.field(section, "optimizer_impl"), *impl, {"foreach", "fused", "for_loop"}));
    }
  }

  // Optional, added in this repository's copy where the PyTorch release is known.
  if (const std::optional<bool> to_none = reader.boolean(training, section, "zero_grad_set_to_none")) {
    setup.zero_grad_set_to_none = *to_none;
  }

  // Optional, added in this repository's copy where the training loop is known:
  // whether FSDP reduce-scatters after every micro-batch, and whether LoRA adapters
  // share FSDP units with frozen weights.
  if (const std::optional<bool> sync = reader.boolean(training, section, "sync_each_micro_batch")) {
    setup.sync_each_micro_batch = *sync;
  }
  if (const std::optional<bool> frozen_grads = reader.boolean(training, section, "fsdp_frozen_grads")) {
    setup.fsdp_frozen_grads = *frozen_grads;
  }
  if (const std::optional<bool> wrapped = reader.boolean(training, section, "fsdp_wrap_embeddings")) {
    setup.fsdp_wrap_embeddings = *wrapped;
  }
  // Optional, added in this repository's copy: batches padded to their longest sample
  // over data of varying length.
  if (const std::optional<bool> variable = reader.boolean(training, section, "variable_lengths")) {
    setup.variable_lengths = *variable;
  }

  // Optional, added in this repository's copy: the loss implementation when it
  // is not the standard full-logits cross-entropy.
  if (const std::optional<std::string> loss = reader.text(training, section, "loss")) {
    if (*loss == "chunked") {
      setup.chunked_cross_entropy = true;
    } else if (*loss == "fused") {
      setup.fused_cross_entropy = true;
    } else {
      reader.reject(make_unknown_choice(reader.field(section, "loss"), *loss, {"chunked", "fused"}));
    }
  }
}

void map_parallelism(const rapidjson::Value& hardware, CaseReader& reader, ValidationCase& record) {
  const std::string section = "hardware";
  TrainingSetup& setup = record.setup;
  const std::optional<int64_t> num_gpus = reader.integer(hardware, section, "num_gpus");
  const std::optional<int64_t> zero_stage = reader.integer(hardware, section, "zero_stage");
  const std::optional<std::string> fsdp = reader.text(hardware, section, "fsdp");
  const std::optional<int64_t> tensor_parallel = reader.integer(hardware, section, "tensor_parallel");
  const std::optional<int64_t> pipeline_parallel = reader.integer(hardware, section, "pipeline_parallel");
  const std::optional<std::string> offload = reader.text(hardware, section, "offload");

  if (!num_gpus || *num_gpus < 1) {
    set_reason(record, "hardware.num_gpus is null: per-GPU memory depends on how the model is split");
    return;
  }
  setup.num_gpus = *num_gpus;

  setup.sharding = Sharding::ddp;
  if (zero_stage.value_or(0) > 0 && fsdp) {
    set_reason(record, "hardware.zero_stage and hardware.fsdp are both set, so the sharding is ambiguous");
    return;
  }
  if (zero_stage.value_or(0) > 0) {
    switch (*zero_stage) {
      case 1: setup.sharding = Sharding::zero1; break;
      case 2: setup.sharding = Sharding::zero2; break;
      case 3: setup.sharding = Sharding::zero3; break;
      default:
        reader.reject(make_out_of_range(reader.field(section, "zero_stage"), std::to_string(*zero_stage), 0, 3));
        return;
    }
  } else if (fsdp) {
    if (*fsdp == "full_shard") {
      setup.sharding = Sharding::fsdp_full_shard;
    } else if (*fsdp == "shard_grad_op") {
      setup.sharding = Sharding::fsdp_shard_grad_op;
    } else if (*fsdp == "no_shard") {
      setup.sharding = Sharding::fsdp_no_shard;
    } else {
      reader.reject(make_unknown_choice(reader.field(section, "fsdp"), *fsdp,
                                        {"full_shard", "shard_grad_op", "no_shard"}));
      return;
    }
  } else if (!zero_stage) {
    record.loader_defaults.push_back("hardware.zero_stage and hardware.fsdp: null; ddp assumed");
  }

  if (!offload) {
    setup.offload = Offload::none;
    record.loader_defaults.push_back("hardware.offload: null; none assumed");
  } else if (*offload == "none") {
    setup.offload = Offload::none;
  } else if (*offload == "optimizer") {
    setup.offload = Offload::optimizer;
  } else if (*offload == "optimizer_and_params") {
    setup.offload = Offload::optimizer_and_params;
  } else {
    reader.reject(make_unknown_choice(reader.field(section, "offload"), *offload,
                                      {"none", "optimizer", "optimizer_and_params"}));
    return;
  }

  setup.tensor_parallel = tensor_parallel.value_or(1);
  setup.pipeline_parallel = pipeline_parallel.value_or(1);
  // Optional, added in this repository's copy: "sequential" for a layer split with
  // device_map, where one micro-batch at a time runs through the GPUs.
  if (const std::optional<std::string> schedule = reader.text(hardware, section, "pipeline_schedule")) {
    if (*schedule == "sequential") {
      setup.pipeline_schedule = PipelineSchedule::sequential;
    } else if (*schedule != "1f1b") {
      reader.reject(make_unknown_choice(reader.field(section, "pipeline_schedule"), *schedule, {"1f1b", "sequential"}));
      return;
    }
  }
  if (!tensor_parallel) record.loader_defaults.push_back("hardware.tensor_parallel: null; 1 assumed");
  if (!pipeline_parallel) record.loader_defaults.push_back("hardware.pipeline_parallel: null; 1 assumed");
  const int64_t model_parallel = setup.tensor_parallel * setup.pipeline_parallel;
  if (model_parallel < 1 || setup.num_gpus % model_parallel != 0) {
    set_reason(record, "hardware.num_gpus " + std::to_string(setup.num_gpus) +
                           " is not a multiple of tensor_parallel x pipeline_parallel (" +
                           std::to_string(model_parallel) + ")");
  }
}

}  // namespace

// Settings that follow from the training framework's defaults and from the
// library versions named in the notes. Runs after the parallel layout is known.
void apply_framework_defaults(ValidationCase& record) {
  TrainingSetup& setup = record.setup;
  std::string framework = record.framework;
  for (char& c : framework) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  // torchtune and LitGPT quantize and wrap the model themselves, without
  // PEFT's prepare_model_for_kbit_training, so non-quantized weights stay 16-bit. The
  // ms-swift of the benchmark (commit 97e4d198b, swift/llm/tuner.py) never calls it either.
  if (framework.find("torchtune") != std::string::npos || framework.find("litgpt") != std::string::npos ||
      framework.find("lit-gpt") != std::string::npos || framework.find("ms-swift") != std::string::npos) {
    setup.kbit_upcast = false;
  }
  // qlora.py (artidoro/qlora) calls prepare_model_for_kbit_training and then casts the
  // embeddings and the LM head back to bf16, leaving only the norms in fp32.
  if (framework.find("qlora.py") != std::string::npos) setup.kbit_upcast = false;

  // torchtune's single-device full fine-tuning recipes apply the optimizer inside
  // backward (optimizer_in_bwd: True in their configs), so no full gradient buffer exists.
  if (framework.find("torchtune") != std::string::npos && setup.method == Method::full && setup.num_gpus <= 1 &&
      setup.grad_accum <= 1) {
    setup.optimizer_in_backward = true;
    record.loader_defaults.push_back("training.framework torchtune: optimizer_in_backward from the recipe default");
  }

  // Transformers releases before 4.46 (October 2024) upcast logits inside the model and
  // shifted a copy for the loss; a run on torch older than 2.5 used such a release.
  if (std::optional<std::pair<int, int>> torch = torch_version_in(record.notes)) {
    // Before PyTorch 2.0, zero_grad() zeroed gradients in place and kept them.
    if (torch->first < 2 && setup.zero_grad_set_to_none) {
      setup.zero_grad_set_to_none = false;
      record.loader_defaults.push_back("notes name torch " + std::to_string(torch->first) + "." +
                                       std::to_string(torch->second) + ": zero_grad_set_to_none false");
    }
    if (torch->first < 2 || (torch->first == 2 && torch->second < 5)) {
      setup.legacy_loss = true;
      record.loader_defaults.push_back("notes name torch " + std::to_string(torch->first) + "." +
                                       std::to_string(torch->second) + ": legacy_loss (Transformers before 4.46)");
    }
  }

  // torch.compile fuses each layer's pointwise ops (RMSNorm, SiLU times up, rotary) into
  // Triton kernels, and AOTAutograd's min-cut partitioner saves their inputs and recomputes
  // the rest in backward: the same saved tensors as hand-fused kernels.
  if (framework.find("torch.compile") != std::string::npos) setup.fused_kernels = true;

  // Unsloth replaces RMSNorm, SwiGLU and rotary with fused Triton kernels and
  // computes the cross-entropy in chunks without a full logits tensor.
  if (framework.find("unsloth") != std::string::npos) {
    setup.fused_kernels = true;
    setup.fused_cross_entropy = true;
    // Unsloth keeps embeddings and LM head in 16 bits for QLoRA (unslothai/unsloth pull
    // request 1186, "Do not upcast lm_head and embedding to float32").
    setup.kbit_upcast = false;
    // use_gradient_checkpointing="unsloth" keeps the checkpointed layer inputs in host memory.
    if (setup.grad_checkpointing != Checkpointing::off) setup.grad_checkpointing = Checkpointing::offload;

  }
}

void map_setup(const rapidjson::Value& training, const rapidjson::Value& hardware, CaseReader& reader,
               ValidationCase& record) {
  // Every step runs, so that all type errors are reported; the first reason found is the one kept.
  map_gpu(hardware, reader, record);
  map_method(training, reader, record);
  map_run_settings(training, reader, record);
  map_precision(training, reader, record);
  map_optimizer(training, reader, record);
  map_lora(training, reader, record);
  map_parallelism(hardware, reader, record);
  apply_framework_defaults(record);
}

}  // namespace gpuplan::validation_detail
