// Types of the WebAssembly module gpuplan (Emscripten ES module from
// wasm/bindings.cpp and wasm/bind_model.cpp), which every page view loads, and
// of the JSON that both modules return. gpuplan_extra.d.ts types the on-demand
// module. Every function takes and returns JSON text, so errors come back as
// JSON (the core is built without exceptions) and no C++ object crosses the
// boundary. web/src/core.ts parses the text into the types below. Field names are the core's: the same spelling is used in C++, URL keys
// and CLI flags.

export interface GpuplanModule {
  /** JSON of GpuSpec[]: the GPU table. */
  gpus(): string;
  /** JSON of FieldSpec[]: every input (model fields first, then setup fields) with its kind, range, default and unit. The key "model" (preset id or custom) is not listed. */
  fields(): string;
  /** Estimate from a JSON object of string key → string value (URL query form). Returns JSON of EstimateResponse. */
  estimate(queryJson: string): string;
  /** JSON of PresetSummary[]. */
  listPresets(): string;
  /** JSON of ModelResponse for one preset id. */
  presetSpec(id: string): string;
  /** Model breakdown from a JSON object of string key → string value. Returns JSON of ModelResponse. */
  modelBreakdown(queryJson: string): string;
}

export interface CreateOptions {
  /** The .wasm bytes; required in Node, optional in the browser. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Resolves the .wasm URL in the browser (defaults to next to the .mjs). */
  locateFile?: (path: string, prefix: string) => string;
}

export default function createGpuplan(options?: CreateOptions): Promise<GpuplanModule>;

/** A named quantity whose children sum to it (bytes, FLOPs or parameters). */
export interface Term {
  key: string;
  value: number;
  children?: Term[];
}

export type ErrorCode =
  | 'missing'
  | 'not_a_number'
  | 'not_an_integer'
  | 'out_of_range'
  | 'unknown_choice'
  | 'unknown_field'
  | 'invalid_json'
  | 'unsupported'
  | 'too_large';

export interface FieldError {
  field: string;
  code: ErrorCode;
  value: string;
  min?: number;
  max?: number;
  choices?: string[];
  /** For code unsupported: the English clause that names the conflicting settings. */
  reason?: string;
  /** For some unsupported reasons: a key that the page words in its language (reason.KEY). */
  reason_code?: string;
  /** The values that the worded reason names, in the order REASON_PARAMS gives for its code. */
  reason_args?: string[];
  /** Complete English sentence; the page words errors itself from code, field and limits. */
  message: string;
}

export type FieldKind = 'number' | 'integer' | 'choice' | 'boolean' | 'text';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Group in the core: model, method, batch, precision, savers, hardware, dataset. */
  group: string;
  min?: number;
  max?: number;
  /** Default value as URL text; absent when the field has no default (gpu_tflops, and model fields, whose values come from the preset). */
  default?: string;
  choices?: string[];
  /** Unit of the value: "params", "tokens", "TFLOP/s", "GB", "" for none. */
  unit: string;
}

export interface GpuSpec {
  id: string;
  name: string;
  memory_bytes: number;
  /** Memory that CUDA reports as total (memory_bytes less what ECC and the driver reserve). */
  visible_memory_bytes: number;
  memory_bandwidth_bytes_per_s: number;
  /** Dense peaks in FLOP/s (OP/s for int8); null when the GPU lacks the dtype. */
  peak_flops: { fp32: number | null; tf32: number | null; fp16: number | null; bf16: number | null; fp8: number | null; int8: number | null };
  interconnect: string;
  nvlink_bandwidth_bytes_per_s: number;
  pcie_bandwidth_bytes_per_s: number;
  price_usd_per_hour: number | null;
  price_source: string;
  source: string;
}

export interface GuideResult {
  method: 'guide';
  bytes_per_value: number;
  gpu_peak_flops: number;
  /** FLOPs per optimizer step: forward_backward (× grad_accum) and optimizer. */
  flops: Term;
  flops_forward: number;
  flops_backward: number;
  /** (forward + backward) × grad_accum: the guide's printed total. */
  flops_forward_backward: number;
  flops_optimizer: number;
  /** forward_backward + optimizer, the guide's formula. */
  flops_total: number;
  step_time_s: number;
  /** weights, activations, gradients_and_optimizer. */
  memory: Term;
  memory_total_bytes: number;
  gpu_memory_bytes: number;
}

export type PeakPhase = 'forward' | 'backward' | 'optimizer_step' | string;

