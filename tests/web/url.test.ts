import { beforeAll, describe, expect, it } from 'vitest';
import type { Core, FieldSpec, PlanResponse, Query } from '../../web/src/core';
import { minimalValues, normalizeNumberText, queryFromTexts, sameSetup } from '../../web/src/calculator';
import { ARCHITECTURE_FIELDS } from '../../web/src/form-layout';
import { PLAN_KEYS, readQuery, resolveUrlValues, writeQuery, type PageOptions } from '../../web/src/url';
import { constraintsFromUrl, constraintsToUrl, defaultConstraints } from '../../web/src/components/Planner';
import { loadTestCore } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
});

// A valid value different from the field's default, derived from the field's own spec.
function otherValidValue(field: FieldSpec): string {
  switch (field.kind) {
    case 'choice': {
      // The first GPU of the table (V100) has no BF16, which the default precision needs.
      if (field.name === 'gpu') return 'h100-sxm';
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
      // A default of 0 doubles to itself, so the test uses 4 instead.
      const doubled = base === 0 ? 4 : base * 2;
      const candidate = doubled <= max ? doubled : min;
      return String(candidate);
    }
    case 'text':
      // lora_targets: a comma list of its choices.
      if (field.name === 'lora_targets') return 'q,v';
      throw new Error(`no test value for ${field.name} of kind ${field.kind}`);
    default:
      throw new Error(`no test value for ${field.name} of kind ${field.kind}`);
  }
}

describe('URL values that conflict', () => {
  it('keeps a preset model when another value conflicts', () => {
    // bf16 on a V100 (no bf16 tensor cores) is rejected; the model of the link stays.
    const { applied, rejected } = resolveUrlValues(core, { model: 'llama-3-70b', gpu: 'v100-32gb', precision: 'amp_bf16', seq_len: '4096' });
    expect(applied['model']).toBe('llama-3-70b');
    expect(applied['seq_len']).toBe('4096');
    expect(Object.keys(rejected)).toEqual(['precision']);
  });

  it('defaults to AMP FP16 without bf16', () => {
    const { applied, rejected } = resolveUrlValues(core, { model: 'llama-3-8b', gpu: 't4' });
    expect(rejected).toEqual({});
    expect(core.estimate(applied).input['precision']).toBe('amp_fp16');
  });
});

describe('typed numbers', () => {
  it.each([
    ['１６', '16'], // full-width digits from a Chinese input method
    ['２．５ｅ３', '2.5e3'],
    ['－８', '-8'],
    ['1,000,000', '1000000'], // thousands separators
    ['１，０００', '1000'],
    ['1,5', '1,5'], // not grouped in thousands: left for the core to reject by name
    ['12,34', '12,34'],
    ['abc', 'abc'],
  ])('reads %s as %s', (typed, read) => {
    expect(normalizeNumberText(typed)).toBe(read);
  });

  it('rewrites numeric fields only', () => {
    const texts = { micro_batch: '１６', dataset_tokens: '1,000,000', lora_targets: 'q,v' };
    expect(queryFromTexts(texts, new Set(Object.keys(texts)), core.fields)).toEqual({ micro_batch: '16', dataset_tokens: '1000000', lora_targets: 'q,v' });
    expect(core.estimate(queryFromTexts({ micro_batch: '１６' }, new Set(['micro_batch']), core.fields)).input['micro_batch']).toBe('16');
  });
});

