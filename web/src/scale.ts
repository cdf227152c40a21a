// Linear and base-2 logarithmic maps from data to SVG coordinates. Tick
// positions and "nice" domain ends come from d3-array. d3-scale and d3-shape
// were measured at about 12 KB gzip together (they pull in d3-interpolate,
// d3-color and d3-format), too much for the page's 100 KB budget.
import { nice, ticks } from 'd3-array';

export interface Scale {
  (value: number): number;
  ticks(count: number): number[];
  domain: [number, number];
}

/** Returns a linear map from [d0, d1] to [r0, r1]; with `niceEnds`, the domain is widened to round tick values first. */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number], niceEnds = false): Scale {
  const [a, b] = niceEnds ? (nice(d0, d1, 5) as [number, number]) : [d0, d1];
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
