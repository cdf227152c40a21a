// JSON output of model specs, parameter counts and breakdowns, shared by the
// CLI's --json and the embind functions.
#pragma once

#include <string>

#include "json_io.h"
#include "model.h"

namespace gpuplan {

// Writes every ModelSpec field under its C++ name (enums as their names).
void write_model_spec(JsonWriter& writer, const ModelSpec& spec);
void write_param_counts(JsonWriter& writer, const ParamCounts& counts);

// Array of {id, name, hf_id, series, family, params, active_params, max_positions}.
std::string presets_json();

// {ok, spec, errors} for a preset id; an unknown id gives an unknown_choice
// error on field "model".
std::string preset_spec_json(const std::string& id);

// {ok, spec, counts, breakdown, errors} for config.json text.
std::string hf_config_json(const std::string& text);

// {ok, spec, counts, breakdown, errors} for a query JSON object of string
// values: "model" contains a preset id or "custom", other keys are model fields
// (see read_model). Keys that are not model fields are reported as unknown_field.
std::string model_breakdown_json(const std::string& query_json);

// {ok, spec, counts, breakdown, errors}; spec, counts and breakdown are null
// when spec is null.
std::string model_result_json(const ModelSpec* spec, const FieldErrors& errors);

}  // namespace gpuplan
