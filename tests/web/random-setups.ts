// The random setups of tests/core/fixtures/random_setups.json, drawn as
// tests/core/invariants_test.cpp draws them: setup i takes, for each key in
// file order, the choice at next() % length of mulberry32(seed + i), and an
// empty choice leaves the key out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Query } from '../../web/src/core';

export interface SetupTable {
  seed: number;
  count: number;
  choices: Record<string, string[]>;
}

const tablePath = fileURLToPath(new URL('../core/fixtures/random_setups.json', import.meta.url));

export function readSetupTable(): SetupTable {
  return JSON.parse(readFileSync(tablePath, 'utf8')) as SetupTable;
}

/** mulberry32, exact in 32-bit arithmetic; the C++ test implements the same steps. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function randomSetup(table: SetupTable, index: number): Query {
  const next = mulberry32(table.seed + index);
  const query: Query = {};
  for (const [key, values] of Object.entries(table.choices)) {
    const value = values[next() % values.length]!;
    if (value !== '') query[key] = value;
  }
  return query;
}
