#include "estimate.h"

#include <cstdio>

#include "fields.h"
#include "gpus.h"
#include "json_io.h"
#include "model_fields.h"
#include "model_json.h"
#include "precision.h"

namespace gpuplan {

namespace {

std::string text_of(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
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
                                          " tensor cores; choose fp16 or fp32, or give gpu_tflops"));
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

// What the guide's memory formula omits, sized from the detailed estimate.
std::vector<GuideGap> guide_gaps(const DetailedResult& detailed) {
  std::vector<GuideGap> gaps;
  const Term& peak = detailed.memory.peak;
  for (const char* key : {"logits_and_loss", "temporary", "framework_buffers", "allocator_overhead", "cuda_context"}) {
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
  writer.Key("peak_phase");
  writer.String(peak_phase_name(memory.peak_phase));
  writer.Key("peak_allocated_bytes");
  write_number(writer, memory.peak_allocated_bytes);
  writer.Key("peak_reserved_bytes");
  write_number(writer, memory.peak_reserved_bytes);
  writer.Key("cuda_context_bytes");
  write_number(writer, memory.cuda_context_bytes);
  writer.Key("nvidia_smi_bytes");
  write_number(writer, memory.nvidia_smi_bytes);
  writer.Key("gpu_usable_bytes");
  write_number(writer, memory.gpu_usable_bytes);
  writer.Key("fits");
  writer.Bool(memory.fits);
  writer.Key("headroom_bytes");
  write_number(writer, memory.headroom_bytes);
  writer.Key("host_memory_bytes");
  write_number(writer, memory.host_memory_bytes);
  writer.Key("trainable_params");
  write_number(writer, memory.trainable_params);
  writer.Key("frozen_params");
  write_number(writer, memory.frozen_params);
  writer.Key("activations_per_layer");
  write_term(writer, detailed.activations_per_layer);
  writer.Key("max_micro_batch");
  writer.Int64(detailed.max_micro_batch);
  writer.Key("max_seq_len");
  writer.Int64(detailed.max_seq_len);
  writer.EndObject();
}

void write_constants(JsonWriter& writer) {
  writer.StartArray();
  for (const FrameworkConstant& constant : framework_constants()) {
    writer.StartObject();
    writer.Key("key");
    writer.String(constant.key.c_str());
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
  writer.EndArray();
}

}  // namespace

EstimateResponse run_estimate(const KeyValues& query) {
  EstimateResponse response;
  std::set<std::string> model_keys;
  ModelSpec model = read_model(query, response.errors, model_keys);
  FieldReader reader(query, response.errors);
  TrainingSetup setup = read_setup(reader, response.errors);
  bool inputs_valid = !has_blocking_error(response.errors);

  std::optional<GuideInput> guide = guide_input(reader, model, setup, response.errors, response.input);
  reader.report_unconsumed(model_keys);
  if (has_blocking_error(response.errors)) inputs_valid = false;

  if (inputs_valid) {
    KeyValues model_values = model_key_values(model);
    if (!model.id.empty() && model.id != "custom" && query.count("model") > 0) {
      response.input["model"] = model.id;
    }
    for (const auto& [key, value] : setup_key_values(setup)) response.input[key] = value;
    response.model = model;
    response.setup = setup;
    if (guide) response.guide = estimate_guide(*guide);
    if (setup.precision == Precision::fp16 || setup.precision == Precision::bf16 ||
        setup.precision == Precision::int8) {
      // The guide's precisions map to the detailed method's pure 16-bit modes; int8
      // training is not modelled.
      if (setup.precision == Precision::int8) {
        response.detailed_unavailable = "int8 training is not modelled by the detailed method";
      } else {
        setup.precision = setup.precision == Precision::fp16 ? Precision::pure_fp16 : Precision::pure_bf16;
      }
    }
    if (response.detailed_unavailable.empty()) {
      response.detailed = run_detailed(model, setup);
      response.guide_gaps = guide_gaps(*response.detailed);
    }
  }
  response.ok = inputs_valid && response.guide.has_value();
  return response;
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
