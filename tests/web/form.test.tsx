// @vitest-environment happy-dom
import { fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup } from '@testing-library/preact';
import { InputForm, type InputFormProps } from '../../web/src/components/InputForm';
import type { Core, ModelResponse, Query } from '../../web/src/core';
import { acceptedTexts } from '../../web/src/calculator';
import { loadCatalog, type Lang } from '../../web/src/i18n';
import { I18nContext, makeI18n } from '../../web/src/i18n/context';
import { describeFix } from '../../web/src/components/Results';
import { guideTotalKey } from '../../web/src/messages';
import type { Fix } from '../../web/src/suggest';
import { loadTestCore } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
  await loadCatalog('zh-CN');
});

afterEach(cleanup);

function renderForm(query: Query, overrides: Partial<InputFormProps> = {}, lang: Lang = 'en') {
  const response = core.estimate(query);
  const props: InputFormProps = {
    fields: core.fields,
    gpus: core.gpus,
    presets: core.presets,
    texts: { ...acceptedTexts(core.fields, response), ...query },
    errors: {},
    input: response.input,
    modelParams: response.model?.counts.total ?? null,
    onEdit: vi.fn(),
    onChooseModel: vi.fn(),
    parseConfig: core.parseHfConfig,
    onConfig: vi.fn(),
    ...overrides,
  };
  render(
    <I18nContext.Provider value={makeI18n(lang)}>
      <InputForm {...props} />
    </I18nContext.Provider>,
  );
  return props;
}

/** Opens the config.json import section, whose code loads on the first opening, and waits for its text box. */
async function openConfigImport(): Promise<void> {
  const details = document.querySelector<HTMLDetailsElement>('details.config-import')!;
  details.open = true;
  fireEvent(details, new Event('toggle'));
  await screen.findByLabelText('Paste the config.json text');
}

