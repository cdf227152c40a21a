// Built-in model presets: architectures of published checkpoints, taken from
// each checkpoint's config.json.
#pragma once

#include <string>
#include <vector>

#include "model.h"

namespace gpuplan {

// All presets, in display order (grouped by series, smallest first).
const std::vector<ModelSpec>& presets();

// Returns the preset with this id, or nullptr when there is none.
const ModelSpec* find_preset(const std::string& id);

// Ids of all presets, in display order.
std::vector<std::string> preset_ids();

// The preset used when a request names no model: GPT-3 XL (1.3B), the
// 1.3B-parameter example shape used throughout the estimation method.
inline constexpr const char* kDefaultPresetId = "gpt3-xl-1.3b";

}  // namespace gpuplan
