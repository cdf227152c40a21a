import { describe, expect, it } from 'vitest';
import { linearScale, log2Scale, nice, tickStep, ticks } from '../../web/src/scale';

describe('tick steps', () => {
  // step = 1, 2 or 5 x 10^k nearest (on a log scale) to span / count:
  //   [0, 1] / 5 = 0.2: ratio 2 to 10^-1, between sqrt(2) and sqrt(10), so 2 x 0.1
  //   [0, 100] / 10 = 10: ratio 1, below sqrt(2), so 1 x 10
  //   [0, 73] / 5 = 14.6: ratio 1.46, above sqrt(2) = 1.414, so 2 x 10
  //   [0, 37] / 5 = 7.4: ratio 7.4, between sqrt(50) = 7.07 and 10, so 10
  //   [0, 18] / 5 = 3.6: ratio 3.6, between sqrt(10) = 3.16 and sqrt(50), so 5
  const rows: [number, number, number, number][] = [
    [0, 1, 5, 0.2],
    [0, 100, 10, 10],
    [0, 73, 5, 20],
    [0, 37, 5, 10],
    [0, 18, 5, 5],
    [3, 3, 5, 0],
  ];
  it.each(rows)('[%d, %d] in %d ticks steps by %d', (start, stop, count, step) => {
    expect(tickStep(start, stop, count)).toBe(step);
  });

  it('lists the multiples of the step inside the span, without binary error', () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.05, 0.35, 3)).toEqual([0.1, 0.2, 0.3]);
    expect(ticks(13, 87, 5)).toEqual([20, 40, 60, 80]);
    expect(ticks(5, 5, 5)).toEqual([5]);
  });

  it('widens a domain to round ends', () => {
    // [13, 87]: step 20, so [0, 100]; [0, 100] / 5 = 20 again, so it stops.
    expect(nice(13, 87, 5)).toEqual([0, 100]);
    // [0.3, 9.7]: step 2 (9.4 / 5 = 1.88), so [0, 10]; 10 / 5 = 2 again.
    expect(nice(0.3, 9.7, 5)).toEqual([0, 10]);
    // [0, 73.5]: step 20 (14.7), so [0, 80]; 80 / 5 = 16 keeps step 20.
    expect(nice(0, 73.5, 5)).toEqual([0, 80]);
  });
});

describe('scales', () => {
  it('maps a nice linear domain onto the range', () => {
    const scale = linearScale([0, 73.5], [0, 400], true);
    expect(scale.domain).toEqual([0, 80]);
    expect(scale(40)).toBe(200);
    expect(scale.ticks(4)).toEqual([0, 20, 40, 60, 80]);
  });

  it('places powers of two on a log2 scale', () => {
    const scale = log2Scale([512, 8192], [0, 400]);
    expect(scale(2048)).toBe(200);
    expect(scale.ticks(0)).toEqual([512, 1024, 2048, 4096, 8192]);
  });
});