describe('input groups', () => {
  it('shows the groups in a practitioner’s order', () => {
    renderForm({});
    const legends = [...document.querySelectorAll('legend')].map((legend) => legend.textContent);
    expect(legends).toEqual(['Model', 'Fine-tuning method', 'Batch and sequence', 'Precision and optimizer', 'Memory savers', 'Hardware', 'Dataset and budget']);
  });

  it('labels every control', () => {
    renderForm({ method: 'qlora' });
    const controls = document.querySelectorAll('input, select, textarea');
    expect(controls.length).toBeGreaterThan(20);
    for (const control of controls) {
      // A label that wraps the control (the LoRA target checkboxes, the file input) labels it too.
      const id = control.getAttribute('id');
      const label = control.closest('label') ?? (id ? document.querySelector(`label[for="${id}"]`) : null);
      expect(label?.textContent?.trim(), control.outerHTML).toBeTruthy();
    }
  });

  it('shows the unit and help of a field', () => {
    renderForm({});
    const field = document.querySelector('[data-field=seq_len]')!;
    expect(within(field as HTMLElement).getByText('tokens')).toBeTruthy();
    expect(screen.getByLabelText('Sequence length (L)').getAttribute('aria-describedby')).toBe('field-seq_len-help');
  });

  it('shows LoRA fields only for LoRA and QLoRA', () => {
    renderForm({ method: 'full' });
    expect(document.querySelector('[data-field=lora_rank]')).toBeNull();
    cleanup();
    renderForm({ method: 'lora' });
    expect(document.querySelector('[data-field=lora_rank]')).not.toBeNull();
    expect(document.querySelector('[data-field=quant]')).toBeNull();
    cleanup();
    renderForm({ method: 'qlora' });
    expect(document.querySelector('[data-field=quant]')).not.toBeNull();
  });

  it('shows FSDP and pipeline settings where used', () => {
    renderForm({ sharding: 'ddp', num_gpus: '4' });
    expect(document.querySelector('[data-field=sync_each_micro_batch]')).toBeNull();
    cleanup();
    renderForm({ sharding: 'fsdp_full_shard', num_gpus: '4' });
    expect(document.querySelector('[data-field=sync_each_micro_batch]')).not.toBeNull();
    expect(document.querySelector('[data-field=fsdp_frozen_grads]')).toBeNull();  // LoRA only
    cleanup();
    renderForm({ num_gpus: '4', pipeline_parallel: '4', pipeline_schedule: 'sequential' });
    expect(document.querySelector('[data-field=pipeline_schedule]')).not.toBeNull();
    expect(document.querySelector('[data-field=virtual_stages]')).toBeNull();
  });

  it('checks boxes for every true text', () => {
    // The core reads true, 1, on and yes in any case as true (core/fields.cpp).
    for (const text of ['yes', 'TRUE', '1']) {
      renderForm({ variable_lengths: text });
      expect(screen.getByLabelText<HTMLInputElement>('Batches of varying length').checked, text).toBe(true);
      cleanup();
    }
    renderForm({ variable_lengths: 'no' });
    expect(screen.getByLabelText<HTMLInputElement>('Batches of varying length').checked).toBe(false);
  });

  it('shows trainable layers only for freeze', () => {
    renderForm({ method: 'freeze' });
    expect(screen.getByLabelText('Trainable layers')).toBeTruthy();
  });

  it('writes LoRA targets from the checkboxes', () => {
    const props = renderForm({ method: 'lora', lora_targets: 'q,v' });
    const boxes = document.querySelectorAll<HTMLInputElement>('input[name^=lora_targets_]');
    expect([...boxes].filter((box) => box.checked).map((box) => box.name)).toEqual(['lora_targets_q', 'lora_targets_v']);

    fireEvent.click(document.querySelector('input[name=lora_targets_k]')!);
    expect(props.onEdit).toHaveBeenLastCalledWith('lora_targets', 'q,k,v', true);
  });

  it('writes all-linear when every target is checked', () => {
    const props = renderForm({ method: 'lora', lora_targets: 'q,k,v,o,gate,up' });
    fireEvent.click(document.querySelector('input[name=lora_targets_down]')!);
    expect(props.onEdit).toHaveBeenLastCalledWith('lora_targets', 'all-linear', true);
  });

  it('reports typing as an uncommitted edit', () => {
    const props = renderForm({});
    fireEvent.input(screen.getByLabelText('Micro-batch size (B)'), { target: { value: '32' } });
    expect(props.onEdit).toHaveBeenLastCalledWith('micro_batch', '32', false);
  });

  it('shows the global batch', () => {
    // 4 sequences × 8 accumulation × 4 data-parallel GPUs (8 GPUs / tensor parallel 2) = 128 sequences of 1,024 tokens.
    renderForm({ micro_batch: '4', grad_accum: '8', num_gpus: '8', tensor_parallel: '2', seq_len: '1024' });
    expect(screen.getByTestId('global-batch').textContent).toBe(
      'Global batch: 128 sequences = 4 × 8 × 4 data-parallel GPUs, 131,072 tokens per optimizer step.',
    );
  });

  it('folds advanced hardware fields away', () => {
    renderForm({});
    const memory = screen.getByLabelText('Custom memory');
    expect(memory.closest('details')?.open).toBe(false);
    // The empty override shows the GPU table's value (A100 80GB: 85.9 GB visible to CUDA).
    expect(memory.getAttribute('placeholder')).toBe('85.9');
  });

  it('opens a folded part that contains an error', () => {
    const error = core.estimate({ gpu_memory_gb: '0' }).errors[0]!;
    renderForm({ gpu_memory_gb: '0' }, { errors: { gpu_memory_gb: error } });
    expect(screen.getByLabelText('Custom memory').closest('details')?.open).toBe(true);
    expect(document.querySelector('#field-gpu_memory_gb-error')?.textContent).toBe('Custom memory: 0 is out of range. Accepted: 1 to 100,000 GB.');
  });

  it('keeps a folded part open after its error is fixed', () => {
    const error = core.estimate({ gpu_memory_gb: '0' }).errors[0]!;
    const props = renderForm({ gpu_memory_gb: '0' }, { errors: { gpu_memory_gb: error } });
    const details = screen.getByLabelText('Custom memory').closest('details')!;
    expect(details.open).toBe(true);
    // The same form again with the value fixed: the part stays open around the field.
    render(
      <I18nContext.Provider value={makeI18n('en')}>
        <InputForm {...props} texts={{ ...props.texts, gpu_memory_gb: '40' }} errors={{}} />
      </I18nContext.Provider>,
      { container: document.querySelector('form')!.parentElement! },
    );
    expect(screen.getByLabelText('Custom memory').closest('details')).toBe(details);
    expect(details.open).toBe(true);
  });

  it('shows every architecture field of a custom model', () => {
    renderForm({ model: 'custom', layers: '2', hidden: '64', heads: '4', vocab: '100', max_positions: '128', intermediate: '256' });
    const architecture = document.querySelector('fieldset details.advanced') as HTMLDetailsElement;
    expect(architecture.open).toBe(true);
    expect(within(architecture).getByLabelText('Layers')).toBeTruthy();
    expect(within(architecture).getByLabelText('Attention type')).toBeTruthy();
    // MoE fields appear only with experts.
    expect(within(architecture).queryByLabelText('Experts per token')).toBeNull();
  });
});

