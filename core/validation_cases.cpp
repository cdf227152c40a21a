// Loader of the measured cases. Architecture conventions follow the model
// classes of Hugging Face Transformers (modeling_llama.py, modeling_gpt2.py,
// modeling_gpt_neox.py, modeling_bloom.py, modeling_falcon.py,
// modeling_mpt.py, modeling_opt.py, modeling_bert.py).
#include "validation_cases.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gpus.h"
#include "precision.h"

namespace gpuplan {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

FieldError type_error(const std::string& field, const rapidjson::Value& value, const std::string& expected) {
  FieldError error;
  error.field = field;
  error.code = ErrorCode::invalid_json;
  error.value = truncate_for_message(json_text(value));
  error.message = field + ": invalid value \"" + error.value + "\": expected " + expected;
  return error;
}

// Reads typed members of one case, naming errors "<id>.<section>.<key>". A
// value of the wrong type is recorded and read as null.
class CaseReader {
 public:
  CaseReader(ValidationCase& record, FieldErrors& errors) : record_(record), errors_(errors) {}

  // The member, or nullptr when it is absent or JSON null.
  static const rapidjson::Value* find(const rapidjson::Value& object, const char* key) {
    if (!object.IsObject()) return nullptr;
    auto member = object.FindMember(key);
    if (member == object.MemberEnd() || member->value.IsNull()) return nullptr;
    return &member->value;
  }

  std::optional<int64_t> integer(const rapidjson::Value& object, const std::string& section, const char* key) {
    const rapidjson::Value* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber() || !std::isfinite(value->GetDouble()) ||
        value->GetDouble() != std::floor(value->GetDouble()) || std::fabs(value->GetDouble()) > 1e15) {
      reject(type_error(field(section, key), *value, "a whole number or null"));
      return std::nullopt;
    }
    return value->IsInt64() ? value->GetInt64() : static_cast<int64_t>(value->GetDouble());
  }

  std::optional<double> number(const rapidjson::Value& object, const std::string& section, const char* key) {
    const rapidjson::Value* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber() || !std::isfinite(value->GetDouble())) {
      reject(type_error(field(section, key), *value, "a finite number or null"));
      return std::nullopt;
    }
    return value->GetDouble();
  }

  std::optional<bool> boolean(const rapidjson::Value& object, const std::string& section, const char* key) {
    const rapidjson::Value* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsBool()) {
      reject(type_error(field(section, key), *value, "true, false or null"));
      return std::nullopt;
    }
    return value->GetBool();
  }

  std::optional<std::string> text(const rapidjson::Value& object, const std::string& section, const char* key) {
    const rapidjson::Value* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsString()) {
      reject(type_error(field(section, key), *value, "a string or null"));
      return std::nullopt;
    }
    return std::string(value->GetString(), value->GetStringLength());
  }

  std::optional<std::vector<std::string>> text_list(const rapidjson::Value& object, const std::string& section,
                                                    const char* key) {
    const rapidjson::Value* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    std::vector<std::string> items;
    if (value->IsArray()) {
      for (const rapidjson::Value& item : value->GetArray()) {
        if (!item.IsString()) break;
        items.emplace_back(item.GetString(), item.GetStringLength());
      }
    }
    if (!value->IsArray() || items.size() != value->Size()) {
      reject(type_error(field(section, key), *value, "an array of strings or null"));
      return std::nullopt;
    }
    return items;
  }

  // Records a value that has the right type but cannot be used.
  void reject(FieldError error) {
    if (record_.unmatched_reason.empty()) record_.unmatched_reason = error.message;
    errors_.push_back(std::move(error));
  }

  // "<id>.<section>.<key>", or "<id>.<key>" for a top-level member.
  std::string field(const std::string& section, const char* key) const {
    if (section.empty()) return record_.id + "." + key;
    return record_.id + "." + section + "." + key;
  }

 private:
  ValidationCase& record_;
  FieldErrors& errors_;
};

