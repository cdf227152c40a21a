#include "plan_query.h"

#include <chrono>
#include <utility>

#include "estimate.h"
#include "json_io.h"
#include "model_fields.h"
#include "precision.h"
#include "setup.h"

namespace gpuplan {
namespace {

constexpr Sharding kShardings[] = {Sharding::ddp,           Sharding::zero1,
                                   Sharding::zero2,         Sharding::zero3,
                                   Sharding::fsdp_no_shard, Sharding::fsdp_shard_grad_op,
                                   Sharding::fsdp_full_shard};

FieldSpec plan_field(std::string name, FieldKind kind, double min, double max,
                     std::optional<std::string> default_value, std::string unit) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.kind = kind;
  spec.group = "plan";
  spec.min = min;
  spec.max = max;
  spec.default_value = std::move(default_value);
  spec.unit = std::move(unit);
  return spec;
}

std::vector<FieldSpec> build_plan_fields() {
  std::vector<FieldSpec> fields;
  FieldSpec gpus = plan_field("gpus", FieldKind::text, 0, 0, std::nullopt, "");
  gpus.choices = gpu_ids();
  fields.push_back(std::move(gpus));
  fields.push_back(plan_field("max_gpus", FieldKind::integer, 1, 1024, std::string("1024"), "GPUs"));
  fields.push_back(plan_field("global_batch", FieldKind::integer, 1, 1048576, std::string("64"), "sequences"));
  fields.push_back(plan_field("budget_usd", FieldKind::number, 0, 1e12, std::nullopt, "USD"));
  fields.push_back(plan_field("deadline_hours", FieldKind::number, 0.001, 1e7, std::nullopt, "hours"));
  FieldSpec shardings = plan_field("shardings", FieldKind::text, 0, 0, std::string("ddp,zero1,zero2,zero3"), "");
  for (Sharding sharding : kShardings) shardings.choices.push_back(sharding_name(sharding));
  fields.push_back(std::move(shardings));
  FieldSpec offload = plan_field("allow_offload", FieldKind::boolean, 0, 0, std::string("true"), "");
  offload.choices = {"true", "false"};
  fields.push_back(std::move(offload));
  fields.push_back(plan_field("max_results", FieldKind::integer, 1, 1000, std::string("10"), "setups"));
  return fields;
}

const FieldSpec& plan_field_spec(const char* name) {
  for (const FieldSpec& spec : plan_fields()) {
    if (spec.name == name) return spec;
  }
  return plan_fields().front();  // unreachable for the names used in this file
}

// Splits "a,b, c" into its non-empty, trimmed items.
std::vector<std::string> comma_list(const std::string& text) {
  // No std::stringstream: it links the iostream locale machinery (about 40 KB of wasm).
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    const size_t begin = item.find_first_not_of(" \t");
    const size_t end = item.find_last_not_of(" \t");
    if (begin != std::string::npos) items.push_back(item.substr(begin, end - begin + 1));
  }
  return items;
}

std::optional<Sharding> parse_sharding(const std::string& name) {
  for (Sharding sharding : kShardings) {
    if (name == sharding_name(sharding)) return sharding;
  }
  return std::nullopt;
}

// Reads the constraints into request; each invalid value appends an error.
void read_constraints(FieldReader& reader, FieldErrors& errors, PlanRequest& request) {
  if (reader.has("gpus")) {
    const std::string text = reader.raw_text("gpus");
    request.gpu_ids = comma_list(text);
    if (request.gpu_ids.empty()) errors.push_back(make_missing("gpus"));
    // Unknown ids are reported by plan_training's own validation.
  }
  if (auto value = reader.integer(plan_field_spec("max_gpus"))) request.max_gpus = *value;
  if (auto value = reader.integer(plan_field_spec("global_batch"))) request.global_batch = *value;
  request.budget_usd = reader.number(plan_field_spec("budget_usd"));
  request.deadline_hours = reader.number(plan_field_spec("deadline_hours"));
  if (auto value = reader.integer(plan_field_spec("max_results"))) request.max_results = static_cast<size_t>(*value);
  if (auto value = reader.boolean(plan_field_spec("allow_offload"))) request.allow_offload = *value;

  const FieldSpec& shardings = plan_field_spec("shardings");
  const std::string text = reader.has("shardings") ? reader.raw_text("shardings") : *shardings.default_value;
  const std::vector<std::string> names = comma_list(text);
  if (names.empty()) errors.push_back(make_missing("shardings"));
  request.shardings.clear();
  for (const std::string& name : names) {
    if (std::optional<Sharding> sharding = parse_sharding(name)) {
      request.shardings.push_back(*sharding);
    } else {
      errors.push_back(make_unknown_choice("shardings", name, shardings.choices));
    }
  }
}

