import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../web/src/core';
import { LANGS, lookup } from '../../web/src/i18n';
import { loadTestCore, WORKED_EXAMPLE } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
});

describe('core worked example', () => {
  // P = 1.3e9, B = 16, L = 512, H = 2048, 2 bytes per value (FP16), G = 1, A100 FP16 dense peak 312e12 FLOP/s.
  it('accepts the worked example', () => {
    const response = core.estimate({ ...WORKED_EXAMPLE });

    expect(response.errors).toEqual([]);
    expect(response.ok).toBe(true);
    expect(response.guide).not.toBeNull();
  });

  it('matches the guide FLOPs', () => {
    const guide = core.estimate({ ...WORKED_EXAMPLE }).guide!;

    // forward = 2·P·B·L = 2 × 1.3e9 × 16 × 512 = 2.6e9 × 8192 = 2.12992e13
    expect(guide.flops_forward).toBeCloseTo(2.12992e13, -6);
    // backward = 2 × forward = 4.25984e13
    expect(guide.flops_backward).toBeCloseTo(4.25984e13, -6);
    // (forward + backward) × G = 6.38976e13, the guide's printed 63.9 TFLOPs
    expect(guide.flops_forward_backward).toBeCloseTo(6.38976e13, -6);
    // optimizer = 2·P = 2.6e9
    expect(guide.flops_optimizer).toBeCloseTo(2.6e9, -1);
    // total = 6.38976e13 + 2.6e9 = 6.390020e13
    expect(guide.flops_total).toBeCloseTo(6.39002e13, -6);
  });

  it('matches the guide step time', () => {
    const guide = core.estimate({ ...WORKED_EXAMPLE }).guide!;

    expect(guide.gpu_peak_flops).toBe(312e12);
    // 6.38976e13 / 3.12e14 = 0.2048 s, and with the optimizer term 6.39002e13 / 3.12e14 = 0.20481 s
    expect(Math.abs(guide.step_time_s - 0.2048)).toBeLessThanOrEqual(1e-3);
  });

  it('matches the guide memory terms', () => {
    const guide = core.estimate({ ...WORKED_EXAMPLE }).guide!;
    const terms = Object.fromEntries((guide.memory.children ?? []).map((term) => [term.key, term.value]));

    expect(guide.bytes_per_value).toBe(2);
    // weights = P × 2 bytes = 2.6e9 bytes (the guide's 2.6 GB)
    expect(terms['weights']).toBe(2.6e9);
    // activations = B·L·H × 2 bytes = 16 × 512 × 2048 × 2 = 33,554,432 bytes
    expect(terms['activations']).toBe(33_554_432);
    // gradients and optimizer = 3·P × 2 bytes = 7.8e9 bytes
    expect(terms['gradients_and_optimizer']).toBe(7.8e9);
    // total = 2.6e9 + 33,554,432 + 7.8e9 = 10,433,554,432 bytes
    expect(guide.memory_total_bytes).toBe(10_433_554_432);
  });

  it('scales FLOPs with gradient accumulation', () => {
    const guide = core.estimate({ ...WORKED_EXAMPLE, grad_accum: '4' }).guide!;

    // (2.12992e13 + 4.25984e13) × 4 = 2.555904e14, and the optimizer term stays 2.6e9
    expect(guide.flops_forward_backward).toBeCloseTo(2.555904e14, -6);
    expect(guide.flops_optimizer).toBeCloseTo(2.6e9, -1);
  });
});

describe('core tables', () => {
  it('lists every field with a kind and group', () => {
    expect(core.fields.length).toBeGreaterThan(0);
    for (const field of core.fields) {
      expect(['number', 'integer', 'choice', 'boolean', 'text']).toContain(field.kind);
      expect(field.group).not.toBe('');
    }
  });

  it('lists GPU ids once each', () => {
    const ids = core.gpus.map((gpu) => gpu.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('a100-80gb');
  });

  it('words every constant in both languages', () => {
    // The assumptions panel words each constant of the core in the page's language.
    for (const constant of core.estimate({}).constants) {
      for (const lang of LANGS) {
        expect(lookup(lang, `constant.${constant.key}`), `${lang} constant.${constant.key}`).not.toBeNull();
        if (constant.unit !== 'bytes') {
          expect(lookup(lang, `constant_unit.${constant.unit}`), `${lang} constant_unit.${constant.unit}`).not.toBeNull();
        }
      }
    }
  });
});
