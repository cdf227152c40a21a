import type { GpuSpec, GuideResult } from '../core';
import { formatBytes, formatFlopRate, formatFlops, formatGiB, formatSeconds, joinQuantity, type Quantity } from '../format';
import { lookup } from '../i18n';
import { useI18n } from '../i18n/context';
import { MemoryChart, TERM_COLORS } from './MemoryChart';

interface ResultsProps {
  guide: GuideResult;
  gpu: GpuSpec | undefined;
  /**
   * Why the estimate differs from the form: 'edited' when the form has errors
   * and this is the last valid estimate, 'url' when rejected URL values were
   * replaced by defaults, null when it matches the form.
   */
  stale: 'edited' | 'url' | null;
}

function Value({ quantity, testId }: { quantity: Quantity; testId: string }) {
  return (
    <td class="num" data-testid={testId}>
      {quantity.number}
      {quantity.unit && <span class="unit"> {quantity.unit}</span>}
    </td>
  );
}

export function Results({ guide, gpu, stale }: ResultsProps) {
  const { lang, t, locale } = useI18n();
  const gpuName = gpu?.name ?? '';
  const total = formatBytes(guide.memory_total_bytes, locale);
  const capacity = formatBytes(guide.gpu_memory_bytes, locale);
  const capacityText = `${joinQuantity(capacity)} (${joinQuantity(formatGiB(guide.gpu_memory_bytes, locale))})`;
  const fits = guide.memory_total_bytes <= guide.gpu_memory_bytes;
  const timeUnits = {
    microsecond: t('unit.microsecond'),
    millisecond: t('unit.millisecond'),
    second: t('unit.second'),
    minute: t('unit.minute'),
    hour: t('unit.hour'),
    day: t('unit.day'),
  };
  const memoryTerms = guide.memory.children ?? [];

  return (
    <section class={stale ? 'results stale' : 'results'} aria-labelledby="results-heading" aria-live="polite">
      <h2 id="results-heading">{t('result.heading')}</h2>
      {stale && <p class="notice">{t(stale === 'url' ? 'result.url_defaults' : 'result.stale')}</p>}

      <div class="verdict">
        <p class={fits ? 'fits' : 'no-fit'} data-testid="verdict">
          {t(fits ? 'result.fits' : 'result.does_not_fit', {
            total: joinQuantity(total),
            gpu: gpuName,
            capacity: capacityText,
          })}
        </p>
        <p class="step">
          <span>{t('result.step_time')}</span>{' '}
          <strong data-testid="step-time">{joinQuantity(formatSeconds(guide.step_time_s, locale, timeUnits))}</strong>
          <br />
          <small>
            {t('result.step_time_note', {
              flops: joinQuantity(formatFlops(guide.flops_total, locale)),
              peak: joinQuantity(formatFlopRate(guide.gpu_peak_flops, locale)),
            })}
          </small>
        </p>
      </div>

      <h3>{t('result.flops_heading')}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('result.term')}</th>
            <th scope="col" class="num">{t('result.value')}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t('result.flops_forward')}</th>
            <Value quantity={formatFlops(guide.flops_forward, locale)} testId="flops-forward" />
          </tr>
          <tr>
            <th scope="row">{t('result.flops_backward')}</th>
            <Value quantity={formatFlops(guide.flops_backward, locale)} testId="flops-backward" />
          </tr>
          <tr class="sum">
            <th scope="row">{t('result.flops_forward_backward')}</th>
            <Value quantity={formatFlops(guide.flops_forward_backward, locale)} testId="flops-forward-backward" />
          </tr>
          <tr>
            <th scope="row">{t('result.flops_optimizer')}</th>
            <Value quantity={formatFlops(guide.flops_optimizer, locale)} testId="flops-optimizer" />
          </tr>
          <tr class="sum">
            <th scope="row">{t('result.flops_total')}</th>
            <Value quantity={formatFlops(guide.flops_total, locale)} testId="flops-total" />
          </tr>
        </tbody>
      </table>
      <p class="note">{t('result.flops_optimizer_note')}</p>

      <h3>{t('result.memory_heading')}</h3>
      <MemoryChart terms={memoryTerms} capacityBytes={guide.gpu_memory_bytes} gpuName={gpuName} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('result.term')}</th>
            <th scope="col" class="num">{t('result.value')}</th>
          </tr>
        </thead>
        <tbody>
          {memoryTerms.map((term, index) => (
            <tr key={term.key}>
              <th scope="row">
                <span class="swatch" style={{ background: TERM_COLORS[index % TERM_COLORS.length] }} aria-hidden="true" />
                {lookup(lang, `result.memory_${term.key}`) ?? term.key}
              </th>
              <Value quantity={formatBytes(term.value, locale)} testId={`memory-${term.key}`} />
            </tr>
          ))}
          <tr class="sum">
            <th scope="row">{t('result.memory_total')}</th>
            <Value quantity={total} testId="memory-total" />
          </tr>
          <tr>
            <th scope="row">{t('result.gpu_memory', { gpu: gpuName })}</th>
            <td class="num" data-testid="gpu-memory">
              {capacityText}
            </td>
          </tr>
        </tbody>
      </table>
      <p class="note">{t('result.units_note')}</p>
    </section>
  );
}