/** The detailed method: memory per GPU as PyTorch, PEFT, DeepSpeed and FSDP allocate it. */
export interface DetailedResult {
  /**
   * Peak memory per GPU (nvidia-smi view). Children, in bytes: weights,
   * gradients, optimizer_states, activations, logits_and_loss, temporary,
   * framework_buffers, allocator_overhead, cuda_context; each may have children.
   */
  peak: Term;
  peak_phase: PeakPhase;
  /** torch.cuda.max_memory_allocated() at the peak. */
  peak_allocated_bytes: number;
  /** torch.cuda.max_memory_reserved(): allocated plus the caching allocator's overhead. */
  peak_reserved_bytes: number;
  cuda_context_bytes: number;
  /** The nvidia-smi figure: reserved plus the CUDA context. */
  nvidia_smi_bytes: number;
  /** Memory the run needs: nvidia_smi_bytes less the cache that variable-length batches leave in the pool. */
  required_bytes: number;
  /** Memory that a process can use on the chosen GPU. */
  gpu_usable_bytes: number;
  fits: boolean;
  /** gpu_usable_bytes − required_bytes; negative when it does not fit. */
  headroom_bytes: number;
  /** Host (CPU) memory for offloaded states. */
  host_memory_bytes: number;
  trainable_params: number;
  frozen_params: number;
  /** Saved activations of the largest layer for one micro-batch. */
  activations_per_layer: Term;
  /** Largest micro_batch that fits with every other input unchanged; 0 when none fits. */
  max_micro_batch: number;
  /** Largest seq_len that fits with every other input unchanged; 0 when none fits. */
  max_seq_len: number;
}

/** A memory term that the guide method leaves out, sized by the detailed method. */
export interface GuideGap {
  key: string;
  bytes: number;
}

/** A setup that is valid and estimated but probably not what the user meant. */
export interface EstimateWarning {
  code:
    | 'seq_len_over_max_positions'
    | 'sharding_without_data_parallel'
    | 'offload_without_sharding'
    | 'fsdp_no_sync_gradients'
    | 'chunked_with_fused_loss'
    | 'lora_fp32_base'
    | 'cpu_dispatch_bound';
  /** The input field the warning is about. */
  field: string;
  /** That field's value as URL text. */
  value: string;
  /** Empty in this module: the page words each warning from its code (warning.CODE). The CLI's has the English. */
  message: string;
}

/** A framework constant that the detailed method assumes, with its source. */
export interface FrameworkConstant {
  key: string;
  value: number;
  unit: string;
  /** Empty in this module: the page's catalogs word each constant (constant.KEY). */
  description: string;
  source: string;
}

export interface ParamCounts {
  total: number;
  active: number;
  embedding: number;
  lm_head: number;
  per_dense_layer: number;
  per_moe_layer: number;
  largest_layer: number;
  dense_layers: number;
  moe_layers: number;
  per_expert: number;
}

/** Every ModelSpec field: the architecture keys of fields() plus id, name, hf_id, series and published_params. */
export type ModelSpecJson = Record<string, string | number | boolean>;

/** Time per optimizer step from the compute model. FLOPs are per step over all GPUs; times in seconds. */
export interface TimeResult {
  /** FLOPs per step by pass and part: forward, backward, recompute, optimizer. */
  flops: Term;
  model_flops: number;
  /** Model FLOPs plus recomputation. */
  hardware_flops: number;
  optimizer_flops: number;
  total_flops: number;
  model_flops_per_token: number;
  tokens_per_step: number;
  trainable_params: number;
  /** Step time by part: compute, memory_bound, communication, offload, pipeline_bubble, cpu_dispatch. */
  step: Term;
  step_time_s: number;
  compute_s: number;
  memory_bound_s: number;
  communication_s: number;
  communication_exposed_s: number;
  offload_s: number;
  pipeline_bubble_s: number;
  micro_batch_time_s: number;
  /** Seconds per step the GPU idles while the CPU dispatches operators. */
  cpu_dispatch_wait_s: number;
  /** The limiting part of the step: compute, memory_bandwidth, communication, offload, pipeline_bubble or cpu_dispatch. */
  bound: string;
  mfu: number;
  hfu: number;
  tokens_per_s: number;
  tokens_per_s_per_gpu: number;
  /** The efficiency inputs the step time used. */
  efficiency: TimeEfficiency;
}

/** Totals of a training run over the dataset; EstimateResponse.run is null without a dataset size (see run_unavailable). */
export interface RunResult {
  epochs?: number;
  sequences_per_epoch?: number;
  global_batch_sequences?: number;
  optimizer_steps?: number;
  processed_tokens?: number;
  useful_tokens?: number;
  padding_fraction?: number;
  wall_time_s?: number;
  gpu_hours?: number;
  /** USD; absent or null without a price. */
  price_per_gpu_hour?: number | null;
  /** "input" when price_per_gpu_hour was given, "gpu_table" otherwise. */
  price_source?: string;
  price_note?: string;
  cost_usd?: number | null;
}