describe('URL round trip', () => {
  // Writes the URL the page writes after the user edits the fields in `texts`, then reads it back as the page does on load.
  function roundTrip(texts: Query, page: Partial<PageOptions> = {}) {
    const sent = queryFromTexts(texts, new Set(Object.keys(texts)), core.fields);
    const response = core.estimate(sent);
    const query = writeQuery(minimalValues(core.estimate, sent, response), core.fields, page);
    const decoded = readQuery(query, core.fields);
    return { response, query, decoded };
  }

  it('writes nothing for the defaults', () => {
    const { response, query } = roundTrip({});

    expect(response.ok).toBe(true);
    expect(query).toBe('');
  });

  // Values that a field needs beside it to be valid: parallel sizes must divide num_gpus.
  const COMPANIONS: Record<string, Query> = {
    tensor_parallel: { num_gpus: '2' },
    pipeline_parallel: { num_gpus: '2' },
    sequence_parallel: { tensor_parallel: '2', num_gpus: '2' },
    // A dataset size in samples needs their mean length, and the other way round.
    pipeline_microbatches: { pipeline_parallel: '2', num_gpus: '2' },
    virtual_stages: { pipeline_parallel: '2', num_gpus: '2' },
    samples: { tokens_per_sample: '512' },
    tokens_per_sample: { samples: '1000' },
  };

  it('encodes and decodes every setup field', () => {
    for (const field of core.fields.filter((spec) => spec.group !== 'model')) {
      const value = otherValidValue(field);
      const texts = { ...COMPANIONS[field.name], [field.name]: value };
      const { response, query, decoded } = roundTrip(texts);
      expect(response.errors, field.name).toEqual([]);

      expect(new URLSearchParams(query).get(field.name), field.name).toBe(value);
      expect(decoded.values, field.name).toEqual(texts);
      expect(sameSetup(core.estimate(decoded.values), response), field.name).toBe(true);
    }
  });

  it('encodes and decodes every model field of a custom model', () => {
    // Llama 3 8B written out as a custom model: every field is sent, and the
    // URL keeps what the custom model needs to read back the same spec.
    const spec = core.presetSpec('llama-3-8b').spec!;
    const texts: Query = { model: 'custom' };
    for (const name of ARCHITECTURE_FIELDS) if (name !== 'name') texts[name] = String(spec[name]);
    const { response, decoded } = roundTrip(texts);

    expect(response.errors).toEqual([]);
    expect(decoded.values['model']).toBe('custom');
    const reread = core.estimate(decoded.values);
    expect(reread.model?.counts.total).toBe(8030261248);
    expect(sameSetup(reread, response)).toBe(true);
  });

  it('keeps a preset override', () => {
    const { query, decoded } = roundTrip({ model: 'llama-3-8b', layers: '16' });

    expect(query).toBe('?model=llama-3-8b&layers=16');
    expect(core.estimate(decoded.values).model?.spec['layers']).toBe(16);
  });

  it('omits an override equal to the preset', () => {
    expect(roundTrip({ model: 'llama-3-8b', hidden: '4096' }).query).toBe('?model=llama-3-8b');
  });

  it('round-trips page options after the fields', () => {
    const { decoded, query } = roundTrip({ precision: 'bf16', grad_accum: '8' }, { lang: 'zh-CN', theme: 'dark' });

    expect(query).toBe('?grad_accum=8&precision=bf16&lang=zh-CN&theme=dark');
    expect(decoded.page).toEqual({ lang: 'zh-CN', theme: 'dark', view: null, tab: null });
    expect(decoded.values).toEqual({ precision: 'bf16', grad_accum: '8' });
  });

  it('round-trips the planner tab', () => {
    const { decoded, query } = roundTrip({ dataset_tokens: '1e9' }, { tab: 'planner' });

    expect(query).toBe('?dataset_tokens=1e9&tab=planner');
    expect(decoded.page.tab).toBe('planner');
  });

  it('keeps the text as typed', () => {
    const { query, decoded } = roundTrip({ params: '7e9' });

    expect(query).toBe('?params=7e9');
    expect(core.estimate(decoded.values).input['params']).toBe(core.estimate({ params: '7000000000' }).input['params']);
  });

  it('omits a value typed differently from its default', () => {
    // 512 is the default sequence length and 01 the default accumulation written another way.
    expect(roundTrip({ seq_len: '512' }).query).toBe('');
    expect(roundTrip({ grad_accum: '01' }).query).toBe('');
  });
});

