// @vitest-environment happy-dom
// The page words the core's warnings under the verdict, in English and Chinese,
// with the numbers of the estimated setup.
import { cleanup, screen, within } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core, Query } from '../../web/src/core';
import { loadCatalog, type Lang } from '../../web/src/i18n';
import { loadTestCore } from './load-core';
import { renderResults } from './render-results';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
  await loadCatalog('zh-CN');
});

afterEach(cleanup);

function renderQuery(query: Query, lang: Lang = 'en') {
  const response = core.estimate(query);
  expect(response.ok).toBe(true);
  renderResults(core, response, { lang });
}

// Llama 2 7B declares max_position_embeddings 4096; zero3 on one GPU has a data-parallel size of 1.
const WARNED: Query = { model: 'llama-2-7b', method: 'lora', micro_batch: '1', seq_len: '8192', sharding: 'zero3' };

describe('estimate warnings', () => {
  it('lists each warning under the verdict in English', () => {
    renderQuery(WARNED);
    const note = screen.getByRole('note');
    const items = within(note).getAllByRole('listitem').map((item) => item.textContent);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Sequence length 8,192 is longer than the model’s max positions (4,096)');
    expect(items[1]).toContain('ZeRO-3 (+ weights) shards nothing here');
    expect(items[1]).toContain('GPUs 1 ÷ (tensor parallel 1 × pipeline parallel 1), is 1');
    // The list follows the verdict in the document.
    const verdict = screen.getByTestId('verdict');
    expect(verdict.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('words the offload warning in Chinese', () => {
    renderQuery({ model: 'llama-2-7b', method: 'lora', precision: 'pure_bf16', micro_batch: '1', seq_len: '4096', num_gpus: '2', offload: 'optimizer' }, 'zh-CN');
    const items = within(screen.getByRole('note')).getAllByRole('listitem').map((item) => item.textContent);
    expect(items).toEqual([expect.stringContaining('CPU 卸载（优化器状态）搭配 DDP（完整副本） 多半不是本意')]);
  });

  it('shows no notice for a plain setup', () => {
    renderQuery({ model: 'llama-2-7b', method: 'lora', precision: 'pure_bf16', micro_batch: '1', seq_len: '4096' });
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('says when LoRA keeps an FP32 base, and how to halve it', () => {
    // AMP BF16 keeps FP32 weights, so the frozen 6.7B base of Llama 2 7B takes 4 bytes per parameter.
    renderQuery({ model: 'llama-2-7b', method: 'lora', micro_batch: '1', seq_len: '4096' });
    const items = within(screen.getByRole('note')).getAllByRole('listitem').map((item) => item.textContent);
    expect(items).toEqual([expect.stringContaining('frozen base weights of LoRA stay in FP32')]);
    expect(items[0]).toContain('choose Pure BF16');
  });

  it('gives the share of the step spent waiting on CPU dispatch', () => {
    renderQuery({ model: 'bert-base-uncased', micro_batch: '1', seq_len: '128', gpu: 'h100-sxm' });
    const items = within(screen.getByRole('note')).getAllByRole('listitem').map((item) => item.textContent);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^The GPU waits \d+(\.\d+)?% of the step on eager PyTorch’s CPU dispatch\./);
  });
});
