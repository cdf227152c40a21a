// Instantiates the on-demand module gpuplan_extra (config.json import and the
// planner). core.ts imports this file dynamically, so Vite makes it a chunk of
// its own with the module's glue code and wasm URL, and the first view
// downloads neither.
import type { GpuplanExtraModule } from '../../wasm/gpuplan_extra';
import createGpuplanExtra from '@gpuplan/wasm/gpuplan_extra.mjs';
import wasmUrl from '@gpuplan/wasm/gpuplan_extra.wasm?url';

export function instantiateExtraModule(): Promise<GpuplanExtraModule> {
  return createGpuplanExtra({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });
}
