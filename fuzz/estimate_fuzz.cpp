// Fuzz target for the estimate entry point. The first byte picks the input
// form: even means the rest is a query JSON object (the embind path), odd
// means key=value pairs separated by '&' (the URL and CLI path, where any
// byte may appear in a key or value).
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate.h"
#include "fuzz_check.h"
#include "json_io.h"
#include "key_values.h"
#include "model_json.h"

namespace {

gpuplan::KeyValues split_key_values(const std::string& text) {
  gpuplan::KeyValues values;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (equals == std::string::npos) {
      values.emplace(pair, "");
    } else {
      values.emplace(pair.substr(0, equals), pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json_form = (data[0] & 1) == 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  gpuplan::KeyValues query;
  if (json_form) {
    gpuplan::FieldErrors errors;
    query = gpuplan::parse_query_json(text, errors);
    gpuplan_fuzz::check_json_object(gpuplan::model_breakdown_json(text), "model_breakdown_json output");
    if (!errors.empty()) return 0;
  } else {
    query = split_key_values(text);
  }

  const gpuplan::EstimateResponse response = gpuplan::run_estimate(query);
  if (response.ok && !response.errors.empty()) {
    for (const gpuplan::FieldError& error : response.errors) {
      if (error.code != gpuplan::ErrorCode::unknown_field) gpuplan_fuzz::fail("ok response with a blocking error", text);
    }
  }
  if (!response.ok && response.errors.empty()) {
    gpuplan_fuzz::fail("failed response without an error", text);
  }
  gpuplan_fuzz::check_json_object(gpuplan::estimate_response_json(response), "estimate_response_json output");
  return 0;
}
