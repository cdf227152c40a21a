// The wasm modules' own malloc (wasm/malloc.cpp over wasm/heap.h) under load.
// Many estimates and plans in one instance give the same output every time and
// stop growing the memory once the heap has warmed up. Inputs of 1 MiB, the
// largest the core accepts, go through and come back.
import { beforeAll, describe, expect, it } from 'vitest';
import createGpuplan from '@gpuplan/wasm/gpuplan.mjs';
import type { GpuplanModule } from '../../wasm/gpuplan';
import type { GpuplanExtraModule } from '../../wasm/gpuplan_extra';
import type { Query } from '../../web/src/core';
import { loadTestExtraModule, readWasm } from './load-core';
import { randomSetup, readSetupTable } from './random-setups';

const MIB = 1 << 20;

/** Bytes of the instance's wasm memory; the glue keeps HEAP8 as a view of all of it. */
function memoryBytes(module: object): number {
  return (module as { HEAP8: Int8Array }).HEAP8.length;
}

/** plan() output without elapsed_ms, the one field that differs between equal runs. */
function planWithoutTiming(extra: GpuplanExtraModule, query: Query): string {
  return extra.plan(JSON.stringify(query)).replace(/"elapsed_ms":[-0-9.e+]+/, '');
}

/** {"model":"gpt2","note":"aaa…"} of exactly `bytes` bytes. */
function queryOfSize(bytes: number): string {
  const frame = JSON.stringify({ model: 'gpt2', note: '' });
  return frame.replace('"note":""', `"note":"${'a'.repeat(bytes - frame.length)}"`);
}

let first: GpuplanModule;
let extra: GpuplanExtraModule;
let setups: Query[];

beforeAll(async () => {
  // Fresh instances, so this file alone decides how their heaps grow.
  first = await createGpuplan({ wasmBinary: readWasm('gpuplan') });
  extra = await loadTestExtraModule();
  const table = readSetupTable();
  setups = Array.from({ length: table.count }, (_, index) => randomSetup(table, index));
});

describe('wasm heap', () => {
  it('repeats estimates exactly without growing', { timeout: 120_000 }, () => {
    const expected = setups.map((query) => first.estimate(JSON.stringify(query)));
    let warmMemory = 0;
    for (let round = 1; round <= 5; round++) {
      setups.forEach((query, index) => {
        expect(first.estimate(JSON.stringify(query)), `round ${round}, setup ${index}`).toBe(expected[index]);
      });
      if (round === 1) warmMemory = memoryBytes(first);
    }
    // Each round allocates and frees the same sizes, which the free lists serve again.
    expect(memoryBytes(first)).toBe(warmMemory);
  });

  it('repeats plans exactly without growing', { timeout: 120_000 }, () => {
    const queries = setups.slice(0, 12).map((query) => ({ ...query, gpus: 'a100-80gb,h100-sxm', max_gpus: '64', global_batch: '64', dataset_tokens: '1e9' }));
    const expected = queries.map((query) => planWithoutTiming(extra, query));
    expect(expected.filter((output) => output.startsWith('{"ok":true')).length).toBeGreaterThan(3);
    let warmMemory = 0;
    for (let round = 1; round <= 3; round++) {
      queries.forEach((query, index) => {
        expect(planWithoutTiming(extra, query), `round ${round}, plan ${index}`).toBe(expected[index]);
      });
      if (round === 1) warmMemory = memoryBytes(extra);
    }
    expect(memoryBytes(extra)).toBe(warmMemory);
  });

  it('takes a 1 MiB query', () => {
    const text = queryOfSize(MIB);
    expect(text.length).toBe(MIB);
    let warmMemory = 0;
    for (let round = 1; round <= 10; round++) {
      const response = JSON.parse(first.estimate(text));
      // The unknown key is reported with its value cut to 80 characters and "...", and gpt2 is still estimated.
      expect(response.ok).toBe(true);
      expect(response.errors).toHaveLength(1);
      expect(response.errors[0].field).toBe('note');
      expect(response.errors[0].code).toBe('unknown_field');
      expect(response.errors[0].value).toBe(`${'a'.repeat(80)}...`);
      expect(response.model.spec.id).toBe('gpt2');
      if (round === 2) warmMemory = memoryBytes(first);
    }
    expect(memoryBytes(first)).toBe(warmMemory);
  });

  it('rejects a query over 1 MiB', () => {
    const response = JSON.parse(first.estimate(queryOfSize(MIB + 1)));

    expect(response.ok).toBe(false);
    expect(response.errors).toEqual([
      { field: 'query', code: 'too_large', value: '', max: MIB, message: `query: the input is ${MIB + 1} bytes; the limit is 1 MiB` },
    ]);
  });

  it('plans and breaks down a 1 MiB query', () => {
    const text = queryOfSize(MIB);
    const plan = JSON.parse(extra.plan(text));
    // The planner reports the unknown key and still names what it needs.
    expect(plan.errors.some((error: { field: string; code: string }) => error.field === 'note' && error.code === 'unknown_field')).toBe(true);
    const breakdown = JSON.parse(first.modelBreakdown(text));
    expect(breakdown.errors.map((error: { field: string }) => error.field)).toEqual(['note']);
    // GPT-2 small: 124,439,808 parameters with the tied embedding.
    expect(breakdown.counts.total).toBe(124439808);
  });

  it('reads a 1 MiB config.json', () => {
    // GPT-2's published sizes, padded to 1 MiB with a description key that the reader ignores.
    const config = { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257, description: '' };
    const frame = JSON.stringify(config);
    const text = frame.replace('"description":""', `"description":"${'x'.repeat(MIB - frame.length)}"`);
    expect(text.length).toBe(MIB);

    const response = JSON.parse(extra.parseHfConfig(text));
    expect(response.errors).toEqual([]);
    expect(response.counts.total).toBe(124439808);
    const over = JSON.parse(extra.parseHfConfig(`${text} `));
    expect(over.errors[0].code).toBe('too_large');
  });
});