describe('model picker', () => {
  it('groups presets by series and filters them', () => {
    const props = renderForm({ model: 'llama-3-8b' });
    const select = screen.getByLabelText('Model') as HTMLSelectElement;
    const groups = [...select.querySelectorAll('optgroup')].map((group) => group.label);
    expect(groups).toContain('Llama 3');
    expect(groups).toContain('Qwen3');

    fireEvent.input(screen.getByLabelText('Find a model'), { target: { value: 'qwen3 30b' } });
    const options = [...select.querySelectorAll('option')].map((option) => option.value);
    // The chosen model stays listed next to the matches, and custom is always there.
    expect(options).toEqual(['llama-3-8b', 'qwen3-30b-a3b', 'custom']);

    fireEvent.change(select, { target: { value: 'qwen3-30b-a3b' } });
    expect(props.onChooseModel).toHaveBeenCalledWith('qwen3-30b-a3b');
  });

  it('says when no preset matches', () => {
    renderForm({});
    fireEvent.input(screen.getByLabelText('Find a model'), { target: { value: 'no such model' } });
    expect(screen.getByText('No preset matches “no such model”.')).toBeTruthy();
  });

  it('loads the config import when opened', async () => {
    renderForm({});
    expect(screen.queryByLabelText('Paste the config.json text')).toBeNull();

    await openConfigImport();
    expect(screen.getByText('Use this config')).toBeTruthy();
  });

  it('lists config.json errors by key', async () => {
    const props = renderForm({});
    await openConfigImport();
    fireEvent.input(screen.getByLabelText('Paste the config.json text'), { target: { value: '{"model_type":"llama","hidden_size":4096}' } });
    fireEvent.click(screen.getByText('Use this config'));

    const items = [...(await screen.findByTestId('config-errors')).querySelectorAll('li')].map((item) => item.textContent);
    expect(items[0]).toMatch(/^num_hidden_layers: /);
    expect(items).toHaveLength(5);
    expect(props.onConfig).not.toHaveBeenCalled();
  });

  it('words config.json errors in Chinese without doubled quotes', async () => {
    const props = renderForm({}, {}, 'zh-CN');
    const details = document.querySelector<HTMLDetailsElement>('details.config-import')!;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    fireEvent.input(await screen.findByLabelText('粘贴 config.json 内容'), { target: { value: '{"model_type":"llama","hidden_size":"abc","num_hidden_layers":2}' } });
    fireEvent.click(screen.getByText('使用此配置'));

    const items = [...(await screen.findByTestId('config-errors')).querySelectorAll('li')].map((item) => item.textContent);
    // The core reports the JSON string "abc" with its quotes; the message quotes it once.
    expect(items[0]).toBe('hidden_size：“abc”不是数字。');
    expect(items[1]).toBe('config.json 中没有 “num_attention_heads” 键。');
    expect(props.onConfig).not.toHaveBeenCalled();
  });

  it('applies a valid config.json', async () => {
    const props = renderForm({});
    await openConfigImport();
    const config = JSON.stringify({
      model_type: 'llama', hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8,
      intermediate_size: 8192, vocab_size: 128256, max_position_embeddings: 131072, tie_word_embeddings: true,
    });
    fireEvent.input(screen.getByLabelText('Paste the config.json text'), { target: { value: config } });
    fireEvent.click(screen.getByText('Use this config'));

    await screen.findByText(/^Imported .+: 1\.24B parameters\.$/);
    expect(props.onConfig).toHaveBeenCalledTimes(1);
    const response = (props.onConfig as ReturnType<typeof vi.fn>).mock.calls[0]![0];
    expect(response.spec.layers).toBe(16);
    // These are Llama 3.2 1B's sizes; its published count is 1,235,814,400 parameters.
    expect(response.counts.total).toBe(1235814400);
  });

  it('shows that the config reader is loading', async () => {
    let finish: (response: ModelResponse) => void = () => {};
    const props = renderForm({}, { parseConfig: () => new Promise((resolve) => (finish = resolve)) });
    await openConfigImport();
    fireEvent.input(screen.getByLabelText('Paste the config.json text'), { target: { value: '{}' } });
    fireEvent.click(screen.getByText('Use this config'));

    expect(await screen.findByText('Loading the config.json reader…')).toBeTruthy();
    expect(props.onConfig).not.toHaveBeenCalled();
    finish({ ok: false, errors: [{ field: 'config', code: 'missing', value: '', message: 'config: model_type is missing' }] });
    expect(await screen.findByTestId('config-errors')).toBeTruthy();
    expect(screen.queryByText('Loading the config.json reader…')).toBeNull();
  });

  it('reports a config reader that failed to load', async () => {
    let attempts = 0;
    const props = renderForm({}, {
      parseConfig: () => {
        attempts += 1;
        return attempts === 1 ? Promise.reject(new Error('Failed to fetch gpuplan_extra.wasm')) : core.parseHfConfig(JSON.stringify({ model_type: 'gpt2' }));
      },
    });
    await openConfigImport();
    fireEvent.input(screen.getByLabelText('Paste the config.json text'), { target: { value: '{"model_type":"gpt2"}' } });
    fireEvent.click(screen.getByText('Use this config'));

    const alert = await screen.findByText(/^The config\.json reader failed to load/);
    expect(alert.textContent).toBe('The config.json reader failed to load: Failed to fetch gpuplan_extra.wasm. The rest of the calculator still works; try again or reload the page.');
    expect(props.onConfig).not.toHaveBeenCalled();
    // The rest of the form still works, and a second try reaches the reader.
    fireEvent.input(screen.getByLabelText('Find a model'), { target: { value: 'no such model' } });
    expect(screen.getByText('No preset matches “no such model”.')).toBeTruthy();
    fireEvent.click(screen.getByText('Use this config'));
    expect(await screen.findByTestId('config-errors')).toBeTruthy();
    expect(attempts).toBe(2);
  });
});

