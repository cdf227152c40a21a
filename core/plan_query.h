// The planner behind the CLI's `plan` command and the WebAssembly plan():
// reads a plan query as key/value text (model, method and the other setup
// fields, the run fields, and the planner's constraints), runs plan_training
// and writes the result as JSON.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cost.h"
#include "errors.h"
#include "fields.h"
#include "key_values.h"
#include "model.h"
#include "planner.h"

namespace gpuplan {

// Field specs of the planner's constraints: gpus, max_gpus, global_batch,
// budget_usd, deadline_hours, shardings, allow_offload, max_results.
const std::vector<FieldSpec>& plan_fields();

// Setup fields the planner chooses itself; a query may contain them (the
// page sends its whole setup), and they are listed in PlanResponse::ignored.
const std::vector<std::string>& planner_chosen_fields();

struct PlanResponse {
  bool ok = false;
  FieldErrors errors;
  std::vector<std::string> ignored;  // planner_chosen_fields() present in the query
  KeyValues model_input;             // the query's model keys, copied into every row's input
  std::optional<ModelSpec> model;
  std::optional<PlanRequest> request;
  std::optional<PlanResult> result;
  double elapsed_ms = 0;  // plan_training alone, measured with std::chrono::steady_clock
};

PlanResponse run_plan(const KeyValues& query);

// The setup of a candidate as an estimate query (URL key/value text): the
// model keys of the plan query, every setup field and the run fields.
KeyValues candidate_query(const PlanResponse& response, const PlanCandidate& candidate);

std::string plan_response_json(const PlanResponse& response);

}  // namespace gpuplan
