// Fuzz target for the Hugging Face config.json importer: any text either
// yields a valid ModelSpec or field errors, and a parsed spec goes through
// the parameter breakdown and a default estimate without tripping a
// sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate.h"
#include "fuzz_check.h"
#include "hf_config.h"
#include "model.h"
#include "model_fields.h"
#include "model_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  gpuplan::FieldErrors errors;
  const std::optional<gpuplan::ModelSpec> spec = gpuplan::parse_hf_config(text, errors);
  if (spec.has_value() != errors.empty()) {
    gpuplan_fuzz::fail("parse_hf_config returned a spec together with errors, or neither", text);
  }
  for (const gpuplan::FieldError& error : errors) {
    if (error.field.empty() || error.message.empty()) gpuplan_fuzz::fail("field error without field or message", text);
  }
  gpuplan_fuzz::check_json_object(gpuplan::hf_config_json(text), "hf_config_json output");
  if (!spec) return 0;

  if (!gpuplan::validate_model(*spec).empty()) gpuplan_fuzz::fail("parsed spec fails validate_model", text);
  const gpuplan::ParamCounts counts = gpuplan::count_params(*spec);
  if (counts.total <= 0 || counts.active > counts.total) gpuplan_fuzz::fail("parameter counts out of order", text);
  if (static_cast<double>(counts.total) != gpuplan::param_breakdown(*spec).value) {
    gpuplan_fuzz::fail("count_params and param_breakdown disagree", text);
  }

  // The imported model must round-trip through the URL keys and estimate.
  const gpuplan::EstimateResponse response = gpuplan::run_estimate(gpuplan::model_key_values(*spec));
  gpuplan_fuzz::check_json_object(gpuplan::estimate_response_json(response), "estimate_response_json output");
  return 0;
}
