// The estimate's time and run sections: the query accepts the run fields, the
// JSON carries the time model and the run totals, and the totals follow from
// the step time by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <rapidjson/document.h>

#include "estimate.h"
#include "gpus.h"
#include "presets.h"
#include "timing.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

// Llama 3 8B full fine-tuning, bf16 autocast, 4 × 2048 tokens per micro-batch
// and 8 accumulation steps on 8 A100 80GB with ZeRO-3.
KeyValues llama_query() {
  return {{"model", "llama-3-8b"},  {"precision", "amp_bf16"}, {"attention", "flash"},
          {"micro_batch", "4"},     {"seq_len", "2048"},       {"grad_accum", "8"},
          {"grad_checkpointing", "full"}, {"num_gpus", "8"},   {"sharding", "zero3"},
          {"gpu", "a100-80gb"},     {"dataset_tokens", "1e9"}, {"price_per_gpu_hour", "2.5"}};
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str());
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

}  // namespace

TEST_CASE("estimate accepts run fields", "[estimate]") {
  const EstimateResponse response = run_estimate(llama_query());
  CHECK(response.errors.empty());
  REQUIRE(response.ok);
  REQUIRE(response.run_options);
  CHECK(*response.run_options->dataset.dataset_tokens == 1e9);
  CHECK(*response.run_options->price_per_gpu_hour == 2.5);
  // The accepted input keeps the run fields so that a URL round trip keeps them.
  CHECK(response.input.at("dataset_tokens") == "1000000000");
  CHECK(response.input.at("price_per_gpu_hour") == "2.5");
  CHECK(response.input.at("network") == "ib_8x400");
}

TEST_CASE("estimate run totals by hand", "[estimate]") {
  const EstimateResponse response = run_estimate(llama_query());
  REQUIRE(response.time);
  REQUIRE(response.run);
  const double step = response.time->step_time_s;
  const RunTotals& run = *response.run;

  // 1e9 tokens / 2048 = 488,281.25, so 488,282 sequences; 4 × 8 × 8 = 256 per
  // step; ceil(488,282 / 256) = 1,908 optimizer steps (1,907.35 rounded up).
  CHECK(run.sequences_per_epoch == 488282);
  CHECK(run.global_batch_sequences == 256);
  CHECK(run.optimizer_steps == 1908);
  CHECK_THAT(run.wall_time_s, WithinRel(1908 * step, 1e-12));
  // GPU-hours = steps × step time × GPUs / 3600; cost = GPU-hours × price.
  CHECK_THAT(run.gpu_hours, WithinRel(1908 * step * 8 / 3600, 1e-12));
  REQUIRE(run.cost_usd);
  CHECK_THAT(*run.cost_usd, WithinRel(1908 * step * 8 / 3600 * 2.5, 1e-12));
}

TEST_CASE("estimate time matches the time model", "[estimate]") {
  const EstimateResponse response = run_estimate(llama_query());
  REQUIRE(response.time);
  const TimeResult& time = *response.time;

  const TimeResult direct = estimate_time(*response.model, *response.setup);
  CHECK(time.step_time_s == direct.step_time_s);
  // MFU = model FLOPs / (step time × 8 GPUs × 312e12 FLOP/s, the A100's dense bf16 peak).
  CHECK_THAT(time.mfu, WithinRel(time.model_flops / (time.step_time_s * 8 * 312e12), 1e-12));
  CHECK_THAT(time.hfu, WithinRel(time.hardware_flops / (time.step_time_s * 8 * 312e12), 1e-12));
  // Full checkpointing recomputes every layer's forward, so hardware FLOPs exceed model FLOPs.
  CHECK(time.hardware_flops > time.model_flops);
  // 4 × 2048 × 8 × 8 = 524,288 tokens per step.
  CHECK(time.tokens_per_step == 524288);
  CHECK_THAT(time.tokens_per_s_per_gpu, WithinRel(524288 / time.step_time_s / 8, 1e-12));
}

