import { useEffect, useRef, useState } from 'preact/hooks';
import type { Term } from '../core';
import { BYTES_PER_GIB, formatBinaryBytes, formatSignificant, joinQuantity } from '../format';
import { useI18n } from '../i18n/context';
import { termLabel } from '../messages';
import { linearScale } from '../scale';

/** Colours of the top-level memory terms (Tableau 10, distinguishable with common colour-vision deficiencies). */
export const TERM_COLORS: Record<string, string> = {
  weights: '#4e79a7',
  gradients: '#f28e2b',
  optimizer_states: '#e15759',
  activations: '#76b7b2',
  logits_and_loss: '#59a14f',
  temporary: '#edc948',
  framework_buffers: '#b07aa1',
  allocator_overhead: '#ff9da7',
  variable_length_cache: '#d4cdc9',
  cuda_context: '#9c755f',
  nccl_buffers: '#c49c94',
  gradients_and_optimizer: '#f28e2b',
};
const FALLBACK_COLOR = '#bab0ac';

const HEIGHT = 78;
const BAR_TOP = 22;
const BAR_HEIGHT = 26;

/**
 * Picks the first label that fits beside the line at x (right of it, else left of it) and its text-anchor.
 * Widths are estimated at 7 px per character of 12 px text, because SVG text cannot be measured before it is drawn.
 */
function placeLabel(candidates: readonly string[], x: number, width: number): { text: string; anchor: 'start' | 'end' } {
  for (const text of candidates) {
    const length = text.length * 7;
    if (x + length <= width) return { text, anchor: 'start' };
    if (x - length >= 0) return { text, anchor: 'end' };
  }
  return { text: candidates.at(-1)!, anchor: x > width / 2 ? 'end' : 'start' };
}

interface MemoryBarProps {
  peak: Term;
  usableBytes: number;
  gpuName: string;
}

/** Draws the memory terms as one stacked horizontal bar against the GPU's usable memory; hover or tap shows a term's size. */
export function MemoryBar({ peak, usableBytes, gpuName }: MemoryBarProps) {
  const { lang, t, locale } = useI18n();
  const [selected, setSelected] = useState<string | null>(null);
  // The viewBox follows the figure's width, so the labels keep their size on a phone.
  const figure = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const element = figure.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => setWidth(Math.max(280, Math.round(element.clientWidth))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const terms = (peak.children ?? []).filter((term) => Number.isFinite(term.value) && term.value > 0);
  // The scale runs in GiB, so the ticks fall on round GiB values.
  const toGiB = linearScale([0, Math.max(peak.value, usableBytes, 1) / BYTES_PER_GIB], [4, width - 4], true);
  const x = (value: number) => toGiB(value / BYTES_PER_GIB);
  const bytes = (value: number) => joinQuantity(formatBinaryBytes(value, locale));

  let offset = 0;
  const segments = terms.map((term) => {
    const start = offset;
    offset += term.value;
    return { term, start };
  });
  const chosen = terms.find((term) => term.key === selected);
  const describe = (term: Term) =>
    t('memory.selected', { term: termLabel(lang, term.key), bytes: bytes(term.value), share: `${formatSignificant((100 * term.value) / peak.value, locale, 2)}%` });
  const usableX = x(usableBytes);
  const usableLabel = placeLabel([`${gpuName}: ${t('memory.usable', { usable: bytes(usableBytes) })}`, t('memory.usable', { usable: bytes(usableBytes) })], usableX, width);

  return (
    <figure class="memory-bar" ref={figure}>
      <svg viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={t('memory.chart_label', { gpu: gpuName })} data-export="memory">
        {segments.map(({ term, start }) => (
          <rect
            key={term.key}
            x={x(start)}
            y={BAR_TOP}
            width={Math.max(0, x(start + term.value) - x(start))}
            height={BAR_HEIGHT}
            fill={TERM_COLORS[term.key] ?? FALLBACK_COLOR}
            stroke={term.key === selected ? 'currentColor' : 'none'}
            stroke-width="2"
            data-term={term.key}
            onPointerEnter={() => setSelected(term.key)}
            onClick={() => setSelected(term.key)}
          >
            <title>{describe(term)}</title>
          </rect>
        ))}
        {usableBytes > 0 && (
          <g>
            <line x1={usableX} x2={usableX} y1={BAR_TOP - 8} y2={BAR_TOP + BAR_HEIGHT + 4} stroke="currentColor" stroke-width="2" stroke-dasharray="4 3" />
            <text x={usableX} y={BAR_TOP - 11} font-size="12" fill="currentColor" text-anchor={usableLabel.anchor}>
              {usableLabel.text}
            </text>
          </g>
        )}
        {toGiB.ticks(width < 480 ? 3 : 5).map((tick) => (
          <text key={tick} x={toGiB(tick)} y={HEIGHT - 4} font-size="11" fill="currentColor" opacity="0.75" text-anchor={tick === 0 ? 'start' : toGiB(tick) > width - 30 ? 'end' : 'middle'}>
            {bytes(tick * BYTES_PER_GIB)}
          </text>
        ))}
      </svg>
      <figcaption class="bar-caption" aria-live="polite">
        {chosen ? describe(chosen) : t('memory.hint')}
      </figcaption>
    </figure>
  );
}
