// Changes that make a setup fit when it does not: each candidate is one
// practitioner's move, tried with the core, in order of least disruption to
// the training run. Candidates that still do not fit are dropped.
import type { EstimateResponse, Query } from './core';

export type FixKind = 'fused_cross_entropy' | 'grad_checkpointing' | 'micro_batch' | 'qlora' | 'gpus';

export interface Fix {
  /** The changes combined in this fix, in order; one kind for a single change. */
  kinds: FixKind[];
  /** Values to merge into the query. */
  changes: Query;
  /** The estimate with the changes applied. */
  response: EstimateResponse;
}

/** Maximum number of suggestions shown. */
export const MAX_FIXES = 3;
const MAX_GPUS = 1024;
const ORDER: readonly FixKind[] = ['fused_cross_entropy', 'grad_checkpointing', 'micro_batch', 'qlora', 'gpus'];

function fits(response: EstimateResponse): boolean {
  return response.ok && response.detailed?.fits === true;
}

/**
 * The variants of one kind of change for a setup, mildest first: halving the
 * micro-batch (doubling accumulation, so the global batch stays) down to 1,
 * and doubling the GPUs (with ZeRO-3) up to MAX_GPUS. Empty when the setup
 * already has the change.
 */
function variants(kind: FixKind, input: Query): Query[] {
  switch (kind) {
    case 'fused_cross_entropy':
      return input['fused_cross_entropy'] === 'true' ? [] : [{ fused_cross_entropy: 'true' }];
    case 'grad_checkpointing':
      return input['grad_checkpointing'] === 'full' ? [] : [{ grad_checkpointing: 'full' }];
    case 'qlora':
      return input['method'] === 'qlora' ? [] : [{ method: 'qlora' }];
    case 'micro_batch': {
      const halvings: Query[] = [];
      let micro = Number(input['micro_batch']);
      let accum = Number(input['grad_accum']);
      while (micro > 1) {
        micro = Math.ceil(micro / 2);
        accum *= 2;
        halvings.push({ micro_batch: String(micro), grad_accum: String(accum) });
      }
      return halvings;
    }
    case 'gpus': {
      const counts: Query[] = [];
      const modelParallel = Number(input['tensor_parallel'] ?? 1) * Number(input['pipeline_parallel'] ?? 1);
      for (let count = Math.max(2, Number(input['num_gpus']) * 2); count <= MAX_GPUS; count *= 2) {
        if (count % modelParallel === 0) counts.push({ num_gpus: String(count), sharding: 'zero3' });
      }
      return counts;
    }
  }
}

/** The first variant of `kind` that fits, or, when none does, the strongest one (null when the kind does not apply). */
function tryKind(estimate: (query: Query) => EstimateResponse, query: Query, kind: FixKind, input: Query): { changes: Query; response: EstimateResponse } | null {
  let last: { changes: Query; response: EstimateResponse } | null = null;
  for (const changes of variants(kind, input)) {
    const response = estimate({ ...query, ...changes });
    if (!response.ok) continue;
    last = { changes, response };
    if (fits(response)) break;
  }
  return last;
}

/**
 * Returns up to MAX_FIXES changes that make `query` fit, least disruptive
 * first: single changes in ORDER, then, when none fits alone, the changes combined
 * cumulatively in the same order (checkpointing on top of fused cross-entropy,
 * then a smaller micro-batch on top of both, and so on).
 */
export function findFixes(estimate: (query: Query) => EstimateResponse, query: Query, current: EstimateResponse): Fix[] {
  if (!current.ok || !current.detailed || current.detailed.fits) return [];
  const fixes: Fix[] = [];
  for (const kind of ORDER) {
    const tried = tryKind(estimate, query, kind, current.input);
    if (tried && fits(tried.response)) fixes.push({ kinds: [kind], ...tried });
    if (fixes.length === MAX_FIXES) return fixes;
  }
  // A combination would only repeat a single change that already fits.
  if (fixes.length > 0) return fixes;

  let combined: Query = {};
  let input = current.input;
  const kinds: FixKind[] = [];
  for (const kind of ORDER) {
    const tried = tryKind(estimate, { ...query, ...combined }, kind, input);
    if (!tried) continue;
    combined = { ...combined, ...tried.changes };
    input = tried.response.input;
    kinds.push(kind);
    if (kinds.length > 1 && fits(tried.response)) {
      fixes.push({ kinds: [...kinds], changes: combined, response: tried.response });
      break;
    }
  }
  return fixes;
}