TEST_CASE("estimate measured mfu sets step time", "[estimate]") {
  KeyValues query = llama_query();
  query["mfu"] = "0.4";
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.time);
  const TimeResult& time = *response.time;
  CHECK(time.mfu_from_user);
  // step = model FLOPs / (8 GPUs × 312e12 × 0.4).
  CHECK_THAT(time.step_time_s, WithinRel(time.model_flops / (8 * 312e12 * 0.4), 1e-12));
  CHECK_THAT(time.mfu, WithinRel(0.4, 1e-12));
}

TEST_CASE("estimate json time and run", "[estimate]") {
  const EstimateResponse response = run_estimate(llama_query());
  const rapidjson::Document json = parse(estimate_response_json(response));
  REQUIRE(json["time"].IsObject());
  const auto& time = json["time"];
  CHECK_THAT(time["step_time_s"].GetDouble(), WithinRel(response.time->step_time_s, 1e-12));
  CHECK(std::string(time["bound"].GetString()) == bound_name(response.time->bound));
  CHECK(std::string(time["step"]["key"].GetString()) == "step_time_s");
  CHECK(time["step"]["children"].Size() >= 4);
  CHECK_THAT(time["flops"]["value"].GetDouble(), WithinRel(response.time->flops.total_flops, 1e-12));
  CHECK(time["efficiency"]["gemm_efficiency"].GetDouble() > 0);
  CHECK_FALSE(time["efficiency"]["mfu_from_user"].GetBool());

  REQUIRE(json["run"].IsObject());
  const auto& run = json["run"];
  CHECK(run["optimizer_steps"].GetDouble() == 1908);
  CHECK_THAT(run["cost_usd"].GetDouble(), WithinRel(*response.run->cost_usd, 1e-12));
  CHECK(std::string(run["price_source"].GetString()) == "input");
  CHECK(std::string(json["run_unavailable"].GetString()).empty());

  // The time model's constants follow the memory model's in one list.
  bool found_time_constant = false;
  for (const auto& constant : json["constants"].GetArray()) {
    if (std::string(constant["key"].GetString()) == "gemm_efficiency_max") {
      found_time_constant = true;
      CHECK(std::string(constant["group"].GetString()) == "time");
      CHECK_THAT(constant["value"].GetDouble(), WithinRel(timing_constant("gemm_efficiency_max"), 1e-12));
    }
  }
  CHECK(found_time_constant);
}

TEST_CASE("estimate price from the gpu table", "[estimate]") {
  KeyValues query = llama_query();
  query.erase("price_per_gpu_hour");
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.run);
  REQUIRE(response.run->price_per_gpu_hour);
  CHECK(*response.run->price_per_gpu_hour == *find_gpu("a100-80gb")->price_usd_per_hour);
  const rapidjson::Document json = parse(estimate_response_json(response));
  CHECK(std::string(json["run"]["price_source"].GetString()) == "gpu_table");
  CHECK(std::string(json["run"]["price_note"].GetString()) == find_gpu("a100-80gb")->price_source);
}

TEST_CASE("estimate cost null without price", "[estimate]") {
  KeyValues query = llama_query();
  query.erase("price_per_gpu_hour");
  query["gpu"] = "h20";  // the GPU table has no rental price for the H20
  REQUIRE_FALSE(find_gpu("h20")->price_usd_per_hour);
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.run);
  CHECK(response.run->gpu_hours > 0);
  CHECK_FALSE(response.run->cost_usd);
  const rapidjson::Document json = parse(estimate_response_json(response));
  CHECK(json["run"]["cost_usd"].IsNull());
  CHECK(json["run"]["price_per_gpu_hour"].IsNull());
  CHECK(std::string(json["run"]["price_source"].GetString()) == "none");
}

TEST_CASE("estimate run needs a dataset", "[estimate]") {
  KeyValues query = llama_query();
  query.erase("dataset_tokens");
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  CHECK(response.time);
  CHECK_FALSE(response.run);
  CHECK(response.run_unavailable.find("dataset_tokens") != std::string::npos);
  const rapidjson::Document json = parse(estimate_response_json(response));
  CHECK(json["run"].IsNull());
  CHECK(json["time"].IsObject());
}

