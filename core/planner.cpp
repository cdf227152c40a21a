#include "planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "flops.h"
#include "gpus.h"
#include "memory.h"

namespace gpuplan {
namespace {

constexpr int64_t kMaxPlannerGpus = 1024;
constexpr int64_t kTensorParallelSizes[] = {1, 2, 4, 8};
constexpr int64_t kPipelineParallelSizes[] = {1, 2, 4, 8, 16, 32, 64};

// One point of the search without its micro-batch: the planner finds the best
// micro-batch for each group.
struct Group {
  TrainingSetup setup;             // micro_batch and grad_accum unset
  std::vector<int64_t> micro_batches;  // divisors of the per-replica batch, ascending
  double time_lower_bound = 0;
};

std::vector<int64_t> divisors(int64_t value) {
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= value; ++d) {
    if (value % d == 0) result.push_back(d);
  }
  return result;
}

bool shards_optimizer(Sharding sharding) { return sharding != Sharding::ddp && sharding != Sharding::fsdp_no_shard; }

bool shards_gradients(Sharding sharding) {
  return sharding == Sharding::zero2 || sharding == Sharding::zero3 || sharding == Sharding::fsdp_shard_grad_op ||
         sharding == Sharding::fsdp_full_shard;
}

bool shards_parameters(Sharding sharding) {
  return sharding == Sharding::zero3 || sharding == Sharding::fsdp_full_shard;
}

// Offload modes DeepSpeed accepts with each stage: optimizer offload from
// ZeRO-2 (ZeRO-Offload), parameter offload only with ZeRO-3 (ZeRO-Infinity).
std::vector<Offload> offloads_for(Sharding sharding, bool allow) {
  std::vector<Offload> result{Offload::none};
  if (!allow) return result;
  if (sharding == Sharding::zero2 || sharding == Sharding::zero3) result.push_back(Offload::optimizer);
  if (sharding == Sharding::zero3) result.push_back(Offload::optimizer_and_params);
  return result;
}

// Smallest optimizer state per trainable parameter any supported precision
// keeps: two 16-bit moments for AdamW, 1-byte moments for the 8-bit variants.
double min_optimizer_state_bytes(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::adamw:
    case Optimizer::paged_adamw_32bit: return 4;
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit: return 2;
    case Optimizer::sgd_momentum:
    case Optimizer::lion:
    case Optimizer::adafactor_momentum: return 2;
    case Optimizer::sgd:
    case Optimizer::adafactor: return 0;
  }
  return 0;
}

// A cheap lower bound of the per-GPU memory: the smallest plausible weights,
// gradients and optimizer states, without activations, buffers or context.
// Groups above the GPU's memory skip every estimate_memory call.
double model_state_lower_bound(const TrainingSetup& setup, double total_params, double trainable_params) {
  const double model_parallel = static_cast<double>(setup.tensor_parallel * setup.pipeline_parallel);
  const double dp = static_cast<double>(replica_count(setup));
  const double frozen = std::max(total_params - trainable_params, 0.0);
  const double frozen_bytes = setup.method == Method::qlora ? 0.5 : 2.0;

  double weights = (trainable_params * 2 + frozen * frozen_bytes) / model_parallel;
  if (setup.offload == Offload::optimizer_and_params) weights = 0;
  else if (shards_parameters(setup.sharding)) weights /= dp;

  double gradients = trainable_params * 2 / model_parallel;
  double optimizer = trainable_params * min_optimizer_state_bytes(setup.optimizer) / model_parallel;
  if (setup.offload != Offload::none) {
    gradients = 0;
    optimizer = 0;
  }
  if (shards_gradients(setup.sharding)) gradients /= dp;
  if (shards_optimizer(setup.sharding)) optimizer /= dp;
  // 10% slack keeps the bound below the detailed estimate's own rounding.
  return 0.9 * (weights + gradients + optimizer);
}

bool tensor_parallel_fits_model(const ModelSpec& model, int64_t tp) {
  if (model.heads % tp != 0) return false;
  if (model.attention_type == AttentionKind::mha && model.kv_heads % tp != 0) return false;
  return true;
}

