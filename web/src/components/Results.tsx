import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { globalBatch } from '../calculator';
import type { EstimateResponse, EstimateWarning, GpuSpec, ModelResponse, Query } from '../core';
import { formatBinaryBytes, formatBytes, formatFlopRate, formatFlops, formatInteger, formatSeconds, formatSignificant, joinQuantity, type Quantity } from '../format';
import { loadMoreMessages, lookup, type Lang, type Translate } from '../i18n';
import { useI18n } from '../i18n/context';
import { choiceLabel, guideTotalKey, termLabel } from '../messages';
import type { Fix } from '../suggest';
import type { Sweep } from '../sweep';
import { MemoryBar, TERM_COLORS } from './MemoryBar';
import type { SweepChartProps } from './SweepChart';
import { TermTable, Value } from './TermTable';

export interface ResultsProps {
  response: EstimateResponse;
  gpu: GpuSpec | undefined;
  /**
   * Why the estimate differs from the form: 'edited' when the form has errors
   * and this is the last valid estimate, 'url' when rejected URL values were
   * replaced by defaults, null when it matches the form.
   */
  stale: 'edited' | 'url' | null;
  /** Null while they are computed. */
  fixes: Fix[] | null;
  sweeps: Sweep[] | null;
  /** The chart component, which loads with the sweeps once their section scrolls into view. Null until then. */
  SweepChart: ComponentType<SweepChartProps> | null;
  /** Called once when the curves' section scrolls into view or the page prints, or at once without IntersectionObserver. */
  onSweepsNear?: () => void;
  breakdown: ModelResponse | null;
  /** 'full' on index.html; 'compact' shows the verdict and the memory bar only. */
  detail: 'full' | 'compact';
  onApplyFix: (changes: Query) => void;
}

function useUnits() {
  const { t } = useI18n();
  return {
    microsecond: t('unit.microsecond'),
    millisecond: t('unit.millisecond'),
    second: t('unit.second'),
    minute: t('unit.minute'),
    hour: t('unit.hour'),
    day: t('unit.day'),
  };
}

export function Results(props: ResultsProps) {
  const { response, gpu, stale, detail } = props;
  const { t, locale } = useI18n();
  const gpuName = gpu?.name ?? '';
  const bytes = (value: number): Quantity => formatBinaryBytes(value, locale);
  const detailed = response.detailed;

  return (
    <section class={stale ? 'results stale' : 'results'} aria-labelledby="results-heading" id="results">
      <h2 id="results-heading">{t('result.heading')}</h2>
      {stale && <p class="notice">{t(stale === 'url' ? 'result.url_defaults' : 'result.stale')}</p>}
      <Verdict response={response} gpuName={gpuName} />
      {response.warnings.length > 0 && <Warnings response={response} />}
      {detailed && !detailed.fits && <Fixes fixes={props.fixes} onApply={props.onApplyFix} stale={stale} />}

      {detailed && (
        <section aria-labelledby="memory-heading">
          <h3 id="memory-heading">{t('memory.heading')}</h3>
          <MemoryBar peak={detailed.peak} usableBytes={detailed.gpu_usable_bytes} gpuName={gpuName} />
          {detail === 'full' && (
            <div class="memory-detail">
              <TermTable
                root={detailed.peak}
                format={bytes}
                colors={TERM_COLORS}
                caption={t('memory.heading')}
                nameHeading={t('memory.term')}
                valueHeading={t('memory.bytes')}
                testId="memory"
              />
              <MemoryFacts response={response} />
            </div>
          )}
        </section>
      )}

      {detail === 'full' && (
        <>
          {(response.time || response.time_unavailable) && <TimeCost response={response} />}
          {detailed && <Sweeps sweeps={props.sweeps} SweepChart={props.SweepChart} gpuName={gpuName} onNear={props.onSweepsNear} />}
          <GuideComparison response={response} gpuName={gpuName} />
          {response.constants.length > 0 && <Assumptions response={response} />}
          {props.breakdown?.ok && props.breakdown.breakdown && (
            <section aria-labelledby="breakdown-heading">
              <h3 id="breakdown-heading">{t('breakdown.heading', { model: String(response.model?.spec['name'] ?? '') })}</h3>
              <TermTable
                root={props.breakdown.breakdown}
                format={(value) => ({ number: formatInteger(value, locale), unit: '' })}
                caption={t('breakdown.heading', { model: String(response.model?.spec['name'] ?? '') })}
                nameHeading={t('breakdown.part')}
                valueHeading={t('breakdown.params')}
                testId="breakdown"
              />
            </section>
          )}
        </>
      )}
    </section>
  );
}

