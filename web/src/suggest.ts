// Changes that make a setup fit when it does not. Each candidate is a set of
// practitioners' moves, tried with the core. The cheap moves (a 16-bit LoRA
// base, fused cross-entropy, a smaller micro-batch, checkpointing, optimizer
// offload) are stacked, and each stack is also tried with the fewest extra
// GPUs that fit and with QLoRA. A candidate must leave a margin of the GPU's
// memory to spare. Candidates are ranked by GPU-seconds per token, the cost of
// the run for a given dataset, with changes of the training method last.
import type { EstimateResponse, Query } from './core';

export type FixKind = 'precision' | 'fused_cross_entropy' | 'micro_batch' | 'sync_each_micro_batch' | 'grad_checkpointing' | 'offload' | 'qlora' | 'gpus';

export interface Fix {
  /** The changes combined in this fix, in the order they were stacked; one kind for a single change. */
  kinds: FixKind[];
  /** Values to merge into the query. */
  changes: Query;
  /** The estimate with the changes applied. */
  response: EstimateResponse;
}

/** Maximum number of suggestions shown. */
export const MAX_FIXES = 3;
const MAX_GPUS = 1024;
/** Share of the GPU's usable memory a fix leaves free, so that a fix is not a fit by a few MiB. */
export const FIX_MARGIN = 0.03;
/** Moves that keep the method, stacked in this order; gpus is tried on top of each stack. */
const STACKED: readonly FixKind[] = ['sync_each_micro_batch', 'precision', 'fused_cross_entropy', 'micro_batch', 'grad_checkpointing', 'offload'];

/** Checks that the response fits with FIX_MARGIN of the usable memory to spare. */
export function fitsWithMargin(response: EstimateResponse): boolean {
  const detailed = response.detailed;
  if (!response.ok || !detailed || !detailed.fits) return false;
  return detailed.headroom_bytes >= FIX_MARGIN * detailed.gpu_usable_bytes;
}

/**
 * The variants of one kind of change for a setup, mildest first: halving the
 * micro-batch (doubling accumulation, so the global batch stays) down to 1,
 * and doubling the GPUs (with ZeRO-3) up to MAX_GPUS. Empty when the setup
 * already has the change.
 */
function variants(kind: FixKind, input: Query): Query[] {
  switch (kind) {
    case 'precision': {
      // LoRA under AMP or fp32 keeps its frozen base in fp32; PEFT runs usually load it in 16 bits.
      const precision = input['precision'] ?? '';
      if (input['method'] !== 'lora' || !['amp_bf16', 'amp_fp16', 'fp32'].includes(precision)) return [];
      // The 16-bit type follows the AMP type (the page defaults to AMP FP16 on GPUs without bf16).
      return [{ precision: precision === 'amp_fp16' ? 'pure_fp16' : 'pure_bf16' }];
    }
    case 'fused_cross_entropy':
      return input['fused_cross_entropy'] === 'true' ? [] : [{ fused_cross_entropy: 'true' }];
    case 'sync_each_micro_batch': {
      // FSDP accumulating under no_sync() keeps full unsharded gradients, while reducing each micro-batch keeps shards.
      const sharded = input['sharding'] === 'fsdp_full_shard' || input['sharding'] === 'fsdp_shard_grad_op';
      return sharded && input['sync_each_micro_batch'] !== 'true' ? [{ sync_each_micro_batch: 'true' }] : [];
    }
    case 'grad_checkpointing':
      return input['grad_checkpointing'] === 'full' ? [] : [{ grad_checkpointing: 'full' }];
    case 'qlora':
      return input['method'] === 'qlora' ? [] : [{ method: 'qlora' }];
    case 'offload': {
      if (input['offload'] !== 'none') return [];
      // ZeRO-Offload (DeepSpeed ZeRO-2 with offload_optimizer) also runs on one GPU; a pipeline allows ZeRO-1 only.
      const sharding = input['sharding'] ?? 'ddp';
      const offloadsAsIs = sharding === 'zero3' || sharding.startsWith('fsdp') || sharding === 'zero1';
      if (offloadsAsIs) return [{ offload: 'optimizer', sharding }];
      const pipelined = Number(input['pipeline_parallel'] ?? 1) > 1;
      return [{ offload: 'optimizer', sharding: pipelined ? 'zero1' : 'zero2' }];
    }
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
      if (Number(input['pipeline_parallel'] ?? 1) > 1) return [];  // ZeRO-3 does not run with a pipeline
      const counts: Query[] = [];
      const tensorParallel = Number(input['tensor_parallel'] ?? 1);
      // An FSDP job grows as FSDP full shard; anything else moves to ZeRO-3.
      const sharding = (input['sharding'] ?? '').startsWith('fsdp') ? 'fsdp_full_shard' : 'zero3';
      for (let count = Math.max(2, Number(input['num_gpus']) * 2); count <= MAX_GPUS; count *= 2) {
        if (count % tensorParallel === 0) counts.push({ num_gpus: String(count), sharding });
      }
      return counts;
    }
  }
}