struct Search {
  const ModelSpec& model;
  const PlanRequest& request;
  TimeOptions time;  // request.time with the parameter counts filled in
  double total_params = 0;
  double trainable_params = 0;
  double optimizer_steps = 0;
  PlanStats stats;
  const ParamCounts* counts = nullptr;  // count_params(model), computed once per plan
};

double step_time(Search& search, TrainingSetup& setup, int64_t micro_batch, int64_t per_replica,
                 TimeResult* out = nullptr) {
  setup.micro_batch = micro_batch;
  setup.grad_accum = per_replica / micro_batch;
  ++search.stats.time_evaluations;
  TimeResult time = estimate_time(search.model, setup, search.time);
  if (!time.ok) return std::numeric_limits<double>::infinity();
  const double seconds = time.step_time_s;
  if (out != nullptr) *out = std::move(time);
  return seconds;
}

bool fits(Search& search, TrainingSetup& setup, int64_t micro_batch, int64_t per_replica) {
  setup.micro_batch = micro_batch;
  setup.grad_accum = per_replica / micro_batch;
  ++search.stats.memory_evaluations;
  return estimate_memory(search.model, setup, *search.counts).fits;
}

// The time lower bound of a group, from its step time at the largest
// micro-batch. Without the pipeline bubble the step time never grows with the
// micro-batch at a fixed global batch (larger GEMMs, fewer ZeRO gathers), so
// that part holds for every micro-batch of the group. The bubble is
// (p − 1) micro-batch slots (1F1B with one flush per step), each 1 / v of a
// micro-batch under the interleaved schedule, and one micro-batch takes at
// least 1 / micro_batch of the largest micro-batch's time.
double time_lower_bound(Search& search, Group& group) {
  const int64_t per_replica = search.request.global_batch / replica_count(group.setup);
  const int64_t largest = group.micro_batches.back();
  TimeResult time;
  step_time(search, group.setup, largest, per_replica, &time);
  if (!time.ok) return std::numeric_limits<double>::infinity();
  double bubble = 0;
  if (search.time.pipeline_microbatches == 0) {
    bubble = static_cast<double>(group.setup.pipeline_parallel - 1) * time.micro_batch_time_s /
             (static_cast<double>(largest) * static_cast<double>(group.setup.virtual_stages));
  }
  return time.step_time_s - time.pipeline_bubble_s + bubble;
}

// Adds a group to the queue unless its model states alone overflow the GPU.
void push_group(Search& search, std::vector<Group>& queue, Group group) {
  ++search.stats.groups;
  if (model_state_lower_bound(group.setup, search.total_params, search.trainable_params) >
      group.setup.gpu.visible_memory_bytes) {
    ++search.stats.pruned_by_state_bound;
    return;
  }
  group.time_lower_bound = time_lower_bound(search, group);
  queue.push_back(std::move(group));
  std::push_heap(queue.begin(), queue.end(),
                 [](const Group& a, const Group& b) { return a.time_lower_bound > b.time_lower_bound; });
}

Group pop_group(std::vector<Group>& queue) {
  std::pop_heap(queue.begin(), queue.end(),
                [](const Group& a, const Group& b) { return a.time_lower_bound > b.time_lower_bound; });
  Group group = std::move(queue.back());
  queue.pop_back();
  return group;
}