void set_reason(ValidationCase& record, const std::string& reason) {
  if (record.unmatched_reason.empty()) record.unmatched_reason = reason;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// ---------------------------------------------------------------- model

// Layout conventions of one model.arch value.
struct ArchLayout {
  const char* arch;
  Family family;
  NormKind norm;
  bool norm_bias;
  bool linear_bias;
  bool qkv_bias;
  MlpKind mlp;
  PositionKind position;
  int64_t learned_positions;  // position-table size of the family's checkpoints; 0 without learned positions
  bool tied_default;          // used when the case's tied_embeddings is null
  int64_t type_vocab;
  bool pooler;
};

// Falcon: FalconConfig.bias defaults to false, so only the LayerNorms carry
// biases. MPT: the Hub checkpoints set no_bias, and MptBlock drops the
// LayerNorm biases too. OPT's learned positions have 2 extra rows
// (OPTLearnedPositionalEmbedding offset) over its 2048 tokens.
constexpr ArchLayout kArchLayouts[] = {
    {"llama", Family::decoder, NormKind::rmsnorm, false, false, false, MlpKind::gated, PositionKind::rotary, 0,
     false, 0, false},
    {"mistral", Family::decoder, NormKind::rmsnorm, false, false, false, MlpKind::gated, PositionKind::rotary, 0,
     false, 0, false},
    {"mixtral", Family::decoder, NormKind::rmsnorm, false, false, false, MlpKind::gated, PositionKind::rotary, 0,
     false, 0, false},
    {"qwen2", Family::decoder, NormKind::rmsnorm, false, false, true, MlpKind::gated, PositionKind::rotary, 0,
     false, 0, false},
    {"gpt2", Family::decoder, NormKind::layernorm, true, true, false, MlpKind::plain, PositionKind::learned, 1024,
     true, 0, false},
    {"gpt_neox", Family::decoder, NormKind::layernorm, true, true, false, MlpKind::plain, PositionKind::rotary, 0,
     false, 0, false},
    {"opt", Family::decoder, NormKind::layernorm, true, true, false, MlpKind::plain, PositionKind::learned, 2050,
     true, 0, false},
    {"bloom", Family::decoder, NormKind::layernorm, true, true, false, MlpKind::plain, PositionKind::alibi, 0,
     true, 0, false},
    {"falcon", Family::decoder, NormKind::layernorm, true, false, false, MlpKind::plain, PositionKind::rotary, 0,
     true, 0, false},
    {"mpt", Family::decoder, NormKind::layernorm, false, false, false, MlpKind::plain, PositionKind::alibi, 0,
     true, 0, false},
    {"bert", Family::encoder, NormKind::layernorm, true, true, false, MlpKind::plain, PositionKind::learned, 512,
     false, 2, true},
};

const ArchLayout* find_arch_layout(const std::string& arch) {
  for (const ArchLayout& layout : kArchLayouts) {
    if (arch == layout.arch) return &layout;
  }
  return nullptr;
}

std::string unsupported_arch_reason(const std::string& arch, const std::string& model_name) {
  if (arch == "t5") {
    return "model.arch 't5' (" + model_name +
           ") is an encoder-decoder model; ModelSpec describes decoder-only and encoder-only stacks";
  }
  if (arch == "other") {
    return "model.arch 'other' (" + model_name +
           "): the case does not say which norm, MLP, bias and position conventions apply, so no ModelSpec is built";
  }
  return "model.arch " + quoted(arch) + " (" + model_name + ") has no layout conventions in the loader";
}

// Returns the position-table size. Rotary and ALiBi models have no table,
// and the cases do not record the checkpoint's context limit, so
// max_positions is 4 x seq_len (at least 2048): max_seq_len_that_fits then
// searches well past the measured length instead of stopping at a context limit.
int64_t max_positions_for(PositionKind position, int64_t learned_positions, std::optional<int64_t> seq_len) {
  if (position == PositionKind::learned) return learned_positions;
  constexpr int64_t kMinPositions = 2048;
  return std::max(kMinPositions, 4 * seq_len.value_or(0));
}

void build_model(const rapidjson::Value& model, CaseReader& reader, ValidationCase& record) {
  const std::string section = "model";
  record.model_name = reader.text(model, section, "name").value_or("");
  record.arch = reader.text(model, section, "arch").value_or("");
  record.stated_params = reader.integer(model, section, "params").value_or(0);
  const std::optional<int64_t> layers = reader.integer(model, section, "layers");
  const std::optional<int64_t> hidden = reader.integer(model, section, "hidden");
  const std::optional<int64_t> heads = reader.integer(model, section, "heads");
  const std::optional<int64_t> kv_heads = reader.integer(model, section, "kv_heads");
  const std::optional<int64_t> intermediate = reader.integer(model, section, "intermediate");
  const std::optional<int64_t> vocab = reader.integer(model, section, "vocab");
  const std::optional<bool> tied = reader.boolean(model, section, "tied_embeddings");
  const std::optional<std::string> mlp = reader.text(model, section, "mlp");
  const std::optional<int64_t> experts = reader.integer(model, section, "experts");
  const std::optional<int64_t> experts_per_token = reader.integer(model, section, "experts_per_token");
  const std::optional<std::string> hf_id = reader.text(model, section, "hf_id");
  if (!record.matched()) return;

  const ArchLayout* layout = find_arch_layout(record.arch);
  if (layout == nullptr) {
    set_reason(record, unsupported_arch_reason(record.arch, record.model_name));
    return;
  }
  for (const auto& [key, value] : {std::pair<const char*, std::optional<int64_t>>{"layers", layers},
                                   {"hidden", hidden},
                                   {"heads", heads},
                                   {"vocab", vocab}}) {
    if (!value) {
      set_reason(record, "model." + std::string(key) + " is null, and the architecture cannot be built without it");
      return;
    }
  }

  ModelSpec& spec = record.model;
  spec.id = "custom";
  spec.name = record.model_name;
  spec.hf_id = hf_id.value_or("");
  spec.family = layout->family;
  spec.norm = layout->norm;
  spec.norm_bias = layout->norm_bias;
  spec.linear_bias = layout->linear_bias;
  spec.qkv_bias = layout->qkv_bias;
  spec.position = layout->position;
  spec.type_vocab = layout->type_vocab;
  spec.pooler = layout->pooler;
  spec.max_positions = max_positions_for(layout->position, layout->learned_positions, std::nullopt);
  spec.published_params = record.stated_params;

  spec.layers = *layers;
  spec.hidden = *hidden;
  spec.heads = *heads;
  spec.kv_heads = kv_heads.value_or(*heads);
  spec.vocab = *vocab;
  spec.tied_embeddings = tied.value_or(layout->tied_default);
  if (!tied && layout->family == Family::decoder) {
    record.loader_defaults.push_back(std::string("model.tied_embeddings: null; ") +
                                     (layout->tied_default ? "true" : "false") + " assumed, the " + layout->arch +
                                     " default");
  }

  spec.mlp = layout->mlp;
  if (mlp) {
    if (*mlp == "gated") {
      spec.mlp = MlpKind::gated;
    } else if (*mlp == "plain") {
      spec.mlp = MlpKind::plain;
    } else {
      reader.reject(make_unknown_choice(reader.field(section, "mlp"), *mlp, {"gated", "plain"}));
      return;
    }
  }
  if (intermediate) {
    spec.intermediate = *intermediate;
  } else if (spec.mlp == MlpKind::plain) {
    // GPT2MLP, BloomMLP and the GPT-NeoX MLP default to 4 x hidden.
    spec.intermediate = 4 * spec.hidden;
    record.loader_defaults.push_back("model.intermediate: null; 4 x hidden assumed");
  } else {
    set_reason(record, "model.intermediate is null, and a gated MLP has no default width");
    return;
  }

  if (experts.value_or(0) > 0) {
    spec.experts = *experts;
    spec.experts_per_token = experts_per_token.value_or(0);
    spec.expert_intermediate = spec.intermediate;  // the case's intermediate is the per-expert width
    if (spec.experts_per_token <= 0) {
      set_reason(record, "model.experts_per_token is null for a mixture-of-experts model");
      return;
    }
  }

  FieldErrors shape_errors = validate_model(spec);
  if (!shape_errors.empty()) {
    set_reason(record, "the model fields do not form a valid ModelSpec: " + shape_errors.front().message);
    return;
  }

  record.counted_params = count_params(spec).total;
  if (record.stated_params > 0) {
    const double gap = static_cast<double>(record.counted_params - record.stated_params) /
                       static_cast<double>(record.stated_params);
    if (std::fabs(gap) > kParamMismatchFraction) {
      record.approximations.push_back(
          "model.params " + std::to_string(record.stated_params) + " differs from the built ModelSpec's " +
          std::to_string(record.counted_params) + " by " + std::to_string(static_cast<int>(std::lround(gap * 100))) +
          "%");
    }
  }
}

// ---------------------------------------------------------------- setup

struct NamedOptimizer {
  const char* name;
  Optimizer optimizer;
};

// "adamw" in the cases also stands for plain Adam, which keeps the same two moments.
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
    setup.precision = bf16 ? Precision::amp_bf16 : Precision::amp_fp16;
    record.loader_defaults.push_back(std::string("training.precision: null; ") + precision_name(setup.precision) +
                                     " assumed (16-bit autocast, bf16 where the GPU has it)");
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

  if (!micro_batch) {
    set_reason(record, "training.micro_batch is null: the source does not state the per-GPU micro-batch, "
                       "which activation memory and step time scale with");
  } else if (!seq_len) {
    set_reason(record, "training.seq_len is null: the source does not state the sequence length, "
                       "which activation memory and step time scale with");
  }
  setup.micro_batch = micro_batch.value_or(0);
  setup.seq_len = seq_len.value_or(0);
  if (record.model.position != PositionKind::learned) {
    record.model.max_positions = max_positions_for(record.model.position, 0, seq_len);
  }

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

  // Unsloth replaces RMSNorm, SwiGLU and rotary with fused Triton kernels and
  // computes the cross-entropy in chunks without a full logits tensor.
  std::string framework = record.framework;
  for (char& c : framework) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (framework.find("unsloth") != std::string::npos) {
    setup.fused_kernels = true;
    setup.fused_cross_entropy = true;
    record.approximations.push_back(
        "training.framework: Unsloth's checkpointing can move activations to host memory, which the setup does not "
        "model");
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
  if (!tensor_parallel) record.loader_defaults.push_back("hardware.tensor_parallel: null; 1 assumed");
  if (!pipeline_parallel) record.loader_defaults.push_back("hardware.pipeline_parallel: null; 1 assumed");
  const int64_t model_parallel = setup.tensor_parallel * setup.pipeline_parallel;
  if (model_parallel < 1 || setup.num_gpus % model_parallel != 0) {
    set_reason(record, "hardware.num_gpus " + std::to_string(setup.num_gpus) +
                           " is not a multiple of tensor_parallel x pipeline_parallel (" +
                           std::to_string(model_parallel) + ")");
  }
}

// ---------------------------------------------------------------- measured

MemoryKind parse_memory_kind(const std::string& text, bool& known) {
  known = true;
  if (text == "torch_peak_allocated") return MemoryKind::torch_peak_allocated;
  if (text == "torch_peak_reserved") return MemoryKind::torch_peak_reserved;
  if (text == "nvidia_smi") return MemoryKind::nvidia_smi;
  known = text == "unknown";
  return MemoryKind::unknown;
}

void read_measured_entry(const rapidjson::Value& entry, const std::string& section, CaseReader& reader,
                         ValidationCase& record) {
  MeasuredQuantities& measured = record.measured;
  const std::optional<std::string> quantity = reader.text(entry, section, "quantity");
  if (!quantity) {
    reader.reject(make_missing(reader.field(section, "quantity")));
    return;
  }
  const std::string& name = *quantity;
  if (name == "fits" || name == "oom") {
    const std::optional<bool> value = reader.boolean(entry, section, "value");
    if (!value) return;
    (name == "fits" ? measured.fits : measured.oom) = *value;
    return;
  }
  if (name == "max_batch_that_fits" || name == "max_seq_that_fits") {
    const std::optional<int64_t> value = reader.integer(entry, section, "value");
    if (!value) return;
    (name == "max_batch_that_fits" ? measured.max_batch_that_fits : measured.max_seq_that_fits) = *value;
    return;
  }

  const std::optional<double> value = reader.number(entry, section, "value");
  if (!value) return;
  if (name == "peak_memory_per_gpu") {
    const std::optional<std::string> unit = reader.text(entry, section, "unit");
    if (unit != std::string("bytes")) {
      reader.reject(make_unknown_choice(reader.field(section, "unit"), unit.value_or("null"), {"bytes"}));
      return;
    }
    const std::string kind_text = reader.text(entry, section, "memory_kind").value_or("unknown");
    bool known = false;
    measured.memory_kind = parse_memory_kind(kind_text, known);
    if (!known) {
      reader.reject(make_unknown_choice(reader.field(section, "memory_kind"), kind_text,
                                        {"torch_peak_allocated", "torch_peak_reserved", "nvidia_smi", "unknown"}));
      return;
    }
    measured.peak_memory_per_gpu_bytes = *value;
    return;
  }

  struct TimeQuantity {
    const char* name;
    std::optional<double> MeasuredQuantities::*member;
  };
  static const TimeQuantity kTimeQuantities[] = {
      {"step_time_s", &MeasuredQuantities::step_time_s},
      {"tokens_per_s_per_gpu", &MeasuredQuantities::tokens_per_s_per_gpu},
      {"tokens_per_s_total", &MeasuredQuantities::tokens_per_s_total},
      {"samples_per_s", &MeasuredQuantities::samples_per_s},
      {"mfu", &MeasuredQuantities::mfu},
      {"gpu_hours", &MeasuredQuantities::gpu_hours},
      {"wall_clock_hours", &MeasuredQuantities::wall_clock_hours},
      {"total_flops", &MeasuredQuantities::total_flops},
  };
  std::vector<std::string> names = {"peak_memory_per_gpu", "fits", "oom", "max_batch_that_fits",
                                    "max_seq_that_fits"};
  for (const TimeQuantity& quantity_entry : kTimeQuantities) {
    if (name == quantity_entry.name) {
      measured.*(quantity_entry.member) = *value;
      return;
    }
    names.emplace_back(quantity_entry.name);
  }
  reader.reject(make_unknown_choice(reader.field(section, "quantity"), name, names));
}

void read_measured(const rapidjson::Value& object, CaseReader& reader, ValidationCase& record) {
  const rapidjson::Value* measured = CaseReader::find(object, "measured");
  if (measured == nullptr || !measured->IsArray() || measured->Empty()) {
    reader.reject(make_missing(record.id + ".measured"));
    return;
  }
  for (rapidjson::SizeType i = 0; i < measured->Size(); ++i) {
    const std::string section = "measured[" + std::to_string(i) + "]";
    if (!(*measured)[i].IsObject()) {
      reader.reject(type_error(record.id + "." + section, (*measured)[i], "an object"));
      continue;
    }
    read_measured_entry((*measured)[i], section, reader, record);
  }
}

// ---------------------------------------------------------------- one case

const rapidjson::Value& section_object(const rapidjson::Value& object, const char* key, CaseReader& reader,
                                       ValidationCase& record) {
  static const rapidjson::Value kEmptyObject(rapidjson::kObjectType);
  const rapidjson::Value* value = CaseReader::find(object, key);
  if (value != nullptr && value->IsObject()) return *value;
  if (value == nullptr) {
    reader.reject(make_missing(record.id + "." + key));
  } else {
    reader.reject(type_error(record.id + "." + key, *value, "an object"));
  }
  return kEmptyObject;
}

ValidationCase read_case(const rapidjson::Value& object, size_t index, FieldErrors& errors) {
  ValidationCase record;
  record.id = "cases[" + std::to_string(index) + "]";
  CaseReader reader(record, errors);
  if (!object.IsObject()) {
    reader.reject(type_error(record.id, object, "an object"));
    return record;
  }
  if (const rapidjson::Value* id = CaseReader::find(object, "id"); id != nullptr && id->IsString()) {
    record.id = id->GetString();
  } else {
    reader.reject(make_missing(record.id + ".id"));
  }

  const rapidjson::Value& top = object;
  record.origin = reader.text(top, "", "origin").value_or("");
  record.source = reader.text(top, "", "source").value_or("");
  record.quality = reader.text(top, "", "quality").value_or("");
  record.notes = reader.text(top, "", "notes").value_or("");
  record.assumed = reader.text_list(top, "", "assumed").value_or(std::vector<std::string>{});

  const rapidjson::Value& model = section_object(object, "model", reader, record);
  const rapidjson::Value& training = section_object(object, "training", reader, record);
  const rapidjson::Value& hardware = section_object(object, "hardware", reader, record);
  record.framework = reader.text(training, "training", "framework").value_or("");
  read_measured(object, reader, record);

  // Every mapping step runs, so that all type errors are reported; the first
  // reason found is the one kept.
  build_model(model, reader, record);
  map_gpu(hardware, reader, record);
  map_method(training, reader, record);
  map_run_settings(training, reader, record);
  map_precision(training, reader, record);
  map_optimizer(training, reader, record);
  map_lora(training, reader, record);
  map_parallelism(hardware, reader, record);
  return record;
}

}  // namespace

