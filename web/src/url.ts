// The page's state in the URL query. Keys are the core's field names (the
// same spelling as the C++ fields and CLI flags) plus the page's own `lang`.
// Reading only sorts keys, and the core validates values (see resolveUrlValues).
import type { Core, FieldError, FieldSpec, Query } from './core';
import { LANGS, type Lang } from './i18n';

/** Keys that the page reads itself and never sends to the core. */
export const PAGE_KEYS = ['lang'] as const;

export interface UrlState {
  /** Values of known fields, as written in the URL. */
  values: Query;
  /** The `lang` key when it names a supported language. */
  lang: Lang | null;
  /** A `lang` value that names no supported language. */
  invalidLang: string | null;
  /** Keys that are neither fields nor page keys, in URL order. */
  unknownKeys: string[];
}

/** Sorts the query's keys into field values, the page's language and unknown keys. The first of repeated keys wins. */
export function readQuery(search: string, fields: readonly FieldSpec[]): UrlState {
  const fieldNames = new Set(fields.map((field) => field.name));
  const state: UrlState = { values: {}, lang: null, invalidLang: null, unknownKeys: [] };
  const seen = new Set<string>();

  for (const [key, value] of new URLSearchParams(search)) {
    if (seen.has(key)) continue;
    seen.add(key);

    if (key === 'lang') {
      const lang = LANGS.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
      if (lang) state.lang = lang;
      else state.invalidLang = value;
    } else if (fieldNames.has(key)) {
      state.values[key] = value;
    } else {
      state.unknownKeys.push(key);
    }
  }
  return state;
}

/**
 * Writes the query for the given field values in the core's field order, then
 * `lang` when the user chose a language. Callers pass only values that differ
 * from what the core derives (see minimalValues). Returns "" when there is nothing to write.
 */
export function writeQuery(values: Query, fields: readonly FieldSpec[], lang: Lang | null): string {
  const params = new URLSearchParams();
  for (const field of fields) {
    const value = values[field.name];
    if (value !== undefined && value !== '') params.set(field.name, value);
  }
  if (lang) params.set('lang', lang);
  const query = params.toString();
  return query ? `?${query}` : '';
}

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

  for (let attempt = 0; attempt <= Object.keys(values).length; attempt++) {
    const response = core.estimate(applied);
    if (response.ok) break;

    const fromUrl = response.errors.filter((error) => Object.prototype.hasOwnProperty.call(applied, error.field));
    // An error on a field that the URL did not set comes from the defaults, and dropping URL values cannot fix it.
    if (fromUrl.length === 0) break;
    for (const error of fromUrl) {
      rejected[error.field] ??= error;
      delete applied[error.field];
    }
  }
  return { applied, rejected };
}
