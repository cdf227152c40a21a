// @vitest-environment happy-dom
// Property tests of the URL codec (web/src/url.ts) and of the validation the
// page applies to URL values. Inputs are random and hostile query strings:
// huge and tiny numbers, NaN, Infinity, -0, unicode, repeated keys, 100 KB
// values, HTML payloads and Object.prototype names as keys. Each property
// runs a bounded number of cases so the suite stays fast.
import fc from 'fast-check';
import { h, render } from 'preact';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core, Query } from '../../web/src/core';
import { MODEL_KEY } from '../../web/src/calculator';
import { makeTranslate } from '../../web/src/i18n';
import { describeFieldError } from '../../web/src/messages';
import { MAX_URL_VALUE_LENGTH, PAGE_KEYS, readQuery, resolveUrlValues, writeQuery } from '../../web/src/url';
import { loadTestCore } from './load-core';

let core: Core;
let fieldNames: string[];

beforeAll(async () => {
  core = await loadTestCore();
  fieldNames = [MODEL_KEY, ...core.fields.map((field) => field.name)];
});

const HOSTILE_TEXTS = [
  'NaN', 'Infinity', '-Infinity', '-0', '+0', '0', '1e308', '1e309', '-1e309', '5e-324', '1e-400', '-1',
  '0x10', '1_000', ' 16 ', '16abc', '', ' ', '١٦', '１６', '9007199254740993', '1.5', '.5', '5.', 'true',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '<b>bold</b>', '&lt;b&gt;', 'javascript:alert(1)',
  '{key}', '%', '%zz', '&', '=', '#', '?', '\u0000', '\u202e', '\ud800', '🙂', 'custom', 'gpt2', 'llama-3-8b',
];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** A value a person or an attacker could put in a link. */
const valueArbitrary = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXTS),
  fc.double().map(String),
  fc.integer({ min: -1e6, max: 1e9 }).map(String),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('a', '9', '<').map((character) => character.repeat(100_000)),
);

/** Keys: mostly the page's real keys, sometimes random text or an Object.prototype name. */
function keyArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fieldNames, ...Object.keys(PAGE_KEYS)) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  );
}

/** Builds query strings with URLSearchParams, so keys and values arrive percent-encoded. Keys may repeat. */
function searchArbitrary(maxPairs: number): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(keyArbitrary(), valueArbitrary), { maxLength: maxPairs })
    .map((pairs) => `?${new URLSearchParams(pairs).toString()}`);
}

/** A raw query string: arbitrary text that the browser would hand over as location.search. */
const rawSearchArbitrary = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => `?${text}`),
  fc.constantFrom('?', '?&&&', '?=', '?==x', '?a=%', '?%E0%A4%A=1', '?seq_len=%3Cscript%3E', '?model=custom&model=gpt2'),
);

/** Returns the text that `value` becomes in a URL. URLSearchParams encodes UTF-8, so a lone surrogate becomes U+FFFD. */
function urlText(value: string): string {
  return new URLSearchParams([['key', value]]).get('key')!;
}

/** Distinct keys of a query string, first occurrence first. */
function distinctKeys(search: string): string[] {
  return [...new Set([...new URLSearchParams(search).keys()])];
}

/** Renders each notice as the page does (text children of <p>) and returns the container. */
function renderNotices(notices: string[]): HTMLElement {
  const container = document.createElement('div');
  render(h('div', null, ...notices.map((notice) => h('p', null, notice))), container);
  return container;
}

