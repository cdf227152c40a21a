import { useState } from 'preact/hooks';
import type { GpuSpec, PlanCandidate, PlanResponse, Query } from '../core';
import { formatBytes, formatSeconds, formatSignificant, joinQuantity } from '../format';
import { useI18n } from '../i18n/context';
import { choiceLabel } from '../messages';
import { log2Scale } from '../scale';

interface PlannerProps {
  plan: PlanResponse;
  gpus: readonly GpuSpec[];
  onLoad: (input: Query) => void;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = 48;

// NOTE: no browser test opens this view yet, because plan() needs a dataset size that the tests do not set.
/** Ranked setups from the planner and a time-against-cost chart; choosing a row loads it into the calculator. */
export function Planner({ plan, gpus, onLoad }: PlannerProps) {
  const { lang, t, locale } = useI18n();
  const [order, setOrder] = useState<'by_time' | 'by_cost'>('by_time');
  const rows = plan[order] ?? [];
  const units = { microsecond: t('unit.microsecond'), millisecond: t('unit.millisecond'), second: t('unit.second'), minute: t('unit.minute'), hour: t('unit.hour'), day: t('unit.day') };
  const describe = (candidate: PlanCandidate) => {
    const input = candidate.input;
    const gpu = gpus.find((spec) => spec.id === input['gpu'])?.name ?? input['gpu'];
    const parallel = candidate.tensor_parallel > 1 || candidate.pipeline_parallel > 1 ? `, TP=${candidate.tensor_parallel} PP=${candidate.pipeline_parallel}` : '';
    return `${input['num_gpus']} × ${gpu}, ${choiceLabel(lang, input['sharding'] ?? '', 'sharding')}${parallel}, B=${input['micro_batch']}`;
  };
  const priced = (plan.pareto ?? []).filter((candidate) => candidate.cost_usd != null && candidate.total_time_s > 0);
  const times = priced.map((candidate) => candidate.total_time_s);
  const costs = priced.map((candidate) => candidate.cost_usd!);
  const x = log2Scale([Math.min(...times), Math.max(...times)], [MARGIN, WIDTH - 16]);
  const y = log2Scale([Math.min(...costs), Math.max(...costs)], [HEIGHT - MARGIN, 16]);

  return (
    <section class="planner" aria-labelledby="planner-heading">
      <h2 id="planner-heading">{t('planner.heading')}</h2>
      <p class="note">{t('planner.intro')}</p>
      <div class="buttons" role="group">
        {(['by_time', 'by_cost'] as const).map((key) => (
          <button key={key} type="button" aria-pressed={order === key} onClick={() => setOrder(key)}>
            {t(key === 'by_time' ? 'planner.by_time' : 'planner.by_cost')}
          </button>
        ))}
      </div>
      {priced.length > 1 && (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('planner.chart')} data-export="planner">
          <g font-size="12" fill="currentColor" opacity="0.8">
            <text x={MARGIN} y={HEIGHT - 8}>{`${t('time.total')} →`}</text>
            <text x={4} y={12}>{`↑ ${t('time.cost')}`}</text>
            <text x={MARGIN} y={HEIGHT - 26}>{joinQuantity(formatSeconds(Math.min(...times), locale, units))}</text>
            <text x={WIDTH - 16} y={HEIGHT - 26} text-anchor="end">{joinQuantity(formatSeconds(Math.max(...times), locale, units))}</text>
            <text x={4} y={HEIGHT - MARGIN}>{`$${formatSignificant(Math.min(...costs), locale, 3)}`}</text>
            <text x={4} y={30}>{`$${formatSignificant(Math.max(...costs), locale, 3)}`}</text>
          </g>
          {priced.map((candidate, index) => (
            <circle key={index} cx={x(candidate.total_time_s)} cy={y(candidate.cost_usd!)} r="5" fill="#4e79a7" onClick={() => onLoad(candidate.input)}>
              <title>{describe(candidate)}</title>
            </circle>
          ))}
        </svg>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('planner.setup')}</th>
            <th scope="col" class="num">{t('time.total')}</th>
            <th scope="col" class="num">{t('time.cost')}</th>
            <th scope="col" class="num">{t('time.mfu')}</th>
            <th scope="col" class="num">{t('memory.heading')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {rows.map((candidate, index) => (
            <tr key={index}>
              <th scope="row">{describe(candidate)}</th>
              <td class="num">{joinQuantity(formatSeconds(candidate.total_time_s, locale, units))}</td>
              <td class="num">{candidate.cost_usd == null ? t('time.no_price') : `$${formatSignificant(candidate.cost_usd, locale, 4)}`}</td>
              <td class="num">{formatSignificant(100 * candidate.mfu, locale, 3)}%</td>
              <td class="num">{joinQuantity(formatBytes(candidate.peak_memory_bytes, locale))}</td>
              <td>
                <button type="button" onClick={() => onLoad(candidate.input)}>
                  {t('planner.load')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
