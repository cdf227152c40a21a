// Loads the real WebAssembly core in Node for the tests. The module is built
// for the web only, so Node passes the .wasm bytes instead of fetching them.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import createGpuplan from '@gpuplan/wasm/gpuplan.mjs';
import { wrapModule, type Core } from '../../web/src/core';

// Relative to the repository root, where Vitest runs: in a DOM environment import.meta.url is not a file URL.
const wasmPath = resolve(process.cwd(), 'build/wasm/gpuplan.wasm');

let corePromise: Promise<Core> | undefined;

export function loadTestCore(): Promise<Core> {
  if (!existsSync(wasmPath)) {
    throw new Error(`${wasmPath} not found: build the core first with "bash tools/build-wasm.sh".`);
  }
  corePromise ??= createGpuplan({ wasmBinary: readFileSync(wasmPath) }).then(wrapModule);
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
