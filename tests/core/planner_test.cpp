// Planner and run totals: Pareto front, fit of every returned setup, sharded
// memory against GPU count, and dataset arithmetic by hand.
#include <catch2/catch.hpp>

#include "cost.h"
#include "gpus.h"
#include "memory.h"
#include "planner.h"
#include "presets.h"

using namespace gpuplan;
using Catch::Matchers::WithinRel;

namespace {

PlanRequest llama_request() {
  PlanRequest request;
  request.base.seq_len = 2048;
  request.base.precision = Precision::amp_bf16;
  request.base.attention = AttentionImpl::flash;
  request.gpu_ids = {"a100-80gb", "h100-sxm"};
  request.global_batch = 64;
  request.max_gpus = 256;
  request.dataset.dataset_tokens = 1e9;
  return request;
}

}  // namespace

TEST_CASE("plan gpu counts", "[plan]") {
  const std::vector<int64_t> counts = planner_gpu_counts(1024);
  CHECK(counts.size() == 3 + 128);
  CHECK(counts.front() == 1);
  CHECK(counts[3] == 8);
  CHECK(counts.back() == 1024);
  CHECK(planner_gpu_counts(20) == std::vector<int64_t>{1, 2, 4, 8, 16});
  CHECK(planner_gpu_counts(5000).back() == 1024);
}

TEST_CASE("plan pareto front and fits", "[plan]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  const PlanRequest request = llama_request();
  const PlanResult result = plan_training(llama, request);
  REQUIRE(result.ok);
  REQUIRE_FALSE(result.pareto.empty());
  CHECK(result.stats.time_evaluations > 0);
  CHECK(result.stats.memory_evaluations > 0);
  // 1e9 tokens / 2048 = 488,282 sequences (rounded up), 64 per step: 7630 steps.
  CHECK(result.optimizer_steps == 7630);

  SECTION("every returned setup fits and keeps the global batch") {
    for (const std::vector<PlanCandidate>* list : {&result.by_time, &result.by_cost, &result.pareto}) {
      for (const PlanCandidate& candidate : *list) {
        const MemoryResult memory = estimate_memory(llama, candidate.setup);
        CHECK(memory.fits);
        CHECK(candidate.peak_memory_bytes <= candidate.gpu_usable_bytes);
        CHECK(candidate.setup.micro_batch * candidate.setup.grad_accum * replica_count(candidate.setup) == 64);
        CHECK(candidate.setup.num_gpus <= 256);
      }
    }
  }

  SECTION("no setup on the front is dominated") {
    for (const PlanCandidate& front : result.pareto) {
      for (const PlanCandidate& other : result.by_cost) {
        const bool faster_or_equal = other.total_time_s <= front.total_time_s;
        const bool cheaper_or_equal = *other.cost_usd <= *front.cost_usd;
        const bool strictly_better = other.total_time_s < front.total_time_s || *other.cost_usd < *front.cost_usd;
        CHECK_FALSE((faster_or_equal && cheaper_or_equal && strictly_better));
      }
    }
    for (size_t i = 1; i < result.pareto.size(); ++i) {
      CHECK(result.pareto[i].total_time_s >= result.pareto[i - 1].total_time_s);
      CHECK(*result.pareto[i].cost_usd < *result.pareto[i - 1].cost_usd);
    }
  }

  SECTION("rankings are sorted") {
    for (size_t i = 1; i < result.by_time.size(); ++i) {
      CHECK(result.by_time[i].total_time_s >= result.by_time[i - 1].total_time_s);
    }
    for (size_t i = 1; i < result.by_cost.size(); ++i) {
      CHECK(*result.by_cost[i].cost_usd >= *result.by_cost[i - 1].cost_usd);
    }
  }

  SECTION("totals follow from the step time") {
    for (const PlanCandidate& candidate : result.by_time) {
      CHECK_THAT(candidate.total_time_s, WithinRel(7630 * candidate.step_time_s, 1e-12));
      CHECK_THAT(candidate.gpu_hours,
                 WithinRel(candidate.total_time_s * static_cast<double>(candidate.setup.num_gpus) / 3600, 1e-12));
    }
  }
}

TEST_CASE("plan respects budget and deadline", "[plan]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  PlanRequest request = llama_request();
  const PlanResult open = plan_training(llama, request);
  REQUIRE(open.ok);
  REQUIRE(open.by_cost.size() >= 2);

  // A budget just above the cheapest setup keeps it and drops the dearest one.
  request.budget_usd = *open.by_cost.front().cost_usd * 1.0001;
  const PlanResult budget = plan_training(llama, request);
  REQUIRE_FALSE(budget.by_cost.empty());
  for (const PlanCandidate& candidate : budget.by_cost) CHECK(*candidate.cost_usd <= *request.budget_usd);
  CHECK(budget.stats.over_budget > 0);

  request.budget_usd.reset();
  request.deadline_hours = open.by_time.front().total_time_s / 3600 * 1.0001;
  const PlanResult deadline = plan_training(llama, request);
  REQUIRE_FALSE(deadline.by_time.empty());
  for (const PlanCandidate& candidate : deadline.by_time) {
    CHECK(candidate.total_time_s <= *request.deadline_hours * 3600);
  }

  // A budget below every setup leaves nothing, but the step count still
  // follows from the dataset: 1e9 tokens / 2048 = 488,282 sequences, 64 per step.
  request.deadline_hours.reset();
  request.budget_usd = 0.01;
  const PlanResult none = plan_training(llama, request);
  REQUIRE(none.ok);
  CHECK(none.by_time.empty());
  CHECK(none.stats.over_budget == none.stats.fitting);
  CHECK(none.optimizer_steps == 7630);
}