bool has_blocking_error(const FieldErrors& errors) {
  for (const FieldError& error : errors) {
    if (error.code != ErrorCode::unknown_field) return true;
  }
  return false;
}

void write_candidate(JsonWriter& writer, const PlanResponse& response, const PlanCandidate& candidate) {
  const TrainingSetup& setup = candidate.setup;
  writer.StartObject();
  writer.Key("input");
  write_key_values(writer, candidate_query(response, candidate));
  writer.Key("gpu");
  writer.String(setup.gpu_id.c_str());
  writer.Key("num_gpus");
  writer.Int64(setup.num_gpus);
  writer.Key("sharding");
  writer.String(sharding_name(setup.sharding));
  writer.Key("tensor_parallel");
  writer.Int64(setup.tensor_parallel);
  writer.Key("pipeline_parallel");
  writer.Int64(setup.pipeline_parallel);
  writer.Key("micro_batch");
  writer.Int64(setup.micro_batch);
  writer.Key("grad_accum");
  writer.Int64(setup.grad_accum);
  writer.Key("grad_checkpointing");
  writer.String(checkpointing_name(setup.grad_checkpointing));
  writer.Key("offload");
  writer.String(offload_name(setup.offload));

  writer.Key("peak_memory_bytes");
  write_number(writer, candidate.peak_memory_bytes);
  writer.Key("gpu_usable_bytes");
  write_number(writer, candidate.gpu_usable_bytes);
  writer.Key("step_time_s");
  write_number(writer, candidate.step_time_s);
  writer.Key("total_time_s");
  write_number(writer, candidate.total_time_s);
  writer.Key("gpu_hours");
  write_number(writer, candidate.gpu_hours);
  writer.Key("cost_usd");
  write_optional(writer, candidate.cost_usd);
  writer.Key("mfu");
  write_number(writer, candidate.mfu);
  writer.Key("tokens_per_s");
  write_number(writer, candidate.tokens_per_s);
  writer.Key("bound");
  writer.String(bound_name(candidate.bound));
  writer.EndObject();
}

void write_candidates(JsonWriter& writer, const PlanResponse& response, const std::vector<PlanCandidate>* list) {
  writer.StartArray();
  if (list != nullptr) {
    for (const PlanCandidate& candidate : *list) write_candidate(writer, response, candidate);
  }
  writer.EndArray();
}

void write_stats(JsonWriter& writer, const PlanStats& stats) {
  writer.StartObject();
  writer.Key("groups");
  writer.Int64(stats.groups);
  writer.Key("pruned_by_state_bound");
  writer.Int64(stats.pruned_by_state_bound);
  writer.Key("pruned_by_time_bound");
  writer.Int64(stats.pruned_by_time_bound);
  writer.Key("time_evaluations");
  writer.Int64(stats.time_evaluations);
  writer.Key("memory_evaluations");
  writer.Int64(stats.memory_evaluations);
  writer.Key("fitting");
  writer.Int64(stats.fitting);
  writer.Key("over_budget");
  writer.Int64(stats.over_budget);
  writer.EndObject();
}

}  // namespace

const std::vector<FieldSpec>& plan_fields() {
  static const std::vector<FieldSpec> fields = build_plan_fields();
  return fields;
}

