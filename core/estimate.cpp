#include "estimate.h"

#include <cstdio>

#include "fields.h"
#include "gpus.h"
#include "json_io.h"
#include "precision.h"

namespace gpuplan {

namespace {

std::string text_of(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// Reads the guide's inputs. Returns nothing when a field is invalid.
std::optional<GuideInput> read_guide_input(FieldReader& reader, KeyValues& accepted, FieldErrors& errors) {
  GuideInput input;
  // TODO(model): take params and hidden from the chosen model when they are absent.
  std::optional<double> params = reader.has("params") ? reader.number("params") : std::optional<double>(1.3e9);
  std::optional<int64_t> hidden = reader.has("hidden") ? reader.integer("hidden") : std::optional<int64_t>(2048);
  std::optional<int64_t> micro_batch = reader.integer("micro_batch");
  std::optional<int64_t> seq_len = reader.integer("seq_len");
  std::optional<int64_t> grad_accum = reader.integer("grad_accum");
  std::optional<std::string> precision_text = reader.choice("precision");
  std::optional<std::string> gpu_id = reader.choice("gpu");
  std::optional<double> gpu_tflops = reader.number("gpu_tflops");
  bool custom_peak_given = reader.has("gpu_tflops");

  if (!params || !hidden || !micro_batch || !seq_len || !grad_accum || !precision_text || !gpu_id ||
      (custom_peak_given && !gpu_tflops)) {
    return std::nullopt;
  }

  input.params = *params;
  input.hidden = *hidden;
  input.micro_batch = *micro_batch;
  input.seq_len = *seq_len;
  input.grad_accum = *grad_accum;
  input.precision = *parse_precision(*precision_text);

  const GpuSpec* gpu = find_gpu(*gpu_id);
  input.gpu_memory_bytes = gpu->visible_memory_bytes;
  if (gpu_tflops) {
    input.gpu_peak_flops = *gpu_tflops * 1e12;
  } else {
    std::optional<double> peak = peak_flops_for(*gpu, compute_dtype(input.precision));
    if (!peak) {
      errors.push_back(make_unsupported(
          "precision", *precision_text,
          gpu->name + " has no " + compute_dtype_name(compute_dtype(input.precision)) +
              " tensor cores; choose another precision or give gpu_tflops"));
      return std::nullopt;
    }
    input.gpu_peak_flops = *peak;
  }

  accepted["params"] = text_of(input.params);
  accepted["hidden"] = std::to_string(input.hidden);
  accepted["micro_batch"] = std::to_string(input.micro_batch);
  accepted["seq_len"] = std::to_string(input.seq_len);
  accepted["grad_accum"] = std::to_string(input.grad_accum);
  accepted["precision"] = *precision_text;
  accepted["gpu"] = *gpu_id;
  if (gpu_tflops) accepted["gpu_tflops"] = text_of(*gpu_tflops);
  return input;
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

}  // namespace

EstimateResponse run_estimate(const KeyValues& query) {
  EstimateResponse response;
  FieldReader reader(query, response.errors);
  std::optional<GuideInput> guide_input = read_guide_input(reader, response.input, response.errors);
  reader.report_unconsumed({});

  if (guide_input) response.guide = estimate_guide(*guide_input);
  // Unknown keys are reported but do not block the estimate.
  bool blocking_error = false;
  for (const FieldError& error : response.errors) {
    if (error.code != ErrorCode::unknown_field) blocking_error = true;
  }
  response.ok = !blocking_error && response.guide.has_value();
  if (!response.ok) response.guide.reset();
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
  writer.Key("guide");
  if (response.guide) {
    write_guide(writer, *response.guide);
  } else {
    writer.Null();
  }
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace gpuplan