TEST_CASE("plan without a price ranks by time only", "[plan]") {
  // A custom GPU without a rental price: cost stays absent, never zero.
  const ModelSpec& qwen = *find_preset("qwen2.5-0.5b");
  PlanRequest request = llama_request();
  request.gpu_ids.clear();
  request.base.gpu_id = "custom";
  request.base.gpu = *find_gpu("a100-80gb");
  request.base.gpu.id = "custom";
  request.base.gpu.price_usd_per_hour.reset();
  request.max_gpus = 8;
  request.base.method = Method::lora;
  const PlanResult result = plan_training(qwen, request);
  REQUIRE(result.ok);
  REQUIRE_FALSE(result.by_time.empty());
  CHECK(result.by_cost.empty());
  CHECK(result.pareto.empty());
  for (const PlanCandidate& candidate : result.by_time) {
    CHECK_FALSE(candidate.cost_usd.has_value());
    CHECK(candidate.setup.gpu_id == "custom");
  }
}

TEST_CASE("plan rejects invalid requests", "[plan]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  PlanRequest request = llama_request();
  request.max_gpus = 4096;
  request.gpu_ids = {"not-a-gpu"};
  request.dataset = DatasetSpec{};
  const PlanResult result = plan_training(llama, request);
  CHECK_FALSE(result.ok);
  REQUIRE(result.errors.size() == 3);
  CHECK(result.errors[0].field == "max_gpus");
  CHECK(result.errors[1].field == "gpus");
  CHECK(result.errors[2].field == "dataset_tokens");
}

// The base setup's interleaving carries over to pipelines whose stages have a
// layer for each chunk. Llama 3 8B has 32 layers, so pipelines of 2 to 16
// stages keep 2 chunks (32 chunks of one layer at 16). A pipeline of 32 stages
// falls back to plain 1F1B, and a setup without a pipeline has no chunks.
TEST_CASE("plan keeps interleaving where it fits", "[plan]") {
  const ModelSpec& llama = *find_preset("llama-3-8b");
  PlanRequest request = llama_request();
  request.base.virtual_stages = 2;
  request.max_results = 1000;
  const PlanResult result = plan_training(llama, request);
  REQUIRE(result.ok);
  int pipelined = 0;
  for (const std::vector<PlanCandidate>* list : {&result.by_time, &result.by_cost, &result.pareto}) {
    for (const PlanCandidate& candidate : *list) {
      const TrainingSetup& setup = candidate.setup;
      CAPTURE(setup.pipeline_parallel);
      const bool interleaved = setup.pipeline_parallel > 1 && setup.pipeline_parallel * 2 <= 32;
      CHECK(setup.virtual_stages == (interleaved ? 2 : 1));
      if (setup.pipeline_parallel > 1) ++pipelined;
    }
  }
  CHECK(pipelined > 0);
}

TEST_CASE("plan sharded memory falls with more gpus", "[plan]") {
  const ModelSpec& llama = *find_preset("llama-2-13b");
  for (Sharding sharding : {Sharding::zero1, Sharding::zero2, Sharding::zero3, Sharding::fsdp_full_shard}) {
    CAPTURE(sharding_name(sharding));
    double previous = 0;
    for (int64_t gpus : {1, 2, 4, 8, 16, 64, 256, 1024}) {
      TrainingSetup setup;
      setup.gpu = *find_gpu("a100-80gb");
      setup.sharding = sharding;
      setup.num_gpus = gpus;
      const MemoryResult memory = estimate_memory(llama, setup);
      if (previous > 0) CHECK(memory.peak_allocated_bytes <= previous);
      previous = memory.peak_allocated_bytes;
    }
  }
}

