// Size limits on input text, model size and search sweeps: each is rejected
// with an error that names the field and the limit, and values at the limit
// still give finite estimates.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "estimate.h"
#include "gpus.h"
#include "hf_config.h"
#include "json_io.h"
#include "memory.h"
#include "model.h"
#include "planner.h"
#include "presets.h"

using namespace gpuplan;

namespace {

// A Llama-shaped custom model: hidden 65536, 512 heads, MLP 262144, vocab 32000, untied.
// Per layer: q, k, v, o = 4 * 65536^2 = 17,179,869,184; gate, up, down =
// 3 * 65536 * 262144 = 51,539,607,552; two RMSNorms = 131,072; sum 68,719,607,808.
// Outside the layers: embeddings and LM head 2 * 32000 * 65536 = 4,194,304,000
// plus the final norm 65,536.
KeyValues wide_model(int layers) {
  return {{"model", "custom"},     {"layers", std::to_string(layers)}, {"hidden", "65536"},
          {"heads", "512"},        {"intermediate", "262144"},         {"vocab", "32000"},
          {"max_positions", "4096"}};
}

const FieldError* find_error(const FieldErrors& errors, const std::string& field) {
  for (const FieldError& error : errors) {
    if (error.field == field) return &error;
  }
  return nullptr;
}

PlanRequest small_plan_request() {
  PlanRequest request;
  request.base.gpu = *find_gpu(request.base.gpu_id);
  request.max_gpus = 8;
  request.global_batch = 16;
  request.dataset.dataset_tokens = 1e8;
  return request;
}

}  // namespace

TEST_CASE("model over parameter limit", "[limits]") {
  // 200 layers: 200 * 68,719,607,808 + 4,194,369,536 = 13,748,115,931,136 > 1e13.
  const EstimateResponse over = run_estimate(wide_model(200));
  CHECK_FALSE(over.ok);
  const FieldError* error = find_error(over.errors, "model");
  REQUIRE(error != nullptr);
  CHECK(error->code == ErrorCode::too_large);
  CHECK(error->value == "13748115931136");
  REQUIRE(error->max);
  CHECK(*error->max == 1e13);
  CHECK_THAT(error->message, Catch::Contains("1.37e+13 parameters") && Catch::Contains("limit of 1e+13"));

  // 145 layers: 145 * 68,719,607,808 + 4,194,369,536 = 9,968,537,501,696 < 1e13.
  const EstimateResponse under = run_estimate(wide_model(145));
  CHECK(under.ok);
  REQUIRE(under.model);
  CHECK(count_params(*under.model).total == 9968537501696);
}

TEST_CASE("config over parameter limit", "[limits][hf_config]") {
  const std::string config = R"({"model_type": "llama", "num_hidden_layers": 200, "hidden_size": 65536,
    "num_attention_heads": 512, "num_key_value_heads": 512, "intermediate_size": 262144,
    "vocab_size": 32000, "max_position_embeddings": 4096, "tie_word_embeddings": false})";
  FieldErrors errors;
  CHECK_FALSE(parse_hf_config(config, errors));
  const FieldError* error = find_error(errors, "model");
  REQUIRE(error != nullptr);
  CHECK(error->code == ErrorCode::too_large);
  CHECK(error->value == "13748115931136");
}

TEST_CASE("largest preset within parameter limit", "[limits]") {
  // DeepSeek-V3 has 671B parameters, well under 1e13.
  CHECK(validate_model(*find_preset("deepseek-v3")).empty());
}

TEST_CASE("config text over 1 MiB", "[limits][hf_config]") {
  FieldErrors errors;
  CHECK_FALSE(parse_hf_config(std::string(kMaxHfConfigBytes + 1, ' '), errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "config");
  CHECK(errors[0].code == ErrorCode::too_large);
  REQUIRE(errors[0].max);
  CHECK(*errors[0].max == 1048576);
  CHECK_THAT(errors[0].message, Catch::Contains("1048577 bytes") && Catch::Contains("1048576 bytes (1 MiB)"));
}

TEST_CASE("query JSON over 1 MiB", "[limits]") {
  // A valid object of 1 MiB + 12 bytes: {"model":"gpt2","x":"<1 MiB of a>"}.
  const std::string text = R"({"model":"gpt2","x":")" + std::string(1 << 20, 'a') + "\"}";
  FieldErrors errors;
  CHECK(parse_query_json(text, errors).empty());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "query");
  CHECK(errors[0].code == ErrorCode::too_large);
  REQUIRE(errors[0].max);
  CHECK(*errors[0].max == 1048576);
}