TEST_CASE("estimate invalid run fields", "[estimate]") {
  KeyValues query = llama_query();
  query["epochs"] = "0";
  query["network"] = "dialup";
  query["samples"] = "1000";  // beside dataset_tokens, and without tokens_per_sample
  const EstimateResponse response = run_estimate(query);
  CHECK_FALSE(response.ok);
  CHECK_FALSE(response.time);
  CHECK_FALSE(response.run);
  std::vector<std::string> fields;
  for (const FieldError& error : response.errors) fields.push_back(error.field);
  CHECK(std::count(fields.begin(), fields.end(), "epochs") == 1);
  CHECK(std::count(fields.begin(), fields.end(), "network") == 1);
  CHECK(std::count(fields.begin(), fields.end(), "tokens_per_sample") == 1);
  CHECK(std::count(fields.begin(), fields.end(), "dataset_tokens") == 1);
}

TEST_CASE("estimate int8 has no time", "[estimate]") {
  KeyValues query = llama_query();
  query["precision"] = "int8";
  const EstimateResponse response = run_estimate(query);
  CHECK(response.guide);
  CHECK_FALSE(response.time);
  CHECK_FALSE(response.run);
  CHECK_FALSE(response.time_unavailable.empty());
}

TEST_CASE("estimate fields list run fields", "[estimate]") {
  const rapidjson::Document json = parse(all_fields_json());
  std::vector<std::string> names;
  for (const auto& field : json.GetArray()) names.push_back(field["name"].GetString());
  for (const char* name : {"dataset_tokens", "samples", "tokens_per_sample", "packing", "epochs",
                           "price_per_gpu_hour", "network", "comm_overlap", "mfu", "pipeline_microbatches"}) {
    CHECK(std::count(names.begin(), names.end(), name) == 1);
  }
}

// Warnings: settings that are valid and estimated but probably not meant.