describe('URL reading', () => {
  it('reports unknown keys without applying them', () => {
    const state = readQuery('?params=7e9&foo=1&utm_source=x', core.fields);

    expect(state.values).toEqual({ params: '7e9' });
    expect(state.unknownKeys).toEqual(['foo', 'utm_source']);
  });

  it('reports unsupported page options', () => {
    const state = readQuery('?lang=fr&theme=blue&view=full&tab=charts', core.fields);

    expect(state.page).toEqual({ lang: null, theme: null, view: null, tab: null });
    expect(state.invalidPage).toEqual({ lang: 'fr', theme: 'blue', view: 'full', tab: 'charts' });
  });

  it('reads page options case-insensitively', () => {
    expect(readQuery('?lang=ZH-cn&view=Result', core.fields).page).toEqual({ lang: 'zh-CN', theme: null, view: 'result', tab: null });
  });

  it('reads model as a value', () => {
    expect(readQuery('?model=qwen3-8b', core.fields).values).toEqual({ model: 'qwen3-8b' });
  });

  it('uses the first of repeated keys', () => {
    expect(readQuery('?micro_batch=4&micro_batch=8', core.fields).values).toEqual({ micro_batch: '4' });
  });

  it('reads plan keys only with tab=planner', () => {
    // The tab key comes last on purpose: plan keys before it are still sorted as plan keys.
    const planner = readQuery('?max_gpus=2&gpus=h100-sxm,h200&global_batch=32&foo=1&tab=planner', core.fields);
    expect(planner.plan).toEqual({ max_gpus: '2', gpus: 'h100-sxm,h200', global_batch: '32' });
    expect(planner.unknownKeys).toEqual(['foo']);

    const calculator = readQuery('?max_gpus=2&budget_usd=100&allow_offload=false&deadline_hours=5', core.fields);
    expect(calculator.plan).toEqual({});
    expect(calculator.unknownKeys).toEqual(['max_gpus', 'budget_usd', 'allow_offload', 'deadline_hours']);
  });

  it('keeps plan keys apart from the calculator fields', () => {
    const names = core.fields.map((field) => field.name);
    for (const key of PLAN_KEYS) expect(names).not.toContain(key);
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
    ['model', 'no-such-model', 'unknown_choice'],
    ['layers', '0', 'out_of_range'],
    ['lora_targets', 'q,x', 'unknown_choice'],
  ])('%s=%s is rejected as %s and not applied', (field, value, code) => {
    const resolved = resolveUrlValues(core, { [field]: value, grad_accum: field === 'grad_accum' ? value : '2' });

    expect(resolved.rejected[field]?.code).toBe(code);
    expect(resolved.applied[field]).toBeUndefined();
    // The other URL value still applies, and the rejected field keeps its default.
    const response = core.estimate(resolved.applied);
    expect(response.ok).toBe(true);
    if (field in defaults()) expect(response.input[field]).toBe(defaults()[field]);
    if (field !== 'grad_accum') expect(response.input['grad_accum']).toBe('2');
  });
});

describe('custom model in a URL', () => {
  it('reports the missing fields and falls back to the default preset', () => {
    const resolved = resolveUrlValues(core, { model: 'custom', hidden: '4096', micro_batch: '4' });

    // intermediate is required only once layers is known to be above 0.
    expect(Object.keys(resolved.rejected).sort()).toEqual(['heads', 'layers', 'max_positions', 'vocab']);
    expect(resolved.rejected['layers']?.code).toBe('missing');
    expect(resolved.applied).toEqual({ hidden: '4096', micro_batch: '4' });
    expect(core.estimate(resolved.applied).ok).toBe(true);
  });
});

describe('planner inputs in a URL', () => {
  let plan: (query: Query) => PlanResponse;
  beforeAll(async () => {
    plan = (await core.loadExtra()).plan;
  });

  it('writes plan keys only with tab=planner', () => {
    const values = { max_gpus: '2', gpus: 'h100-sxm', allow_offload: 'false' };

    expect(writeQuery({ model: 'qwen3-8b' }, core.fields, { tab: 'planner' }, values)).toBe('?model=qwen3-8b&gpus=h100-sxm&max_gpus=2&allow_offload=false&tab=planner');
    expect(writeQuery({ model: 'qwen3-8b' }, core.fields, {}, values)).toBe('?model=qwen3-8b');
  });

  it('round-trips non-default inputs', () => {
    const input = core.estimate({}).input;
    const defaults = defaultConstraints(input);
    const edited = { ...defaults, gpus: ['h100-sxm', 'h200'], max_gpus: '8', global_batch: '32', budget_usd: '500', deadline_hours: '12', allow_offload: false };

    const values = constraintsToUrl(edited, defaults);
    const decoded = readQuery(writeQuery({}, core.fields, { tab: 'planner' }, values), core.fields);
    const { constraints, rejected } = constraintsFromUrl(plan, {}, defaults, decoded.plan);

    expect(constraints).toEqual(edited);
    expect(rejected).toEqual({});
  });

  it('omits inputs at their defaults', () => {
    const defaults = defaultConstraints(core.estimate({}).input);

    expect(constraintsToUrl(defaults, defaults)).toEqual({});
  });

  it('rejects invalid values and keeps the valid ones', () => {
    const defaults = defaultConstraints(core.estimate({}).input);
    // max_gpus accepts 1 to 1,024; allow_offload accepts true or false.
    const { constraints, rejected } = constraintsFromUrl(plan, {}, defaults, { max_gpus: '0', global_batch: '32', allow_offload: 'maybe', gpus: 'no-such-gpu' });

    expect(constraints).toEqual({ ...defaults, global_batch: '32' });
    expect(rejected['max_gpus']?.code).toBe('out_of_range');
    expect(rejected['allow_offload']?.value).toBe('maybe');
    expect(rejected['gpus']?.value).toContain('no-such-gpu');
    expect(Object.keys(rejected).sort()).toEqual(['allow_offload', 'gpus', 'max_gpus']);
  });
});
