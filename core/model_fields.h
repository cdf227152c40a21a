// Custom-model input: reading a ModelSpec from URL or CLI key-value text, and
// writing one back. The keys are the ModelSpec field names.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "errors.h"
#include "fields.h"
#include "key_values.h"
#include "model.h"

namespace gpuplan {

// One FieldSpec per custom-model key (layers, hidden, heads, ..., v_head_dim),
// with the ranges validate_model accepts. Group "model".
const std::vector<FieldSpec>& model_fields();

// Reads the model of a request. Key "model" contains a preset id or "custom",
// and defaults to kDefaultPresetId when absent. Any model field given next to
// a preset overrides that field of the preset. A custom model needs layers,
// hidden, heads, vocab, max_positions and (when it has dense layers)
// intermediate; kv_heads defaults to heads.
// Appends field-level errors, including validate_model's, and marks every key
// it read in consumed. On an invalid "model" it returns the default preset.
ModelSpec read_model(const KeyValues& kv, FieldErrors& errors, std::set<std::string>& consumed);

// Writes every model field of spec, plus model=custom, so that read_model
// returns a spec with the same shape and counts (for URL round trips).
KeyValues model_key_values(const ModelSpec& spec);

}  // namespace gpuplan