// Dataset arithmetic by hand, seq_len 2048, 8 GPUs, micro_batch 4, grad_accum 2:
// global batch 64 sequences.
TEST_CASE("run totals by hand", "[plan]") {
  TrainingSetup setup;
  setup.gpu = *find_gpu("a100-80gb");
  setup.num_gpus = 8;
  setup.micro_batch = 4;
  setup.grad_accum = 2;
  setup.seq_len = 2048;

  SECTION("padded samples") {
    // 10,000 samples of 500 tokens, each padded to 2048: 10,000 sequences,
    // ceil(10,000 × 3 / 64) = 469 steps; useful 15e6 of 469 · 64 · 2048 tokens.
    DatasetSpec dataset;
    dataset.samples = 10000;
    dataset.tokens_per_sample = 500;
    dataset.epochs = 3;
    const RunTotals totals = estimate_run(setup, 2.0, dataset, 2.5);
    REQUIRE(totals.ok);
    CHECK(totals.sequences_per_epoch == 10000);
    CHECK(totals.optimizer_steps == 469);
    CHECK(totals.global_batch_sequences == 64);
    CHECK_THAT(totals.padding_fraction, WithinRel(1 - 15e6 / (469.0 * 64 * 2048), 1e-12));
    CHECK(totals.wall_time_s == 938);
    // 938 s × 8 GPUs / 3600 = 2.08444 GPU-hours at $2.5
    CHECK_THAT(totals.gpu_hours, WithinRel(938.0 * 8 / 3600, 1e-12));
    REQUIRE(totals.cost_usd);
    CHECK_THAT(*totals.cost_usd, WithinRel(938.0 * 8 / 3600 * 2.5, 1e-12));
  }

  SECTION("packed samples") {
    // 10,000 × 500 = 5e6 tokens packed into ceil(5e6 / 2048) = 2442 sequences, 39 steps.
    DatasetSpec dataset;
    dataset.samples = 10000;
    dataset.tokens_per_sample = 500;
    dataset.packing = true;
    const RunTotals totals = estimate_run(setup, 2.0, dataset);
    CHECK(totals.sequences_per_epoch == 2442);
    CHECK(totals.optimizer_steps == 39);
    // The default A100 price comes from the GPU table.
    REQUIRE(totals.price_per_gpu_hour);
    CHECK(*totals.price_per_gpu_hour == *setup.gpu.price_usd_per_hour);
  }

  SECTION("no price leaves the cost absent") {
    setup.gpu.price_usd_per_hour.reset();
    DatasetSpec dataset;
    dataset.dataset_tokens = 1e6;
    const RunTotals totals = estimate_run(setup, 1.0, dataset);
    REQUIRE(totals.ok);
    CHECK_FALSE(totals.cost_usd.has_value());
  }

  SECTION("missing dataset is reported") {
    const RunTotals totals = estimate_run(setup, 1.0, DatasetSpec{});
    CHECK_FALSE(totals.ok);
    REQUIRE(totals.errors.size() == 1);
    CHECK(totals.errors[0].field == "dataset_tokens");
  }
}

TEST_CASE("run options read from key values", "[plan]") {
  SECTION("defaults") {
    KeyValues values{{"dataset_tokens", "1e9"}};
    FieldErrors errors;
    FieldReader reader(values, errors);
    const std::optional<RunOptions> options = read_run_options(reader, errors);
    REQUIRE(options);
    CHECK(errors.empty());
    CHECK(*options->dataset.dataset_tokens == 1e9);
    CHECK(options->dataset.epochs == 1);
    CHECK(options->time.network == "ib_8x400");
    CHECK(options->time.comm_overlap == 0.5);
    CHECK_FALSE(options->time.mfu.has_value());
    CHECK_FALSE(options->price_per_gpu_hour.has_value());
  }

  SECTION("every field") {
    KeyValues values{{"samples", "5000"},        {"tokens_per_sample", "700"}, {"packing", "true"},
                     {"epochs", "2"},            {"price_per_gpu_hour", "1.2"}, {"network", "eth_100"},
                     {"comm_overlap", "0.25"},   {"mfu", "0.35"},               {"pipeline_microbatches", "16"}};
    FieldErrors errors;
    FieldReader reader(values, errors);
    const std::optional<RunOptions> options = read_run_options(reader, errors);
    REQUIRE(options);
    CHECK(errors.empty());
    CHECK(*options->dataset.samples == 5000);
    CHECK(*options->dataset.tokens_per_sample == 700);
    CHECK(options->dataset.packing);
    CHECK(options->dataset.epochs == 2);
    CHECK(*options->price_per_gpu_hour == 1.2);
    CHECK(options->time.network == "eth_100");
    CHECK(options->time.comm_overlap == 0.25);
    CHECK(*options->time.mfu == 0.35);
    CHECK(options->time.pipeline_microbatches == 16);
  }

  SECTION("invalid values name their field") {
    KeyValues values{{"network", "carrier_pigeon"}, {"comm_overlap", "1.5"}, {"samples", "100"}};
    FieldErrors errors;
    FieldReader reader(values, errors);
    CHECK_FALSE(read_run_options(reader, errors).has_value());
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "network");
    CHECK(errors[0].code == ErrorCode::unknown_choice);
    CHECK(errors[1].field == "comm_overlap");
    CHECK(errors[1].code == ErrorCode::out_of_range);
    CHECK(errors[2].field == "tokens_per_sample");
    CHECK(errors[2].code == ErrorCode::missing);
  }

  SECTION("tokens and samples together are rejected") {
    KeyValues values{{"dataset_tokens", "1e9"}, {"samples", "10"}, {"tokens_per_sample", "100"}};
    FieldErrors errors;
    FieldReader reader(values, errors);
    CHECK_FALSE(read_run_options(reader, errors).has_value());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "dataset_tokens");
    CHECK(errors[0].code == ErrorCode::unsupported);
  }
}
