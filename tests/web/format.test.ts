import { describe, expect, it } from 'vitest';
import {
  formatBinaryBytes,
  formatBytes,
  formatFlopRate,
  formatFlops,
  formatGiB,
  formatInteger,
  formatLimit,
  formatLimits,
  formatSeconds,
  joinQuantity,
  NOT_AVAILABLE,
} from '../../web/src/format';

const EN = 'en-US';
const UNITS = { microsecond: 'µs', millisecond: 'ms', second: 's', minute: 'min', hour: 'h', day: 'days' };

describe('formatFlops', () => {
  it.each([
    // The guide's worked example: 2·1.3e9·16·512 = 2.12992e13 prints as 21.3 TFLOPs.
    [2.12992e13, '21.3 TFLOPs'],
    [4.25984e13, '42.6 TFLOPs'],
    [6.38976e13, '63.9 TFLOPs'],
    [2.6e9, '2.6 GFLOPs'],
    [1.5e15, '1.5 PFLOPs'],
    // 999.96e12 rounds to 1000 at three digits, so it moves up a unit.
    [999.96e12, '1 PFLOPs'],
    [0, '0 FLOPs'],
  ])('%d FLOPs prints as %s', (flops, expected) => {
    expect(joinQuantity(formatFlops(flops, EN))).toBe(expected);
  });
});

describe('formatBytes', () => {
  it.each([
    [2.6e9, '2.6 GB'],
    [33_554_432, '33.6 MB'],
    [10_433_554_432, '10.4 GB'],
    [85_899_345_920, '85.9 GB'],
    [1.2e12, '1.2 TB'],
  ])('%d bytes prints as %s', (bytes, expected) => {
    expect(joinQuantity(formatBytes(bytes, EN))).toBe(expected);
  });

  it('prints GiB for 80 × 2^30 bytes', () => {
    expect(joinQuantity(formatGiB(80 * 2 ** 30, EN))).toBe('80 GiB');
  });
});

describe('formatBinaryBytes', () => {
  it.each([
    // A100 80GB: 80 × 2^30 = 85,899,345,920 bytes, the size nvidia-smi and the card's name give.
    [85_899_345_920, '80 GiB'],
    // The guide's worked-example total: 10,433,554,432 / 2^30 = 9.717 GiB.
    [10_433_554_432, '9.72 GiB'],
    // 2^25 bytes = 32 MiB exactly.
    [33_554_432, '32 MiB'],
    // 5e8 / 2^20 = 476.8 MiB.
    [5e8, '477 MiB'],
    // 1.5 × 2^40 bytes.
    [1.5 * 2 ** 40, '1.5 TiB'],
    [512, '512 B'],
  ])('%d bytes prints as %s', (bytes, expected) => {
    expect(joinQuantity(formatBinaryBytes(bytes, EN))).toBe(expected);
  });
});

describe('formatInteger', () => {
  it.each([
    // GPT-3 XL's exact count from the core, which six significant digits would print as 1,315,720,000.
    [1_315_723_264, '1,315,723,264'],
    [8_030_261_248, '8,030,261,248'],
    [0, '0'],
  ])('%d prints as %s', (value, expected) => {
    expect(formatInteger(value, EN)).toBe(expected);
  });

  it('groups digits in Chinese the same way', () => {
    expect(formatInteger(1_315_723_264, 'zh-CN')).toBe('1,315,723,264');
  });
});

describe('formatSeconds', () => {
  it.each([
    // 6.38976e13 FLOPs / 3.12e14 FLOP/s = 0.2048 s, the guide's ≈ 0.205 s
    [0.2048, '0.205 s'],
    [0.004, '4 ms'],
    [2.5e-5, '25 µs'],
    [42, '42 s'],
    [90, '1.5 min'],
    [5400, '1.5 h'],
    [172800, '2 days'],
  ])('%d s prints as %s', (seconds, expected) => {
    expect(joinQuantity(formatSeconds(seconds, EN, UNITS))).toBe(expected);
  });
});

describe('formatFlopRate', () => {
  it('prints the A100 FP16 peak as 312 TFLOP/s', () => {
    expect(joinQuantity(formatFlopRate(312e12, EN))).toBe('312 TFLOP/s');
  });
});

describe('non-finite values', () => {
  it.each([NaN, Infinity, -Infinity])('%d prints as a dash', (value) => {
    const printed = [
      joinQuantity(formatFlops(value, EN)),
      joinQuantity(formatBytes(value, EN)),
      joinQuantity(formatGiB(value, EN)),
      joinQuantity(formatBinaryBytes(value, EN)),
      formatInteger(value, EN),
      joinQuantity(formatSeconds(value, EN, UNITS)),
      joinQuantity(formatFlopRate(value, EN)),
      formatLimit(value, EN),
    ];
    for (const text of printed) {
      expect(text).toBe(NOT_AVAILABLE);
    }
  });
});

describe('formatLimit', () => {
  it.each([
    [1e6, '1e6'],
    [1e13, '1e13'],
    [10_485_760, '10,485,760'],
    [65536, '65,536'],
    [1, '1'],
    [0.5, '0.5'],
  ])('%d prints as %s', (value, expected) => {
    expect(formatLimit(value, EN)).toBe(expected);
  });
});

describe('formatLimits', () => {
  it.each([
    [1e3, 1e13, ['1e3', '1e13']],
    [1, 65536, ['1', '65,536']],
    [1, 10_485_760, ['1', '10,485,760']],
    [0.001, 1e6, ['0.001', '1e6']],
  ])('%d to %d prints as %j', (min, max, expected) => {
    expect(formatLimits(min, max, EN)).toEqual(expected);
  });
});
