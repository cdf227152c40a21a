// The planner's query and JSON: constraints read from key/value text, each
// row's input loads the same setup into the estimate, and bad constraints
// name their field.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "estimate.h"
#include "plan_query.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

KeyValues plan_query() {
  return {{"model", "llama-3-8b"}, {"precision", "amp_bf16"},      {"attention", "flash"},
          {"seq_len", "2048"},     {"gpus", "a100-80gb,h100-sxm"}, {"max_gpus", "32"},
          {"global_batch", "64"},  {"dataset_tokens", "1e9"}};
}

}  // namespace

TEST_CASE("plan query reads constraints", "[plan]") {
  KeyValues query = plan_query();
  query["budget_usd"] = "500";
  query["shardings"] = "zero2, zero3";
  query["allow_offload"] = "false";
  query["max_results"] = "3";
  const PlanResponse response = run_plan(query);
  CHECK(response.errors.empty());
  REQUIRE(response.ok);
  const PlanRequest& request = *response.request;
  CHECK(request.gpu_ids == std::vector<std::string>{"a100-80gb", "h100-sxm"});
  CHECK(request.max_gpus == 32);
  CHECK(request.global_batch == 64);
  CHECK(*request.budget_usd == 500);
  CHECK(request.shardings == std::vector<Sharding>{Sharding::zero2, Sharding::zero3});
  CHECK_FALSE(request.allow_offload);
  CHECK(response.result->by_time.size() <= 3);
  for (const PlanCandidate& candidate : response.result->by_time) {
    CHECK((candidate.setup.sharding == Sharding::zero2 || candidate.setup.sharding == Sharding::zero3));
    CHECK(candidate.setup.offload == Offload::none);
    REQUIRE(candidate.cost_usd);
    CHECK(*candidate.cost_usd <= 500);
  }
}

TEST_CASE("plan rows load into the estimate", "[plan]") {
  const PlanResponse response = run_plan(plan_query());
  REQUIRE(response.ok);
  REQUIRE_FALSE(response.result->pareto.empty());
  for (const PlanCandidate& candidate : response.result->pareto) {
    const KeyValues input = candidate_query(response, candidate);
    CHECK(input.at("model") == "llama-3-8b");
    CHECK(input.at("dataset_tokens") == "1000000000");
    const EstimateResponse estimate = run_estimate(input);
    CHECK(estimate.errors.empty());
    REQUIRE(estimate.detailed);
    REQUIRE(estimate.time);
    REQUIRE(estimate.run);
    // The same setup, so the same memory, step time and total time.
    CHECK(estimate.detailed->memory.fits);
    CHECK_THAT(estimate.detailed->memory.nvidia_smi_bytes, WithinRel(candidate.peak_memory_bytes, 1e-12));
    CHECK_THAT(estimate.time->step_time_s, WithinRel(candidate.step_time_s, 1e-12));
    CHECK_THAT(estimate.run->wall_time_s, WithinRel(candidate.total_time_s, 1e-12));
  }
}

TEST_CASE("plan json shape", "[plan]") {
  KeyValues query = plan_query();
  query["num_gpus"] = "8";  // chosen by the planner, so listed as ignored
  const PlanResponse response = run_plan(query);
  REQUIRE(response.ok);
  rapidjson::Document json;
  json.Parse(plan_response_json(response).c_str());
  REQUIRE_FALSE(json.HasParseError());
  CHECK(json["ok"].GetBool());
  REQUIRE(json["ignored"].Size() == 1);
  CHECK(std::string(json["ignored"][0].GetString()) == "num_gpus");
  CHECK(json["pareto"].Size() == response.result->pareto.size());
  CHECK(json["by_time"].Size() == response.result->by_time.size());
  CHECK(json["by_cost"].Size() == response.result->by_cost.size());
  const auto& first = json["by_time"][0];
  CHECK(std::string(first["input"]["gpu"].GetString()) == first["gpu"].GetString());
  CHECK(first["total_time_s"].GetDouble() > 0);
  CHECK(json["evaluated"].GetInt64() ==
        response.result->stats.time_evaluations + response.result->stats.memory_evaluations);
  CHECK(json["elapsed_ms"].GetDouble() >= 0);
}

TEST_CASE("plan invalid constraints", "[plan]") {
  KeyValues query = plan_query();
  query["gpus"] = "a100-80gb,a100";
  query["max_gpus"] = "2048";
  query["shardings"] = "zero4";
  query["batch"] = "8";
  const PlanResponse response = run_plan(query);
  CHECK_FALSE(response.ok);
  std::vector<std::string> fields;
  for (const FieldError& error : response.errors) fields.push_back(error.field);
  CHECK(std::count(fields.begin(), fields.end(), "max_gpus") == 1);
  CHECK(std::count(fields.begin(), fields.end(), "shardings") == 1);
  CHECK(std::count(fields.begin(), fields.end(), "batch") == 1);
  // Unknown GPU ids are checked once the other fields are valid.
  query["max_gpus"] = "8";
  query["shardings"] = "zero3";
  query.erase("batch");
  const PlanResponse unknown_gpu = run_plan(query);
  CHECK_FALSE(unknown_gpu.ok);
  REQUIRE(unknown_gpu.errors.size() == 1);
  CHECK(unknown_gpu.errors[0].field == "gpus");
  CHECK(unknown_gpu.errors[0].value == "a100");
}

TEST_CASE("plan needs a dataset", "[plan]") {
  KeyValues query = plan_query();
  query.erase("dataset_tokens");
  const PlanResponse response = run_plan(query);
  CHECK_FALSE(response.ok);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].field == "dataset_tokens");
  CHECK(response.errors[0].code == ErrorCode::missing);
}
