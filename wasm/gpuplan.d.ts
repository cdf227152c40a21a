// Types of the WebAssembly module built from wasm/*.cpp (Emscripten ES module).
// Every function takes and returns JSON text so the boundary never throws and
// never leaks C++ objects; web/src/core.ts parses it into the types below.
// Field names are the core's: the same spelling is used in C++, URL keys and CLI flags.

export interface GpuplanModule {
  /** JSON of GpuSpec[]: the GPU table. */
  gpus(): string;
  /** JSON of FieldSpec[]: every setup input with its kind, range, default and unit. */
  fields(): string;
  /** Estimate from a JSON object of string key → string value (URL query form). Returns JSON of EstimateResponse. */
  estimate(queryJson: string): string;
  /** JSON of PresetSummary[]. */
  listPresets(): string;
  /** JSON of ModelResponse for one preset id. */
  presetSpec(id: string): string;
  /** Parses Hugging Face config.json text. Returns JSON of ModelResponse. */
  parseHfConfig(text: string): string;
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
  /** Complete English sentence; the page words errors itself from code, field and limits. */
  message: string;
}

export type FieldKind = 'number' | 'integer' | 'choice' | 'boolean' | 'text';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Group for the form: model, method, batch, precision, savers, hardware, dataset. */
  group: string;
  min?: number;
  max?: number;
  /** Default value as URL text; absent when the field has no default (for example gpu_tflops). */
  default?: string;
  choices?: string[];
  /** Unit of the value: "params", "tokens", "TFLOP/s", "GB", "" for none. */
  unit: string;
}

export interface GpuSpec {
  id: string;
  name: string;
  memory_bytes: number;
  memory_bandwidth_bytes_per_s: number;
  /** Dense peaks in FLOP/s (OP/s for int8); null when the GPU lacks the dtype. */
  peak_flops: { fp32: number | null; tf32: number | null; fp16: number | null; bf16: number | null; fp8: number | null; int8: number | null };
  interconnect: string;
  intra_node_bandwidth_bytes_per_s: number;
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

export interface EstimateResponse {
  ok: boolean;
  errors: FieldError[];
  /** The accepted input, every field with its value as URL text. */
  input: Record<string, string>;
  guide: GuideResult | null;
}

export interface PresetSummary {
  id: string;
  name: string;
  hf_id: string;
  family: 'decoder' | 'encoder';
  params: number;
  active_params: number;
  max_positions: number;
}

export interface ModelResponse {
  ok: boolean;
  errors: FieldError[];
  spec?: Record<string, string | number | boolean>;
  counts?: { total: number; active: number; embedding: number; lm_head: number; per_dense_layer: number; per_moe_layer: number; largest_layer: number };
  breakdown?: Term;
}
