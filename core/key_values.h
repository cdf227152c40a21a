// Key-value input as it arrives from a URL query, CLI flags or an embind call.
#pragma once

#include <map>
#include <string>

namespace gpuplan {

using KeyValues = std::map<std::string, std::string>;

}  // namespace gpuplan
