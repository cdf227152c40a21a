// Input validation: every invalid value is rejected with its field named.
#include <catch2/catch.hpp>

#include "estimate.h"
#include "fields.h"

using namespace gpuplan;

namespace {

KeyValues valid_query() {
  return {{"params", "1.3e9"}, {"micro_batch", "16"}, {"seq_len", "512"}, {"hidden", "2048"},
          {"grad_accum", "1"},  {"precision", "fp16"}, {"gpu", "a100-80gb"}};
}

}  // namespace

TEST_CASE("number parsing accepts decimal text", "[fields]") {
  CHECK(parse_finite_number("1.3e9") == 1.3e9);
  CHECK(parse_finite_number(" 16 ") == 16.0);
  CHECK(parse_finite_number("-0") == 0.0);
  CHECK_FALSE(parse_finite_number("").has_value());
  CHECK_FALSE(parse_finite_number("0x10").has_value());
  CHECK_FALSE(parse_finite_number("inf").has_value());
  CHECK_FALSE(parse_finite_number("NaN").has_value());
  CHECK_FALSE(parse_finite_number("1e999").has_value());
  CHECK_FALSE(parse_finite_number("12abc").has_value());
  CHECK_FALSE(parse_finite_number("１６").has_value());  // full-width digits
}

TEST_CASE("invalid inputs name their field", "[fields]") {
  struct Row {
    const char* field;
    const char* value;
    ErrorCode code;
  };
  const Row rows[] = {
      {"params", "-5", ErrorCode::out_of_range},
      {"params", "0", ErrorCode::out_of_range},
      {"params", "abc", ErrorCode::not_a_number},
      {"params", "1e14", ErrorCode::out_of_range},
      {"micro_batch", "0", ErrorCode::out_of_range},
      {"micro_batch", "2.5", ErrorCode::not_an_integer},
      {"micro_batch", "NaN", ErrorCode::not_a_number},
      {"micro_batch", "70000", ErrorCode::out_of_range},
      {"seq_len", "-512", ErrorCode::out_of_range},
      {"seq_len", "Infinity", ErrorCode::not_a_number},
      {"hidden", "0", ErrorCode::out_of_range},
      {"grad_accum", "", ErrorCode::not_a_number},
      {"grad_accum", "-0", ErrorCode::out_of_range},
      {"precision", "fp64", ErrorCode::unknown_choice},
      {"gpu", "a100", ErrorCode::unknown_choice},
      {"gpu_tflops", "0", ErrorCode::out_of_range},
      {"gpu_tflops", "fast", ErrorCode::not_a_number},
  };
  for (const Row& row : rows) {
    CAPTURE(row.field, row.value);
    KeyValues query = valid_query();
    query[row.field] = row.value;
    EstimateResponse response = run_estimate(query);
    CHECK_FALSE(response.ok);
    CHECK_FALSE(response.guide.has_value());
    REQUIRE(response.errors.size() == 1);
    CHECK(response.errors[0].field == row.field);
    CHECK(response.errors[0].code == row.code);
    // The message names the field and echoes the value.
    CHECK(response.errors[0].message.find(row.field) == 0);
    CHECK(response.errors[0].message.find(std::string("\"") + row.value + "\"") != std::string::npos);
  }
}

TEST_CASE("range errors state the limits", "[fields]") {
  KeyValues query = valid_query();
  query["micro_batch"] = "0";
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].min == 1);
  CHECK(response.errors[0].max == 65536);
  CHECK(response.errors[0].message == "micro_batch: invalid value \"0\": must be from 1 to 65536");
}

TEST_CASE("unknown choice lists the accepted values", "[fields]") {
  KeyValues query = valid_query();
  query["precision"] = "fp64";
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].choices.size() == 10);
  CHECK(response.errors[0].message.find("fp32, fp16, bf16, int8") != std::string::npos);
}

TEST_CASE("bf16 on a V100 is unsupported", "[fields]") {
  KeyValues query = valid_query();
  query["gpu"] = "v100-32gb";
  query["precision"] = "bf16";
  EstimateResponse response = run_estimate(query);
  CHECK_FALSE(response.ok);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].field == "precision");
  CHECK(response.errors[0].code == ErrorCode::unsupported);

  // A custom peak makes the choice explicit, so it is accepted.
  query["gpu_tflops"] = "31.4";
  CHECK(run_estimate(query).ok);
}

// DeepSpeed's PipelineEngine asserts zero_optimization_stage() < 2, so ZeRO-2
// and ZeRO-3 are rejected with a pipeline; ZeRO-1 and FSDP are accepted.
TEST_CASE("zero-2 and zero-3 are rejected with a pipeline", "[fields]") {
  KeyValues query = valid_query();
  query["num_gpus"] = "4";
  query["pipeline_parallel"] = "2";
  for (const char* sharding : {"zero2", "zero3"}) {
    CAPTURE(sharding);
    query["sharding"] = sharding;
    EstimateResponse response = run_estimate(query);
    CHECK_FALSE(response.ok);
    REQUIRE(response.errors.size() == 1);
    CHECK(response.errors[0].field == "sharding");
    CHECK(response.errors[0].code == ErrorCode::unsupported);
  }
  for (const char* sharding : {"ddp", "zero1", "fsdp_full_shard"}) {
    CAPTURE(sharding);
    query["sharding"] = sharding;
    CHECK(run_estimate(query).ok);
  }
}

// A V100 has no bf16 tensor cores, so the default precision there is AMP in
// fp16; an explicit bf16 precision is still rejected.
TEST_CASE("default precision follows the gpu", "[fields]") {
  KeyValues query = valid_query();
  query.erase("precision");
  query["gpu"] = "v100-32gb";
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  CHECK(response.input.at("precision") == "amp_fp16");

  query["precision"] = "amp_bf16";
  response = run_estimate(query);
  CHECK_FALSE(response.ok);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].field == "precision");

  query.erase("precision");
  query["gpu"] = "a100-80gb";
  CHECK(run_estimate(query).input.at("precision") == "amp_bf16");
}

TEST_CASE("unknown keys are reported not applied", "[fields]") {
  KeyValues query = valid_query();
  query["<script>"] = "1";
  EstimateResponse response = run_estimate(query);
  // The estimate still runs; the key is listed as unknown.
  CHECK(response.ok);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].code == ErrorCode::unknown_field);
  CHECK(response.input.count("<script>") == 0);
}

TEST_CASE("long values are truncated in messages", "[fields]") {
  KeyValues query = valid_query();
  query["micro_batch"] = std::string(100000, '9');
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.errors.size() == 1);
  CHECK(response.errors[0].value.size() <= 83);
  CHECK(response.errors[0].message.size() < 200);
}

TEST_CASE("field table has unique names", "[fields]") {
  std::set<std::string> names;
  for (const FieldSpec& spec : setup_fields()) {
    CAPTURE(spec.name);
    CHECK(names.insert(spec.name).second);
    if (spec.kind == FieldKind::number || spec.kind == FieldKind::integer) CHECK(spec.min <= spec.max);
  }
}