// The root groups of one (GPU, count): every valid tensor- and
// pipeline-parallel size and sharding, without checkpointing or offload.
void push_root_groups(Search& search, std::vector<Group>& queue, const GpuSpec& gpu, int64_t gpus) {
  const PlanRequest& request = search.request;
  for (int64_t tp : kTensorParallelSizes) {
    if (tp > gpus || gpus % tp != 0 || tp > request.base.gpus_per_node) continue;
    if (!tensor_parallel_fits_model(search.model, tp)) continue;
    for (int64_t pp : kPipelineParallelSizes) {
      if ((gpus / tp) % pp != 0 || pp > search.model.layers) continue;
      const int64_t dp = gpus / (tp * pp);
      if (request.global_batch % dp != 0) continue;
      const std::vector<int64_t> micro_batches = divisors(request.global_batch / dp);
      for (Sharding sharding : request.shardings) {
        // DeepSpeed's pipeline engine rejects ZeRO-2 and ZeRO-3 (read_setup gives the reason).
        if (pp > 1 && (sharding == Sharding::zero2 || sharding == Sharding::zero3)) continue;
        // With one replica every ZeRO stage stores what DDP stores; they
        // enter only through their offload successors.
        const bool offload_only = dp == 1 && sharding != Sharding::ddp;
        if (offload_only && offloads_for(sharding, request.allow_offload).size() == 1) continue;
        Group group;
        group.setup = request.base;
        group.setup.gpu_id = gpu.id;
        group.setup.gpu = gpu;
        group.setup.num_gpus = gpus;
        group.setup.tensor_parallel = tp;
        group.setup.pipeline_parallel = pp;
        // The base's interleaving carries over to every pipeline that has a
        // layer for each of its model chunks.
        const int64_t chunks = request.base.virtual_stages;
        group.setup.virtual_stages = pp > 1 && pp * chunks <= search.model.layers ? chunks : 1;
        group.setup.sequence_parallel = tp > 1 && request.base.sequence_parallel;
        group.setup.sharding = sharding;
        group.setup.offload = offload_only ? Offload::optimizer : Offload::none;
        group.setup.grad_checkpointing = Checkpointing::off;
        group.micro_batches = micro_batches;
        push_group(search, queue, std::move(group));
      }
    }
  }
}

// The next slower variants of a group: more recomputation (while nothing is
// offloaded), then more offload. Each (checkpointing, offload) pair has one
// parent, and a variant is never faster than its parent at the same
// micro-batch, so the queue stays best-first.
void push_successors(Search& search, std::vector<Group>& queue, const Group& parent) {
  const TrainingSetup& setup = parent.setup;
  if (setup.offload == Offload::none && setup.grad_checkpointing != Checkpointing::full) {
    Group next = parent;
    next.setup.grad_checkpointing =
        setup.grad_checkpointing == Checkpointing::off ? Checkpointing::selective : Checkpointing::full;
    push_group(search, queue, std::move(next));
  }
  const std::vector<Offload> offloads = offloads_for(setup.sharding, search.request.allow_offload);
  auto position = std::find(offloads.begin(), offloads.end(), setup.offload);
  if (position != offloads.end() && position + 1 != offloads.end()) {
    Group next = parent;
    next.setup.offload = *(position + 1);
    push_group(search, queue, std::move(next));
  }
}

