// embind function of the planner, in the gpuplan_extra module. Takes a JSON
// object of key → text (the estimate's setup keys plus the planner's
// constraints) and returns JSON of PlanResponse (see gpuplan.d.ts).
#include <emscripten/bind.h>

#include <string>

#include "json_io.h"
#include "plan_query.h"

namespace {

std::string plan_json(const std::string& query_json) {
  gpuplan::PlanResponse response;
  gpuplan::KeyValues query = gpuplan::parse_query_json(query_json, response.errors);
  if (response.errors.empty()) response = gpuplan::run_plan(query);
  return gpuplan::plan_response_json(response);
}

}  // namespace

EMSCRIPTEN_BINDINGS(gpuplan_plan) {
  emscripten::function("plan", &plan_json);
}
