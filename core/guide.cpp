#include "guide.h"

namespace gpuplan {

// Forward pass: every parameter takes part in one multiply and one add per token.
double guide_forward_flops(double params, int64_t micro_batch, int64_t seq_len) {
  return 2.0 * params * static_cast<double>(micro_batch) * static_cast<double>(seq_len);
}

// Backward pass: about twice the forward pass (gradients of activations and of weights).
double guide_backward_flops(double forward_flops) { return 2.0 * forward_flops; }

// Adam's update of the first and second moments, about 2 FLOPs per parameter in the guide.
double guide_optimizer_flops(double params) { return 2.0 * params; }

double guide_step_flops(double forward_flops, double backward_flops, int64_t grad_accum,
                        double optimizer_flops) {
  return (forward_flops + backward_flops) * static_cast<double>(grad_accum) + optimizer_flops;
}

// Assumes the GPU runs at its peak for the whole step, as the guide does.
double guide_step_time_s(double step_flops, double gpu_peak_flops) { return step_flops / gpu_peak_flops; }

double guide_weights_bytes(double params, double bytes_per_value) { return params * bytes_per_value; }

// One hidden-size vector per token: the guide's activation term.
double guide_activations_bytes(int64_t micro_batch, int64_t seq_len, int64_t hidden, double bytes_per_value) {
  return static_cast<double>(micro_batch) * static_cast<double>(seq_len) * static_cast<double>(hidden) *
         bytes_per_value;
}

// Gradients (1×) plus Adam's two moments (2×), all at the training precision.
double guide_gradients_and_optimizer_bytes(double params, double bytes_per_value) {
  return 3.0 * params * bytes_per_value;
}

GuideResult estimate_guide(const GuideInput& input) {
  GuideResult result;
  result.bytes_per_value = guide_bytes_per_value(input.precision);
  result.gpu_peak_flops = input.gpu_peak_flops;
  result.gpu_memory_bytes = input.gpu_memory_bytes;

  result.flops_forward = guide_forward_flops(input.params, input.micro_batch, input.seq_len);
  result.flops_backward = guide_backward_flops(result.flops_forward);
  result.flops_optimizer = guide_optimizer_flops(input.params);
  result.flops_forward_backward = (result.flops_forward + result.flops_backward) * static_cast<double>(input.grad_accum);
  result.flops_total =
      guide_step_flops(result.flops_forward, result.flops_backward, input.grad_accum, result.flops_optimizer);
  result.step_time_s = guide_step_time_s(result.flops_total, input.gpu_peak_flops);

  double accum = static_cast<double>(input.grad_accum);
  result.flops = sum_of("flops_per_step",
                        {sum_of("forward_backward", {leaf("forward", result.flops_forward * accum),
                                                     leaf("backward", result.flops_backward * accum)}),
                         leaf("optimizer", result.flops_optimizer)});

  result.memory = sum_of(
      "memory_bytes",
      {leaf("weights", guide_weights_bytes(input.params, result.bytes_per_value)),
       leaf("activations",
            guide_activations_bytes(input.micro_batch, input.seq_len, input.hidden, result.bytes_per_value)),
       leaf("gradients_and_optimizer", guide_gradients_and_optimizer_bytes(input.params, result.bytes_per_value))});
  result.memory_total_bytes = result.memory.value;
  return result;
}

}  // namespace gpuplan
