#include "model_json.h"

#include <optional>
#include <set>

#include "hf_config.h"
#include "model_fields.h"
#include "presets.h"

namespace gpuplan {
namespace {

void write_int(JsonWriter& writer, const char* key, int64_t value) {
  writer.Key(key);
  writer.Int64(value);
}

void write_bool(JsonWriter& writer, const char* key, bool value) {
  writer.Key(key);
  writer.Bool(value);
}

void write_string(JsonWriter& writer, const char* key, const std::string& value) {
  writer.Key(key);
  writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

void write_model_spec(JsonWriter& writer, const ModelSpec& spec) {
  writer.StartObject();
  write_string(writer, "id", spec.id);
  write_string(writer, "name", spec.name);
  write_string(writer, "hf_id", spec.hf_id);
  write_string(writer, "series", spec.series);
  write_string(writer, "family", family_name(spec.family));
  write_int(writer, "layers", spec.layers);
  write_int(writer, "hidden", spec.hidden);
  write_int(writer, "heads", spec.heads);
  write_int(writer, "kv_heads", spec.kv_heads);
  write_int(writer, "head_dim", spec.head_dim);
  write_int(writer, "intermediate", spec.intermediate);
  write_string(writer, "mlp", mlp_kind_name(spec.mlp));
  write_int(writer, "vocab", spec.vocab);
  write_bool(writer, "tied_embeddings", spec.tied_embeddings);
  write_string(writer, "norm", norm_kind_name(spec.norm));
  write_bool(writer, "norm_bias", spec.norm_bias);
  write_bool(writer, "qkv_bias", spec.qkv_bias);
  write_bool(writer, "linear_bias", spec.linear_bias);
  write_bool(writer, "qk_norm", spec.qk_norm);
  write_string(writer, "position", position_kind_name(spec.position));
  write_int(writer, "max_positions", spec.max_positions);
  write_int(writer, "type_vocab", spec.type_vocab);
  write_bool(writer, "pooler", spec.pooler);
  write_int(writer, "norms_per_layer", spec.norms_per_layer);
  write_int(writer, "experts", spec.experts);
  write_int(writer, "experts_per_token", spec.experts_per_token);
  write_int(writer, "shared_experts", spec.shared_experts);
  write_int(writer, "expert_intermediate", spec.expert_intermediate);
  write_int(writer, "shared_expert_intermediate", spec.shared_expert_intermediate);
  write_bool(writer, "shared_expert_gate", spec.shared_expert_gate);
  write_int(writer, "first_dense_layers", spec.first_dense_layers);
  write_int(writer, "moe_layer_interval", spec.moe_layer_interval);
  write_bool(writer, "router_bias", spec.router_bias);
  write_string(writer, "attention_type", attention_kind_name(spec.attention_type));
  write_int(writer, "q_lora_rank", spec.q_lora_rank);
  write_int(writer, "kv_lora_rank", spec.kv_lora_rank);
  write_int(writer, "qk_nope_head_dim", spec.qk_nope_head_dim);
  write_int(writer, "qk_rope_head_dim", spec.qk_rope_head_dim);
  write_int(writer, "v_head_dim", spec.v_head_dim);
  write_int(writer, "published_params", spec.published_params);
  writer.EndObject();
}

void write_param_counts(JsonWriter& writer, const ParamCounts& counts) {
  writer.StartObject();
  write_int(writer, "total", counts.total);
  write_int(writer, "active", counts.active);
  write_int(writer, "embedding", counts.embedding);
  write_int(writer, "lm_head", counts.lm_head);
  write_int(writer, "per_dense_layer", counts.per_dense_layer);
  write_int(writer, "per_moe_layer", counts.per_moe_layer);
  write_int(writer, "largest_layer", counts.largest_layer);
  write_int(writer, "dense_layers", counts.dense_layers);
  write_int(writer, "moe_layers", counts.moe_layers);
  write_int(writer, "per_expert", counts.per_expert);
  writer.EndObject();
}

std::string presets_json() {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const ModelSpec& spec : presets()) {
    const ParamCounts counts = count_params(spec);
    writer.StartObject();
    write_string(writer, "id", spec.id);
    write_string(writer, "name", spec.name);
    write_string(writer, "hf_id", spec.hf_id);
    write_string(writer, "series", spec.series);
    write_string(writer, "family", family_name(spec.family));
    write_int(writer, "params", counts.total);
    write_int(writer, "active_params", counts.active);
    write_int(writer, "max_positions", spec.max_positions);
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
  write_bool(writer, "ok", spec != nullptr);
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
  write_bool(writer, "ok", spec != nullptr && errors.empty());
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
