#include "estimate.h"

#include <cstdio>

#include "fields.h"
#include "gpus.h"
#include "json_io.h"
#include "model_fields.h"
#include "native_text.h"
#include "model_json.h"
#include "precision.h"
#include "timing.h"
#include "number_text.h"

namespace gpuplan {

namespace {

std::string text_of(double value) {
  return format_general(value, 17);
}

bool has_blocking_error(const FieldErrors& errors) {
  for (const FieldError& error : errors) {
    if (error.code != ErrorCode::unknown_field) return true;
  }
  return false;
}

// The guide's inputs: P from `params` or the model, H from the model, the rest from the setup.
std::optional<GuideInput> guide_input(FieldReader& reader, const ModelSpec& model, const TrainingSetup& setup,
                                      FieldErrors& errors, KeyValues& accepted) {
  GuideInput input;
  size_t errors_before = errors.size();
  std::optional<double> params = reader.number("params");
  if (reader.has("params") && !params) return std::nullopt;
  input.params = params ? *params : static_cast<double>(count_params(model).total);
  if (params) accepted["params"] = text_of(*params);
  input.hidden = model.hidden;
  input.micro_batch = setup.micro_batch;
  input.seq_len = setup.seq_len;
  input.grad_accum = setup.grad_accum;
  input.precision = setup.precision;
  input.gpu_memory_bytes = setup.gpu.visible_memory_bytes;

  std::optional<double> peak = peak_flops_for(setup.gpu, compute_dtype(setup.precision));
  if (!peak) {
    errors.push_back(make_unsupported("precision", precision_name(setup.precision),
                                      setup.gpu.name + " has no " + compute_dtype_name(compute_dtype(setup.precision)) +
                                          " tensor cores; choose fp16 or fp32, or give gpu_tflops",
                                      "no_tensor_cores",
                                      {setup.gpu.name, compute_dtype_name(compute_dtype(setup.precision))}));
    return std::nullopt;
  }
  input.gpu_peak_flops = *peak;
  if (errors.size() != errors_before) return std::nullopt;
  return input;
}

DetailedResult run_detailed(const ModelSpec& model, const TrainingSetup& setup) {
  DetailedResult detailed;
  detailed.memory = estimate_memory(model, setup);
  int64_t largest_layer = 0;
  double largest_bytes = -1;
  for (int64_t layer = 0; layer < model.layers; ++layer) {
    bool moe = is_moe_layer(model, layer);
    Term saved = memory_detail_layer_activations(model, setup, moe);
    if (saved.value > largest_bytes) {
      largest_bytes = saved.value;
      largest_layer = layer;
      detailed.activations_per_layer = saved;
    }
    if (model.experts == 0) break;  // every dense layer is the same
  }
  (void)largest_layer;
  detailed.max_micro_batch = max_micro_batch_that_fits(model, setup);
  detailed.max_seq_len = max_seq_len_that_fits(model, setup);
  return detailed;
}

// Lists the terms the guide's memory formula omits, sized from the detailed estimate.
std::vector<GuideGap> guide_gaps(const DetailedResult& detailed) {
  std::vector<GuideGap> gaps;
  const Term& peak = detailed.memory.peak;
  for (const char* key :
       {"logits_and_loss", "temporary", "framework_buffers", "allocator_overhead", "cuda_context", "nccl_buffers"}) {
    const Term* term = find_term(peak, key);
    if (term != nullptr && term->value > 0) gaps.push_back({key, term->value});
  }
  if (const Term* master = find_term(peak, "weights/master_fp32")) gaps.push_back({"master_weights", master->value});
  if (const Term* copies = find_term(peak, "weights/autocast_copies")) gaps.push_back({"autocast_copies", copies->value});
  return gaps;
}

void write_guide(JsonWriter& writer, const GuideResult& guide) {
  writer.StartObject();
  writer.Key("method");
  writer.String("guide");
  writer.Key("bytes_per_value");
  write_number(writer, guide.bytes_per_value);
  writer.Key("gpu_peak_flops");
  write_number(writer, guide.gpu_peak_flops);
  writer.Key("flops");
  write_term(writer, guide.flops);
  writer.Key("flops_forward");
  write_number(writer, guide.flops_forward);
  writer.Key("flops_backward");
  write_number(writer, guide.flops_backward);
  writer.Key("flops_forward_backward");
  write_number(writer, guide.flops_forward_backward);
  writer.Key("flops_optimizer");
  write_number(writer, guide.flops_optimizer);
  writer.Key("flops_total");
  write_number(writer, guide.flops_total);
  writer.Key("step_time_s");
  write_number(writer, guide.step_time_s);
  writer.Key("memory");
  write_term(writer, guide.memory);
  writer.Key("memory_total_bytes");
  write_number(writer, guide.memory_total_bytes);
  writer.Key("gpu_memory_bytes");
  write_number(writer, guide.gpu_memory_bytes);
  writer.EndObject();
}

void write_memory(JsonWriter& writer, const DetailedResult& detailed) {
  const MemoryResult& memory = detailed.memory;
  writer.StartObject();
  writer.Key("peak");
  write_term(writer, memory.peak);
  write_member(writer, "peak_phase", std::string(peak_phase_name(memory.peak_phase)));
  write_member(writer, "peak_allocated_bytes", memory.peak_allocated_bytes);
  write_member(writer, "peak_reserved_bytes", memory.peak_reserved_bytes);
  write_member(writer, "cuda_context_bytes", memory.cuda_context_bytes);
  write_member(writer, "nvidia_smi_bytes", memory.nvidia_smi_bytes);
  write_member(writer, "required_bytes", memory.required_bytes);
  write_member(writer, "gpu_usable_bytes", memory.gpu_usable_bytes);
  write_member(writer, "fits", memory.fits);
  write_member(writer, "headroom_bytes", memory.headroom_bytes);
  write_member(writer, "host_memory_bytes", memory.host_memory_bytes);
  write_member(writer, "trainable_params", memory.trainable_params);
  write_member(writer, "frozen_params", memory.frozen_params);

  writer.Key("activations_per_layer");
  write_term(writer, detailed.activations_per_layer);
  write_member(writer, "max_micro_batch", detailed.max_micro_batch);
  write_member(writer, "max_seq_len", detailed.max_seq_len);
  writer.EndObject();
}

bool shards_state(Sharding sharding) { return sharding != Sharding::ddp && sharding != Sharding::fsdp_no_shard; }

void write_warnings(JsonWriter& writer, const std::vector<Warning>& warnings) {
  writer.StartArray();
  for (const Warning& warning : warnings) {
    writer.StartObject();
    writer.Key("code");
    writer.String(warning.code.c_str());
    writer.Key("field");
    writer.String(warning.field.c_str());
    writer.Key("value");
    writer.String(warning.value.c_str());
    writer.Key("message");
    writer.String(warning.message.c_str());
    writer.EndObject();
  }
  writer.EndArray();
}

// Sentences from the messages of errors, for the *_unavailable fields.
std::string joined_messages(const FieldErrors& errors) {
  std::string text;
  for (const FieldError& error : errors) {
    if (!text.empty()) text += "; ";
    text += error.message;
  }
  return text.empty() ? std::string("no reason given") : text;
}

// The time model and, when a dataset is given, the run totals, on the setup
// the detailed memory method used.
void run_time_and_cost(const ModelSpec& model, const TrainingSetup& setup, const RunOptions& options,
                       EstimateResponse& response) {
  TimeResult time = estimate_time(model, setup, options.time);
  if (!time.ok) {
    response.time_unavailable = joined_messages(time.errors);
    response.run_unavailable = "the run totals need the step time: " + response.time_unavailable;
    return;
  }
  const DatasetSpec& dataset = options.dataset;
  if (!dataset.dataset_tokens && !dataset.samples) {
    response.run_unavailable = "give dataset_tokens, or samples with tokens_per_sample, for steps, time and cost";
  } else {
    RunTotals run = estimate_run(setup, time.step_time_s, dataset, options.price_per_gpu_hour);
    if (run.ok) {
      response.run = std::move(run);
    } else {
      response.run_unavailable = joined_messages(run.errors);
    }
  }
  if (time.bound == Bound::cpu_dispatch) {
    response.warnings.push_back(
        {"cpu_dispatch_bound", "micro_batch", std::to_string(setup.micro_batch),
         NATIVE_TEXT("the step waits on eager PyTorch's CPU dispatch of its operators, whose cost per operator "
         "(cpu_dispatch_s_per_op) is an estimate no measurement has calibrated yet. A larger micro_batch makes "
         "the wait a smaller share of the step; torch.compile or CUDA graphs shorten it.")});
  }
  response.time = std::move(time);
}

void write_time(JsonWriter& writer, const TimeResult& time, const RunOptions& options) {
  const FlopsResult& flops = time.flops;
  writer.StartObject();
  writer.Key("flops");
  write_term(writer, flops.step);
  writer.Key("model_flops");
  write_number(writer, flops.model_flops);
  writer.Key("hardware_flops");
  write_number(writer, flops.hardware_flops);
  writer.Key("optimizer_flops");
  write_number(writer, flops.optimizer_flops);
  writer.Key("total_flops");
  write_number(writer, flops.total_flops);
  writer.Key("model_flops_per_token");
  write_number(writer, flops.model_flops_per_token);
  writer.Key("tokens_per_step");
  write_number(writer, time.tokens_per_step);
  writer.Key("trainable_params");
  write_number(writer, flops.trainable_params);

  writer.Key("step");
  write_term(writer, time.step);
  writer.Key("step_time_s");
  write_number(writer, time.step_time_s);
  writer.Key("compute_s");
  write_number(writer, time.compute_s);
  writer.Key("memory_bound_s");
  write_number(writer, time.memory_bound_s);
  writer.Key("communication_s");
  write_number(writer, time.communication_s);
  writer.Key("communication_exposed_s");
  write_number(writer, time.communication_exposed_s);
  writer.Key("offload_s");
  write_number(writer, time.offload_s);
  writer.Key("pipeline_bubble_s");
  write_number(writer, time.pipeline_bubble_s);
  writer.Key("micro_batch_time_s");
  write_number(writer, time.micro_batch_time_s);
  writer.Key("cpu_dispatch_wait_s");
  write_number(writer, time.cpu_dispatch_wait_s);
  writer.Key("bound");
  writer.String(bound_name(time.bound));

  writer.Key("mfu");
  write_number(writer, time.mfu);
  writer.Key("hfu");
  write_number(writer, time.hfu);
  writer.Key("tokens_per_s");
  write_number(writer, time.tokens_per_s);
  writer.Key("tokens_per_s_per_gpu");
  write_number(writer, time.tokens_per_s_per_gpu);

  writer.Key("efficiency");
  writer.StartObject();
  writer.Key("peak_flops_per_gpu");
  write_number(writer, time.peak_flops_per_gpu);
  writer.Key("gemm_efficiency");
  write_number(writer, time.gemm_efficiency);
  writer.Key("mfu_from_user");
  writer.Bool(time.mfu_from_user);
  writer.Key("comm_overlap");
  write_number(writer, options.time.comm_overlap);
  writer.Key("network");
  writer.String(options.time.network.c_str());
  writer.Key("pipeline_microbatches");
  writer.Int64(options.time.pipeline_microbatches);
  writer.EndObject();
  writer.EndObject();
}

void write_run(JsonWriter& writer, const RunTotals& run, const RunOptions& options, const GpuSpec& gpu) {
  writer.StartObject();
  writer.Key("epochs");
  write_number(writer, options.dataset.epochs);
  writer.Key("sequences_per_epoch");
  write_number(writer, run.sequences_per_epoch);
  writer.Key("global_batch_sequences");
  write_number(writer, run.global_batch_sequences);
  writer.Key("optimizer_steps");
  write_number(writer, run.optimizer_steps);
  writer.Key("processed_tokens");
  write_number(writer, run.processed_tokens);
  writer.Key("useful_tokens");
  write_number(writer, run.useful_tokens);
  writer.Key("padding_fraction");
  write_number(writer, run.padding_fraction);

  writer.Key("wall_time_s");
  write_number(writer, run.wall_time_s);
  writer.Key("gpu_hours");
  write_number(writer, run.gpu_hours);
  writer.Key("price_per_gpu_hour");
  if (run.price_per_gpu_hour) {
    write_number(writer, *run.price_per_gpu_hour);
  } else {
    writer.Null();
  }

  // "input" when price_per_gpu_hour was given, "gpu_table" for the table's
  // default price (price_note names where it was read), "none" without a price.
  const char* price_source = "none";
  const char* price_note = "";
  if (options.price_per_gpu_hour) {
    price_source = "input";
  } else if (run.price_per_gpu_hour) {
    price_source = "gpu_table";
    price_note = gpu.price_source.c_str();
  }
  writer.Key("price_source");
  writer.String(price_source);
  writer.Key("price_note");
  writer.String(price_note);
  writer.Key("cost_usd");
  if (run.cost_usd) {
    write_number(writer, *run.cost_usd);
  } else {
    writer.Null();
  }
  writer.EndObject();
}

void write_constant_rows(JsonWriter& writer, const std::vector<FrameworkConstant>& constants, const char* group) {
  for (const FrameworkConstant& constant : constants) {
    writer.StartObject();
    writer.Key("key");
    writer.String(constant.key.c_str());
    writer.Key("group");
    writer.String(group);
    writer.Key("value");
    write_number(writer, constant.value);
    writer.Key("unit");
    writer.String(constant.unit.c_str());
    writer.Key("description");
    writer.String(constant.description.c_str());
    writer.Key("source");
    writer.String(constant.source.c_str());
    writer.EndObject();
  }
}

// Writes the memory model's and the time model's constants as one array. Each
// entry's "group" ("memory" or "time") names the model that uses it.
void write_constants(JsonWriter& writer) {
  writer.StartArray();
  write_constant_rows(writer, framework_constants(), "memory");
  write_constant_rows(writer, timing_constants(), "time");
  writer.EndArray();
}

}  // namespace

EstimateResponse run_estimate(const KeyValues& query) {
  EstimateResponse response;
  std::set<std::string> model_keys;
  ModelSpec model = read_model(query, response.errors, model_keys);
  FieldReader reader(query, response.errors);
  TrainingSetup setup = read_setup(reader, response.errors);
  response.run_options = read_run_options(reader, response.errors);
  bool inputs_valid = !has_blocking_error(response.errors);

  std::optional<GuideInput> guide = guide_input(reader, model, setup, response.errors, response.input);
  reader.report_unconsumed(model_keys);
  if (has_blocking_error(response.errors)) inputs_valid = false;

  if (inputs_valid) {
    if (!model.id.empty() && model.id != "custom" && query.count("model") > 0) {
      response.input["model"] = model.id;
    }
    for (const auto& [key, value] : setup_key_values(setup)) response.input[key] = value;
    for (const auto& [key, value] : run_key_values(*response.run_options)) response.input[key] = value;
    response.model = model;
    response.setup = setup;
    response.warnings = setup_warnings(model, setup);
    if (guide) response.guide = estimate_guide(*guide);
    if (std::optional<Precision> precision = detailed_precision(setup.precision)) {
      setup.precision = *precision;
      response.detailed = run_detailed(model, setup);
      response.guide_gaps = guide_gaps(*response.detailed);
      run_time_and_cost(model, setup, *response.run_options, response);
    } else {
      response.detailed_unavailable = "int8 training is not modelled by the detailed method";
      response.time_unavailable = response.detailed_unavailable;
      response.run_unavailable = response.detailed_unavailable;
    }
  }
  response.ok = inputs_valid && response.guide.has_value();
  return response;
}

std::vector<Warning> setup_warnings(const ModelSpec& model, const TrainingSetup& setup) {
  std::vector<Warning> warnings;

  // A config.json without a context length leaves max_positions at 0, which skips this check.
  if (model.max_positions > 0 && setup.seq_len > model.max_positions) {
    std::string seq_len = std::to_string(setup.seq_len);
    std::string max_positions = std::to_string(model.max_positions);
    warnings.push_back({"seq_len_over_max_positions", "seq_len", seq_len,
                        NATIVE_TEXT("seq_len " + seq_len + " is longer than the model's max_positions " + max_positions +
                            ". The estimate still runs, assuming the context is extended (for example by RoPE "
                            "scaling).")});
  }

  // ZeRO-Offload runs DeepSpeed's ZeRO-2 on one GPU to move the optimizer to the CPU,
  // so a sharding without other replicas is meant there.
  if (shards_state(setup.sharding) && data_parallel_size(setup) == 1 && setup.offload == Offload::none) {
    const char* sharding = sharding_name(setup.sharding);
    warnings.push_back({"sharding_without_data_parallel", "sharding", sharding,
                        NATIVE_TEXT(std::string("sharding ") + sharding +
                            " shards nothing because the data-parallel size, num_gpus / (tensor_parallel x "
                            "pipeline_parallel) = " +
                            std::to_string(setup.num_gpus) + " / (" + std::to_string(setup.tensor_parallel) + " x " +
                            std::to_string(setup.pipeline_parallel) +
                            "), is 1, so there is no other replica to split the state with. Add GPUs or choose ddp.")});
  }

  // The Transformers Trainer and Lightning accumulate under FSDP's no_sync(), so the
  // estimate keeps full unsharded gradients; torchtune and Composer reduce every micro-batch.
  if (accumulates_unsharded_gradients(setup) && data_parallel_size(setup) > 1) {
    warnings.push_back({"fsdp_no_sync_gradients", "sync_each_micro_batch", "false",
                        NATIVE_TEXT("with grad_accum " + std::to_string(setup.grad_accum) +
                            " each GPU keeps the full unsharded gradients until the last micro-batch, as FSDP's "
                            "no_sync() does in the Transformers Trainer and Lightning. If your training loop "
                            "reduce-scatters every micro-batch (torchtune, Composer, accelerate's "
                            "sync_each_batch=True), set sync_each_micro_batch=true.")});
  }

  if (setup.fused_cross_entropy && setup.chunked_cross_entropy) {
    warnings.push_back({"chunked_with_fused_loss", "chunked_cross_entropy", "true",
                        NATIVE_TEXT("chunked_cross_entropy has no effect while fused_cross_entropy is on, because the fused "
                        "loss never holds the logits. The estimate uses the fused loss.")});
  }

  // LoRA keeps the frozen base at the weights' width: fp32 under fp32 and AMP
  // (memory_states.cpp). DeepSpeed runs AMP as a 16-bit model, so ZeRO is left out.
  const bool fp32_weights = setup.precision == Precision::fp32 || setup.precision == Precision::amp_bf16 ||
                            setup.precision == Precision::amp_fp16;
  const bool deepspeed = setup.sharding == Sharding::zero1 || setup.sharding == Sharding::zero2 ||
                         setup.sharding == Sharding::zero3;
  if (setup.method == Method::lora && fp32_weights && !deepspeed) {
    const char* precision = precision_name(setup.precision);
    warnings.push_back({"lora_fp32_base", "precision", precision,
                        NATIVE_TEXT(std::string("with precision ") + precision +
                            " the frozen base weights of LoRA stay in fp32, 4 bytes per parameter as full "
                            "fine-tuning keeps. Most PEFT runs load the base in bf16 (precision pure_bf16), which "
                            "halves them.")});
  }

  if (setup.offload != Offload::none && !shards_state(setup.sharding)) {
    const char* offload = offload_name(setup.offload);
    warnings.push_back({"offload_without_sharding", "offload", offload,
                        NATIVE_TEXT(std::string("offload ") + offload + " with sharding " + sharding_name(setup.sharding) +
                            " is probably not what you meant, because DeepSpeed offloads only under ZeRO (zero1, "
                            "zero2, zero3) and FSDP offload is built for its sharded strategies (fsdp_shard_grad_op, "
                            "fsdp_full_shard). The estimate still counts the offloaded state in host memory.")});
  }
  return warnings;
}

std::optional<Precision> detailed_precision(Precision precision) {
  switch (precision) {
    case Precision::fp16: return Precision::pure_fp16;
    case Precision::bf16: return Precision::pure_bf16;
    case Precision::int8: return std::nullopt;
    default: return precision;
  }
}

KeyValues run_key_values(const RunOptions& options) {
  KeyValues values;
  const DatasetSpec& dataset = options.dataset;
  if (dataset.dataset_tokens) values["dataset_tokens"] = text_of(*dataset.dataset_tokens);
  if (dataset.samples) values["samples"] = text_of(*dataset.samples);
  if (dataset.tokens_per_sample) values["tokens_per_sample"] = text_of(*dataset.tokens_per_sample);
  values["packing"] = dataset.packing ? "true" : "false";
  values["epochs"] = text_of(dataset.epochs);
  if (options.price_per_gpu_hour) values["price_per_gpu_hour"] = text_of(*options.price_per_gpu_hour);
  values["network"] = options.time.network;
  values["comm_overlap"] = text_of(options.time.comm_overlap);
  if (options.time.mfu) values["mfu"] = text_of(*options.time.mfu);
  values["pipeline_microbatches"] = std::to_string(options.time.pipeline_microbatches);
  return values;
}

std::string estimate_response_json(const EstimateResponse& response) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("ok");
  writer.Bool(response.ok);
  writer.Key("errors");
  write_field_errors(writer, response.errors);
  writer.Key("input");
  write_key_values(writer, response.input);
  writer.Key("model");
  if (response.model) {
    ParamCounts counts = count_params(*response.model);
    writer.StartObject();
    writer.Key("spec");
    write_model_spec(writer, *response.model);
    writer.Key("counts");
    write_param_counts(writer, counts);
    writer.EndObject();
  } else {
    writer.Null();
  }
  writer.Key("guide");
  if (response.guide) {
    write_guide(writer, *response.guide);
  } else {
    writer.Null();
  }
  writer.Key("detailed");
  if (response.detailed) {
    write_memory(writer, *response.detailed);
  } else {
    writer.Null();
  }
  writer.Key("detailed_unavailable");
  writer.String(response.detailed_unavailable.c_str());
  writer.Key("guide_gaps");
  writer.StartArray();
  for (const GuideGap& gap : response.guide_gaps) {
    writer.StartObject();
    writer.Key("key");
    writer.String(gap.key.c_str());
    writer.Key("bytes");
    write_number(writer, gap.bytes);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("warnings");
  write_warnings(writer, response.warnings);
  writer.Key("time");
  if (response.time && response.run_options) {
    write_time(writer, *response.time, *response.run_options);
  } else {
    writer.Null();
  }
  writer.Key("time_unavailable");
  writer.String(response.time_unavailable.c_str());
  writer.Key("run");
  if (response.run && response.run_options && response.setup) {
    write_run(writer, *response.run, *response.run_options, response.setup->gpu);
  } else {
    writer.Null();
  }
  writer.Key("run_unavailable");
  writer.String(response.run_unavailable.c_str());
  writer.Key("constants");
  write_constants(writer);
  writer.EndObject();
  return buffer.GetString();
}

std::string all_fields_json() {
  // The model field "model" (preset id or custom) is listed by model_fields() first.
  return fields_json({&model_fields(), &setup_fields()});
}

}  // namespace gpuplan
