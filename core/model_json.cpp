#include "model_json.h"

#include <optional>
#include <set>

#include "hf_config.h"
#include "model_fields.h"
#include "presets.h"

namespace gpuplan {

void write_model_spec(JsonWriter& writer, const ModelSpec& spec) {
  writer.StartObject();
  write_member(writer, "id", spec.id);
  write_member(writer, "name", spec.name);
  write_member(writer, "hf_id", spec.hf_id);
  write_member(writer, "series", spec.series);
  write_member(writer, "family", std::string(family_name(spec.family)));
  write_member(writer, "layers", spec.layers);
  write_member(writer, "hidden", spec.hidden);
  write_member(writer, "heads", spec.heads);
  write_member(writer, "kv_heads", spec.kv_heads);
  write_member(writer, "head_dim", spec.head_dim);
  write_member(writer, "intermediate", spec.intermediate);
  write_member(writer, "mlp", std::string(mlp_kind_name(spec.mlp)));
  write_member(writer, "vocab", spec.vocab);
  write_member(writer, "tied_embeddings", spec.tied_embeddings);
  write_member(writer, "norm", std::string(norm_kind_name(spec.norm)));
  write_member(writer, "norm_bias", spec.norm_bias);
  write_member(writer, "qkv_bias", spec.qkv_bias);
  write_member(writer, "linear_bias", spec.linear_bias);
  write_member(writer, "qk_norm", spec.qk_norm);
  write_member(writer, "position", std::string(position_kind_name(spec.position)));
  write_member(writer, "max_positions", spec.max_positions);
  write_member(writer, "type_vocab", spec.type_vocab);
  write_member(writer, "pooler", spec.pooler);
  write_member(writer, "norms_per_layer", spec.norms_per_layer);
  write_member(writer, "experts", spec.experts);
  write_member(writer, "experts_per_token", spec.experts_per_token);
  write_member(writer, "shared_experts", spec.shared_experts);
  write_member(writer, "expert_intermediate", spec.expert_intermediate);
  write_member(writer, "shared_expert_intermediate", spec.shared_expert_intermediate);
  write_member(writer, "shared_expert_gate", spec.shared_expert_gate);
  write_member(writer, "first_dense_layers", spec.first_dense_layers);
  write_member(writer, "moe_layer_interval", spec.moe_layer_interval);
  write_member(writer, "router_bias", spec.router_bias);
  write_member(writer, "attention_type", std::string(attention_kind_name(spec.attention_type)));
  write_member(writer, "q_lora_rank", spec.q_lora_rank);
  write_member(writer, "kv_lora_rank", spec.kv_lora_rank);
  write_member(writer, "qk_nope_head_dim", spec.qk_nope_head_dim);
  write_member(writer, "qk_rope_head_dim", spec.qk_rope_head_dim);
  write_member(writer, "v_head_dim", spec.v_head_dim);
  write_member(writer, "published_params", spec.published_params);
  writer.EndObject();
}

void write_param_counts(JsonWriter& writer, const ParamCounts& counts) {
  writer.StartObject();
  write_member(writer, "total", counts.total);
  write_member(writer, "active", counts.active);
  write_member(writer, "embedding", counts.embedding);
  write_member(writer, "lm_head", counts.lm_head);
  write_member(writer, "per_dense_layer", counts.per_dense_layer);
  write_member(writer, "per_moe_layer", counts.per_moe_layer);
  write_member(writer, "largest_layer", counts.largest_layer);
  write_member(writer, "dense_layers", counts.dense_layers);
  write_member(writer, "moe_layers", counts.moe_layers);
  write_member(writer, "per_expert", counts.per_expert);
  writer.EndObject();
}

std::string presets_json() {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const ModelSpec& spec : presets()) {
    const ParamCounts counts = count_params(spec);
    writer.StartObject();
    write_member(writer, "id", spec.id);
    write_member(writer, "name", spec.name);
    write_member(writer, "hf_id", spec.hf_id);
    write_member(writer, "series", spec.series);
    write_member(writer, "family", std::string(family_name(spec.family)));
    write_member(writer, "params", counts.total);
    write_member(writer, "active_params", counts.active);
    write_member(writer, "max_positions", spec.max_positions);
    writer.EndObject();
  }
  writer.EndArray();
  return buffer.GetString();
}

std::string preset_spec_json(const std::string& id) {
  FieldErrors errors;
  const ModelSpec* spec = find_preset(id);
  if (spec == nullptr) {
    std::vector<std::string> choices = preset_ids();
    errors.push_back(make_unknown_choice("model", id, choices));
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_member(writer, "ok", spec != nullptr);
  writer.Key("spec");
  if (spec != nullptr) {
    write_model_spec(writer, *spec);
  } else {
    writer.Null();
  }
  writer.Key("errors");
  write_field_errors(writer, errors);
  writer.EndObject();
  return buffer.GetString();
}

std::string model_result_json(const ModelSpec* spec, const FieldErrors& errors) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_member(writer, "ok", spec != nullptr && errors.empty());
  writer.Key("spec");
  if (spec != nullptr) {
    write_model_spec(writer, *spec);
    writer.Key("counts");
    write_param_counts(writer, count_params(*spec));
    writer.Key("breakdown");
    write_term(writer, param_breakdown(*spec));
  } else {
    writer.Null();
    writer.Key("counts");
    writer.Null();
    writer.Key("breakdown");
    writer.Null();
  }
  writer.Key("errors");
  write_field_errors(writer, errors);
  writer.EndObject();
  return buffer.GetString();
}

std::string hf_config_json(const std::string& text) {
  FieldErrors errors;
  const std::optional<ModelSpec> spec = parse_hf_config(text, errors);
  return model_result_json(spec ? &*spec : nullptr, errors);
}

std::string model_breakdown_json(const std::string& query_json) {
  FieldErrors errors;
  const KeyValues query = parse_query_json(query_json, errors);
  if (!errors.empty()) return model_result_json(nullptr, errors);

  std::set<std::string> consumed;
  const ModelSpec spec = read_model(query, errors, consumed);
  for (const auto& [key, value] : query) {
    if (consumed.count(key) == 0) errors.push_back(make_unknown_field(key, value));
  }
  // An invalid shape has no meaningful count, so only a valid spec is counted.
  const bool counted = validate_model(spec).empty();
  return model_result_json(counted ? &spec : nullptr, errors);
}

}  // namespace gpuplan
