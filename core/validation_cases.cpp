// Loader of the measured cases: the JSON document, the model section and the
// measured quantities. Architecture conventions follow the model classes of
// Hugging Face Transformers (modeling_llama.py, modeling_gpt2.py,
// modeling_gpt_neox.py, modeling_bloom.py, modeling_falcon.py,
// modeling_mpt.py, modeling_opt.py, modeling_bert.py).
#include "validation_cases.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "validation_reader.h"

namespace gpuplan {
namespace {

using validation_detail::CaseReader;
using validation_detail::map_setup;
using validation_detail::quoted;
using validation_detail::set_reason;
using validation_detail::type_error;

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

// Returns the position-table size. Rotary and ALiBi models have no table, and
// the cases do not record the checkpoint's context limit. max_positions is
// therefore 4 x seq_len (at least 2048), so that max_seq_len_that_fits
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
  record.measured.step_time_per_micro_batch = record.notes.find("per micro-batch iteration") != std::string::npos;

  // Every mapping step runs, so that all type errors are reported; the first
  // reason found is the one kept.
  build_model(model, reader, record);
  map_setup(training, hardware, reader, record);
  if (record.model.position != PositionKind::learned) {
    record.model.max_positions = max_positions_for(record.model.position, 0, record.setup.seq_len);
  }
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
