// Loads the real WebAssembly core in Node for the tests. The modules are built
// for the web only, so Node passes the .wasm bytes instead of fetching them.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import createGpuplan from '@gpuplan/wasm/gpuplan.mjs';
import createGpuplanExtra from '@gpuplan/wasm/gpuplan_extra.mjs';
import type { GpuplanExtraModule } from '../../wasm/gpuplan_extra';
import { wrapModule, type Core } from '../../web/src/core';

/** Reads build/wasm/<name>.wasm, relative to the repository root where Vitest runs (in a DOM environment import.meta.url is not a file URL). */
export function readWasm(name: 'gpuplan' | 'gpuplan_extra'): Buffer {
  const path = resolve(process.cwd(), `build/wasm/${name}.wasm`);
  if (!existsSync(path)) throw new Error(`${path} not found: build the core first with "bash tools/build-wasm.sh".`);
  return readFileSync(path);
}

/** Instantiates a new copy of the on-demand module, as the page does on its first use. */
export function loadTestExtraModule(): Promise<GpuplanExtraModule> {
  return createGpuplanExtra({ wasmBinary: readWasm('gpuplan_extra') });
}

let corePromise: Promise<Core> | undefined;

export function loadTestCore(): Promise<Core> {
  corePromise ??= createGpuplan({ wasmBinary: readWasm('gpuplan') }).then((module) => wrapModule(module, loadTestExtraModule));
  return corePromise;
}

/** The guide's worked example: a 1.3B model, B = 16, L = 512, H = 2048, FP16, G = 1, on an A100 80GB. */
export const WORKED_EXAMPLE = {
  params: '1.3e9',
  micro_batch: '16',
  seq_len: '512',
  hidden: '2048',
  grad_accum: '1',
  precision: 'fp16',
  gpu: 'a100-80gb',
} as const;