export interface EstimateResponse {
  ok: boolean;
  errors: FieldError[];
  /**
   * The accepted setup, every setup field with its value as URL text, plus
   * `model` when the query named a preset and `params` when the query gave it.
   * Model fields are not repeated here: see model.spec.
   */
  input: Record<string, string>;
  /** The model that was estimated; null when the input is invalid. */
  model: { spec: ModelSpecJson; counts: ParamCounts } | null;
  guide: GuideResult | null;
  /** Null when the input is invalid or the detailed method does not cover it (see detailed_unavailable). */
  detailed: DetailedResult | null;
  /** Reason that `detailed` is null for a valid input (for example int8 training), or "". */
  detailed_unavailable: string;
  guide_gaps: GuideGap[];
  /** Settings that run but are probably not meant; empty when the input is invalid or none apply. */
  warnings: EstimateWarning[];
  constants: FrameworkConstant[];
  /** Null when the input is invalid or time is not modelled for it (see time_unavailable). */
  time: TimeResult | null;
  time_unavailable: string;
  run: RunResult | null;
  /** Reason that run is empty (for example a missing dataset size), or "". */
  run_unavailable: string;
}

export interface PresetSummary {
  id: string;
  name: string;
  hf_id: string;
  /** Model series for grouping in the picker, for example "Llama 3". */
  series: string;
  family: 'decoder' | 'encoder';
  params: number;
  active_params: number;
  max_positions: number;
}

/** Result of presetSpec, modelBreakdown and gpuplan_extra's parseHfConfig. */
export interface ModelResponse {
  ok: boolean;
  errors: FieldError[];
  spec?: ModelSpecJson | null;
  counts?: ParamCounts | null;
  /** Parameters by part of the model (embeddings, dense_layers, moe_layers, final_norm, lm_head, ...). */
  breakdown?: Term | null;
}

/** One setup of the planner. */
export interface PlanCandidate {
  /** The setup as URL key-values, loadable into the calculator. */
  input: Record<string, string>;
  gpu: string;
  num_gpus: number;
  sharding: string;
  tensor_parallel: number;
  pipeline_parallel: number;
  micro_batch: number;
  grad_accum: number;
  grad_checkpointing: string;
  offload: string;
  /** Peak memory per GPU (nvidia-smi view). */
  peak_memory_bytes: number;
  gpu_usable_bytes: number;
  step_time_s: number;
  total_time_s: number;
  gpu_hours: number;
  /** Null when the GPU has no price. */
  cost_usd: number | null;
  mfu: number;
  tokens_per_s: number;
  bound: string;
}

export interface PlanResponse {
  ok: boolean;
  errors: FieldError[];
  /** Query keys that the planner does not use because it chooses them itself. */
  ignored: string[];
  optimizer_steps: number;
  /** Fastest first. */
  by_time: PlanCandidate[];
  /** Cheapest first; setups without a price are left out. */
  by_cost: PlanCandidate[];
  /** Setups that no other is both faster and cheaper than; fastest first. */
  pareto: PlanCandidate[];
  stats: PlanSearchStats;
  evaluated: number;
  elapsed_ms: number;
}

// Parts of the time and planner output, as core/estimate.cpp and core/plan_query.cpp write them.

/** estimate()'s time.efficiency: the efficiency inputs the step time used (an object, not a Term). */
export interface TimeEfficiency {
  peak_flops_per_gpu: number;
  /** Achieved fraction of the peak over all GEMM work, from the roofline model. */
  gemm_efficiency: number;
  /** True when the query gave mfu, which then sets the step time. */
  mfu_from_user: boolean;
  comm_overlap: number;
  network: string;
  pipeline_microbatches: number;
}

/** Each entry of estimate()'s constants carries the model that uses it. */
export type ConstantGroup = 'memory' | 'time';

/** plan()'s stats: how much of the search ran and how much pruning skipped. */
export interface PlanSearchStats {
  /** (GPU, count, TP, PP, sharding, offload, checkpointing) combinations. */
  groups: number;
  pruned_by_state_bound: number;
  pruned_by_time_bound: number;
  time_evaluations: number;
  memory_evaluations: number;
  /** GPU types and counts with a fitting setup. */
  fitting: number;
  /** Dropped by budget_usd or deadline_hours. */
  over_budget: number;
}
