// Points of the peak-memory curves: the setup's estimate repeated with one
// input (micro_batch or seq_len) changed, everything else as chosen.
import type { EstimateResponse, Query } from './core';

export interface SweepPoint {
  x: number;
  /** Peak memory per GPU (nvidia-smi view), in bytes. */
  peakBytes: number;
  fits: boolean;
}

export interface Sweep {
  field: 'micro_batch' | 'seq_len';
  points: SweepPoint[];
  /** The setup's own value of the field. */
  current: number;
  usableBytes: number;
}

/** Maximum number of points per curve. Each point costs one estimate. */
const MAX_POINTS = 24;

/** Micro-batch sizes from 1 to twice the largest that fits (or twice the current one when none fits), at most MAX_POINTS of them. */
export function microBatchValues(current: number, maxFitting: number): number[] {
  const last = Math.max(2 * maxFitting, 2 * current, 2);
  const step = Math.max(1, Math.ceil(last / MAX_POINTS));
  const values = new Set<number>([1, current]);
  for (let value = step; value <= last; value += step) values.add(value);
  return [...values].sort((a, b) => a - b);
}

/** Powers of two from 128 tokens to twice the longest that fits (or twice the current), with the current length, within the model's max_positions. */
export function seqLenValues(current: number, maxFitting: number, maxPositions: number): number[] {
  const last = Math.min(Math.max(2 * maxFitting, 2 * current, 256), maxPositions > 0 ? maxPositions : Infinity);
  const values = new Set<number>([current]);
  for (let value = 128; value <= last && values.size < MAX_POINTS; value *= 2) values.add(value);
  if (maxFitting > 0 && maxFitting <= last) values.add(maxFitting);
  return [...values].filter((value) => value >= 1).sort((a, b) => a - b);
}

/** Estimates the setup at each value of the field; values that the core rejects are left out. */
export function computeSweep(
  estimate: (query: Query) => EstimateResponse,
  query: Query,
  field: Sweep['field'],
  values: readonly number[],
  current: EstimateResponse,
): Sweep {
  const points: SweepPoint[] = [];
  for (const x of values) {
    const response = x === Number(current.input[field]) ? current : estimate({ ...query, [field]: String(x) });
    const detailed = response.ok ? response.detailed : null;
    if (detailed) points.push({ x, peakBytes: detailed.required_bytes, fits: detailed.fits });
  }
  return {
    field,
    points,
    current: Number(current.input[field]),
    usableBytes: current.detailed?.gpu_usable_bytes ?? 0,
  };
}
