#include "setup.h"

#include "fields.h"
#include "number_text.h"

namespace gpuplan {

namespace {

template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};

constexpr EnumName<Method> kMethods[] = {
    {Method::full, "full"}, {Method::lora, "lora"}, {Method::qlora, "qlora"}, {Method::freeze, "freeze"}};
constexpr EnumName<Optimizer> kOptimizers[] = {
    {Optimizer::adamw, "adamw"},
    {Optimizer::adamw_8bit, "adamw_8bit"},
    {Optimizer::paged_adamw_8bit, "paged_adamw_8bit"},
    {Optimizer::paged_adamw_32bit, "paged_adamw_32bit"},
    {Optimizer::sgd, "sgd"},
    {Optimizer::sgd_momentum, "sgd_momentum"},
    {Optimizer::adafactor, "adafactor"},
    {Optimizer::adafactor_momentum, "adafactor_momentum"},
    {Optimizer::lion, "lion"},
};
constexpr EnumName<Checkpointing> kCheckpointing[] = {
    {Checkpointing::off, "off"},
    {Checkpointing::full, "full"},
    {Checkpointing::selective, "selective"},
    {Checkpointing::offload, "offload"}};
constexpr EnumName<OptimizerImpl> kOptimizerImpl[] = {
    {OptimizerImpl::foreach, "foreach"}, {OptimizerImpl::fused, "fused"}, {OptimizerImpl::for_loop, "for_loop"}};
constexpr EnumName<AttentionImpl> kAttention[] = {
    {AttentionImpl::eager, "eager"}, {AttentionImpl::sdpa, "sdpa"}, {AttentionImpl::flash, "flash"}};
constexpr EnumName<Sharding> kSharding[] = {
    {Sharding::ddp, "ddp"},
    {Sharding::zero1, "zero1"},
    {Sharding::zero2, "zero2"},
    {Sharding::zero3, "zero3"},
    {Sharding::fsdp_no_shard, "fsdp_no_shard"},
    {Sharding::fsdp_shard_grad_op, "fsdp_shard_grad_op"},
    {Sharding::fsdp_full_shard, "fsdp_full_shard"},
};
constexpr EnumName<Offload> kOffload[] = {
    {Offload::none, "none"}, {Offload::optimizer, "optimizer"}, {Offload::optimizer_and_params, "optimizer_and_params"}};
constexpr EnumName<PipelineSchedule> kPipelineSchedule[] = {
    {PipelineSchedule::one_f_one_b, "1f1b"}, {PipelineSchedule::sequential, "sequential"}};
constexpr EnumName<Quant> kQuant[] = {{Quant::nf4, "nf4"}, {Quant::fp4, "fp4"}};

template <typename Enum, size_t N>
const char* name_of(const EnumName<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return table[0].name;
}

template <typename Enum, size_t N>
Enum value_of(const EnumName<Enum> (&table)[N], const std::string& name) {
  for (const auto& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return table[0].value;
}

struct TargetName {
  unsigned bit;
  const char* name;
};

constexpr TargetName kTargetNames[] = {{lora_q, "q"},       {lora_k, "k"},   {lora_v, "v"},     {lora_o, "o"},
                                       {lora_gate, "gate"}, {lora_up, "up"}, {lora_down, "down"}};

}  // namespace

const char* method_name(Method method) { return name_of(kMethods, method); }
const char* optimizer_name(Optimizer optimizer) { return name_of(kOptimizers, optimizer); }
const char* checkpointing_name(Checkpointing checkpointing) { return name_of(kCheckpointing, checkpointing); }
const char* optimizer_impl_name(OptimizerImpl impl) { return name_of(kOptimizerImpl, impl); }

std::optional<OptimizerImpl> parse_optimizer_impl(const std::string& text) {
  for (const auto& entry : kOptimizerImpl) {
    if (text == entry.name) return entry.value;
  }
  return std::nullopt;
}
const char* attention_impl_name(AttentionImpl attention) { return name_of(kAttention, attention); }
const char* sharding_name(Sharding sharding) { return name_of(kSharding, sharding); }
const char* offload_name(Offload offload) { return name_of(kOffload, offload); }
const char* pipeline_schedule_name(PipelineSchedule schedule) { return name_of(kPipelineSchedule, schedule); }
const char* quant_name(Quant quant) { return name_of(kQuant, quant); }

std::string lora_targets_text(unsigned targets) {
  if ((targets & lora_all_linear) == lora_all_linear) return "all-linear";
  std::string text;
  for (const TargetName& target : kTargetNames) {
    if ((targets & target.bit) == 0) continue;
    if (!text.empty()) text += ',';
    text += target.name;
  }
  return text;
}

namespace {

// One item of a LoRA target list without surrounding spaces, and with the
// "_proj" of PEFT's Llama module names removed ("q_proj" is "q").
std::string lora_target_item(std::string item) {
  const size_t first = item.find_first_not_of(' ');
  const size_t last = item.find_last_not_of(' ');
  item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
  const std::string suffix = "_proj";
  if (item.size() > suffix.size() && item.compare(item.size() - suffix.size(), suffix.size(), suffix) == 0) {
    item.resize(item.size() - suffix.size());
  }
  return item;
}

}  // namespace

std::optional<unsigned> parse_lora_targets(const std::string& text) {
  if (text == "all-linear" || text == "all") return static_cast<unsigned>(lora_all_linear);
  unsigned targets = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        lora_target_item(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    bool found = false;
    for (const TargetName& target : kTargetNames) {
      if (item == target.name) {
        targets |= target.bit;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  if (targets == 0) return std::nullopt;
  return targets;
}

int64_t data_parallel_size(const TrainingSetup& setup) {
  int64_t model_parallel = setup.tensor_parallel * setup.pipeline_parallel;
  int64_t size = setup.num_gpus / (model_parallel > 0 ? model_parallel : 1);
  return size > 0 ? size : 1;
}

TrainingSetup read_setup(FieldReader& reader, FieldErrors& errors) {
  TrainingSetup setup;
  if (auto value = reader.choice("method")) setup.method = value_of(kMethods, *value);
  if (auto value = reader.integer("lora_rank")) setup.lora_rank = *value;
  if (reader.has("lora_targets") || find_field("lora_targets")->default_value) {
    const FieldSpec& spec = *find_field("lora_targets");
    reader.mark_consumed("lora_targets");
    // FieldReader has no list kind, so the comma list is checked here.
    std::string text = spec.default_value.value_or("");
    if (reader.has("lora_targets")) text = reader.raw_text("lora_targets");
    if (auto targets = parse_lora_targets(text)) {
      setup.lora_targets = *targets;
    } else {
      // Name the item that is not a target ("zz" in "q,zz"), or the whole text when every item is one.
      std::string rejected = text;
      size_t start = 0;
      while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = lora_target_item(text.substr(start, comma - start));
        if (!item.empty() && !parse_lora_targets(item)) {
          rejected = item;
          break;
        }
        start = comma + 1;
      }
      errors.push_back(make_unknown_choice("lora_targets", rejected, spec.choices));
    }
  }
  if (auto value = reader.boolean("lora_train_embeddings")) setup.lora_train_embeddings = *value;
  if (auto value = reader.choice("quant")) setup.quant = value_of(kQuant, *value);
  if (auto value = reader.boolean("double_quant")) setup.double_quant = *value;
  if (auto value = reader.boolean("kbit_upcast")) setup.kbit_upcast = *value;
  if (auto value = reader.integer("trainable_layers")) setup.trainable_layers = *value;

  if (auto value = reader.choice("precision")) setup.precision = *parse_precision(*value);
  if (auto value = reader.choice("optimizer")) setup.optimizer = value_of(kOptimizers, *value);
  if (auto value = reader.integer("micro_batch")) setup.micro_batch = *value;
  if (auto value = reader.integer("seq_len")) setup.seq_len = *value;
  if (auto value = reader.integer("grad_accum")) setup.grad_accum = *value;
  if (auto value = reader.choice("grad_checkpointing")) setup.grad_checkpointing = value_of(kCheckpointing, *value);
  if (auto value = reader.choice("optimizer_impl")) setup.optimizer_impl = value_of(kOptimizerImpl, *value);
  if (auto value = reader.choice("attention")) setup.attention = value_of(kAttention, *value);
  if (auto value = reader.boolean("fused_kernels")) setup.fused_kernels = *value;
  if (auto value = reader.boolean("fused_cross_entropy")) setup.fused_cross_entropy = *value;
  if (auto value = reader.boolean("chunked_cross_entropy")) setup.chunked_cross_entropy = *value;
  if (auto value = reader.boolean("legacy_loss")) setup.legacy_loss = *value;
  if (auto value = reader.boolean("variable_lengths")) setup.variable_lengths = *value;
  if (auto value = reader.boolean("zero_grad_set_to_none")) setup.zero_grad_set_to_none = *value;
  if (auto value = reader.boolean("optimizer_in_backward")) setup.optimizer_in_backward = *value;
  if (setup.optimizer_in_backward && setup.grad_accum > 1) {
    errors.push_back(make_unsupported("optimizer_in_backward", "true",
                                      "applying the optimizer during backward needs grad_accum 1",
                                      "optimizer_in_backward_accum"));
  }

  if (auto value = reader.integer("num_gpus")) setup.num_gpus = *value;
  if (auto value = reader.integer("gpus_per_node")) setup.gpus_per_node = *value;
  if (auto value = reader.choice("sharding")) setup.sharding = value_of(kSharding, *value);
  if (auto value = reader.choice("offload")) setup.offload = value_of(kOffload, *value);
  if (auto value = reader.integer("tensor_parallel")) setup.tensor_parallel = *value;
  if (auto value = reader.integer("pipeline_parallel")) setup.pipeline_parallel = *value;
  if (auto value = reader.integer("virtual_stages")) setup.virtual_stages = *value;
  if (setup.pipeline_parallel > 1 && (setup.sharding == Sharding::zero2 || setup.sharding == Sharding::zero3)) {
    // deepspeed/runtime/pipe/engine.py asserts zero_optimization_stage() < 2.
    errors.push_back(make_unsupported("sharding", sharding_name(setup.sharding),
                                      "DeepSpeed's pipeline engine runs ZeRO stage 0 or 1 only; with "
                                      "pipeline_parallel above 1 use ddp, zero1 or an FSDP mode",
                                      "pipeline_zero"));
  }
  if (auto value = reader.choice("pipeline_schedule")) setup.pipeline_schedule = value_of(kPipelineSchedule, *value);
  if (setup.virtual_stages > 1 && setup.pipeline_schedule == PipelineSchedule::sequential) {
    errors.push_back(make_unsupported("virtual_stages", std::to_string(setup.virtual_stages),
                                      "a sequential layer split runs one model chunk per GPU; use 1",
                                      "virtual_sequential"));
  }
  if (setup.virtual_stages > 1 && setup.pipeline_parallel < 2) {
    errors.push_back(make_unsupported("virtual_stages", std::to_string(setup.virtual_stages),
                                      "an interleaved schedule needs pipeline_parallel of at least 2",
                                      "virtual_needs_pipeline"));
  }
  if (auto value = reader.boolean("sequence_parallel")) setup.sequence_parallel = *value;
  if (auto value = reader.boolean("sync_each_micro_batch")) setup.sync_each_micro_batch = *value;
  if (auto value = reader.boolean("fsdp_frozen_grads")) setup.fsdp_frozen_grads = *value;
  if (auto value = reader.boolean("fsdp_wrap_embeddings")) setup.fsdp_wrap_embeddings = *value;

  int64_t model_parallel = setup.tensor_parallel * setup.pipeline_parallel;
  if (setup.num_gpus % model_parallel != 0) {
    errors.push_back(make_unsupported("num_gpus", std::to_string(setup.num_gpus),
                                      "must be a multiple of tensor_parallel x pipeline_parallel (" +
                                          std::to_string(model_parallel) + ")",
                                      "num_gpus_multiple", {std::to_string(model_parallel)}));
  }

  if (auto value = reader.choice("gpu")) setup.gpu_id = *value;
  if (const GpuSpec* gpu = find_gpu(setup.gpu_id)) setup.gpu = *gpu;
  setup.gpu_memory_gb = reader.number("gpu_memory_gb");
  setup.gpu_bandwidth_tbps = reader.number("gpu_bandwidth_tbps");
  setup.gpu_tflops = reader.number("gpu_tflops");
  setup.cuda_context_mib = reader.number("cuda_context_mib");
  if (auto memory_gb = setup.gpu_memory_gb) {
    // A custom label in binary GB, as vendors print it; and CUDA can use all of it.
    setup.gpu.memory_bytes = *memory_gb * 1024.0 * 1024.0 * 1024.0;
    setup.gpu.visible_memory_bytes = setup.gpu.memory_bytes;
  }
  if (auto bandwidth = setup.gpu_bandwidth_tbps) setup.gpu.memory_bandwidth_bytes_per_s = *bandwidth * 1e12;
  if (auto tflops = setup.gpu_tflops) {
    // One custom peak stands for every dtype.
    double peak = *tflops * 1e12;
    setup.gpu.peak_fp32_flops = peak;
    setup.gpu.peak_tf32_flops = peak;
    setup.gpu.peak_fp16_flops = peak;
    setup.gpu.peak_bf16_flops = peak;
    setup.gpu.peak_fp8_flops = peak;
    setup.gpu.peak_int8_ops = peak;
  }
  // The default precision is AMP in bf16; on a GPU without bf16 tensor cores
  // (V100, T4) it is AMP in fp16, as Transformers users set it there. A
  // precision given explicitly stays, and the estimate rejects bf16 on such a GPU.
  if (!reader.has("precision") && setup.precision == Precision::amp_bf16 && setup.gpu.peak_bf16_flops <= 0) {
    setup.precision = Precision::amp_fp16;
  }
  return setup;
}

KeyValues setup_key_values(const TrainingSetup& setup) {
  KeyValues values;
  values["method"] = method_name(setup.method);
  values["lora_rank"] = std::to_string(setup.lora_rank);
  values["lora_targets"] = lora_targets_text(setup.lora_targets);
  values["lora_train_embeddings"] = setup.lora_train_embeddings ? "true" : "false";
  values["quant"] = quant_name(setup.quant);
  values["double_quant"] = setup.double_quant ? "true" : "false";
  values["kbit_upcast"] = setup.kbit_upcast ? "true" : "false";
  values["trainable_layers"] = std::to_string(setup.trainable_layers);
  values["precision"] = precision_name(setup.precision);
  values["optimizer"] = optimizer_name(setup.optimizer);
  values["micro_batch"] = std::to_string(setup.micro_batch);
  values["seq_len"] = std::to_string(setup.seq_len);
  values["grad_accum"] = std::to_string(setup.grad_accum);
  values["grad_checkpointing"] = checkpointing_name(setup.grad_checkpointing);
  values["optimizer_impl"] = optimizer_impl_name(setup.optimizer_impl);
  values["attention"] = attention_impl_name(setup.attention);
  values["fused_kernels"] = setup.fused_kernels ? "true" : "false";
  values["fused_cross_entropy"] = setup.fused_cross_entropy ? "true" : "false";
  values["chunked_cross_entropy"] = setup.chunked_cross_entropy ? "true" : "false";
  values["legacy_loss"] = setup.legacy_loss ? "true" : "false";
  values["variable_lengths"] = setup.variable_lengths ? "true" : "false";
  values["zero_grad_set_to_none"] = setup.zero_grad_set_to_none ? "true" : "false";
  values["optimizer_in_backward"] = setup.optimizer_in_backward ? "true" : "false";
  values["num_gpus"] = std::to_string(setup.num_gpus);
  values["gpus_per_node"] = std::to_string(setup.gpus_per_node);
  values["sharding"] = sharding_name(setup.sharding);
  values["offload"] = offload_name(setup.offload);
  values["tensor_parallel"] = std::to_string(setup.tensor_parallel);
  values["pipeline_parallel"] = std::to_string(setup.pipeline_parallel);
  values["virtual_stages"] = std::to_string(setup.virtual_stages);
  values["pipeline_schedule"] = pipeline_schedule_name(setup.pipeline_schedule);
  values["sequence_parallel"] = setup.sequence_parallel ? "true" : "false";
  values["sync_each_micro_batch"] = setup.sync_each_micro_batch ? "true" : "false";
  values["fsdp_frozen_grads"] = setup.fsdp_frozen_grads ? "true" : "false";
  values["fsdp_wrap_embeddings"] = setup.fsdp_wrap_embeddings ? "true" : "false";
  values["gpu"] = setup.gpu_id;
  auto number_text = [](double value) { return format_general(value, 15); };
  if (setup.gpu_tflops) values["gpu_tflops"] = number_text(*setup.gpu_tflops);
  if (setup.gpu_memory_gb) values["gpu_memory_gb"] = number_text(*setup.gpu_memory_gb);
  if (setup.gpu_bandwidth_tbps) values["gpu_bandwidth_tbps"] = number_text(*setup.gpu_bandwidth_tbps);
  if (setup.cuda_context_mib) values["cuda_context_mib"] = number_text(*setup.cuda_context_mib);
  return values;
}

}  // namespace gpuplan
