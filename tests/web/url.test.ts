import { beforeAll, describe, expect, it } from 'vitest';
import type { Core, FieldSpec, Query } from '../../web/src/core';
import { minimalValues, queryFromTexts } from '../../web/src/calculator';
import { readQuery, resolveUrlValues, writeQuery } from '../../web/src/url';
import { loadTestCore, WORKED_EXAMPLE } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
});

// A valid value different from the field's default, derived from the field's own spec.
function otherValidValue(field: FieldSpec): string {
  switch (field.kind) {
    case 'choice': {
      const choice = field.choices?.find((candidate) => candidate !== field.default);
      if (!choice) throw new Error(`${field.name} has no second choice`);
      return choice;
    }
    case 'boolean':
      return field.default === 'true' ? 'false' : 'true';
    case 'integer':
    case 'number': {
      const min = field.min ?? 1;
      const max = field.max ?? min * 1000;
      const base = field.default !== undefined ? Number(field.default) : min;
      const candidate = base * 2 <= max ? base * 2 : min;
      return String(candidate);
    }
    default:
      throw new Error(`no test value for ${field.name} of kind ${field.kind}`);
  }
}

describe('URL round trip', () => {
  // Writes the URL the page writes after the user edits the fields in `texts`, then reads it back as the page does on load.
  function roundTrip(texts: Query, lang: 'en' | 'zh-CN' | null = null) {
    const sent = queryFromTexts(texts, new Set(Object.keys(texts)));
    const response = core.estimate(sent);
    const query = writeQuery(minimalValues(core.estimate, sent, response.input), core.fields, lang);
    const decoded = readQuery(query, core.fields);
    return { response, query, decoded };
  }

  it('writes nothing for the defaults', () => {
    const { response, query } = roundTrip({});

    expect(response.ok).toBe(true);
    expect(query).toBe('');
  });

  it('encodes and decodes every field', () => {
    for (const field of core.fields) {
      const value = otherValidValue(field);
      const { response, query, decoded } = roundTrip({ [field.name]: value });
      expect(response.errors, field.name).toEqual([]);

      expect(query, field.name).toBe(`?${field.name}=${encodeURIComponent(value)}`);
      expect(decoded.values, field.name).toEqual({ [field.name]: value });
      expect(core.estimate(decoded.values).input, field.name).toEqual(response.input);
    }
  });

  it('round-trips the worked example with lang', () => {
    const { response, decoded } = roundTrip({ ...WORKED_EXAMPLE, precision: 'bf16', grad_accum: '8' }, 'zh-CN');

    expect(decoded.lang).toBe('zh-CN');
    expect(decoded.values).toEqual({ precision: 'bf16', grad_accum: '8' });
    expect(core.estimate(decoded.values).input).toEqual(response.input);
  });

  it('keeps the text as typed', () => {
    const { query, decoded } = roundTrip({ params: '7e9' });

    expect(query).toBe('?params=7e9');
    expect(core.estimate(decoded.values).input['params']).toBe(core.estimate({ params: '7000000000' }).input['params']);
  });

  it('omits a value typed differently from its default', () => {
    // 1.3e9 is the default parameter count written another way.
    expect(roundTrip({ params: '1.3e9' }).query).toBe('');
  });
});

describe('URL reading', () => {
  it('reports unknown keys without applying them', () => {
    const state = readQuery('?params=7e9&foo=1&utm_source=x', core.fields);

    expect(state.values).toEqual({ params: '7e9' });
    expect(state.unknownKeys).toEqual(['foo', 'utm_source']);
  });

  it('reports an unsupported language', () => {
    const state = readQuery('?lang=fr', core.fields);

    expect(state.lang).toBeNull();
    expect(state.invalidLang).toBe('fr');
  });

  it('uses the first of repeated keys', () => {
    expect(readQuery('?micro_batch=4&micro_batch=8', core.fields).values).toEqual({ micro_batch: '4' });
  });
});

describe('invalid URL values', () => {
  const defaults = (): Query => core.estimate({}).input;

  it.each([
    ['params', '-5', 'out_of_range'],
    ['params', '0', 'out_of_range'],
    ['params', '1e20', 'out_of_range'],
    ['params', 'abc', 'not_a_number'],
    ['params', 'NaN', 'not_a_number'],
    ['params', 'Infinity', 'not_a_number'],
    ['micro_batch', '0', 'out_of_range'],
    ['micro_batch', '1.5', 'not_an_integer'],
    // The core reports empty text as not a number; the page words it as a missing value.
    ['seq_len', '', 'not_a_number'],
    ['seq_len', '99999999', 'out_of_range'],
    ['grad_accum', '-1', 'out_of_range'],
    ['gpu', 'no-such-gpu', 'unknown_choice'],
    ['precision', 'fp12', 'unknown_choice'],
  ])('%s=%s is rejected as %s and not applied', (field, value, code) => {
    const resolved = resolveUrlValues(core, { [field]: value, grad_accum: field === 'grad_accum' ? value : '2' });

    expect(resolved.rejected[field]?.code).toBe(code);
    expect(resolved.applied[field]).toBeUndefined();
    // The other URL value still applies, and the rejected field keeps its default.
    const response = core.estimate(resolved.applied);
    expect(response.ok).toBe(true);
    expect(response.input[field]).toBe(defaults()[field]);
    if (field !== 'grad_accum') expect(response.input['grad_accum']).toBe('2');
  });
});