describe('language', () => {
  it('labels the form in Chinese', () => {
    renderForm({}, {}, 'zh-CN');
    expect(screen.getByLabelText('微批量大小（B）')).toBeTruthy();
    expect([...document.querySelectorAll('legend')].map((legend) => legend.textContent)[0]).toBe('模型');
    expect(screen.getByText('条序列')).toBeTruthy();
  });
});

describe('fix description', () => {
  // describeFix reads the kinds, the changes and the global batch of the response.
  const fix = (kinds: Fix['kinds'], changes: Query): Fix => ({ kinds, changes, response: core.estimate(changes) });

  it('lowercases the second clause in English', () => {
    const text = describeFix(fix(['fused_cross_entropy', 'grad_checkpointing'], { fused_cross_entropy: 'true', grad_checkpointing: 'full' }), makeI18n('en').t, 'en-US', 'en');

    expect(text).toBe('Turn on fused cross-entropy, and turn on gradient checkpointing for every layer (about a third more compute)');
  });

  it('states the global batch of a GPU count', () => {
    // 8 data-parallel GPUs × micro-batch 16 (the default) × accumulation 1 = 128 sequences.
    expect(describeFix(fix(['gpus'], { num_gpus: '8', sharding: 'zero3' }), makeI18n('en').t, 'en-US', 'en')).toBe('Use 8 GPUs with ZeRO-3 (global batch 128 sequences)');
  });

  it('names the precision of a 16-bit base', () => {
    expect(describeFix(fix(['precision'], { method: 'lora', precision: 'pure_bf16' }), makeI18n('en').t, 'en-US', 'en')).toBe('Load the frozen base in 16 bits (Pure BF16)');
  });

  it('joins Chinese clauses with a comma', () => {
    const text = describeFix(fix(['fused_cross_entropy', 'qlora'], { fused_cross_entropy: 'true', method: 'qlora' }), makeI18n('zh-CN').t, 'zh-CN', 'zh-CN');

    expect(text).toBe('开启融合交叉熵，改用 QLoRA（4 位基座权重加 LoRA 适配器）');
  });
});

describe('guide total label', () => {
  it.each([
    ['full', 'Guide method total'],
    ['lora', 'Guide total (full fine-tuning formula)'],
    ['qlora', 'Guide total (full fine-tuning formula)'],
    ['freeze', 'Guide total (full fine-tuning formula)'],
  ])('%s reads %s', (method, label) => {
    expect(makeI18n('en').t(guideTotalKey(method))).toBe(label);
  });
});
