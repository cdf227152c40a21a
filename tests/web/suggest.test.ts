import { beforeAll, describe, expect, it } from 'vitest';
import type { Core, Query } from '../../web/src/core';
import { FIX_MARGIN, findFixes, gpuSecondsPerToken, MAX_FIXES } from '../../web/src/suggest';
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

  it('returns only changes that fit with the margin to spare', () => {
    const current = core.estimate(tooBig);
    expect(current.detailed?.fits).toBe(false);

    const fixes = findFixes(core.estimate, tooBig, current);
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.length).toBeLessThanOrEqual(MAX_FIXES);
    for (const fix of fixes) {
      const applied = core.estimate({ ...tooBig, ...fix.changes });
      expect(applied.detailed?.fits, fix.kinds.join('+')).toBe(true);
      expect(applied.detailed!.headroom_bytes).toBeGreaterThanOrEqual(FIX_MARGIN * applied.detailed!.gpu_usable_bytes);
      expect(applied.detailed?.nvidia_smi_bytes).toBe(fix.response.detailed?.nvidia_smi_bytes);
    }
  });

  it('cannot fit 128 GB of states by saving activations', () => {
    // Fused cross-entropy, checkpointing and a smaller micro-batch leave the 128 GB of states, so every fix
    // also shards the states over more GPUs, moves them to the CPU or switches to QLoRA.
    for (const fix of findFixes(core.estimate, tooBig, core.estimate(tooBig))) {
      expect(fix.kinds.some((kind) => kind === 'gpus' || kind === 'offload' || kind === 'qlora'), fix.kinds.join('+')).toBe(true);
    }
  });

  it('keeps the global batch when it shrinks the micro-batch', () => {
    // GPT-2 XL with LoRA at B = 64, L = 1024 needs about 255 GB; the core reports B = 19 is the largest that fits,
    // so halving reaches B = 16 with G = 4, the same 64 sequences per step.
    const query: Query = { model: 'gpt2-xl', seq_len: '1024', micro_batch: '64', method: 'lora' };
    const current = core.estimate(query);
    expect(current.detailed?.fits).toBe(false);
    expect(current.detailed?.max_micro_batch).toBe(19);

    const fix = findFixes(core.estimate, query, current).find((candidate) => candidate.kinds.includes('micro_batch'));
    expect(fix?.changes).toMatchObject({ micro_batch: '16', grad_accum: '4' });
  });

  it('offers per-micro-batch reduce-scatter for FSDP', () => {
    // Llama 3 8B full fine-tuning in bf16 with fused cross-entropy on 4 A100 40GB under FSDP full-shard,
    // accumulating 8 micro-batches of 8 x 2048 tokens. Under no_sync each GPU keeps all 8.03e9 bf16 gradients
    // (15 GiB). Reduced after every micro-batch, it keeps a quarter of them (3.7 GiB), so 41.4 GiB becomes 29.5.
    const query: Query = {
      model: 'llama-3-8b', precision: 'pure_bf16', micro_batch: '8', seq_len: '2048', grad_accum: '8',
      grad_checkpointing: 'full', fused_cross_entropy: 'true', gpu: 'a100-40gb', num_gpus: '4', sharding: 'fsdp_full_shard',
    };
    const current = core.estimate(query);
    expect(current.detailed?.fits).toBe(false);

    const fix = findFixes(core.estimate, query, current).find((candidate) => candidate.kinds.includes('sync_each_micro_batch'));
    expect(fix?.kinds).toEqual(['sync_each_micro_batch']);
    expect(fix?.changes).toEqual({ sync_each_micro_batch: 'true' });
    expect(fix?.response.detailed?.required_bytes).toBeLessThan(current.detailed!.required_bytes);

    // Without fused cross-entropy, at micro-batch 4 (46.7 GiB under no_sync, 34.3 GiB reduced every
    // micro-batch) the change alone is still offered, and more GPUs keep the job on FSDP.
    const mb4 = { ...query, micro_batch: '4', fused_cross_entropy: 'false' };
    const fixes = findFixes(core.estimate, mb4, core.estimate(mb4));
    expect(fixes.some((candidate) => candidate.kinds.join() === 'sync_each_micro_batch')).toBe(true);
    for (const candidate of fixes.filter((item) => item.kinds.includes('gpus'))) {
      expect(candidate.changes['sharding']).toBe('fsdp_full_shard');
    }
  });

  it('ranks fixes by GPU-seconds per token, with a change of method last', () => {
    for (const query of [tooBig, { model: 'llama-3-70b', gpu: 'h100-sxm', num_gpus: '8', sharding: 'zero3', seq_len: '2048', micro_batch: '1' }]) {
      const fixes = findFixes(core.estimate, query, core.estimate(query));
      const costs = fixes.filter((fix) => !fix.kinds.includes('qlora')).map((fix) => gpuSecondsPerToken(fix.response));
      expect(costs).toEqual([...costs].sort((x, y) => x - y));
      const firstQlora = fixes.findIndex((fix) => fix.kinds.includes('qlora'));
      if (firstQlora >= 0) expect(fixes.slice(firstQlora).every((fix) => fix.kinds.includes('qlora'))).toBe(true);
    }
  });

  it('prefers a few GPUs with checkpointing to many GPUs', () => {
    // Qwen2.5 7B full fine-tuning at B = 4, L = 2048 on one A100 80GB. Sharding its states over 4 GPUs with
    // ZeRO-3 leaves room for the activations only with checkpointing or a smaller micro-batch; ZeRO-3 alone
    // needs 16 GPUs, which trains each token at more GPU-seconds.
    const query: Query = { model: 'qwen2.5-7b', micro_batch: '4', seq_len: '2048' };
    const first = findFixes(core.estimate, query, core.estimate(query))[0]!;
    expect(first.response.input['num_gpus']).toBe('4');
    expect(first.kinds).toContain('gpus');
  });

  it('offloads before adding GPUs for 70B', () => {
    // Llama 3 70B, full, on 8 H100 with ZeRO-3: 70.6e9 × 16 bytes / 8 ≈ 141 GB of states per GPU.
    // Offloading the AdamW states and fp32 master weights (12 of the 16 bytes) fits on the same 8 GPUs.
    const query: Query = { model: 'llama-3-70b', gpu: 'h100-sxm', num_gpus: '8', sharding: 'zero3', seq_len: '2048', micro_batch: '1' };
    const first = findFixes(core.estimate, query, core.estimate(query))[0]!;
    expect(first.kinds).toContain('offload');
    expect(first.response.input['num_gpus']).toBe('8');
  });

  it('leaves out moves a fix does not need', () => {
    // GPT-2 XL LoRA at B = 64: checkpointing alone, or fused cross-entropy with a smaller micro-batch, fits, so
    // no fix stacks a smaller micro-batch on checkpointing.
    const query: Query = { model: 'gpt2-xl', seq_len: '1024', micro_batch: '64', method: 'lora' };
    for (const fix of findFixes(core.estimate, query, core.estimate(query))) {
      const stacksBoth = fix.kinds.includes('micro_batch') && fix.kinds.includes('grad_checkpointing');
      expect(stacksBoth, fix.kinds.join('+')).toBe(false);
    }
  });

  it('combines changes when none fits alone', () => {
    // Llama 3 8B at B = 8, L = 2048: QLoRA alone keeps the activations, checkpointing alone keeps 128 GB of states.
    const query: Query = { model: 'llama-3-8b', micro_batch: '8', seq_len: '2048' };
    const fixes = findFixes(core.estimate, query, core.estimate(query));
    expect(fixes.length).toBeGreaterThan(0);
    for (const fix of fixes) {
      expect(fix.kinds.length).toBeGreaterThan(1);
      expect(core.estimate({ ...query, ...fix.changes }).detailed?.fits).toBe(true);
    }
  });

  it('loads an fp32 LoRA base in 16 bits before renting GPUs', () => {
    // Llama 3 8B LoRA at B = 4, L = 2048 on an RTX 4090 under AMP BF16 keeps the 8e9-parameter base in fp32
    // (32 GB alone). The same base in bf16 (16 GB) fits on the one card with checkpointing.
    const query: Query = { model: 'llama-3-8b', method: 'lora', gpu: 'rtx-4090', seq_len: '2048', micro_batch: '4' };
    const first = findFixes(core.estimate, query, core.estimate(query))[0]!;
    expect(first.kinds).toContain('precision');
    expect(first.changes['precision']).toBe('pure_bf16');
    expect(first.response.input['num_gpus']).toBe('1');
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
