// Typed reading of one case's JSON members, shared by the loader's model
// and setup mapping (validation_cases.cpp, validation_setup.cpp). Internal
// to the loader: nothing outside core/validation_*.cpp includes it.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "errors.h"
#include "validation_cases.h"

namespace gpuplan::validation_detail {

inline std::string json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

inline FieldError type_error(const std::string& field, const rapidjson::Value& value, const std::string& expected) {
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

inline void set_reason(ValidationCase& record, const std::string& reason) {
  if (record.unmatched_reason.empty()) record.unmatched_reason = reason;
}

inline std::string quoted(const std::string& text) { return "'" + text + "'"; }

// Maps the training and hardware sections onto record.setup (validation_setup.cpp).
void map_setup(const rapidjson::Value& training, const rapidjson::Value& hardware, CaseReader& reader,
               ValidationCase& record);

}  // namespace gpuplan::validation_detail
