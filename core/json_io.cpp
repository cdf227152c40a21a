#include "json_io.h"

#include <cmath>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "fields.h"
#include "gpus.h"
#include "number_text.h"

namespace gpuplan {

namespace {

// Formats a JSON number as the shortest decimal text that round-trips.
std::string number_text(double value) {
  std::string text;
  for (int digits = 15; digits <= 17; ++digits) {
    text = format_general(value, digits);
    if (parse_decimal(text) == value) break;
  }
  return text;
}

}  // namespace

KeyValues parse_query_json(const std::string& text, FieldErrors& errors) {
  KeyValues values;
  constexpr size_t kMaxQueryBytes = 1 << 20;
  if (text.size() > kMaxQueryBytes) {
    FieldError error;
    error.field = "query";
    error.code = ErrorCode::too_large;
    error.max = static_cast<double>(kMaxQueryBytes);
    error.message = "query: the input is " + std::to_string(text.size()) + " bytes; the limit is 1 MiB";
    errors.push_back(error);
    return values;
  }
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    FieldError error;
    error.field = "query";
    error.code = ErrorCode::invalid_json;
    error.message = document.HasParseError()
                        ? std::string("query: invalid JSON at offset ") + std::to_string(document.GetErrorOffset()) +
                              ": " + rapidjson::GetParseError_En(document.GetParseError())
                        : std::string("query: expected a JSON object of field names to values");
    errors.push_back(error);
    return values;
  }
  for (auto member = document.MemberBegin(); member != document.MemberEnd(); ++member) {
    std::string key(member->name.GetString(), member->name.GetStringLength());
    const rapidjson::Value& value = member->value;
    if (value.IsString()) {
      values[key] = std::string(value.GetString(), value.GetStringLength());
    } else if (value.IsBool()) {
      values[key] = value.GetBool() ? "true" : "false";
    } else if (value.IsNumber()) {
      values[key] = number_text(value.GetDouble());
    } else {
      FieldError error;
      error.field = truncate_for_message(key);
      error.code = ErrorCode::invalid_json;
      error.message = truncate_for_message(key) + ": expected a string, number or boolean value";
      errors.push_back(error);
    }
  }
  return values;
}

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