namespace {

// Llama 2 7B (max_position_embeddings 4096 in its config.json) on one A100 80GB
// with LoRA, one 4096-token sequence per micro-batch: a setup that needs no warning.
KeyValues plain_lora_query() {
  return {{"model", "llama-2-7b"}, {"method", "lora"},        {"precision", "pure_bf16"},
          {"micro_batch", "1"},      {"seq_len", "4096"},       {"gpu", "a100-80gb"}};
}

std::vector<std::string> warning_codes(const EstimateResponse& response) {
  std::vector<std::string> codes;
  for (const Warning& warning : response.warnings) codes.push_back(warning.code);
  return codes;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("estimate plain setup has no warnings", "[estimate]") {
  const EstimateResponse response = run_estimate(plain_lora_query());
  REQUIRE(response.ok);
  CHECK(response.warnings.empty());

  const rapidjson::Document json = parse(estimate_response_json(response));
  REQUIRE(json.HasMember("warnings"));
  REQUIRE(json["warnings"].IsArray());
  CHECK(json["warnings"].Size() == 0);
}

TEST_CASE("estimate warns when seq_len exceeds max_positions", "[estimate]") {
  KeyValues query = plain_lora_query();
  query["seq_len"] = "8192";
  const EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  REQUIRE(response.warnings.size() == 1);
  const Warning& warning = response.warnings[0];
  CHECK(warning.code == "seq_len_over_max_positions");
  CHECK(warning.field == "seq_len");
  CHECK(warning.value == "8192");
  CHECK(contains(warning.message, "8192"));
  CHECK(contains(warning.message, "max_positions 4096"));
  // The estimate still runs.
  CHECK(response.detailed);
  CHECK(response.time);
}

TEST_CASE("estimate seq_len at max_positions has no warning", "[estimate]") {
  // seq_len 4096 equals Llama 2's max_positions, which the model supports.
  const EstimateResponse response = run_estimate(plain_lora_query());
  CHECK(warning_codes(response) == std::vector<std::string>{});
}

TEST_CASE("estimate warns on sharding without data parallel", "[estimate]") {
  struct Case {
    const char* sharding;
    const char* num_gpus;
    const char* tensor_parallel;
    bool warns;
  };
  // Data-parallel size = num_gpus / (tensor_parallel x pipeline_parallel).
  const Case cases[] = {
      {"zero1", "1", "1", true},            // 1 / 1 = 1
      {"zero3", "1", "1", true},            // 1 / 1 = 1
      {"fsdp_full_shard", "1", "1", true},  // 1 / 1 = 1
      {"fsdp_shard_grad_op", "2", "2", true},  // 2 / 2 = 1
      {"zero3", "2", "1", false},           // 2 / 1 = 2
      {"zero2", "4", "2", false},           // 4 / 2 = 2
      {"ddp", "1", "1", false},             // ddp shards nothing anyway
      {"fsdp_no_shard", "1", "1", false},   // nor does fsdp_no_shard
  };
  for (const Case& test : cases) {
    KeyValues query = plain_lora_query();
    query["sharding"] = test.sharding;
    query["num_gpus"] = test.num_gpus;
    query["tensor_parallel"] = test.tensor_parallel;
    const EstimateResponse response = run_estimate(query);
    INFO(test.sharding << " on " << test.num_gpus << " GPUs, tensor_parallel " << test.tensor_parallel);
    REQUIRE(response.ok);
    if (!test.warns) {
      CHECK(response.warnings.empty());
      continue;
    }
    REQUIRE(response.warnings.size() == 1);
    const Warning& warning = response.warnings[0];
    CHECK(warning.code == "sharding_without_data_parallel");
    CHECK(warning.field == "sharding");
    CHECK(warning.value == test.sharding);
    CHECK(contains(warning.message, test.sharding));
    CHECK(contains(warning.message, std::string("= ") + test.num_gpus + " / (" + test.tensor_parallel + " x 1)"));
  }
}

TEST_CASE("estimate allows ZeRO-Offload on one GPU", "[estimate]") {
  // DeepSpeed's ZeRO-Offload runs ZeRO-2 on a single GPU to move the optimizer to the CPU.
  KeyValues query = plain_lora_query();
  query["sharding"] = "zero2";
  query["offload"] = "optimizer";
  CHECK(warning_codes(run_estimate(query)) == std::vector<std::string>{});
}

// LoRA under fp32 or AMP keeps the frozen base in fp32; DeepSpeed runs AMP as a
// 16-bit model, QLoRA quantizes the base, and full fine-tuning trains it.
TEST_CASE("estimate warns when LoRA keeps an fp32 base", "[estimate]") {
  struct Case {
    const char* method;
    const char* precision;
    const char* sharding;
    bool warns;
  };
  const Case cases[] = {
      {"lora", "amp_bf16", "ddp", true},        {"lora", "fp32", "ddp", true},
      {"lora", "amp_fp16", "fsdp_full_shard", true}, {"lora", "pure_bf16", "ddp", false},
      {"lora", "amp_bf16", "zero2", false},     {"qlora", "amp_bf16", "ddp", false},
      {"full", "amp_bf16", "ddp", false},
  };
  for (const Case& test : cases) {
    KeyValues query = plain_lora_query();
    query["method"] = test.method;
    query["precision"] = test.precision;
    query["sharding"] = test.sharding;
    query["num_gpus"] = "2";
    INFO(test.method << " " << test.precision << " " << test.sharding);
    const std::vector<std::string> codes = warning_codes(run_estimate(query));
    CHECK((std::find(codes.begin(), codes.end(), "lora_fp32_base") != codes.end()) == test.warns);
  }
}

TEST_CASE("estimate warns when CPU dispatch bounds the step", "[estimate]") {
  // BERT base at micro-batch 1 and 128 tokens: each operator's GPU work is far
  // below the 20 µs of CPU dispatch (timing_test derives the operator counts).
  KeyValues query = {{"model", "bert-base-uncased"}, {"micro_batch", "1"}, {"seq_len", "128"}, {"gpu", "h100-sxm"}};
  const EstimateResponse dispatch = run_estimate(query);
  REQUIRE(dispatch.time);
  CHECK(dispatch.time->bound == Bound::cpu_dispatch);
  CHECK(warning_codes(dispatch) == std::vector<std::string>{"cpu_dispatch_bound"});
  CHECK(dispatch.warnings[0].field == "micro_batch");

  // At 64 sequences of 512 tokens the GEMMs outlast the dispatch.
  query["micro_batch"] = "64";
  query["seq_len"] = "512";
  const EstimateResponse compute = run_estimate(query);
  REQUIRE(compute.time);
  CHECK(compute.time->bound != Bound::cpu_dispatch);
  CHECK(warning_codes(compute) == std::vector<std::string>{});
}

TEST_CASE("estimate warns on offload without sharding", "[estimate]") {
  struct Case {
    const char* offload;
    const char* sharding;
    bool warns;
  };
  const Case cases[] = {
      {"optimizer", "ddp", true},
      {"optimizer_and_params", "fsdp_no_shard", true},
      {"optimizer", "zero2", false},
      {"optimizer_and_params", "zero3", false},
      {"optimizer", "fsdp_full_shard", false},
      {"none", "ddp", false},
  };
  for (const Case& test : cases) {
    KeyValues query = plain_lora_query();
    query["offload"] = test.offload;
    query["sharding"] = test.sharding;
    query["num_gpus"] = "2";  // a data-parallel size of 2, so sharding itself draws no warning
    const EstimateResponse response = run_estimate(query);
    INFO("offload " << test.offload << " with sharding " << test.sharding);
    REQUIRE(response.ok);
    if (!test.warns) {
      CHECK(response.warnings.empty());
      continue;
    }
    REQUIRE(response.warnings.size() == 1);
    const Warning& warning = response.warnings[0];
    CHECK(warning.code == "offload_without_sharding");
    CHECK(warning.field == "offload");
    CHECK(warning.value == test.offload);
    CHECK(contains(warning.message, std::string("offload ") + test.offload));
    CHECK(contains(warning.message, std::string("sharding ") + test.sharding));
  }
}

TEST_CASE("estimate warns on chunked with fused loss", "[estimate]") {
  KeyValues query = plain_lora_query();
  query["chunked_cross_entropy"] = "true";
  EstimateResponse response = run_estimate(query);
  REQUIRE(response.ok);
  CHECK(response.warnings.empty());

  query["fused_cross_entropy"] = "true";
  response = run_estimate(query);
  REQUIRE(response.ok);
  REQUIRE(response.warnings.size() == 1);
  CHECK(response.warnings[0].code == "chunked_with_fused_loss");
  CHECK(response.warnings[0].field == "chunked_cross_entropy");
  // The fused loss wins: no logits term, as with fused_cross_entropy alone.
  KeyValues fused_only = plain_lora_query();
  fused_only["fused_cross_entropy"] = "true";
  const EstimateResponse fused = run_estimate(fused_only);
  REQUIRE(response.detailed.has_value());
  REQUIRE(fused.detailed.has_value());
  CHECK(response.detailed->memory.peak_allocated_bytes == fused.detailed->memory.peak_allocated_bytes);
}

TEST_CASE("estimate json lists every warning", "[estimate]") {
  // zero3 on one GPU with seq_len past max_positions: two warnings, in the order the checks run.
  KeyValues query = plain_lora_query();
  query["seq_len"] = "16384";
  query["sharding"] = "zero3";
  const rapidjson::Document json = parse(estimate_response_json(run_estimate(query)));
  REQUIRE(json["warnings"].IsArray());
  REQUIRE(json["warnings"].Size() == 2);
  const auto& first = json["warnings"][0];
  CHECK(std::string(first["code"].GetString()) == "seq_len_over_max_positions");
  CHECK(std::string(first["field"].GetString()) == "seq_len");
  CHECK(std::string(first["value"].GetString()) == "16384");
  CHECK(contains(first["message"].GetString(), "max_positions 4096"));
  CHECK(std::string(json["warnings"][1]["code"].GetString()) == "sharding_without_data_parallel");
}

TEST_CASE("estimate invalid input has no warnings", "[estimate]") {
  KeyValues query = plain_lora_query();
  query["seq_len"] = "0";
  query["sharding"] = "zero3";
  const EstimateResponse response = run_estimate(query);
  CHECK_FALSE(response.ok);
  CHECK(response.warnings.empty());
}
