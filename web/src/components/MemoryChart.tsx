import { nice, ticks } from 'd3-array';
import type { Term } from '../core';
import { formatBytes, joinQuantity } from '../format';
import { lookup } from '../i18n';
import { useI18n } from '../i18n/context';

/** Fill colours of the stacked terms, in term order (Tableau 10, distinguishable with common colour-vision deficiencies). */
export const TERM_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];

interface MemoryChartProps {
  terms: readonly Term[];
  capacityBytes: number;
  gpuName: string;
}

/**
 * Draws the memory terms as one horizontal stacked bar on an axis that reaches
 * past both the total and the GPU's memory, with a line at the GPU's memory.
 * It uses HTML percentages rather than SVG, so the text stays legible at any width.
 */
export function MemoryChart({ terms, capacityBytes, gpuName }: MemoryChartProps) {
  const { lang, t, locale } = useI18n();
  const values = terms.map((term) => (Number.isFinite(term.value) && term.value > 0 ? term.value : 0));
  const totalBytes = values.reduce((sum, value) => sum + value, 0);
  const capacity = Number.isFinite(capacityBytes) && capacityBytes > 0 ? capacityBytes : 0;
  const [, axisMax] = nice(0, Math.max(totalBytes, capacity, 1), 5);
  const percent = (bytes: number) => `${(100 * bytes) / axisMax}%`;
  const capacityText = joinQuantity(formatBytes(capacity, locale));

  let offset = 0;
  const segments = terms.map((term, index) => {
    const start = offset;
    offset += values[index]!;
    return { term, start, width: values[index]!, color: TERM_COLORS[index % TERM_COLORS.length] };
  });

  return (
    <figure class="chart" role="img" aria-label={t('chart.label', { gpu: gpuName })}>
      <div class="chart-plot">
        <div class="chart-bar">
          {segments.map((segment) => (
            <div
              key={segment.term.key}
              class="chart-segment"
              style={{ left: percent(segment.start), width: percent(segment.width), background: segment.color }}
              title={`${lookup(lang, `result.memory_${segment.term.key}`) ?? segment.term.key}: ${joinQuantity(formatBytes(segment.width, locale))}`}
            />
          ))}
        </div>
        {capacity > 0 && (
          <div class="chart-capacity" style={{ left: percent(capacity) }}>
            <span class={capacity / axisMax > 0.6 ? 'label left' : 'label'}>
              {t('chart.capacity', { gpu: gpuName, capacity: capacityText })}
            </span>
          </div>
        )}
      </div>
      <div class="chart-axis" aria-hidden="true">
        {ticks(0, axisMax, 5).map((tick) => (
          <span key={tick} style={{ left: percent(tick) }}>
            {joinQuantity(formatBytes(tick, locale))}
          </span>
        ))}
      </div>
    </figure>
  );
}
