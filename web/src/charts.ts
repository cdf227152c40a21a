// The peak-memory curves and their charts. App imports this module
// dynamically when the curves' section scrolls into view, so the chart code is
// not part of the first view.
import type { Core, EstimateResponse, Query } from './core';
import { computeSweep, microBatchValues, seqLenValues, type Sweep } from './sweep';

export { SweepChart } from './components/SweepChart';

/** Estimates the setup along micro_batch and seq_len, one estimate per point. Returns no curves without a detailed result. */
export function computeSweeps(core: Core, query: Query, accepted: EstimateResponse): Sweep[] {
  const detailed = accepted.detailed;
  if (!detailed) return [];
  const micro = Number(accepted.input['micro_batch']);
  const seq = Number(accepted.input['seq_len']);
  const maxPositions = Number(accepted.model?.spec['max_positions'] ?? 0);
  return [
    computeSweep(core.estimate, query, 'micro_batch', microBatchValues(micro, detailed.max_micro_batch), accepted),
    computeSweep(core.estimate, query, 'seq_len', seqLenValues(seq, detailed.max_seq_len, maxPositions), accepted),
  ];
}