/** GPUs of the job on one node: each runs a process with its own offloaded partition in the node's host memory. */
function gpusPerNode(input: Query): number {
  return Math.min(Number(input['num_gpus'] ?? 1), Number(input['gpus_per_node'] ?? 8));
}

/**
 * Words a core warning in the page's language from its code and the accepted
 * input. A code this page does not know falls back to the core's English message.
 */
export function describeWarning(warning: EstimateWarning, response: EstimateResponse, lang: Lang, locale: string): string {
  const input = response.input;
  const integer = (text: string | undefined) => formatInteger(Number(text ?? 0), locale);
  const params = {
    seq_len: integer(input['seq_len']),
    max_positions: integer(String(response.model?.spec['max_positions'] ?? 0)),
    sharding: choiceLabel(lang, input['sharding'] ?? ''),
    offload: choiceLabel(lang, input['offload'] ?? ''),
    num_gpus: integer(input['num_gpus']),
    grad_accum: integer(input['grad_accum']),
    tensor_parallel: integer(input['tensor_parallel']),
    pipeline_parallel: integer(input['pipeline_parallel']),
    precision: choiceLabel(lang, input['precision'] ?? '', 'precision'),
    pure_bf16: choiceLabel(lang, 'pure_bf16', 'precision'),
    wait: response.time ? `${formatSignificant((100 * response.time.cpu_dispatch_wait_s) / response.time.step_time_s, locale, 2)}%` : '',
  };
  // The page's core module carries no English message (NATIVE_TEXT), so an unknown code is shown as itself.
  return lookup(lang, `warning.${warning.code}`, params) ?? (warning.message || warning.code);
}

// The warnings' wording is among the on-demand strings (loadMoreMessages): the list shows once they load, or in
// the core's English if they fail to load.
function Warnings({ response }: { response: EstimateResponse }) {
  const { lang, locale } = useI18n();
  const [ready, setReady] = useState(() => response.warnings.every((warning) => lookup(lang, `warning.${warning.code}`) !== null));
  useEffect(() => {
    if (ready) return;
    const done = () => setReady(true);
    loadMoreMessages().then(done, done);
  }, [ready]);
  if (!ready) return null;
  return (
    <ul class="notices warnings" role="note" data-testid="warnings">
      {response.warnings.map((warning) => (
        <li key={warning.code}>{describeWarning(warning, response, lang, locale)}</li>
      ))}
    </ul>
  );
}

function Verdict({ response, gpuName }: { response: EstimateResponse; gpuName: string }) {
  const { t, locale } = useI18n();
  const text = (value: number) => joinQuantity(formatBinaryBytes(value, locale));
  const detailed = response.detailed;
  const guide = response.guide;
  const numGpus = Number(response.input['num_gpus'] ?? 1);

  let verdict: string;
  let fits: boolean;
  if (detailed) {
    fits = detailed.fits;
    verdict = t(fits ? 'result.fits' : 'result.does_not_fit', {
      gpu: gpuName,
      peak: text(detailed.required_bytes),
      usable: text(detailed.gpu_usable_bytes),
      headroom: text(detailed.headroom_bytes),
      shortfall: text(-detailed.headroom_bytes),
    });
  } else {
    fits = !!guide && guide.memory_total_bytes <= guide.gpu_memory_bytes;
    verdict = guide
      ? t(fits ? 'result.guide_fits' : 'result.guide_does_not_fit', { total: text(guide.memory_total_bytes), gpu: gpuName, capacity: text(guide.gpu_memory_bytes) })
      : '';
  }
  return (
    <div class={`verdict ${fits ? 'fits' : 'no-fit'}`} aria-live="polite" aria-atomic="true">
      <p data-testid="verdict">
        <span class="verdict-mark" aria-hidden="true">{fits ? '✓' : '✗'}</span> {verdict}
      </p>
      {detailed && <p class="muted">{t('result.per_gpu', { count: numGpus })}</p>}
      {detailed && detailed.host_memory_bytes > 0 && (
        <p class="muted">
          {t('result.host', { bytes: text(detailed.host_memory_bytes), node: text(detailed.host_memory_bytes * gpusPerNode(response.input)), gpus: gpusPerNode(response.input) })}
        </p>
      )}
      {!detailed && response.detailed_unavailable && <p class="notice">{t('result.detailed_unavailable', { reason: response.detailed_unavailable })}</p>}
    </div>
  );
}

