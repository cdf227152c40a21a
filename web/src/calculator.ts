// Pure state helpers between the form's texts, the core's query and the URL.
// The form sends only the fields that the user edited (or that the URL set),
// so every other field keeps the value that the core derives: its default,
// or for model fields the value of the chosen preset.
import type { EstimateResponse, FieldSpec, Query } from './core';

/** The key that names the model: a preset id or "custom". fields() does not list it. */
export const MODEL_KEY = 'model';
export const CUSTOM_MODEL = 'custom';

/** Accepted text of every field and of `model`: setup fields from input, model fields from model.spec. */
export function acceptedTexts(fields: readonly FieldSpec[], response: EstimateResponse): Query {
  const texts: Query = {};
  const spec = response.model?.spec ?? {};
  for (const field of fields) {
    const fromSpec = field.group === 'model' && field.name !== 'params' ? spec[field.name] : undefined;
    texts[field.name] = fromSpec !== undefined ? String(fromSpec) : (response.input[field.name] ?? '');
  }
  texts[MODEL_KEY] = response.input[MODEL_KEY] ?? String(spec['id'] ?? '');
  return texts;
}

/** Form texts: the URL value where given, else the core's accepted value. */
export function initialTexts(fields: readonly FieldSpec[], response: EstimateResponse, urlValues: Query): Query {
  return { ...acceptedTexts(fields, response), ...urlValues };
}

/**
 * Rewrites a typed number as the core reads it: full-width digits, signs and
 * points from a CJK input method become ASCII (NFKC), and thousands separators
 * ("1,000,000") are removed. Other text passes unchanged, so the core can name it.
 */
export function normalizeNumberText(text: string): string {
  const ascii = text.normalize('NFKC').trim();
  return /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?([eE][+-]?\d+)?$/.test(ascii) ? ascii.replaceAll(',', '') : ascii;
}

/**
 * Builds the core query from the edited fields. A cleared field that has a
 * default is sent as "", so the core reports it missing; a cleared optional
 * field (a model field, gpu_tflops) is left out, so the core derives it.
 * Numeric fields pass through normalizeNumberText.
 */
export function queryFromTexts(texts: Query, edited: ReadonlySet<string>, fields: readonly FieldSpec[] = []): Query {
  const optional = new Set(fields.filter((field) => field.default === undefined).map((field) => field.name));
  const numeric = new Set(fields.filter((field) => field.kind === 'number' || field.kind === 'integer').map((field) => field.name));
  const query: Query = {};
  for (const name of edited) {
    const raw = (texts[name] ?? '').trim();
    const text = numeric.has(name) ? normalizeNumberText(raw) : raw;
    if (text === '' && optional.has(name)) continue;
    query[name] = text;
  }
  return query;
}

/** Shows the core's accepted value in every field that the user has not edited, so derived values stay current. */
export function refreshTexts(fields: readonly FieldSpec[], texts: Query, edited: ReadonlySet<string>, response: EstimateResponse): Query {
  const accepted = acceptedTexts(fields, response);
  const refreshed: Query = { ...texts };
  for (const name of Object.keys(accepted)) {
    if (!edited.has(name)) refreshed[name] = accepted[name]!;
  }
  return refreshed;
}

function sameValues(a: Record<string, unknown>, b: Record<string, unknown>, ignored: readonly string[] = []): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!ignored.includes(key) && a[key] !== b[key]) return false;
  }
  return true;
}

/**
 * True when two accepted estimates describe the same setup and the same model
 * architecture. The name and published count are left out: the core renames an
 * overridden preset "(modified)" even when the override equals the preset.
 */
export function sameSetup(a: EstimateResponse, b: EstimateResponse): boolean {
  return sameValues(a.input, b.input) && sameValues(a.model?.spec ?? {}, b.model?.spec ?? {}, ['name', 'published_params']);
}

/**
 * Returns the part of `query` that the URL needs: each value is dropped when
 * the rest still reads back to the same setup, so "512" for seq_len or a
 * preset's own layer count is left out, and the result always reproduces
 * `accepted`. Costs one estimate per key.
 */
export function minimalValues(estimate: (query: Query) => EstimateResponse, query: Query, accepted: EstimateResponse): Query {
  const kept: Query = { ...query };
  for (const name of Object.keys(query)) {
    const { [name]: _dropped, ...rest } = kept;
    const response = estimate(rest);
    if (response.ok && sameSetup(response, accepted)) delete kept[name];
  }
  return kept;
}

/** Data-parallel GPUs: the GPUs left after tensor and pipeline parallelism split the model. */
export function dataParallelSize(input: Query): number {
  const gpus = Number(input['num_gpus'] ?? 1);
  const modelParallel = Number(input['tensor_parallel'] ?? 1) * Number(input['pipeline_parallel'] ?? 1);
  return Math.max(1, Math.floor(gpus / Math.max(1, modelParallel)));
}

/** Sequences per optimizer step: micro_batch × grad_accum × data-parallel GPUs. */
export function globalBatch(input: Query): number {
  return Number(input['micro_batch'] ?? 1) * Number(input['grad_accum'] ?? 1) * dataParallelSize(input);
}
