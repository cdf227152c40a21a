// Import of a Hugging Face config.json into a ModelSpec.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "model.h"

namespace gpuplan {

// Largest config.json text accepted, in bytes. Real configs are under 10 KiB.
inline constexpr std::size_t kMaxHfConfigBytes = 1024 * 1024;

// The model_type values parse_hf_config understands.
const std::vector<std::string>& supported_model_types();

// Parses config.json text (also a multimodal config whose text model sits in
// "text_config"). Returns the spec, with id "custom" and name from
// "_name_or_path" when present, or nullopt after appending errors. Errors name
// the config.json key; a missing required key is reported, never guessed.
// The spec is validated with validate_model.
std::optional<ModelSpec> parse_hf_config(const std::string& text, FieldErrors& errors);

}  // namespace gpuplan
