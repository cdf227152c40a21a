// Times estimate() and plan() through the WebAssembly module in Node, the way
// the page calls them: JSON text in, JSON text out, parse included.
// Usage: bash tools/build-wasm.sh && node bench/wasm_bench.mjs [build/wasm]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const dir = resolve(process.argv[2] ?? 'build/wasm');
// estimate() is in the first-view module gpuplan, plan() in the on-demand module gpuplan_extra.
// The modules are built for the web only, so Node passes the .wasm bytes itself.
async function loadModule(name) {
  const { default: create } = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
  return create({ wasmBinary: readFileSync(join(dir, `${name}.wasm`)) });
}
const core = await loadModule('gpuplan');
const extra = await loadModule('gpuplan_extra');

// The same setups as bench/core_bench.cpp.
const estimateQuery = JSON.stringify({
  model: 'llama-3-8b', method: 'full', precision: 'amp_bf16', attention: 'flash', micro_batch: '4',
  seq_len: '2048', grad_accum: '8', grad_checkpointing: 'full', gpu: 'a100-80gb', dataset_tokens: '1e9',
});
const planQuery = (maxGpus) => JSON.stringify({
  model: 'llama-3-8b', method: 'full', precision: 'amp_bf16', attention: 'flash', seq_len: '2048',
  gpus: 'a100-80gb,h100-sxm', global_batch: '64', max_gpus: String(maxGpus), dataset_tokens: '1e9',
});

// Runs fn `warmup` times, then `iterations` times, and returns the mean and
// the fastest call in milliseconds.
function time(fn, warmup, iterations) {
  for (let i = 0; i < warmup; ++i) fn();
  let fastest = Infinity;
  const start = performance.now();
  for (let i = 0; i < iterations; ++i) {
    const begin = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - begin);
  }
  return { mean: (performance.now() - start) / iterations, fastest };
}

function check(json, name) {
  const response = JSON.parse(json);
  if (!response.ok) throw new Error(`${name} failed: ${JSON.stringify(response.errors)}`);
  return response;
}

check(core.estimate(estimateQuery), 'estimate()');
const estimate = time(() => JSON.parse(core.estimate(estimateQuery)), 200, 2000);
console.log(`estimate()              mean ${(estimate.mean * 1000).toFixed(1)} µs   fastest ${(estimate.fastest * 1000).toFixed(1)} µs`);

for (const [maxGpus, iterations] of [[8, 200], [64, 100], [1024, 50]]) {
  const response = check(extra.plan(planQuery(maxGpus)), 'plan()');
  const result = time(() => JSON.parse(extra.plan(planQuery(maxGpus))), 5, iterations);
  console.log(
    `plan() max_gpus ${String(maxGpus).padEnd(5)} mean ${result.mean.toFixed(2)} ms   fastest ${result.fastest.toFixed(2)} ms` +
      `   (${response.evaluated} estimates)`,
  );
}