TEST_CASE("planner GPU count limit", "[limits][plan]") {
  const ModelSpec& model = *find_preset("gpt2");
  PlanRequest request = small_plan_request();
  request.max_gpus = 1025;
  const PlanResult over = plan_training(model, request);
  CHECK_FALSE(over.ok);
  const FieldError* error = find_error(over.errors, "max_gpus");
  REQUIRE(error != nullptr);
  CHECK(error->code == ErrorCode::out_of_range);
  REQUIRE(error->max);
  CHECK(*error->max == 1024);
}

TEST_CASE("planner global batch limit", "[limits][plan]") {
  const ModelSpec& model = *find_preset("gpt2");
  PlanRequest request = small_plan_request();
  request.global_batch = 1048577;
  const PlanResult over = plan_training(model, request);
  CHECK_FALSE(over.ok);
  const FieldError* error = find_error(over.errors, "global_batch");
  REQUIRE(error != nullptr);
  CHECK(error->code == ErrorCode::out_of_range);
  REQUIRE(error->max);
  CHECK(*error->max == 1048576);
}

TEST_CASE("planner GPU shortlist limit", "[limits][plan]") {
  const ModelSpec& model = *find_preset("gpt2");
  PlanRequest request = small_plan_request();
  request.gpu_ids = gpu_ids();
  const size_t table_size = request.gpu_ids.size();

  SECTION("every table GPU once is accepted") {
    const PlanResult result = plan_training(model, request);
    CHECK(result.ok);
    CHECK(result.errors.empty());
  }
  SECTION("one more entry is rejected") {
    request.gpu_ids.push_back("h100-sxm");
    const PlanResult result = plan_training(model, request);
    CHECK_FALSE(result.ok);
    const FieldError* error = find_error(result.errors, "gpus");
    REQUIRE(error != nullptr);
    CHECK(error->code == ErrorCode::too_large);
    CHECK(error->value == std::to_string(table_size + 1));
    REQUIRE(error->max);
    CHECK(*error->max == static_cast<double>(table_size));
  }
}

TEST_CASE("max-fit searches stay within their bounds", "[limits]") {
  // GPT-2 (124M) on a custom 100,000 GB GPU fits far more than the search
  // bounds: micro-batches stop at 4,096 and sequence lengths at max_positions (1,024).
  KeyValues query = {{"model", "gpt2"}, {"gpu_memory_gb", "100000"}, {"seq_len", "128"}};
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  REQUIRE(response.detailed);
  CHECK(response.detailed->max_micro_batch == 4096);
  CHECK(response.detailed->max_seq_len == 1024);
}

TEST_CASE("fields at their maximum stay finite", "[limits]") {
  // Every size at the top of its range, on a model just under the parameter
  // limit: the estimate is huge but finite, and nothing overflows (the
  // sanitizer build checks the integer arithmetic).
  KeyValues query = wide_model(145);
  query["micro_batch"] = "65536";
  query["seq_len"] = "10485760";
  query["grad_accum"] = "65536";
  query["num_gpus"] = "65536";
  query["sharding"] = "zero3";
  query["attention"] = "eager";
  query["dataset_tokens"] = "1e16";
  query["epochs"] = "10000";
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  REQUIRE(response.detailed);
  REQUIRE(response.guide);
  CHECK(std::isfinite(response.detailed->memory.nvidia_smi_bytes));
  CHECK(response.detailed->memory.nvidia_smi_bytes > response.detailed->memory.gpu_usable_bytes);
  CHECK(std::isfinite(response.guide->flops_total));
  CHECK(std::isfinite(response.guide->step_time_s));
  CHECK(std::isfinite(response.detailed->activations_per_layer.value));
}
