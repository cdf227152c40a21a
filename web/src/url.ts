// The page's state in the URL query. Keys are the core's field names (the
// same spelling as the C++ fields and CLI flags), `model`, and the page's own
// keys: `lang`, `theme`, `tab` (calculator or planner on index.html) and, on
// embed.html, `view`. While tab=planner, the planner's inputs use the core's
// plan() keys (PLAN_KEYS). Reading only sorts keys,
// and the core validates values (see resolveUrlValues).
import { CUSTOM_MODEL, MODEL_KEY } from './calculator';
import type { Core, FieldError, FieldSpec, Query } from './core';
import { LANGS, type Lang } from './i18n';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const VIEWS = ['form', 'result'] as const;
export type View = (typeof VIEWS)[number];
export const TABS = ['calculator', 'planner'] as const;
export type Tab = (typeof TABS)[number];

/** Keys that the page reads itself and never sends to the core, with their accepted values. */
export const PAGE_KEYS: Record<string, readonly string[]> = { lang: LANGS, theme: THEMES, view: VIEWS, tab: TABS };

/** The planner's inputs, named as plan() reads them. They are read and written only while tab=planner, and otherwise they are unknown keys. */
export const PLAN_KEYS = ['gpus', 'max_gpus', 'global_batch', 'budget_usd', 'deadline_hours', 'allow_offload'] as const;

export interface PageOptions {
  lang: Lang | null;
  theme: Theme | null;
  view: View | null;
  tab: Tab | null;
}

export interface UrlState {
  /** Values of known fields and of `model`, as written in the URL. */
  values: Query;
  page: PageOptions;
  /** Page keys whose value is not accepted, with that value, for example {theme: "blue"}. */
  invalidPage: Record<string, string>;
  /** Values of PLAN_KEYS as written, read only when tab=planner. The planner validates them. */
  plan: Query;
  /** Keys that are neither fields nor page keys (nor, with tab=planner, plan keys), in URL order. */
  unknownKeys: string[];
}

/** Sorts the query's keys into field values, page options and unknown keys. The first of repeated keys wins. */
export function readQuery(search: string, fields: readonly FieldSpec[]): UrlState {
  const fieldNames = new Set(fields.map((field) => field.name));
  fieldNames.add(MODEL_KEY);
  const state: UrlState = { values: {}, page: { lang: null, theme: null, view: null, tab: null }, invalidPage: {}, plan: {}, unknownKeys: [] };
  const seen = new Set<string>();
  const planValues: Query = {};

  for (const [key, value] of new URLSearchParams(search)) {
    if (seen.has(key)) continue;
    seen.add(key);

    // hasOwnProperty: a key such as "constructor" or "__proto__" must not find Object.prototype's members.
    const accepted = Object.prototype.hasOwnProperty.call(PAGE_KEYS, key) ? PAGE_KEYS[key] : undefined;
    if (accepted) {
      const match = accepted.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
      if (match) (state.page as unknown as Record<string, string>)[key] = match;
      else state.invalidPage[key] = value;
    } else if (fieldNames.has(key)) {
      state.values[key] = value;
    } else {
      if ((PLAN_KEYS as readonly string[]).includes(key)) planValues[key] = value;
      state.unknownKeys.push(key);
    }
  }

  // The tab key may come after the plan keys, so they are sorted once the whole query is read.
  if (state.page.tab === 'planner') {
    state.plan = planValues;
    state.unknownKeys = state.unknownKeys.filter((key) => !Object.prototype.hasOwnProperty.call(planValues, key));
  }
  return state;
}

/**
 * Writes the query for the given values: `model` first, then fields in the
 * core's order, then the plan values in PLAN_KEYS order (only when page.tab is
 * planner), then the page options that are set. Callers pass only values
 * that differ from the defaults (see minimalValues). Returns "" when
 * there is nothing to write.
 */
export function writeQuery(values: Query, fields: readonly FieldSpec[], page: Partial<PageOptions> = {}, plan: Query = {}): string {
  const params = new URLSearchParams();
  for (const name of [MODEL_KEY, ...fields.map((field) => field.name)]) {
    const value = values[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  if (page.tab === 'planner') {
    for (const name of PLAN_KEYS) {
      const value = plan[name];
      if (value !== undefined && value !== '') params.set(name, value);
    }
  }
  for (const key of Object.keys(PAGE_KEYS) as (keyof PageOptions)[]) {
    const value = page[key];
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Longest URL value passed to the core, in UTF-16 code units. Valid values are far shorter: numbers, ids and LoRA target lists. */
export const MAX_URL_VALUE_LENGTH = 1000;

export interface ResolvedUrlValues {
  /** The URL values that the core accepted together. */
  applied: Query;
  /** Errors for the URL values that were left out, by field name. */
  rejected: Record<string, FieldError>;
}

/**
 * Applies URL values through the core's validation: every value that the core
 * rejects is left out (the field keeps its default) and reported. The rest is
 * checked again after each removal, because a value can be valid alone but
 * not with the defaults that replace its rejected neighbours.
 */
export function resolveUrlValues(core: Core, values: Query): ResolvedUrlValues {
  const applied: Query = { ...values };
  const rejected: Record<string, FieldError> = {};

  // The core rejects a query over 1 MiB as a whole, with no field to drop, so overlong values go first.
  for (const [key, value] of Object.entries(values)) {
    if (value.length <= MAX_URL_VALUE_LENGTH) continue;
    rejected[key] = {
      field: key,
      code: 'too_large',
      value: `${value.slice(0, 80)}...`,
      max: MAX_URL_VALUE_LENGTH,
      message: `${key}: the value is ${value.length} characters long; the limit is ${MAX_URL_VALUE_LENGTH}`,
    };
    delete applied[key];
  }

  for (let attempt = 0; attempt <= Object.keys(values).length; attempt++) {
    const response = core.estimate(applied);
    if (response.ok) break;

    const fromUrl = response.errors.filter((error) => Object.prototype.hasOwnProperty.call(applied, error.field));
    if (fromUrl.length === 0 && applied[MODEL_KEY] === CUSTOM_MODEL) {
      // A custom model that lacks required fields: report them and fall back to the default preset.
      // A preset never lacks fields, so an error off the URL there comes from a combination (below).
      for (const error of response.errors) rejected[error.field] ??= error;
      delete applied[MODEL_KEY];
      continue;
    }
    if (fromUrl.length === 0) {
      // An error on a field that the URL did not set comes from a combination, such as samples
      // without tokens_per_sample. Drop the first URL value whose removal clears it.
      const culprit = Object.keys(applied).find((key) => {
        const { [key]: _dropped, ...rest } = applied;
        return core.estimate(rest).ok;
      });
      if (culprit === undefined) break;
      const cause = response.errors[0];
      rejected[culprit] ??= {
        field: culprit,
        code: cause?.code ?? 'unsupported',
        value: applied[culprit] ?? '',
        message: cause?.message ?? `${culprit}: cannot be combined with the rest of the setup`,
      };
      delete applied[culprit];
      continue;
    }
    for (const error of fromUrl) {
      rejected[error.field] ??= error;
      delete applied[error.field];
    }
  }
  return { applied, rejected };
}
