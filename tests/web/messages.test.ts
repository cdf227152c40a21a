import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../web/src/core';
import { LANGS, loadCatalog, lookup, makeTranslate } from '../../web/src/i18n';
import { choiceLabel, describeFieldError } from '../../web/src/messages';
import { loadTestCore } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
  await loadCatalog('zh-CN');
});

function messageFor(query: Record<string, string>, lang: 'en' | 'zh-CN'): string {
  const response = core.estimate(query);
  const error = response.errors[0]!;
  const field = core.fields.find((spec) => spec.name === error.field);
  return describeFieldError(error, field, lang, makeTranslate(lang));
}

describe('field error messages', () => {
  it('names the field, value and range in English', () => {
    expect(messageFor({ micro_batch: '0' }, 'en')).toBe(
      'Micro-batch size (B): 0 is out of range. Accepted: whole numbers from 1 to 65,536 sequences.',
    );
  });

  it('names the field, value and range in Chinese', () => {
    expect(messageFor({ micro_batch: '0' }, 'zh-CN')).toBe(
      '微批量大小（B）：0 超出范围。可接受范围：1 至 65,536 的整数（单位：条序列）。',
    );
  });

  it('gives the core\'s reason for a value that conflicts with another field', () => {
    // 3 GPUs cannot hold tensor-parallel groups of 2. The core codes this reason (num_gpus_multiple, with the
    // group size 2), and each catalog words it.
    const query = { num_gpus: '3', tensor_parallel: '2' };
    expect(messageFor(query, 'en')).toBe('GPUs: “3” is not supported: the GPU count must be a multiple of tensor parallel × pipeline parallel (2).');
    expect(messageFor(query, 'zh-CN')).toBe('GPU 数量：“3”与其他设置不兼容：GPU 数量必须是张量并行 × 流水线并行（2）的倍数。');
  });

  it('keeps an uncoded reason in English', () => {
    // A config.json key that conflicts with another is reported with the reason the reader wrote.
    const error = { field: 'pooler', code: 'unsupported' as const, value: 'true', reason: 'only encoder models have a pooler', message: '' };
    expect(describeFieldError(error, undefined, 'zh-CN', makeTranslate('zh-CN'))).toContain('only encoder models have a pooler');
  });

  it('keeps the scientific form of the params limits', () => {
    // fields() gives params the range 1e3 to 1e13.
    expect(messageFor({ params: 'abc' }, 'en')).toBe('Parameters (P) for the guide: “abc” is not a number. Accepted: 1e3 to 1e13 parameters.');
  });

  it('words an empty value as missing', () => {
    expect(messageFor({ seq_len: '' }, 'en')).toBe(
      'Sequence length (L): a value is required. Accepted: whole numbers from 1 to 10,485,760 tokens.',
    );
  });

  it('lists choices for an unknown GPU', () => {
    const message = messageFor({ gpu: 'no-such-gpu' }, 'en');

    expect(message).toMatch(/^GPU: “no-such-gpu” is not one of the options\. Accepted: /);
    expect(message).toContain('a100-80gb');
  });

  it.each(LANGS)('every core field has a %s label and help line', (lang) => {
    for (const field of core.fields) {
      expect(lookup(lang, `field.${field.name}.label`), field.name).not.toBeNull();
      expect(lookup(lang, `field.${field.name}.help`), field.name).not.toBeNull();
    }
  });

  it.each(LANGS)('every choice has a %s label except table ids', (lang) => {
    for (const field of core.fields) {
      if (field.kind !== 'choice' || field.name === 'gpu' || field.name === 'model') continue;
      for (const choice of field.choices ?? []) {
        expect(choiceLabel(lang, choice, field.name), `${field.name}=${choice}`).not.toBe(choice);
      }
    }
  });
});