// Index of the largest micro-batch that fits, or -1. Memory grows with the
// micro-batch, so a binary search over the ascending divisors finds it.
int largest_fitting(Search& search, Group& group, int64_t per_replica) {
  const int last = static_cast<int>(group.micro_batches.size()) - 1;
  // Most groups either fit at every micro-batch or at none; two calls settle those.
  if (!fits(search, group.setup, group.micro_batches.front(), per_replica)) return -1;
  if (last == 0 || fits(search, group.setup, group.micro_batches.back(), per_replica)) return last;
  int low = 1;
  int high = last - 1;
  int found = 0;
  while (low <= high) {
    const int middle = (low + high) / 2;
    if (fits(search, group.setup, group.micro_batches[static_cast<size_t>(middle)], per_replica)) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

// The fastest fitting setup of one (GPU, count), searched best-first over
// groups ordered by their time lower bound.
std::optional<PlanCandidate> best_for_count(Search& search, const GpuSpec& gpu, int64_t gpus) {
  std::vector<Group> queue;
  push_root_groups(search, queue, gpu, gpus);
  std::optional<TrainingSetup> best_setup;
  double best_time = std::numeric_limits<double>::infinity();

  while (!queue.empty()) {
    if (queue.front().time_lower_bound >= best_time) {
      search.stats.pruned_by_time_bound += static_cast<int64_t>(queue.size());
      break;
    }
    Group group = pop_group(queue);
    const int64_t per_replica = search.request.global_batch / replica_count(group.setup);
    const int largest = largest_fitting(search, group, per_replica);
    const bool all_fit = largest == static_cast<int>(group.micro_batches.size()) - 1;
    // When every micro-batch fits, recomputation or offload cannot help.
    if (!all_fit) push_successors(search, queue, group);
    if (largest < 0) continue;
    // Without a pipeline the largest fitting micro-batch is the fastest. With
    // one, fewer micro-batches per step mean a larger bubble, so the search
    // narrows [0, largest] by ternary search on the step time.
    // NOTE: this assumes the step time is unimodal in the micro-batch, which
    // holds for the time model's terms (falling GEMM and collective time, a
    // bubble that grows with the micro-batch) but is not proven.
    auto time_at = [&](int index) {
      const double seconds = step_time(search, group.setup, group.micro_batches[static_cast<size_t>(index)], per_replica);
      if (seconds < best_time) {
        best_time = seconds;
        best_setup = group.setup;
      }
      return seconds;
    };
    int low = group.setup.pipeline_parallel > 1 ? 0 : largest;
    int high = largest;
    while (high - low > 2) {
      const int left = low + (high - low) / 3;
      const int right = high - (high - low) / 3;
      if (time_at(left) <= time_at(right)) {
        high = right - 1;
      } else {
        low = left + 1;
      }
    }
    for (int i = low; i <= high; ++i) time_at(i);
  }
  if (!best_setup) return std::nullopt;

  PlanCandidate candidate;
  candidate.setup = *best_setup;
  TimeResult time = estimate_time(search.model, candidate.setup, search.time);
  MemoryResult memory = estimate_memory(search.model, candidate.setup, *search.counts);
  search.stats.time_evaluations += 1;
  search.stats.memory_evaluations += 1;
  candidate.peak_memory_bytes = memory.required_bytes;
  candidate.gpu_usable_bytes = memory.gpu_usable_bytes;
  candidate.step_time_s = time.step_time_s;
  candidate.mfu = time.mfu;
  candidate.tokens_per_s = time.tokens_per_s;
  candidate.bound = time.bound;

  RunTotals totals = estimate_run(candidate.setup, time.step_time_s, search.request.dataset,
                                  search.request.price_per_gpu_hour);
  candidate.total_time_s = totals.wall_time_s;
  candidate.gpu_hours = totals.gpu_hours;
  candidate.cost_usd = totals.cost_usd;
  return candidate;
}

bool within_limits(const PlanRequest& request, const PlanCandidate& candidate) {
  if (request.deadline_hours && candidate.total_time_s > *request.deadline_hours * 3600) return false;
  if (request.budget_usd && candidate.cost_usd && *candidate.cost_usd > *request.budget_usd) return false;
  return true;
}

// Orderings of candidates. They share one function-pointer type so std::sort is
// instantiated once, which keeps the WebAssembly module smaller.
using CandidateOrder = bool (*)(const PlanCandidate&, const PlanCandidate&);

bool faster_then_cheaper(const PlanCandidate& a, const PlanCandidate& b) {
  if (a.total_time_s != b.total_time_s) return a.total_time_s < b.total_time_s;
  return *a.cost_usd < *b.cost_usd;
}

bool faster(const PlanCandidate& a, const PlanCandidate& b) { return a.total_time_s < b.total_time_s; }

bool cheaper(const PlanCandidate& a, const PlanCandidate& b) { return *a.cost_usd < *b.cost_usd; }

void sort_candidates(std::vector<PlanCandidate>& candidates, CandidateOrder order) {
  std::sort(candidates.begin(), candidates.end(), order);
}

// Candidates that no other priced candidate beats on both time and cost,
// fastest first. Equal points keep the first one met.
std::vector<PlanCandidate> pareto_front(std::vector<PlanCandidate> priced) {
  sort_candidates(priced, faster_then_cheaper);
  std::vector<PlanCandidate> front;
  double cheapest = std::numeric_limits<double>::infinity();
  for (PlanCandidate& candidate : priced) {
    if (*candidate.cost_usd < cheapest) {
      cheapest = *candidate.cost_usd;
      front.push_back(std::move(candidate));
    }
  }
  return front;
}

FieldErrors validate_request(const ModelSpec& model, const PlanRequest& request) {
  FieldErrors errors;
  if (request.max_gpus < 1 || request.max_gpus > kMaxPlannerGpus) {
    errors.push_back(make_out_of_range("max_gpus", std::to_string(request.max_gpus), 1, kMaxPlannerGpus));
  }
  if (request.global_batch < 1 || request.global_batch > 1048576) {
    errors.push_back(make_out_of_range("global_batch", std::to_string(request.global_batch), 1, 1048576));
  }

  // Each listed GPU repeats the whole count sweep, so the shortlist may name each table GPU once at most.
  const size_t max_gpu_ids = gpu_table().size();
  if (request.gpu_ids.size() > max_gpu_ids) {
    FieldError error;
    error.field = "gpus";
    error.code = ErrorCode::too_large;
    error.value = std::to_string(request.gpu_ids.size());
    error.max = static_cast<double>(max_gpu_ids);
    error.message = "gpus: the shortlist names " + std::to_string(request.gpu_ids.size()) +
                    " GPUs, over the limit of " + std::to_string(max_gpu_ids) +
                    " (the GPU table's size); list each GPU once";
    errors.push_back(std::move(error));
  }

  for (const std::string& id : request.gpu_ids) {
    if (find_gpu(id) == nullptr) errors.push_back(make_unknown_choice("gpus", id, gpu_ids()));
  }
  if (request.shardings.empty()) {
    errors.push_back(make_unsupported("sharding", "", "the planner needs at least one sharding mode"));
  }
  if (!request.dataset.dataset_tokens && !(request.dataset.samples && request.dataset.tokens_per_sample)) {
    errors.push_back(make_missing("dataset_tokens"));
  }
  FieldErrors model_errors = validate_model(model);
  errors.insert(errors.end(), model_errors.begin(), model_errors.end());
  return errors;
}

}  // namespace

std::vector<int64_t> planner_gpu_counts(int64_t max_gpus) {
  std::vector<int64_t> counts;
  const int64_t limit = std::min(max_gpus, kMaxPlannerGpus);
  for (int64_t n : {1, 2, 4}) {
    if (n <= limit) counts.push_back(n);
  }
  for (int64_t n = 8; n <= limit; n += 8) counts.push_back(n);
  return counts;
}

PlanResult plan_training(const ModelSpec& model, const PlanRequest& request) {
  PlanResult result;
  result.errors = validate_request(model, request);
  if (!result.errors.empty()) return result;

  const ParamCounts counts = count_params(model);
  Search search{model, request, request.time, 0, 0, 0, PlanStats{}};
  search.time.flops.params = &counts;
  search.time.flops.breakdown = false;  // the search reads step times, never the FLOPs tree
  search.counts = &counts;
  search.total_params = static_cast<double>(counts.total);
  search.trainable_params = trainable_param_count(model, request.base);

  std::vector<std::string> ids = request.gpu_ids;
  if (ids.empty()) ids.push_back(request.base.gpu_id);

  std::vector<PlanCandidate> candidates;
  for (const std::string& id : ids) {
    const GpuSpec* gpu = find_gpu(id);
    if (gpu == nullptr) {
      // A custom GPU on the base setup (gpu_id not in the table) is planned as given.
      if (id != request.base.gpu_id) continue;
      gpu = &request.base.gpu;
    }
    for (int64_t gpus : planner_gpu_counts(request.max_gpus)) {
      std::optional<PlanCandidate> best = best_for_count(search, *gpu, gpus);
      if (!best) continue;
      ++search.stats.fitting;
      if (!within_limits(request, *best)) {
        ++search.stats.over_budget;
        continue;
      }
      candidates.push_back(std::move(*best));
    }
  }

  // The step count depends only on the dataset and the global batch, so it is
  // known (and stated with the assumptions) even when no setup fits.
  TrainingSetup one_replica = request.base;
  one_replica.num_gpus = 1;
  one_replica.tensor_parallel = 1;
  one_replica.pipeline_parallel = 1;
  one_replica.micro_batch = request.global_batch;
  one_replica.grad_accum = 1;
  result.optimizer_steps = estimate_run(one_replica, 1.0, request.dataset, std::nullopt).optimizer_steps;

  result.by_time = candidates;
  sort_candidates(result.by_time, faster);

  std::vector<PlanCandidate> priced;
  for (const PlanCandidate& candidate : candidates) {
    if (candidate.cost_usd) priced.push_back(candidate);
  }
  result.pareto = pareto_front(priced);
  result.by_cost = std::move(priced);
  sort_candidates(result.by_cost, cheaper);

  if (result.by_time.size() > request.max_results) result.by_time.resize(request.max_results);
  if (result.by_cost.size() > request.max_results) result.by_cost.resize(request.max_results);
  result.stats = search.stats;
  result.ok = true;
  return result;
}

}  // namespace gpuplan
