#include "json_io.h"

#include <cmath>

#include "fields.h"
#include "gpus.h"

namespace gpuplan {

void write_optional(JsonWriter& writer, const std::optional<double>& value) {
  if (value) {
    write_number(writer, *value);
  } else {
    writer.Null();
  }
}

void write_member(JsonWriter& writer, const char* key, double value) {
  writer.Key(key);
  write_number(writer, value);
}

void write_member(JsonWriter& writer, const char* key, int64_t value) {
  writer.Key(key);
  writer.Int64(value);
}

void write_member(JsonWriter& writer, const char* key, bool value) {
  writer.Key(key);
  writer.Bool(value);
}

void write_member(JsonWriter& writer, const char* key, const std::string& value) {
  writer.Key(key);
  writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_number(JsonWriter& writer, double value) {
  if (std::isfinite(value)) {
    writer.Double(value);
  } else {
    writer.Null();
  }
}

void write_term(JsonWriter& writer, const Term& term) {
  writer.StartObject();
  writer.Key("key");
  writer.String(term.key.c_str());
  writer.Key("value");
  write_number(writer, term.value);
  if (!term.children.empty()) {
    writer.Key("children");
    writer.StartArray();
    for (const Term& child : term.children) write_term(writer, child);
    writer.EndArray();
  }
  writer.EndObject();
}

void write_field_error(JsonWriter& writer, const FieldError& error) {
  writer.StartObject();
  writer.Key("field");
  writer.String(error.field.c_str());
  writer.Key("code");
  writer.String(error_code_name(error.code));
  writer.Key("value");
  writer.String(error.value.c_str());
  if (error.min) {
    writer.Key("min");
    write_number(writer, *error.min);
  }
  if (error.max) {
    writer.Key("max");
    write_number(writer, *error.max);
  }
  if (!error.choices.empty()) {
    writer.Key("choices");
    writer.StartArray();
    for (const std::string& choice : error.choices) writer.String(choice.c_str());
    writer.EndArray();
  }
  if (!error.reason.empty()) {
    writer.Key("reason");
    writer.String(error.reason.c_str());
  }
  if (!error.reason_code.empty()) {
    writer.Key("reason_code");
    writer.String(error.reason_code.c_str());
    writer.Key("reason_args");
    writer.StartArray();
    for (const std::string& arg : error.reason_args) writer.String(arg.c_str());
    writer.EndArray();
  }
  writer.Key("message");
  writer.String(error.message.c_str());
  writer.EndObject();
}

void write_field_errors(JsonWriter& writer, const FieldErrors& errors) {
  writer.StartArray();
  for (const FieldError& error : errors) write_field_error(writer, error);
  writer.EndArray();
}

void write_key_values(JsonWriter& writer, const KeyValues& values) {
  writer.StartObject();
  for (const auto& [key, value] : values) {
    writer.Key(key.c_str());
    writer.String(value.c_str());
  }
  writer.EndObject();
}

std::string gpus_json() {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const GpuSpec& gpu : gpu_table()) {
    writer.StartObject();
    writer.Key("id");
    writer.String(gpu.id.c_str());
    writer.Key("name");
    writer.String(gpu.name.c_str());
    writer.Key("memory_bytes");
    write_number(writer, gpu.memory_bytes);
    writer.Key("visible_memory_bytes");
    write_number(writer, gpu.visible_memory_bytes);
    writer.Key("memory_bandwidth_bytes_per_s");
    write_number(writer, gpu.memory_bandwidth_bytes_per_s);
    writer.Key("peak_flops");
    writer.StartObject();
    writer.Key("fp32");
    write_optional(writer, gpu.peak_fp32_flops);
    writer.Key("tf32");
    write_optional(writer, gpu.peak_tf32_flops);
    writer.Key("fp16");
    write_optional(writer, gpu.peak_fp16_flops);
    writer.Key("bf16");
    write_optional(writer, gpu.peak_bf16_flops);
    writer.Key("fp8");
    write_optional(writer, gpu.peak_fp8_flops);
    writer.Key("int8");
    write_optional(writer, gpu.peak_int8_ops);
    writer.EndObject();
    writer.Key("interconnect");
    writer.String(gpu.interconnect.c_str());
    writer.Key("nvlink_bandwidth_bytes_per_s");
    write_number(writer, gpu.nvlink_bandwidth_bytes_per_s);
    writer.Key("pcie_bandwidth_bytes_per_s");
    write_number(writer, gpu.pcie_bandwidth_bytes_per_s);
    writer.Key("price_usd_per_hour");
    write_optional(writer, gpu.price_usd_per_hour);
    writer.Key("price_source");
    writer.String(gpu.price_source.c_str());
    writer.Key("source");
    writer.String(gpu.source.c_str());
    writer.EndObject();
  }
  writer.EndArray();
  return buffer.GetString();
}

void write_field_spec(JsonWriter& writer, const FieldSpec& spec) {
  writer.StartObject();
  writer.Key("name");
  writer.String(spec.name.c_str());
  writer.Key("kind");
  writer.String(field_kind_name(spec.kind));
  writer.Key("group");
  writer.String(spec.group.c_str());
  if (spec.kind == FieldKind::number || spec.kind == FieldKind::integer) {
    writer.Key("min");
    write_number(writer, spec.min);
    writer.Key("max");
    write_number(writer, spec.max);
  }
  if (spec.default_value) {
    writer.Key("default");
    writer.String(spec.default_value->c_str());
  }
  if (!spec.choices.empty()) {
    writer.Key("choices");
    writer.StartArray();
    for (const std::string& choice : spec.choices) writer.String(choice.c_str());
    writer.EndArray();
  }
  writer.Key("unit");
  writer.String(spec.unit.c_str());
  writer.EndObject();
}

std::string fields_json(const std::vector<const std::vector<FieldSpec>*>& tables) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const std::vector<FieldSpec>* table : tables) {
    for (const FieldSpec& spec : *table) write_field_spec(writer, spec);
  }
  writer.EndArray();
  return buffer.GetString();
}

}  // namespace gpuplan
