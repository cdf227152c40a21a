import { beforeAll, describe, expect, it } from 'vitest';
import type { Core, Query } from '../../web/src/core';
import { findFixes, MAX_FIXES } from '../../web/src/suggest';
import { microBatchValues, seqLenValues, computeSweep } from '../../web/src/sweep';
import { loadTestCore } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
});

describe('fixes for a setup that does not fit', () => {
  // Llama 3 8B, full fine-tuning, AdamW, B = 16, L = 512 on one A100 80GB:
  // weights, gradients and AdamW states alone are 8.03e9 × 16 bytes ≈ 128 GB.
  const tooBig: Query = { model: 'llama-3-8b' };

  it('returns only changes that fit', () => {
    const current = core.estimate(tooBig);
    expect(current.detailed?.fits).toBe(false);

    const fixes = findFixes(core.estimate, tooBig, current);
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.length).toBeLessThanOrEqual(MAX_FIXES);
    for (const fix of fixes) {
      const applied = core.estimate({ ...tooBig, ...fix.changes });
      expect(applied.detailed?.fits, fix.kinds.join('+')).toBe(true);
      expect(applied.detailed?.nvidia_smi_bytes).toBe(fix.response.detailed?.nvidia_smi_bytes);
    }
  });

  it('cannot fit 128 GB of states by saving activations', () => {
    // Fused cross-entropy, checkpointing and a smaller micro-batch leave the 128 GB of states, so none is offered alone.
    const kinds = findFixes(core.estimate, tooBig, core.estimate(tooBig)).map((fix) => fix.kinds.join('+'));
    expect(kinds).not.toContain('fused_cross_entropy');
    expect(kinds).not.toContain('grad_checkpointing');
    expect(kinds).not.toContain('micro_batch');
    expect(kinds).toContain('qlora');
  });

  it('keeps the global batch when it shrinks the micro-batch', () => {
    // GPT-2 XL with LoRA at B = 64, L = 1024 needs about 255 GB; the core reports B = 19 is the largest that fits,
    // so halving reaches B = 16 with G = 4, the same 64 sequences per step.
    const query: Query = { model: 'gpt2-xl', seq_len: '1024', micro_batch: '64', method: 'lora' };
    const current = core.estimate(query);
    expect(current.detailed?.fits).toBe(false);
    expect(current.detailed?.max_micro_batch).toBe(19);

    const fix = findFixes(core.estimate, query, current).find((candidate) => candidate.kinds.join() === 'micro_batch');
    expect(fix?.changes).toEqual({ micro_batch: '16', grad_accum: '4' });
  });

  it('orders fixes by least disruption', () => {
    const query: Query = { model: 'gpt2-xl', seq_len: '1024', micro_batch: '64', method: 'lora' };
    const kinds = findFixes(core.estimate, query, core.estimate(query)).map((fix) => fix.kinds.join('+'));
    // Fused cross-entropy alone leaves 215 GB, so checkpointing (62 GB) comes first. QLoRA alone leaves
    // the activations, which dominate here, so it is not offered, and no combination is tried.
    expect(kinds).toEqual(['grad_checkpointing', 'micro_batch']);
  });

  it('combines changes when none fits alone', () => {
    // Llama 3 8B at B = 8, L = 2048: QLoRA alone keeps the activations, checkpointing alone keeps 128 GB of states.
    const query: Query = { model: 'llama-3-8b', micro_batch: '8', seq_len: '2048' };
    const fixes = findFixes(core.estimate, query, core.estimate(query));
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.kinds.length).toBeGreaterThan(1);
    expect(core.estimate({ ...query, ...fixes[0]!.changes }).detailed?.fits).toBe(true);
  });

  it('offers nothing for a setup that fits', () => {
    const current = core.estimate({});
    expect(current.detailed?.fits).toBe(true);
    expect(findFixes(core.estimate, {}, current)).toEqual([]);
  });
});

describe('sweep values', () => {
  it('spans 1 to twice the largest micro-batch that fits', () => {
    expect(microBatchValues(16, 48)).toEqual([1, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 92, 96]);
  });

  it('covers twice the current micro-batch when none fits', () => {
    expect(microBatchValues(8, 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('stops sequence lengths at max_positions', () => {
    expect(seqLenValues(512, 1536, 2048)).toEqual([128, 256, 512, 1024, 1536, 2048]);
  });

  it('marks points that exceed the GPU', () => {
    const current = core.estimate({});
    // The sweep's marks agree with the core's largest micro-batch that fits the default setup.
    const largest = current.detailed!.max_micro_batch;
    expect(largest).toBeGreaterThan(1);
    const sweep = computeSweep(core.estimate, {}, 'micro_batch', [1, largest, largest + 1], current);
    expect(sweep.points.map((point) => point.fits)).toEqual([true, true, false]);
    expect(sweep.points[0]!.peakBytes).toBeLessThan(sweep.points[1]!.peakBytes);
  });
});
