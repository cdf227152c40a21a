#include "model_fields.h"

#include <optional>
#include <utility>

#include "presets.h"

namespace gpuplan {
namespace {

using namespace model_limits;

struct IntegerField {
  const char* name;
  int64_t ModelSpec::*member;
  int64_t min;
  int64_t max;
};

struct BooleanField {
  const char* name;
  bool ModelSpec::*member;
};

// The tables are constexpr arrays so they are static data, not start-up code.
constexpr IntegerField kIntegerFields[] = {
      {"layers", &ModelSpec::layers, 1, kMaxLayers},
      {"hidden", &ModelSpec::hidden, 1, kMaxHidden},
      {"heads", &ModelSpec::heads, 1, kMaxHeads},
      {"kv_heads", &ModelSpec::kv_heads, 1, kMaxHeads},
      {"head_dim", &ModelSpec::head_dim, 0, kMaxHeadDim},
      {"intermediate", &ModelSpec::intermediate, 0, kMaxIntermediate},
      {"vocab", &ModelSpec::vocab, 1, kMaxVocab},
      {"max_positions", &ModelSpec::max_positions, 1, kMaxPositions},
      {"type_vocab", &ModelSpec::type_vocab, 0, kMaxTypeVocab},
      {"norms_per_layer", &ModelSpec::norms_per_layer, 0, kMaxNormsPerLayer},
      {"experts", &ModelSpec::experts, 0, kMaxExperts},
      {"experts_per_token", &ModelSpec::experts_per_token, 0, kMaxExperts},
      {"shared_experts", &ModelSpec::shared_experts, 0, kMaxSharedExperts},
      {"expert_intermediate", &ModelSpec::expert_intermediate, 0, kMaxIntermediate},
      {"shared_expert_intermediate", &ModelSpec::shared_expert_intermediate, 0, kMaxIntermediate},
      {"first_dense_layers", &ModelSpec::first_dense_layers, 0, kMaxLayers},
      {"moe_layer_interval", &ModelSpec::moe_layer_interval, 1, kMaxLayers},
      {"q_lora_rank", &ModelSpec::q_lora_rank, 0, kMaxLatentRank},
      {"kv_lora_rank", &ModelSpec::kv_lora_rank, 0, kMaxLatentRank},
      {"qk_nope_head_dim", &ModelSpec::qk_nope_head_dim, 0, kMaxHeadDim},
      {"qk_rope_head_dim", &ModelSpec::qk_rope_head_dim, 0, kMaxHeadDim},
      {"v_head_dim", &ModelSpec::v_head_dim, 0, kMaxHeadDim},
};

constexpr BooleanField kBooleanFields[] = {
      {"tied_embeddings", &ModelSpec::tied_embeddings},
      {"norm_bias", &ModelSpec::norm_bias},
      {"qkv_bias", &ModelSpec::qkv_bias},
      {"linear_bias", &ModelSpec::linear_bias},
      {"qk_norm", &ModelSpec::qk_norm},
      {"pooler", &ModelSpec::pooler},
      {"shared_expert_gate", &ModelSpec::shared_expert_gate},
      {"router_bias", &ModelSpec::router_bias},
};

struct ChoiceField {
  const char* name;
  const char* choices[4];  // accepted names in enum order, ended by nullptr
};

constexpr ChoiceField kChoiceFields[] = {
    {"family", {"decoder", "encoder"}},
    {"mlp", {"gated", "plain"}},
    {"norm", {"rmsnorm", "layernorm"}},
    {"position", {"rotary", "learned", "alibi"}},
    {"attention_type", {"mha", "mla"}},
};

std::vector<FieldSpec> build_model_fields() {
  std::vector<FieldSpec> specs;
  for (const IntegerField& field : kIntegerFields) {
    FieldSpec spec;
    spec.name = field.name;
    spec.kind = FieldKind::integer;
    spec.group = "model";
    spec.min = static_cast<double>(field.min);
    spec.max = static_cast<double>(field.max);
    specs.push_back(std::move(spec));
  }
  for (const ChoiceField& field : kChoiceFields) {
    FieldSpec spec;
    spec.name = field.name;
    spec.kind = FieldKind::choice;
    spec.group = "model";
    for (const char* const* choice = field.choices; *choice != nullptr; ++choice) spec.choices.push_back(*choice);
    specs.push_back(std::move(spec));
  }
  for (const BooleanField& field : kBooleanFields) {
    FieldSpec spec;
    spec.name = field.name;
    spec.kind = FieldKind::boolean;
    spec.group = "model";
    specs.push_back(std::move(spec));
  }
  FieldSpec name;
  name.name = "name";
  name.kind = FieldKind::text;
  name.group = "model";
  specs.push_back(std::move(name));
  return specs;
}

const FieldSpec& model_field(const std::string& name) {
  for (const FieldSpec& spec : model_fields()) {
    if (spec.name == name) return spec;
  }
  return model_fields().front();  // unreachable: every caller passes a table name
}

std::vector<std::string> model_choices() {
  std::vector<std::string> choices = preset_ids();
  choices.push_back("custom");
  return choices;
}

// Returns the base spec named by key "model", or nullopt for "custom".
std::optional<ModelSpec> base_spec(const KeyValues& kv, FieldErrors& errors,
                                   std::set<std::string>& consumed) {
  auto found = kv.find("model");
  if (found == kv.end()) return *find_preset(kDefaultPresetId);
  consumed.insert("model");
  if (found->second == "custom") return std::nullopt;
  if (const ModelSpec* preset = find_preset(found->second)) return *preset;
  errors.push_back(make_unknown_choice("model", found->second, model_choices()));
  return *find_preset(kDefaultPresetId);
}

// Applies every model field present in kv to spec; returns how many were given.
int apply_fields(FieldReader& reader, ModelSpec& spec) {
  int fields_given = 0;
  for (const IntegerField& field : kIntegerFields) {
    if (!reader.has(field.name)) continue;
    ++fields_given;
    if (std::optional<int64_t> value = reader.integer(model_field(field.name))) {
      spec.*field.member = *value;
    }
  }
  for (const BooleanField& field : kBooleanFields) {
    if (!reader.has(field.name)) continue;
    ++fields_given;
    if (std::optional<bool> value = reader.boolean(model_field(field.name))) {
      spec.*field.member = *value;
    }
  }
  for (const ChoiceField& choice_field : kChoiceFields) {
    const char* name = choice_field.name;
    if (!reader.has(name)) continue;
    ++fields_given;
    std::optional<std::string> value = reader.choice(model_field(name));
    if (!value) continue;
    const std::string& text = *value;
    const std::string field = name;
    if (field == "family") spec.family = text == "encoder" ? Family::encoder : Family::decoder;
    if (field == "mlp") spec.mlp = text == "plain" ? MlpKind::plain : MlpKind::gated;
    if (field == "norm") spec.norm = text == "layernorm" ? NormKind::layernorm : NormKind::rmsnorm;
    if (field == "position") {
      spec.position = text == "learned" ? PositionKind::learned
                      : text == "alibi" ? PositionKind::alibi
                                        : PositionKind::rotary;
    }
    if (field == "attention_type") spec.attention_type = text == "mla" ? AttentionKind::mla : AttentionKind::mha;
  }
  return fields_given;
}

void require_custom_fields(const KeyValues& kv, const ModelSpec& spec, FieldErrors& errors) {
  std::vector<std::string> required = {"layers", "hidden", "heads", "vocab", "max_positions"};
  if (spec.layers - moe_layer_count(spec) > 0) required.push_back("intermediate");
  for (const std::string& name : required) {
    if (kv.count(name) == 0) errors.push_back(make_missing(name));
  }
}

}  // namespace

const std::vector<FieldSpec>& model_fields() {
  static const std::vector<FieldSpec> specs = build_model_fields();
  return specs;
}

ModelSpec read_model(const KeyValues& kv, FieldErrors& errors, std::set<std::string>& consumed) {
  const size_t errors_before = errors.size();
  std::optional<ModelSpec> base = base_spec(kv, errors, consumed);
  const bool custom = !base.has_value();

  ModelSpec spec;
  if (custom) {
    spec.id = "custom";
    spec.name = "Custom model";
  } else {
    spec = *base;
  }

  FieldReader reader(kv, errors);
  const int fields_given = apply_fields(reader, spec);
  if (kv.count("name") > 0) {
    reader.mark_consumed("name");
    spec.name = truncate_for_message(kv.at("name"));
  }
  consumed.insert(reader.consumed().begin(), reader.consumed().end());

  if (custom) {
    if (kv.count("kv_heads") == 0) spec.kv_heads = spec.heads;
    require_custom_fields(kv, spec, errors);
  } else if (fields_given > 0) {
    // A changed preset no longer matches its published total.
    spec.published_params = 0;
    if (kv.count("name") == 0) spec.name += " (modified)";
  }

  // Cross-field checks only make sense once every field parsed.
  if (errors.size() == errors_before) {
    FieldErrors shape_errors = validate_model(spec);
    errors.insert(errors.end(), shape_errors.begin(), shape_errors.end());
  }
  return spec;
}

KeyValues model_key_values(const ModelSpec& spec) {
  KeyValues kv;
  kv["model"] = "custom";
  if (!spec.name.empty()) kv["name"] = spec.name;
  for (const IntegerField& field : kIntegerFields) {
    kv[field.name] = std::to_string(spec.*field.member);
  }
  for (const BooleanField& field : kBooleanFields) {
    kv[field.name] = spec.*field.member ? "true" : "false";
  }
  kv["family"] = family_name(spec.family);
  kv["mlp"] = mlp_kind_name(spec.mlp);
  kv["norm"] = norm_kind_name(spec.norm);
  kv["position"] = position_kind_name(spec.position);
  kv["attention_type"] = attention_kind_name(spec.attention_type);
  return kv;
}

}  // namespace gpuplan
