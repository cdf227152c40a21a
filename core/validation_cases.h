// Measured fine-tuning runs (tests/validation/cases.json) turned into a
// ModelSpec and a TrainingSetup each, so that the estimates can be compared
// with what was measured. The JSON schema is described in
// tests/validation/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "model.h"
#include "setup.h"

namespace gpuplan {

// Measurement method of a memory figure, ordered from smallest to largest reading for the same run.
enum class MemoryKind {
  torch_peak_allocated,  // torch.cuda.max_memory_allocated()
  torch_peak_reserved,   // torch.cuda.max_memory_reserved()
  nvidia_smi,            // NVML / nvidia-smi "used", CUDA context included
  unknown,               // the source does not say
};

const char* memory_kind_name(MemoryKind kind);

// The quantities one case measured. A member is empty when the case does not report it.
struct MeasuredQuantities {
  std::optional<double> peak_memory_per_gpu_bytes;
  MemoryKind memory_kind = MemoryKind::unknown;  // of peak_memory_per_gpu_bytes
  std::optional<bool> fits;                      // true: the configuration trained
  std::optional<bool> oom;                       // true: it ran out of memory
  std::optional<int64_t> max_batch_that_fits;    // largest micro-batch per GPU that trained
  std::optional<int64_t> max_seq_that_fits;      // maximum sequence length that trained

  std::optional<double> step_time_s;  // per optimizer step, or per micro-batch when the flag below is set
  // True when the notes contain "per micro-batch iteration": step_time_s then
  // times one micro-batch, not all grad_accum of them.
  bool step_time_per_micro_batch = false;
  std::optional<double> tokens_per_s_per_gpu;
  std::optional<double> tokens_per_s_total;
  std::optional<double> samples_per_s;  // over all GPUs
  std::optional<double> mfu;            // fraction, with the source's own FLOP formula
  std::optional<double> gpu_hours;      // whole run; notes state the workload
  std::optional<double> wall_clock_hours;
  std::optional<double> total_flops;
};

// One measured run with the ModelSpec and TrainingSetup it maps to.
struct ValidationCase {
  std::string id;  // "V001"
  std::string origin;
  std::string source;   // where the numbers were published
  std::string quality;  // high, medium or low
  std::string model_name;
  std::string arch;  // the case's model.arch
  std::string framework;
  std::string gpu_name;  // hardware.gpu as the source names it

  ModelSpec model;
  TrainingSetup setup;
  MeasuredQuantities measured;
  std::vector<std::string> assumed;  // the case's own list of values its source does not state
  std::string notes;

  int64_t stated_params = 0;     // model.params of the case, 0 when null
  int64_t base_weight_bits = 0;  // training.base_weight_bits, 0 when null
  int64_t counted_params = 0;  // count_params(model).total, 0 when no model was built

  // Settings the case leaves null that the loader filled in, each with the value chosen.
  std::vector<std::string> loader_defaults;
  // Mappings that are close but not exact: a stand-in GPU row, GPTQ read as
  // NF4, a parameter count more than 3% away from the case's.
  std::vector<std::string> approximations;

  bool gpu_in_table = false;      // hardware.gpu is a row of gpu_table(), so its compute figures apply
  bool precision_stated = true;   // training.precision is given, so the compute dtype's peak is known
  // training.samples_shorter_than_seq_len: most samples run shorter than seq_len
  // (a cap, or padding to each batch's longest), and the mean is not given.
  bool samples_shorter_than_seq_len = false;
  bool gpu_memory_known = false;  // the GPU's memory is known (table row or gpu_memory_gb)

  // Reason no ModelSpec or TrainingSetup could be built; empty when both were.
  std::string unmatched_reason;

  bool matched() const { return unmatched_reason.empty(); }
};

// Relative gap (counted - stated) / stated above which a parameter count is
// listed in approximations.
inline constexpr double kParamMismatchFraction = 0.03;

// Parses the cases file. Every element of the array yields a ValidationCase,
// in file order. A case that cannot be mapped has unmatched_reason set;
// values of the wrong JSON type also add a FieldError named
// "<id>.<section>.<field>". Text that is not a JSON array adds an
// invalid_json error and returns no cases.
std::vector<ValidationCase> load_validation_cases(const std::string& json_text, FieldErrors& errors);

// LoRA target bits for module names as a framework spells them (q_proj,
// c_attn, query_key_value, W_pack, w1, all-linear, ...). Embedding and head
// names set train_embeddings instead of a bit. Returns nullopt and sets
// unknown_name when a name is not recognised.
std::optional<unsigned> map_lora_targets(const std::vector<std::string>& names, bool& train_embeddings,
                                         std::string& unknown_name);

// A GPU table row for a device name as sources print it ("A100-SXM4-80GB",
// "Tesla V100-SXM2 16GB", "RTX 4090"). memory_gb is the case's label and
// picks between memory variants; pass 0 when unknown.
struct GpuMatch {
  std::string gpu_id;         // empty when nothing matches
  bool exact = false;         // false: a stand-in row of the same generation, fit for memory only
  bool memory_known = true;   // false: the name leaves the memory size open (a bare "A100")
  std::string note;           // why a stand-in or a default size was chosen
};

GpuMatch match_gpu_name(const std::string& name, double memory_gb);

}  // namespace gpuplan
