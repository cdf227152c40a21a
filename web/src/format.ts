// Number formatting for the page. The core returns base SI units (FLOPs,
// bytes, seconds, FLOP/s), and this is the one place that converts them for
// display. Every function returns "—" for a value that is not finite, so the
// page never shows NaN or Infinity.

export const NOT_AVAILABLE = '—';

/** A formatted quantity: the number text and its unit, kept apart so a table can align them. */
export interface Quantity {
  number: string;
  unit: string;
}

export function joinQuantity(quantity: Quantity): string {
  return quantity.unit ? `${quantity.number} ${quantity.unit}` : quantity.number;
}

interface Scale {
  factor: number;
  unit: string;
}

/** Formats with at most three significant digits: 21.2992 → "21.3", 2.60 → "2.6", 0.2048 → "0.205". */
export function formatSignificant(value: number, locale: string, digits = 3): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  return new Intl.NumberFormat(locale, { maximumSignificantDigits: digits }).format(value);
}

// Picks the largest unit that keeps the number at or above 1; values below the
// smallest unit use the smallest one.
function scaleValue(value: number, scales: readonly Scale[], locale: string): Quantity {
  if (!Number.isFinite(value)) return { number: NOT_AVAILABLE, unit: '' };
  const magnitude = Math.abs(value);
  let chosen = scales[0]!;
  for (const scale of scales) {
    if (magnitude >= scale.factor) chosen = scale;
  }
  // Rounding can carry into the next unit (999.96 GB would print as "1000 GB"), so move up when it does.
  const index = scales.indexOf(chosen);
  const next = scales[index + 1];
  if (next && Number((magnitude / chosen.factor).toPrecision(3)) >= next.factor / chosen.factor) {
    chosen = next;
  }
  return { number: formatSignificant(value / chosen.factor, locale), unit: chosen.unit };
}

const FLOP_SCALES: readonly Scale[] = [
  { factor: 1, unit: 'FLOPs' },
  { factor: 1e3, unit: 'kFLOPs' },
  { factor: 1e6, unit: 'MFLOPs' },
  { factor: 1e9, unit: 'GFLOPs' },
  { factor: 1e12, unit: 'TFLOPs' },
  { factor: 1e15, unit: 'PFLOPs' },
  { factor: 1e18, unit: 'EFLOPs' },
  { factor: 1e21, unit: 'ZFLOPs' },
];

/** FLOP counts: 2.12992e13 → 21.3 TFLOPs. */
export function formatFlops(flops: number, locale: string): Quantity {
  return scaleValue(flops, FLOP_SCALES, locale);
}

const FLOP_RATE_SCALES: readonly Scale[] = [
  { factor: 1e9, unit: 'GFLOP/s' },
  { factor: 1e12, unit: 'TFLOP/s' },
  { factor: 1e15, unit: 'PFLOP/s' },
];

/** Peak throughput: 3.12e14 FLOP/s → 312 TFLOP/s. */
export function formatFlopRate(flopsPerSecond: number, locale: string): Quantity {
  return scaleValue(flopsPerSecond, FLOP_RATE_SCALES, locale);
}

const DECIMAL_BYTE_SCALES: readonly Scale[] = [
  { factor: 1, unit: 'B' },
  { factor: 1e3, unit: 'kB' },
  { factor: 1e6, unit: 'MB' },
  { factor: 1e9, unit: 'GB' },
  { factor: 1e12, unit: 'TB' },
  { factor: 1e15, unit: 'PB' },
];

/** Bytes in decimal units, as the guide counts them (1 GB = 10^9 bytes): 2.6e9 → 2.6 GB. */
export function formatBytes(bytes: number, locale: string): Quantity {
  return scaleValue(bytes, DECIMAL_BYTE_SCALES, locale);
}

const BINARY_BYTE_SCALES: readonly Scale[] = [
  { factor: 1, unit: 'B' },
  { factor: 2 ** 10, unit: 'KiB' },
  { factor: 2 ** 20, unit: 'MiB' },
  { factor: 2 ** 30, unit: 'GiB' },
  { factor: 2 ** 40, unit: 'TiB' },
  { factor: 2 ** 50, unit: 'PiB' },
];

/**
 * Bytes in binary units (1 GiB = 2^30 bytes), as PyTorch, nvidia-smi and GPU
 * names count memory: 85899345920 → 80 GiB, 5e8 → 477 MiB.
 */
export function formatBinaryBytes(bytes: number, locale: string): Quantity {
  return scaleValue(bytes, BINARY_BYTE_SCALES, locale);
}

export const BYTES_PER_GIB = 1024 ** 3;

/** Bytes in GiB (2^30 bytes) whatever the size, for figures labelled GiB such as a GPU's memory size: 85899345920 → 80 GiB. */
export function formatGiB(bytes: number, locale: string): Quantity {
  if (!Number.isFinite(bytes)) return { number: NOT_AVAILABLE, unit: '' };
  return { number: formatSignificant(bytes / BYTES_PER_GIB, locale), unit: 'GiB' };
}

/** An exact count with digit grouping, for integers such as parameter counts: 1315723264 → 1,315,723,264. */
export function formatInteger(value: number, locale: string): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** Names of time units, supplied by the message catalog. */
export interface TimeUnits {
  microsecond: string;
  millisecond: string;
  second: string;
  minute: string;
  hour: string;
  day: string;
}

/** Durations: 0.2048 → 0.205 s (as the guide writes it), 0.004 → 4 ms, 5400 → 1.5 h. */
export function formatSeconds(seconds: number, locale: string, units: TimeUnits): Quantity {
  if (!Number.isFinite(seconds)) return { number: NOT_AVAILABLE, unit: '' };
  const magnitude = Math.abs(seconds);
  if (magnitude >= 0.01 && magnitude < 1) {
    return { number: formatSignificant(seconds, locale), unit: units.second };
  }
  const scales: readonly Scale[] = [
    { factor: 1e-6, unit: units.microsecond },
    { factor: 1e-3, unit: units.millisecond },
    { factor: 1, unit: units.second },
    { factor: 60, unit: units.minute },
    { factor: 3600, unit: units.hour },
    { factor: 86400, unit: units.day },
  ];
  return scaleValue(seconds, scales, locale);
}

// Scientific form for a round number (at most three significant digits): 1e13, 2.5e9.
function roundScientific(value: number): string | null {
  const [mantissa, exponent] = value.toExponential().split('e');
  return mantissa!.replace('-', '').replace('.', '').length <= 3 ? `${mantissa}e${Number(exponent)}` : null;
}

/**
 * Formats an input limit for an error message. Large round numbers keep the
 * scientific form that the inputs accept (1e13); others get digit grouping
 * (10,485,760).
 */
export function formatLimit(value: number, locale: string): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  if (Math.abs(value) >= 1e6) {
    const scientific = roundScientific(value);
    if (scientific) return scientific;
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(value);
}

/** Formats both ends of a range. A round lower end of 1000 or more follows a scientific upper end (1e3 to 1e13). */
export function formatLimits(min: number, max: number, locale: string): [string, string] {
  const maxText = formatLimit(max, locale);
  const minScientific = Math.abs(min) >= 1e3 && maxText.includes('e') ? roundScientific(min) : null;
  return [minScientific ?? formatLimit(min, locale), maxText];
}