const std::vector<std::string>& planner_chosen_fields() {
  static const std::vector<std::string> names = {"num_gpus",          "sharding",    "offload",
                                                 "tensor_parallel",   "pipeline_parallel", "micro_batch",
                                                 "grad_accum",        "grad_checkpointing"};
  return names;
}

PlanResponse run_plan(const KeyValues& query) {
  PlanResponse response;
  std::set<std::string> model_keys;
  ModelSpec model = read_model(query, response.errors, model_keys);
  FieldReader reader(query, response.errors);
  PlanRequest request;
  request.base = read_setup(reader, response.errors);
  std::optional<RunOptions> options = read_run_options(reader, response.errors);
  read_constraints(reader, response.errors, request);
  reader.report_unconsumed(model_keys);

  for (const std::string& name : planner_chosen_fields()) {
    if (query.count(name) > 0) response.ignored.push_back(name);
  }
  std::optional<Precision> precision = detailed_precision(request.base.precision);
  if (!precision) {
    response.errors.push_back(make_unsupported("precision", precision_name(request.base.precision),
                                               "int8 training is not modelled by the detailed method"));
  }
  if (has_blocking_error(response.errors) || !options) return response;

  request.base.precision = *precision;
  request.dataset = options->dataset;
  request.price_per_gpu_hour = options->price_per_gpu_hour;
  request.time = options->time;
  for (const std::string& key : model_keys) {
    auto found = query.find(key);
    if (found != query.end()) response.model_input[key] = found->second;
  }

  const auto start = std::chrono::steady_clock::now();
  PlanResult result = plan_training(model, request);
  const auto end = std::chrono::steady_clock::now();
  response.elapsed_ms = std::chrono::duration<double, std::milli>(end - start).count();

  response.errors.insert(response.errors.end(), result.errors.begin(), result.errors.end());
  response.ok = result.ok && !has_blocking_error(response.errors);
  response.model = std::move(model);
  response.request = std::move(request);
  response.result = std::move(result);
  return response;
}

KeyValues candidate_query(const PlanResponse& response, const PlanCandidate& candidate) {
  KeyValues values = response.model_input;
  for (auto& [key, value] : setup_key_values(candidate.setup)) values[key] = std::move(value);
  if (response.request && candidate.setup.gpu_id != response.request->base.gpu_id) {
    // Custom GPU figures belong to the base GPU only; other GPUs are planned from the table.
    values.erase("gpu_tflops");
    values.erase("gpu_memory_gb");
    values.erase("gpu_bandwidth_tbps");
  }
  if (response.request) {
    RunOptions options;
    options.dataset = response.request->dataset;
    options.price_per_gpu_hour = response.request->price_per_gpu_hour;
    options.time = response.request->time;
    for (auto& [key, value] : run_key_values(options)) values[key] = std::move(value);
  }
  return values;
}

std::string plan_response_json(const PlanResponse& response) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  const PlanResult* result = response.result ? &*response.result : nullptr;
  writer.StartObject();
  writer.Key("ok");
  writer.Bool(response.ok);
  writer.Key("errors");
  write_field_errors(writer, response.errors);
  writer.Key("ignored");
  writer.StartArray();
  for (const std::string& name : response.ignored) writer.String(name.c_str());
  writer.EndArray();
  writer.Key("optimizer_steps");
  write_number(writer, result != nullptr ? result->optimizer_steps : 0);
  writer.Key("pareto");
  write_candidates(writer, response, result != nullptr ? &result->pareto : nullptr);
  writer.Key("by_time");
  write_candidates(writer, response, result != nullptr ? &result->by_time : nullptr);
  writer.Key("by_cost");
  write_candidates(writer, response, result != nullptr ? &result->by_cost : nullptr);
  writer.Key("stats");
  write_stats(writer, result != nullptr ? result->stats : PlanStats{});
  writer.Key("evaluated");
  writer.Int64(result != nullptr ? result->stats.time_evaluations + result->stats.memory_evaluations : 0);
  writer.Key("elapsed_ms");
  write_number(writer, response.elapsed_ms);
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace gpuplan
