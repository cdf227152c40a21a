// Pure state helpers between the form's texts, the core's query and the URL.
// The form sends only the fields that the user edited (or that the URL set),
// so every other field keeps the value that the core derives: its default,
// or for params and hidden the value that the chosen model implies.
import type { EstimateResponse, FieldSpec, Query } from './core';

/** Form texts for every field: the URL value where given, else the core's accepted value, else empty. */
export function initialTexts(fields: readonly FieldSpec[], accepted: Query, urlValues: Query): Query {
  const texts: Query = {};
  for (const field of fields) {
    texts[field.name] = urlValues[field.name] ?? accepted[field.name] ?? '';
  }
  return texts;
}

/** Builds the core query from the edited fields. A cleared field is sent as "", so the core reports it missing. */
export function queryFromTexts(texts: Query, edited: ReadonlySet<string>): Query {
  const query: Query = {};
  for (const name of edited) {
    query[name] = (texts[name] ?? '').trim();
  }
  return query;
}

/** Shows the core's accepted value in every field that the user has not edited, so derived values stay current. */
export function refreshTexts(fields: readonly FieldSpec[], texts: Query, edited: ReadonlySet<string>, accepted: Query): Query {
  const refreshed: Query = { ...texts };
  for (const field of fields) {
    if (!edited.has(field.name)) refreshed[field.name] = accepted[field.name] ?? '';
  }
  return refreshed;
}

function sameInput(a: Query, b: Query): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (a[key] !== b[key]) return false;
  }
  return true;
}

/**
 * Returns the part of `query` that the URL needs: each value is dropped when
 * the rest still reads back to the same accepted input, so "1.3e9" with the
 * default model is left out, and the result always reproduces `accepted`.
 */
export function minimalValues(estimate: (query: Query) => EstimateResponse, query: Query, accepted: Query): Query {
  const kept: Query = { ...query };
  for (const name of Object.keys(query)) {
    const { [name]: _dropped, ...rest } = kept;
    const response = estimate(rest);
    if (response.ok && sameInput(response.input, accepted)) delete kept[name];
  }
  return kept;
}
