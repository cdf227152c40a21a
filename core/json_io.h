// JSON text in and out of the core, shared by the CLI's --json and the embind
// functions. Output goes through RapidJSON's Writer; query input is read
// without RapidJSON (query_json.cpp). Nothing here throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "breakdown.h"
#include "errors.h"
#include "key_values.h"

namespace gpuplan {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Parses a JSON object whose values are strings, numbers or booleans into
// key/value text (see query_json.cpp). Appends an invalid_json error (field
// "query") for invalid JSON, and one per key whose value is null, an object or
// an array. Text over 1 MiB gets a too_large error.
KeyValues parse_query_json(const std::string& text, FieldErrors& errors);

void write_term(JsonWriter& writer, const Term& term);
void write_field_error(JsonWriter& writer, const FieldError& error);
void write_field_errors(JsonWriter& writer, const FieldErrors& errors);
void write_key_values(JsonWriter& writer, const KeyValues& values);

// Writes a number, or null when it is not finite, so JSON output never contains NaN.
void write_number(JsonWriter& writer, double value);

// Writes a number, or null when the value is absent.
void write_optional(JsonWriter& writer, const std::optional<double>& value);

// Writes one object member: the key, then the value (a number as write_number does).
void write_member(JsonWriter& writer, const char* key, double value);
void write_member(JsonWriter& writer, const char* key, int64_t value);
void write_member(JsonWriter& writer, const char* key, bool value);
void write_member(JsonWriter& writer, const char* key, const std::string& value);

std::string gpus_json();

struct FieldSpec;
void write_field_spec(JsonWriter& writer, const FieldSpec& spec);
// Field specs of the given tables, in order, as one JSON array.
std::string fields_json(const std::vector<const std::vector<FieldSpec>*>& tables);

}  // namespace gpuplan