interface Tried {
  changes: Query;
  response: EstimateResponse;
}

/** Returns the first variant of `kind` that fits with the margin, else the strongest valid one, or null when the kind does not apply. */
function tryKind(estimate: (query: Query) => EstimateResponse, query: Query, kind: FixKind, input: Query): Tried | null {
  let last: Tried | null = null;
  for (const changes of variants(kind, input)) {
    const response = estimate({ ...query, ...changes });
    if (!response.ok) continue;
    last = { changes, response };
    if (fitsWithMargin(response)) break;
  }
  return last;
}

/**
 * GPU-seconds per token trained: the cost of the run for a given dataset, which stays comparable when a fix
 * changes the GPU count (and with it the global batch). Infinity when time is not modelled.
 */
export function gpuSecondsPerToken(response: EstimateResponse): number {
  const time = response.time;
  if (!time || !(time.tokens_per_step > 0)) return Infinity;
  return (time.step_time_s * Number(response.input['num_gpus'] ?? 1)) / time.tokens_per_step;
}

/** One move of a fix and the values it sets. */
interface Part {
  kind: FixKind;
  changes: Query;
}

function merge(parts: readonly Part[]): Query {
  return Object.assign({}, ...parts.map((part) => part.changes)) as Query;
}

/** Checks that `a` makes every change of `b` with the same values, so that `b` is the simpler fix. */
function includes(a: Fix, b: Fix): boolean {
  return Object.entries(b.changes).every(([key, value]) => a.changes[key] === value);
}

/**
 * Drops the moves of a fitting fix that it does not need: each move in turn is
 * left out, and stays out when the rest still fits with the margin at no more
 * GPU-seconds per token.
 */
function minimize(estimate: (query: Query) => EstimateResponse, query: Query, parts: Part[], response: EstimateResponse): Fix {
  let kept = parts;
  let best = response;
  for (const part of parts) {
    if (kept.length === 1) break;
    const without = kept.filter((candidate) => candidate !== part);
    const tried = estimate({ ...query, ...merge(without) });
    if (fitsWithMargin(tried) && gpuSecondsPerToken(tried) <= gpuSecondsPerToken(best)) {
      kept = without;
      best = tried;
    }
  }
  return { kinds: kept.map((part) => part.kind), changes: merge(kept), response: best };
}

/**
 * Returns up to MAX_FIXES changes that make `query` fit with FIX_MARGIN to
 * spare, cheapest first. The candidates are every stack of STACKED moves in
 * order (each move once), each stack with the fewest GPUs under ZeRO-3 that
 * fit, and each stack with QLoRA. Moves that a candidate does not need are dropped.
 * A candidate that makes every change of a cheaper one is left out, since the
 * cheaper one already fits.
 */
export function findFixes(estimate: (query: Query) => EstimateResponse, query: Query, current: EstimateResponse): Fix[] {
  if (!current.ok || !current.detailed || current.detailed.fits) return [];
  const candidates: Fix[] = [];
  const consider = (parts: Part[], response: EstimateResponse) => {
    if (fitsWithMargin(response)) candidates.push(minimize(estimate, query, parts, response));
  };

  // Stacks of the cheap moves: [], [fused], [fused, micro], ... Each stack is
  // tried alone, with more GPUs and with QLoRA.
  const stacks: { parts: Part[]; input: Query }[] = [{ parts: [], input: current.input }];
  for (const kind of STACKED) {
    const top = stacks[stacks.length - 1]!;
    const tried = tryKind(estimate, { ...query, ...merge(top.parts) }, kind, top.input);
    if (!tried) continue;
    const stack = { parts: [...top.parts, { kind, changes: tried.changes }], input: tried.response.input };
    stacks.push(stack);
    consider(stack.parts, tried.response);
  }
  for (const stack of stacks) {
    for (const kind of ['gpus', 'qlora'] as const) {
      const tried = tryKind(estimate, { ...query, ...merge(stack.parts) }, kind, stack.input);
      if (tried) consider([...stack.parts, { kind, changes: tried.changes }], tried.response);
    }
  }

  const changesMethod = (fix: Fix) => fix.kinds.includes('qlora');
  candidates.sort(
    (a, b) =>
      Number(changesMethod(a)) - Number(changesMethod(b)) ||
      gpuSecondsPerToken(a.response) - gpuSecondsPerToken(b.response) ||
      a.kinds.length - b.kinds.length,
  );
  const fixes: Fix[] = [];
  for (const candidate of candidates) {
    if (fixes.some((kept) => includes(candidate, kept) || includes(kept, candidate))) continue;
    fixes.push(candidate);
    if (fixes.length === MAX_FIXES) break;
  }
  return fixes;
}
