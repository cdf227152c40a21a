// Types of the WebAssembly module gpuplan_extra (Emscripten ES module from
// wasm/bind_config.cpp and wasm/bind_plan.cpp). The page loads it on demand,
// when the planner opens or a config.json is imported. Its functions take and
// return JSON text like those of gpuplan.d.ts.
import type { CreateOptions } from './gpuplan';

export interface GpuplanExtraModule {
  /** Parses Hugging Face config.json text. Returns JSON of ModelResponse. */
  parseHfConfig(text: string): string;
  /** Ranked setups for a JSON object of string key → string value. Returns JSON of PlanResponse. */
  plan(queryJson: string): string;
}

export default function createGpuplanExtra(options?: CreateOptions): Promise<GpuplanExtraModule>;