const char* memory_kind_name(MemoryKind kind) {
  switch (kind) {
    case MemoryKind::torch_peak_allocated: return "torch_peak_allocated";
    case MemoryKind::torch_peak_reserved: return "torch_peak_reserved";
    case MemoryKind::nvidia_smi: return "nvidia_smi";
    case MemoryKind::unknown: return "unknown";
  }
  return "unknown";
}

std::vector<ValidationCase> load_validation_cases(const std::string& json_text, FieldErrors& errors) {
  rapidjson::Document document;
  document.Parse(json_text.data(), json_text.size());
  if (document.HasParseError()) {
    FieldError error;
    error.field = "cases";
    error.code = ErrorCode::invalid_json;
    error.value = std::to_string(document.GetErrorOffset());
    error.message = "cases: invalid JSON at byte offset " + error.value + ": " +
                    rapidjson::GetParseError_En(document.GetParseError());
    errors.push_back(std::move(error));
    return {};
  }
  if (!document.IsArray()) {
    errors.push_back(type_error("cases", document, "a JSON array of cases"));
    return {};
  }

  std::vector<ValidationCase> cases;
  cases.reserve(document.Size());
  for (rapidjson::SizeType i = 0; i < document.Size(); ++i) {
    cases.push_back(read_case(document[i], i, errors));
  }
  return cases;
}

}  // namespace gpuplan