describe('readQuery', () => {
  it('never throws and sorts every key exactly once', () => {
    fc.assert(
      fc.property(fc.oneof(searchArbitrary(12), rawSearchArbitrary), (search) => {
        const state = readQuery(search, core.fields);
        const sorted = [
          ...Object.keys(state.values),
          ...Object.keys(state.invalidPage),
          ...Object.entries(state.page).filter(([, value]) => value !== null).map(([key]) => key),
          ...state.unknownKeys,
        ];
        expect(sorted.sort()).toEqual(distinctKeys(search).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the first of repeated keys', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fieldNames), valueArbitrary, valueArbitrary, (key, first, second) => {
        const search = `?${new URLSearchParams([[key, first], [key, second]]).toString()}`;
        expect(readQuery(search, core.fields).values[key]).toBe(urlText(first));
      }),
      { numRuns: 100 },
    );
  });

  it('treats Object.prototype names as unknown keys', () => {
    for (const key of PROTOTYPE_KEYS) {
      const state = readQuery(`?${key}=1`, core.fields);
      expect(state.unknownKeys).toEqual([key]);
      expect(state.values).toEqual({});
    }
  });
});

describe('writeQuery', () => {
  it('percent-encodes every value and reads back the same values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fieldNames), valueArbitrary, { maxKeys: 6 }), (values) => {
        const query = writeQuery(values, core.fields);
        // Nothing that could close an HTML attribute or start a tag survives encoding.
        expect(query).not.toMatch(/[<>"'\s]/);
        const expected = Object.fromEntries(
          Object.entries(values)
            .filter(([, value]) => value !== '')
            .map(([key, value]) => [key, urlText(value)]),
        );
        expect(readQuery(query, core.fields).values).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('resolveUrlValues', () => {
  it('leaves a valid state and reports every value it drops', () => {
    fc.assert(
      fc.property(searchArbitrary(6), (search) => {
        const { values } = readQuery(search, core.fields);
        const { applied, rejected } = resolveUrlValues(core, values);

        // The values that remain give an accepted estimate.
        const response = core.estimate(applied);
        expect(response.errors.filter((error) => error.code !== 'unknown_field')).toEqual([]);
        expect(response.ok).toBe(true);

        for (const [key, value] of Object.entries(values)) {
          if (applied[key] === value) continue;
          // A dropped value is reported, except "model", which falls back to the default
          // preset after its own missing or invalid fields are reported.
          if (key === MODEL_KEY) expect(Object.keys(rejected).length).toBeGreaterThan(0);
          else expect(Object.keys(rejected)).toContain(key);
        }
        for (const key of Object.keys(applied)) expect(values[key]).toBe(applied[key]);
      }),
      { numRuns: 60 },
    );
  });

  it('words rejected values and notices as text, never as markup', () => {
    const t = makeTranslate('en');
    fc.assert(
      fc.property(searchArbitrary(6), (search) => {
        const state = readQuery(search, core.fields);
        const { rejected } = resolveUrlValues(core, state.values);
        const notices = [
          ...state.unknownKeys.map((key) => t('url.unknown_key', { key })),
          ...Object.entries(state.invalidPage).map(([key, value]) =>
            t('url.invalid_page', { key, value, choices: PAGE_KEYS[key]!.join(', ') }),
          ),
          ...Object.values(rejected).map((error) =>
            describeFieldError(error, core.fields.find((field) => field.name === error.field), 'en', t),
          ),
        ];
        const container = renderNotices(notices);
        // One wrapper and one <p> per notice: no element comes from the input.
        expect(container.querySelectorAll('*').length).toBe(1 + notices.length);
        expect(container.textContent).toBe(notices.join(''));
      }),
      { numRuns: 60 },
    );
  });

  it('rejects 100 KB values for every field by name', () => {
    // Together they exceed the core's 1 MiB query limit, which has no field to blame.
    const values: Query = Object.fromEntries(fieldNames.map((name) => [name, '<'.repeat(100_000)]));
    const { applied, rejected } = resolveUrlValues(core, values);
    expect(applied).toEqual({});
    expect(core.estimate(applied).ok).toBe(true);
    for (const name of fieldNames) {
      expect(rejected[name]?.code).toBe('too_large');
      expect(rejected[name]?.max).toBe(MAX_URL_VALUE_LENGTH);
    }
  });

  it('passes a value at the length limit to the core', () => {
    // The core, not the page, rejects it: number text over 64 characters is not a number there.
    const { applied, rejected } = resolveUrlValues(core, { seq_len: '1'.repeat(MAX_URL_VALUE_LENGTH) });
    expect(applied).toEqual({});
    expect(rejected['seq_len']?.code).toBe('not_a_number');
  });
});
