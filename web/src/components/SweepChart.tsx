import { BYTES_PER_GIB, formatBinaryBytes, formatSignificant, joinQuantity } from '../format';
import { useI18n } from '../i18n/context';
import { linePath, linearScale, log2Scale } from '../scale';
import type { Sweep } from '../sweep';

// A small viewBox, so the 11–12 px labels stay legible when two charts share a row.
const WIDTH = 440;
const HEIGHT = 230;
const MARGIN = { top: 22, right: 12, bottom: 40, left: 58 };

export interface SweepChartProps {
  sweep: Sweep;
  title: string;
  xLabel: string;
  gpuName: string;
}

/** Peak memory against one input, with the GPU's usable memory as a line and a table of the same points. */
export function SweepChart({ sweep, title, xLabel, gpuName }: SweepChartProps) {
  const { t, locale } = useI18n();
  const { points } = sweep;
  if (points.length < 2) return null;

  const xs = points.map((point) => point.x);
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const xRange: [number, number] = [MARGIN.left, WIDTH - MARGIN.right];
  const x = sweep.field === 'seq_len' ? log2Scale([minX, maxX], xRange) : linearScale([minX, maxX], xRange);
  // The scale runs in GiB, so the ticks fall on round GiB values.
  const yMaxGiB = (Math.max(...points.map((point) => point.peakBytes), sweep.usableBytes) * 1.05) / BYTES_PER_GIB;
  const yGiB = linearScale([0, yMaxGiB], [HEIGHT - MARGIN.bottom, MARGIN.top], true);
  const y = (bytes: number) => yGiB(bytes / BYTES_PER_GIB);
  const path = linePath(points.map((point) => [x(point.x), y(point.peakBytes)]));
  const bytes = (value: number) => joinQuantity(formatBinaryBytes(value, locale));
  const xTicks = x.ticks(6).filter(Number.isInteger);
  const usableY = y(sweep.usableBytes);

  // Memory grows along the x axis, so the curve is below the line on the left
  // and above it on the right. The label goes where the curve is not: just
  // above the line at the left when the crossing leaves room (about 6.5 px per
  // character), otherwise in the top-left corner, in the line's color.
  const label = `${gpuName}: ${t('memory.usable', { usable: bytes(sweep.usableBytes) })}`;
  const crossing = points.find((point) => point.peakBytes > sweep.usableBytes);
  const crossingX = crossing ? x(crossing.x) : WIDTH;
  const labelAboveLeft = crossingX - MARGIN.left > label.length * 6.5 + 8;

  return (
    <figure class="sweep">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} data-export={sweep.field}>
        <g opacity="0.75" font-size="11" fill="currentColor">
          {yGiB.ticks(5).map((tick) => (
            <g key={tick}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={yGiB(tick)} y2={yGiB(tick)} stroke="currentColor" stroke-opacity="0.15" />
              <text x={MARGIN.left - 6} y={yGiB(tick) + 4} text-anchor="end">
                {bytes(tick * BYTES_PER_GIB)}
              </text>
            </g>
          ))}
          {xTicks.map((tick, index) => (
            // The last tick ends at the axis end, so a wide number is not cut at the edge.
            <text key={tick} x={x(tick)} y={HEIGHT - MARGIN.bottom + 16} text-anchor={index === xTicks.length - 1 && x(tick) > WIDTH - MARGIN.right - 20 ? 'end' : 'middle'}>
              {formatSignificant(tick, locale, 6)}
            </text>
          ))}
          <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 6} text-anchor="middle">
            {xLabel}
          </text>
        </g>
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={usableY} y2={usableY} stroke="#e15759" stroke-width="2" stroke-dasharray="6 4" />
        {labelAboveLeft ? (
          <text x={MARGIN.left + 4} y={Math.max(12, usableY - 6)} font-size="12" fill="currentColor">
            {label}
          </text>
        ) : (
          <text x={MARGIN.left + 4} y={MARGIN.top + 12} font-size="12" fill="#e15759">
            {label}
          </text>
        )}
        <path d={path} fill="none" stroke="#4e79a7" stroke-width="2.5" />
        {points.map((point) => (
          <circle key={point.x} cx={x(point.x)} cy={y(point.peakBytes)} r={point.x === sweep.current ? 6 : 3.5} fill={point.fits ? '#4e79a7' : '#e15759'} stroke={point.x === sweep.current ? 'currentColor' : 'none'} stroke-width="2">
            <title>{`${formatSignificant(point.x, locale, 6)}: ${bytes(point.peakBytes)} (${t(point.fits ? 'sweep.fits' : 'sweep.no_fit')})`}</title>
          </circle>
        ))}
      </svg>
      <details>
        <summary>{t('sweep.table')}</summary>
        <table data-testid={`sweep-${sweep.field}`}>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              <th scope="col" class="num">{t('sweep.y')}</th>
              <th scope="col">{gpuName}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((point) => (
              <tr key={point.x} class={point.x === sweep.current ? 'current' : undefined}>
                <th scope="row">
                  {formatSignificant(point.x, locale, 6)}
                  {point.x === sweep.current && ` (${t('sweep.current')})`}
                </th>
                <td class="num">{bytes(point.peakBytes)}</td>
                <td>{t(point.fits ? 'sweep.fits' : 'sweep.no_fit')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
