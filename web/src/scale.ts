// Linear and base-2 logarithmic maps from data to SVG coordinates, with tick
// positions at "nice" numbers: 1, 2 or 5 times a power of ten (Heckbert,
// "Nice numbers for graph labels", Graphics Gems, 1990). A chart library was
// measured at about 12 KB gzip, too much for the page's 100 KB budget.

/** Returns the tick spacing for about `count` ticks over [start, stop]: 1, 2 or 5 times a power of ten, or 0 for an empty span. */
export function tickStep(start: number, stop: number, count: number): number {
  const raw = Math.abs(stop - start) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 0;
  const power = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / power;
  // Round the ratio to the nearest of 1, 2, 5 and 10 on a logarithmic scale.
  if (ratio >= Math.sqrt(50)) return 10 * power;
  if (ratio >= Math.sqrt(10)) return 5 * power;
  if (ratio >= Math.SQRT2) return 2 * power;
  return power;
}

/** Rounds away the binary error of `index * step` (0.1 * 3 is 0.30000000000000004). */
function tickValue(index: number, step: number): number {
  return Number((index * step).toPrecision(12));
}

/** Returns the multiples of the tick step inside [start, stop], in increasing order. */
export function ticks(start: number, stop: number, count: number): number[] {
  const low = Math.min(start, stop);
  const high = Math.max(start, stop);
  const step = tickStep(low, high, count);
  if (step === 0) return Number.isFinite(low) ? [low] : [];
  const values: number[] = [];
  for (let index = Math.ceil(low / step - 1e-9); index <= Math.floor(high / step + 1e-9); index += 1) {
    values.push(tickValue(index, step));
  }
  return values;
}

/** Widens [start, stop] outward to multiples of its tick step, repeating until the step stops changing. */
export function nice(start: number, stop: number, count: number): [number, number] {
  let low = start;
  let high = stop;
  let previous = 0;
  for (let round = 0; round < 10; round += 1) {
    const step = tickStep(low, high, count);
    if (step === 0 || step === previous) break;
    low = tickValue(Math.floor(low / step + 1e-9), step);
    high = tickValue(Math.ceil(high / step - 1e-9), step);
    previous = step;
  }
  return [low, high];
}

export interface Scale {
  (value: number): number;
  ticks(count: number): number[];
  domain: [number, number];
}

/** Returns a linear map from [d0, d1] to [r0, r1]; with `niceEnds`, the domain is widened to round tick values first. */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number], niceEnds = false): Scale {
  const [a, b] = niceEnds ? nice(d0, d1, 5) : [d0, d1];
  const span = b - a || 1;
  const scale = (value: number) => r0 + ((value - a) / span) * (r1 - r0);
  scale.ticks = (count: number) => ticks(a, b, count);
  scale.domain = [a, b] as [number, number];
  return scale;
}

/** Returns a base-2 logarithmic map; ticks are the powers of two in the domain. */
export function log2Scale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const a = Math.log2(d0);
  const span = Math.log2(d1) - a || 1;
  const scale = (value: number) => r0 + ((Math.log2(value) - a) / span) * (r1 - r0);
  scale.ticks = () => {
    const powers: number[] = [];
    for (let power = 2 ** Math.ceil(a); power <= d1; power *= 2) powers.push(power);
    return powers;
  };
  scale.domain = [d0, d1] as [number, number];
  return scale;
}

/** Returns an SVG path through the points, in order. */
export function linePath(points: readonly [number, number][]): string {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}