/** Joins the changes of a fix into one sentence; clauses after the first start in lower case ("…, and turn on …"). */
export function describeFix(fix: Fix, t: Translate, locale: string, lang: Lang): string {
  const params = {
    micro: fix.changes['micro_batch'] ?? '',
    accum: fix.changes['grad_accum'] ?? '',
    count: fix.changes['num_gpus'] ?? '',
    global: formatInteger(globalBatch(fix.response.input), locale),
    precision: choiceLabel(lang, fix.changes['precision'] ?? '', 'precision'),
  };
  return fix.kinds
    .map((kind, index) => {
      const clause = kind === 'gpus' && fix.changes['sharding'] === 'fsdp_full_shard' ? t('fix.gpus_fsdp', params) : t(`fix.${kind}`, params);
      return index === 0 ? clause : clause.charAt(0).toLocaleLowerCase(locale) + clause.slice(1);
    })
    .join(t('fix.and'));
}

// While a field is invalid, the estimate shown is the last valid one, so an applied fix changes the
// form but not the result. The notice repeats the reason here, beside the buttons.
function Fixes({ fixes, onApply, stale }: { fixes: Fix[] | null; onApply: (changes: Query) => void; stale: 'edited' | 'url' | null }) {
  const { lang, t, locale } = useI18n();
  if (fixes === null) return null;
  const text = (value: number) => joinQuantity(formatBinaryBytes(value, locale));
  const gpus = (fix: Fix) => Number(fix.response.input['num_gpus'] ?? 1);
  return (
    <section class="fixes" aria-labelledby="fixes-heading">
      <h3 id="fixes-heading">{t('fix.heading')}</h3>
      {stale === 'edited' && fixes.length > 0 && <p class="notice">{t('result.stale')}</p>}
      {fixes.length === 0 && <p>{t('fix.none')}</p>}
      <ol>
        {fixes.map((fix) => (
          <li key={fix.kinds.join('+')} data-testid={`fix-${fix.kinds.join('+')}`}>
            <span>
              {describeFix(fix, t, locale, lang)}
              <small>
                {t('fix.result', { peak: text(fix.response.detailed!.required_bytes), headroom: text(fix.response.detailed!.headroom_bytes) })}
                {fix.response.time && t('fix.step', { rate: formatSignificant(fix.response.time.tokens_per_step / fix.response.time.step_time_s, locale, 3), gpus: gpus(fix) })}
              </small>
            </span>
            <button type="button" disabled={stale === 'edited'} onClick={() => onApply(fix.changes)}>
              {t('fix.apply')}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

function MemoryFacts({ response }: { response: EstimateResponse }) {
  const { lang, t, locale } = useI18n();
  const detailed = response.detailed!;
  const bytes = (value: number) => formatBinaryBytes(value, locale);
  const count = (value: number) => ({ number: value > 0 ? formatInteger(value, locale) : t('memory.none_fits'), unit: '' });
  return (
    <table class="facts">
      <caption class="visually-hidden">{t('memory.views')}</caption>
      <tbody>
        <tr>
          <th scope="row">{t('memory.peak_phase')}</th>
          <td class="num" data-testid="peak-phase">
            {lookup(lang, `phase.${detailed.peak_phase}`) ?? detailed.peak_phase}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('memory.allocated')}</th>
          <Value quantity={bytes(detailed.peak_allocated_bytes)} testId="allocated" />
        </tr>
        <tr>
          <th scope="row">{t('memory.reserved')}</th>
          <Value quantity={bytes(detailed.peak_reserved_bytes)} testId="reserved" />
        </tr>
        <tr class="sum">
          <th scope="row">{t('memory.nvidia_smi')}</th>
          <Value quantity={bytes(detailed.nvidia_smi_bytes)} testId="nvidia-smi" />
        </tr>
        {detailed.nvidia_smi_bytes > detailed.required_bytes && (
          <tr>
            <th scope="row">{t('memory.required')}</th>
            <Value quantity={bytes(detailed.required_bytes)} testId="required" />
          </tr>
        )}
        <tr>
          <th scope="row">{t('memory.max_micro_batch')}</th>
          <Value quantity={count(detailed.max_micro_batch)} testId="max-micro-batch" />
        </tr>
        <tr>
          <th scope="row">{t('memory.max_seq_len')}</th>
          <Value quantity={count(detailed.max_seq_len)} testId="max-seq-len" />
        </tr>
        <tr>
          <th scope="row">{t('memory.trainable')}</th>
          <Value quantity={{ number: formatInteger(detailed.trainable_params, locale), unit: '' }} testId="trainable" />
        </tr>
        <tr>
          <th scope="row">{t('memory.frozen')}</th>
          <Value quantity={{ number: formatInteger(detailed.frozen_params, locale), unit: '' }} testId="frozen" />
        </tr>
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={2} class="muted">
            {t('memory.units_note')}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

interface SweepsProps {
  sweeps: Sweep[] | null;
  SweepChart: ComponentType<SweepChartProps> | null;
  gpuName: string;
  onNear: (() => void) | undefined;
}

function Sweeps({ sweeps, SweepChart, gpuName, onNear }: SweepsProps) {
  const { t } = useI18n();
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = section.current;
    if (!onNear || !element) return undefined;
    if (typeof IntersectionObserver === 'undefined') {
      onNear();
      return undefined;
    }
    const load = () => {
      observer.disconnect();
      window.removeEventListener('beforeprint', load);
      onNear();
    };
    // Printing loads the curves too (best effort: the print may not wait).
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) load();
    });
    observer.observe(element);
    window.addEventListener('beforeprint', load);
    return () => {
      observer.disconnect();
      window.removeEventListener('beforeprint', load);
    };
  }, []);
  return (
    <section aria-labelledby="sweep-heading" ref={section}>
      <h3 id="sweep-heading">{t('sweep.heading')}</h3>
      {sweeps === null || SweepChart === null ? (
        <p class="muted">{t('sweep.computing')}</p>
      ) : (
        <div class="sweeps">
          {sweeps.map((sweep) => (
            <SweepChart
              key={sweep.field}
              sweep={sweep}
              gpuName={gpuName}
              title={t(sweep.field === 'micro_batch' ? 'sweep.micro_batch' : 'sweep.seq_len')}
              xLabel={t(sweep.field === 'micro_batch' ? 'sweep.x_micro_batch' : 'sweep.x_seq_len')}
            />
          ))}
        </div>
      )}
    </section>
  );
}

/** Time per step from the core's compute model, and the run's total time and cost once the dataset size is given. */
function TimeCost({ response }: { response: EstimateResponse }) {
  const { lang, t, locale } = useI18n();
  const units = useUnits();
  const time = response.time;
  const run = response.run ?? {};
  const seconds = (value: number | undefined) => formatSeconds(value ?? NaN, locale, units);
  const plain = (value: number | undefined, digits = 3) => ({ number: formatSignificant(value ?? NaN, locale, digits), unit: '' });
  const rows: [string, Quantity, string][] = time
    ? [
        [t('time.flops'), formatFlops(time.model_flops, locale), 'model-flops'],
        [t('time.step_time'), seconds(time.step_time_s), 'time-step'],
        [t('time.tokens_per_s'), plain(time.tokens_per_s), 'tokens-per-s'],
        [t('time.mfu'), { number: `${formatSignificant(100 * time.mfu, locale, 3)}%`, unit: '' }, 'mfu'],
        [t('time.bound'), { number: termLabel(lang, time.bound), unit: '' }, 'bound'],
      ]
    : [];
  if (run.wall_time_s !== undefined) {
    rows.push(
      [t('time.optimizer_steps'), plain(run.optimizer_steps, 8), 'optimizer-steps'],
      [t('time.total'), seconds(run.wall_time_s), 'total-time'],
      [t('time.gpu_hours'), plain(run.gpu_hours), 'gpu-hours'],
      [t('time.cost'), run.cost_usd == null ? { number: t('time.no_price'), unit: '' } : { number: `$${formatSignificant(run.cost_usd, locale, 4)}`, unit: '' }, 'cost'],
    );
  }
  return (
    <section aria-labelledby="time-heading">
      <h3 id="time-heading">{t('time.heading')}</h3>
      {!time && <p class="notice">{t('time.unavailable', { reason: response.time_unavailable })}</p>}
      <table class="facts">
        <tbody>
          {rows.map(([label, quantity, testId]) => (
            <tr key={testId}>
              <th scope="row">{label}</th>
              <Value quantity={quantity} testId={testId} />
            </tr>
          ))}
        </tbody>
      </table>
      {run.wall_time_s === undefined && <p class="note">{t('time.run_needed')}</p>}
      {run.price_per_gpu_hour != null && (
        <p class="note">{t('time.price', { price: `$${formatSignificant(run.price_per_gpu_hour, locale, 4)}`, source: run.price_note || run.price_source || '' })}</p>
      )}
    </section>
  );
}

function GuideComparison({ response, gpuName }: { response: EstimateResponse; gpuName: string }) {
  const { lang, t, locale } = useI18n();
  const units = useUnits();
  const guide = response.guide;
  if (!guide) return null;
  const bytes = (value: number) => formatBytes(value, locale);
  const flops = (value: number) => formatFlops(value, locale);
  const memory = guide.memory.children ?? [];
  const totalLabel = t(guideTotalKey(response.input['method']));
  return (
    <section aria-labelledby="guide-heading">
      <h3 id="guide-heading">{t('guide.heading')}</h3>
      <p class="note">{t('guide.explain')}</p>
      <p class="note">{t('guide.units')}</p>
      {totalLabel !== t('guide.total') && <p class="note">{t('guide.full_formula_note')}</p>}
      <div class="two-tables">
        <table>
          <caption>{totalLabel}</caption>
          <tbody>
            {memory.map((term) => (
              <tr key={term.key}>
                <th scope="row">{lookup(lang, `guide.memory_${term.key}`) ?? term.key}</th>
                <Value quantity={bytes(term.value)} testId={`guide-${term.key}`} />
              </tr>
            ))}
            <tr class="sum">
              <th scope="row">{totalLabel}</th>
              <Value quantity={bytes(guide.memory_total_bytes)} testId="guide-total" />
            </tr>
            {response.detailed && (
              <tr>
                <th scope="row">{t('guide.detailed_total')}</th>
                <Value quantity={bytes(response.detailed.required_bytes)} />
              </tr>
            )}
          </tbody>
        </table>
        {response.guide_gaps.length > 0 && (
          <table data-testid="guide-gaps">
            <caption>{t('guide.gaps')}</caption>
            <tbody>
              {response.guide_gaps.map((gap) => (
                <tr key={gap.key}>
                  <th scope="row">{termLabel(lang, gap.key)}</th>
                  <Value quantity={bytes(gap.bytes)} testId={`gap-${gap.key}`} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <table>
        <caption>{t('guide.flops_heading')}</caption>
        <tbody>
          <tr>
            <th scope="row">{t('guide.flops_forward')}</th>
            <Value quantity={flops(guide.flops_forward)} testId="flops-forward" />
          </tr>
          <tr>
            <th scope="row">{t('guide.flops_backward')}</th>
            <Value quantity={flops(guide.flops_backward)} testId="flops-backward" />
          </tr>
          <tr>
            <th scope="row">{t('guide.flops_forward_backward')}</th>
            <Value quantity={flops(guide.flops_forward_backward)} testId="flops-forward-backward" />
          </tr>
          <tr>
            <th scope="row">{t('guide.flops_optimizer')}</th>
            <Value quantity={flops(guide.flops_optimizer)} testId="flops-optimizer" />
          </tr>
          <tr class="sum">
            <th scope="row">{t('guide.flops_total')}</th>
            <Value quantity={flops(guide.flops_total)} testId="flops-total" />
          </tr>
          <tr>
            <th scope="row">{t('guide.step_time')}</th>
            <td class="num wrap">
              <strong data-testid="step-time">{joinQuantity(formatSeconds(guide.step_time_s, locale, units))}</strong>{' '}
              <span class="muted">({joinQuantity(formatFlopRate(guide.gpu_peak_flops, locale))}, {gpuName})</span>
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

// The descriptions of the constants load when the panel first opens (loadMoreMessages).
// The page's core module carries none, so until then each row shows the key alone.
function Assumptions({ response }: { response: EstimateResponse }) {
  const { lang, t, locale } = useI18n();
  const [, setDescribed] = useState(false);
  const describe = () => {
    loadMoreMessages().then(
      () => setDescribed(true),
      () => undefined, // the English descriptions stay
    );
  };
  return (
    <section aria-labelledby="assumptions-heading">
      <details onToggle={describe}>
        <summary>
          <h3 id="assumptions-heading">{t('assumptions.heading')}</h3>
        </summary>
        <p class="note">{t('assumptions.intro')}</p>
        <table class="assumptions" data-testid="assumptions">
          <thead>
            <tr>
              <th scope="col">{t('assumptions.constant')}</th>
              <th scope="col" class="num">{t('assumptions.value')}</th>
              <th scope="col">{t('assumptions.source')}</th>
            </tr>
          </thead>
          <tbody>
            {response.constants.map((constant) => (
              <tr key={constant.key}>
                <th scope="row">
                  <code>{constant.key}</code>
                  <br />
                  <span class="muted">{lookup(lang, `constant.${constant.key}`) ?? constant.description}</span>
                </th>
                <td class="num wrap">
                  {constant.unit === 'bytes'
                    ? joinQuantity(formatBinaryBytes(constant.value, locale))
                    : `${formatSignificant(constant.value, locale, 6)} ${lookup(lang, `constant_unit.${constant.unit}`) ?? constant.unit}`}
                </td>
                <td class="source">{constant.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
