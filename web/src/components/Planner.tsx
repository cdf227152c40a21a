import { useRef, useState } from 'preact/hooks';
import { globalBatch } from '../calculator';
import type { FieldError, GpuSpec, PlanCandidate, PlanResponse, Query } from '../core';
import { formatBinaryBytes, formatInteger, formatLimit, formatSeconds, formatSignificant, joinQuantity } from '../format';
import { useI18n } from '../i18n/context';
import { choiceLabel, describeFieldError } from '../messages';
import { log2Scale } from '../scale';
import './Planner.css';

interface PlannerProps {
  plan: (query: Query) => PlanResponse;
  gpus: readonly GpuSpec[];
  /** The calculator's accepted query, which the planner's constraints extend. */
  query: Query;
  /** The calculator's accepted input, for the defaults and the stated assumptions. */
  input: Query;
  /** The display name of the calculator's model, for the stated assumptions. */
  modelName: string;
  /** The planner's inputs from the URL (see PLAN_KEYS in url.ts), read when the planner mounts. */
  urlValues: Query;
  /** Receives the inputs that differ from their defaults after each valid change; commit is false while typing. */
  onUrlValues: (values: Query, commit: boolean) => void;
  onLoad: (input: Query) => void;
}

/** The planner's own inputs, as plan() reads them. Empty texts are left out of the query. */
interface Constraints {
  gpus: string[];
  max_gpus: string;
  global_batch: string;
  budget_usd: string;
  deadline_hours: string;
  allow_offload: boolean;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = 48;

/** plan()'s default of max_gpus. */
const DEFAULT_MAX_GPUS = '1024';

const TEXT_KEYS = ['max_gpus', 'global_batch', 'budget_usd', 'deadline_hours'] as const;

/** The inputs before any edit: the calculator's GPU and global batch, and plan()'s defaults for the rest. */
export function defaultConstraints(input: Query): Constraints {
  return {
    gpus: input['gpu'] ? [input['gpu']] : [],
    max_gpus: DEFAULT_MAX_GPUS,
    global_batch: String(globalBatch(input)),
    budget_usd: '',
    deadline_hours: '',
    allow_offload: true,
  };
}

/** Returns the inputs that differ from the defaults, as URL values. */
export function constraintsToUrl(constraints: Constraints, defaults: Constraints): Query {
  const values: Query = {};
  const gpus = constraints.gpus.join(',');
  if (gpus !== defaults.gpus.join(',')) values['gpus'] = gpus;
  for (const name of TEXT_KEYS) {
    const text = constraints[name].trim();
    if (text !== defaults[name].trim()) values[name] = text;
  }
  if (constraints.allow_offload !== defaults.allow_offload) values['allow_offload'] = String(constraints.allow_offload);
  return values;
}

/**
 * Applies URL values over the defaults through plan()'s validation. A value
 * that plan() rejects keeps its default and is reported, and the rest is
 * checked again without it.
 */
export function constraintsFromUrl(runPlan: (query: Query) => PlanResponse, query: Query, defaults: Constraints, values: Query): { constraints: Constraints; rejected: Record<string, FieldError> } {
  const applied: Query = { ...values };
  const rejected: Record<string, FieldError> = {};
  for (let attempt = 0; attempt < Object.keys(values).length; attempt++) {
    const response = runPlan({ ...planQuery(query, defaults), ...applied });
    const fromUrl = response.errors.filter((error) => Object.prototype.hasOwnProperty.call(applied, error.field));
    if (fromUrl.length === 0) break;
    for (const error of fromUrl) {
      rejected[error.field] ??= error;
      delete applied[error.field];
    }
  }

  const constraints: Constraints = { ...defaults };
  const gpus = applied['gpus'];
  if (gpus !== undefined) constraints.gpus = gpus.split(',').map((id) => id.trim()).filter(Boolean);
  for (const name of TEXT_KEYS) {
    const text = applied[name];
    if (text !== undefined) constraints[name] = text.trim();
  }
  // plan() has accepted the value, so it is one of the core's spellings of true or false.
  const offload = applied['allow_offload'];
  if (offload !== undefined) constraints.allow_offload = !['false', '0', 'off', 'no'].includes(offload.trim().toLowerCase());
  return { constraints, rejected };
}

/** Builds plan()'s query: the calculator's setup plus the planner's constraints. */
export function planQuery(query: Query, constraints: Constraints): Query {
  const planned: Query = {
    ...query,
    gpus: constraints.gpus.join(','),
    max_gpus: constraints.max_gpus.trim(),
    global_batch: constraints.global_batch.trim(),
    allow_offload: constraints.allow_offload ? 'true' : 'false',
  };
  if (constraints.budget_usd.trim()) planned['budget_usd'] = constraints.budget_usd.trim();
  if (constraints.deadline_hours.trim()) planned['deadline_hours'] = constraints.deadline_hours.trim();
  return planned;
}

/** Ranked setups from the planner and a time-against-cost chart; choosing a row loads it into the calculator. */
export function Planner({ plan: uncachedPlan, gpus, query, input, modelName, urlValues, onUrlValues, onLoad }: PlannerProps) {
  const { lang, t, locale } = useI18n();
  const [order, setOrder] = useState<'by_time' | 'by_cost'>('by_time');

  // The last plan() result, so that a render after an edit does not search again.
  const lastPlan = useRef<{ key: string; response: PlanResponse } | null>(null);
  const runPlan = (planned: Query): PlanResponse => {
    const key = JSON.stringify(planned);
    if (lastPlan.current?.key !== key) lastPlan.current = { key, response: uncachedPlan(planned) };
    return lastPlan.current.response;
  };

  const defaults = defaultConstraints(input);
  const [initial] = useState(() => constraintsFromUrl(runPlan, query, defaults, urlValues));
  const [constraints, setConstraints] = useState<Constraints>(initial.constraints);
  // URL values that plan() rejected, shown at their field until that field is edited.
  const [rejected, setRejected] = useState<Record<string, FieldError>>(initial.rejected);
  const plan = runPlan(planQuery(query, constraints));

  const set = (changes: Partial<Constraints>, commit: boolean) => {
    const next = { ...constraints, ...changes };
    setConstraints(next);
    const kept = { ...rejected };
    for (const name of Object.keys(changes)) delete kept[name];
    setRejected(kept);
    if (runPlan(planQuery(query, next)).ok) onUrlValues(constraintsToUrl(next, defaults), commit);
  };
  const invalid = (name: string) => rejected[name] !== undefined || plan.errors.some((error) => error.field === name);
  const rejectedMessage = (name: string) =>
    rejected[name] && (
      <p class="error" id={`plan-${name}-error`} role="alert">
        {describeFieldError(rejected[name], undefined, lang, t)}
      </p>
    );

  const rows = plan[order] ?? [];
  const units = { microsecond: t('unit.microsecond'), millisecond: t('unit.millisecond'), second: t('unit.second'), minute: t('unit.minute'), hour: t('unit.hour'), day: t('unit.day') };
  const describe = (candidate: PlanCandidate) => {
    const candidateInput = candidate.input;
    const gpu = gpus.find((spec) => spec.id === candidateInput['gpu'])?.name ?? candidateInput['gpu'];
    const comma = t('planner.separator');
    const labelled = (label: string, value: string) => t('planner.labelled', { label, value });
    const parallel = candidate.tensor_parallel > 1 || candidate.pipeline_parallel > 1 ? `${comma}TP=${candidate.tensor_parallel} PP=${candidate.pipeline_parallel}` : '';
    // Checkpointing and offload change memory and time as much as the layout, so a row names them when on.
    const checkpointing = candidateInput['grad_checkpointing'] ?? 'off';
    const offload = candidateInput['offload'] ?? 'none';
    const savers = [
      checkpointing === 'off' ? '' : comma + labelled(t('field.grad_checkpointing.label'), choiceLabel(lang, checkpointing, 'grad_checkpointing')),
      offload === 'none' ? '' : comma + labelled(t('field.offload.label'), choiceLabel(lang, offload, 'offload')),
    ].join('');
    return `${candidateInput['num_gpus']} × ${gpu}${comma}${choiceLabel(lang, candidateInput['sharding'] ?? '', 'sharding')}${parallel}${comma}B=${candidateInput['micro_batch']}${savers}`;
  };
  // The chart shows the setups of the table with a price; the Pareto front's dots are filled.
  const priced = (plan.ok ? plan[order] ?? [] : []).filter((candidate) => candidate.cost_usd != null && candidate.total_time_s > 0);
  const onFront = new Set((plan.ok ? plan.pareto ?? [] : []).map((candidate) => JSON.stringify(candidate.input)));
  const times = priced.map((candidate) => candidate.total_time_s);
  const costs = priced.map((candidate) => candidate.cost_usd!);
  const x = log2Scale([Math.min(...times), Math.max(...times)], [MARGIN, WIDTH - 16]);
  const y = log2Scale([Math.min(...costs), Math.max(...costs)], [HEIGHT - MARGIN, 16]);

  const datasetTokens = input['dataset_tokens'] ? Number(input['dataset_tokens']) : Number(input['samples'] ?? NaN) * Number(input['tokens_per_sample'] ?? NaN);
  const assumptions = t('planner.assumptions', {
    model: modelName,
    global: constraints.global_batch.trim() || '—',
    seq_len: formatInteger(Number(input['seq_len']), locale),
    tokens: Number.isFinite(datasetTokens) ? formatLimit(datasetTokens, locale) : '—',
    epochs: input['epochs'] ?? '1',
    method: choiceLabel(lang, input['method'] ?? '', 'method'),
    steps: formatInteger(plan.optimizer_steps, locale),
  });

  return (
    <section class="planner" aria-labelledby="planner-heading">
      <h2 id="planner-heading">{t('planner.heading')}</h2>
      <p class="note">{t('planner.intro')}</p>

      <form class="planner-inputs" onSubmit={(event) => event.preventDefault()}>
        <fieldset class={invalid('gpus') ? 'invalid' : undefined}>
          <legend>{t('field.gpus.label')}</legend>
          <p class="muted" data-testid="planner-chosen">
            {constraints.gpus.map((id) => gpus.find((spec) => spec.id === id)?.name ?? id).join(', ') || t('planner.no_gpu')}
          </p>
          <div class="planner-gpus">
            {gpus.map((gpu) => (
              <label key={gpu.id} class="check">
                <input
                  type="checkbox"
                  name="gpus"
                  value={gpu.id}
                  checked={constraints.gpus.includes(gpu.id)}
                  onChange={(event) => {
                    const chosen = event.currentTarget.checked;
                    // Keep the GPU table's order, so the query does not depend on the order of clicks.
                    set({ gpus: gpus.map((spec) => spec.id).filter((id) => (id === gpu.id ? chosen : constraints.gpus.includes(id))) }, true);
                  }}
                />
                {gpu.name}
              </label>
            ))}
          </div>
          {rejectedMessage('gpus')}
        </fieldset>
        <div class="planner-fields">
          {(['max_gpus', 'global_batch', 'budget_usd', 'deadline_hours'] as const).map((name) => (
            <div key={name} class={`field${invalid(name) ? ' invalid' : ''}`}>
              <label for={`plan-${name}`}>{t(`field.${name}.label`)}</label>
              <input
                id={`plan-${name}`}
                name={name}
                inputMode="decimal"
                value={constraints[name]}
                placeholder={name === 'budget_usd' || name === 'deadline_hours' ? t('planner.optional') : undefined}
                aria-invalid={invalid(name)}
                aria-describedby={rejected[name] ? `plan-${name}-error` : undefined}
                onInput={(event) => set({ [name]: event.currentTarget.value }, false)}
                onChange={(event) => set({ [name]: event.currentTarget.value }, true)}
              />
              {rejectedMessage(name)}
            </div>
          ))}
          <div class={`field boolean${invalid('allow_offload') ? ' invalid' : ''}`}>
            <label for="plan-allow_offload">{t('field.allow_offload.label')}</label>
            <div class="control">
              <input id="plan-allow_offload" type="checkbox" name="allow_offload" checked={constraints.allow_offload} onChange={(event) => set({ allow_offload: event.currentTarget.checked }, true)} />
            </div>
            {rejectedMessage('allow_offload')}
          </div>
        </div>
      </form>

      {!plan.ok && (
        <p class="notice error" role="status" data-testid="planner-errors">
          {t('planner.needs', { errors: plan.errors.map((error) => describeFieldError(error, undefined, lang, t)).join(' ') })}
        </p>
      )}

      {plan.ok && (
        <>
          <p class="note" data-testid="planner-assumptions">
            {assumptions}
          </p>
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
              {priced.map((candidate, index) => {
                const front = onFront.has(JSON.stringify(candidate.input));
                return (
                  <circle key={index} cx={x(candidate.total_time_s)} cy={y(candidate.cost_usd!)} r="5" fill={front ? '#4e79a7' : 'none'} stroke="#4e79a7" stroke-width="1.5" data-front={front} onClick={() => onLoad(candidate.input)}>
                    <title>{describe(candidate)}</title>
                  </circle>
                );
              })}
            </svg>
          )}
          {priced.length > 1 && <p class="note">{t('planner.chart')}</p>}
          {rows.length === 0 && <p class="notice">{t('planner.none')}</p>}
          {rows.length > 0 && (
            <div class="table-scroll">
              <table data-testid="planner-table">
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
                      <td class="num" data-label={t('planner.labelled', { label: t('time.total'), value: '' })}>{joinQuantity(formatSeconds(candidate.total_time_s, locale, units))}</td>
                      <td class="num" data-label={t('planner.labelled', { label: t('time.cost'), value: '' })}>{candidate.cost_usd == null ? t('time.no_price') : `$${formatSignificant(candidate.cost_usd, locale, 4)}`}</td>
                      <td class="num" data-label={t('planner.labelled', { label: t('time.mfu'), value: '' })}>{formatSignificant(100 * candidate.mfu, locale, 3)}%</td>
                      <td class="num" data-label={t('planner.labelled', { label: t('memory.heading'), value: '' })}>{joinQuantity(formatBinaryBytes(candidate.peak_memory_bytes, locale))}</td>
                      <td>
                        <button type="button" onClick={() => onLoad(candidate.input)}>
                          {t('planner.load')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
