import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../web/src/core';
import { escapeMarkdownCell, ImportError, makeExport, makeMarkdown, parseExport, summaryRows } from '../../web/src/exports';
import { loadCatalog, makeTranslate, type Lang } from '../../web/src/i18n';
import { escapeHtmlAttribute, makeEmbedCode } from '../../web/src/components/Share';
import { loadTestCore } from './load-core';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
});

describe('JSON export', () => {
  it('reads back the query it wrote', () => {
    const query = { model: 'qwen3-8b', method: 'qlora', micro_batch: '4' };
    const response = core.estimate(query);
    const text = JSON.stringify(makeExport(query, response, 'http://127.0.0.1/?model=qwen3-8b'));

    expect(parseExport(text)).toEqual(query);
    expect(JSON.parse(text).peak_bytes).toBe(response.detailed!.nvidia_smi_bytes);
  });

  it.each([
    ['not json', /invalid JSON/, 'invalid_json'],
    ['{"format":"other","version":1,"query":{}}', /"format" is not "gpuplan-setup"/, 'not_export'],
    ['{"model_type":"llama","hidden_size":4096}', /"format" is not "gpuplan-setup"/, 'hf_config'],
    ['{"format":"gpuplan-setup","version":2,"query":{}}', /unsupported version 2/, 'version'],
    ['{"format":"gpuplan-setup","version":1}', /"query" is missing/, 'query'],
    ['{"format":"gpuplan-setup","version":1,"query":{"micro_batch":4}}', /"query.micro_batch" is not a string/, 'query'],
  ])('rejects %s', (text, message, code) => {
    expect(() => parseExport(text)).toThrow(message);
    try {
      parseExport(text);
    } catch (error) {
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).code).toBe(code);
    }
  });

  it('words each rejection in both languages', () => {
    const cases: [string, string, string][] = [
      ['{"model_type":"llama"}', 'en', 'This looks like a Hugging Face config.json. Import it under Model, “Import a Hugging Face config.json”.'],
      ['{"format":"gpuplan-setup","version":2,"query":{}}', 'zh-CN', '文件是版本 2 的 gpuplan 导出；本页读取版本 1。'],
      ['{"format":"gpuplan-setup","version":1,"query":{"seq_len":1}}', 'en', 'The file’s “query.seq_len” is missing or is not text.'],
    ];
    for (const [text, lang, expected] of cases) {
      try {
        parseExport(text);
        throw new Error('accepted');
      } catch (error) {
        const rejection = error as ImportError;
        expect(makeTranslate(lang as Lang)(`import.${rejection.code}`, rejection.params)).toBe(expected);
      }
    }
  });
});

// Three significant digits as en-US prints them (98 rather than 98.0), the way the summary formats GiB.
const threeDigits = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

describe('Markdown summary', () => {
  it('tabulates the setup and the result', () => {
    const response = core.estimate({});
    const markdown = makeMarkdown(response, [['Model', 'GPT-3 XL (1.3B)'], ['Method', 'Full | all']], 'http://x/', makeTranslate('en'), 'en-US');
    const lines = markdown.split('\n');

    expect(lines[0]).toBe('| Setup | Value |');
    expect(lines[1]).toBe('| --- | --- |');
    expect(lines[2]).toBe('| Model | GPT-3 XL (1.3B) |');
    // A pipe in a value is escaped, so it does not split the cell.
    expect(lines[3]).toBe('| Method | Full \\| all |');
    expect(markdown).toContain('| Result | Value |');
    expect(markdown).toContain(`| Largest micro-batch that fits | ${response.detailed!.max_micro_batch} |`);
    expect(markdown.trimEnd().endsWith('http://x/')).toBe(true);
  });

  it('states the verdict with its margin in GiB', () => {
    // The default setup fits; its headroom in GiB is the core's headroom_bytes / 2^30, at three digits.
    const response = core.estimate({});
    const headroom = threeDigits.format(response.detailed!.headroom_bytes / 2 ** 30);
    const markdown = makeMarkdown(response, [], 'http://x/', makeTranslate('en'), 'en-US', 'NVIDIA A100 SXM 80 GB');

    expect(markdown).toMatch(new RegExp(`\\| Verdict \\| Fits on the NVIDIA A100 SXM 80 GB: [\\d.]+ GiB of 80 GiB usable, ${headroom} GiB to spare\\. \\|`));
  });

  it('states the shortfall when it does not fit', () => {
    // Llama 3 8B full fine-tuning needs its 8.03e9 × 16 bytes of weights, gradients and AdamW states alone: more than 80 GiB.
    const response = core.estimate({ model: 'llama-3-8b' });
    const shortfall = threeDigits.format(-response.detailed!.headroom_bytes / 2 ** 30);
    const markdown = makeMarkdown(response, [], 'http://x/', makeTranslate('en'), 'en-US', 'NVIDIA A100 SXM 80 GB');

    expect(response.detailed!.fits).toBe(false);
    expect(markdown).toContain(`, ${shortfall} GiB short. |`);
  });

  it('adds time and cost when the dataset size is given', () => {
    const response = core.estimate({ dataset_tokens: '1e9' });
    const markdown = makeMarkdown(response, [], 'http://x/', makeTranslate('en'), 'en-US');

    expect(markdown).toMatch(/\| Step time \| [\d.]+ (ms|s) \|/);
    expect(markdown).toMatch(/\| Total time \| [\d.]+ (min|h|days) \|/);
    // The A100's table price times the GPU-hours, to four digits.
    expect(markdown).toContain(`| Cost | $${Number(response.run!.cost_usd!.toPrecision(4)).toLocaleString('en-US')} |`);
  });

  it('leaves time and cost out without a dataset size', () => {
    const markdown = makeMarkdown(core.estimate({}), [], 'http://x/', makeTranslate('en'), 'en-US');

    expect(markdown).toContain('| Step time |');
    expect(markdown).not.toContain('| Total time |');
    expect(markdown).not.toContain('| Cost |');
  });

  it('labels the guide total as the full fine-tuning formula for LoRA', () => {
    const lora = makeMarkdown(core.estimate({ method: 'lora' }), [], 'http://x/', makeTranslate('en'), 'en-US');
    const full = makeMarkdown(core.estimate({}), [], 'http://x/', makeTranslate('en'), 'en-US');

    expect(lora).toMatch(/\| Guide total \(full fine-tuning formula\) \| [\d.]+ GB \|/);
    expect(full).toMatch(/\| Guide method total \| [\d.]+ GB \|/);
  });
});

describe('Markdown setup rows', () => {
  it('lists every non-default setting after the main ones', () => {
    const query = {
      model: 'qwen3-8b',
      method: 'lora',
      lora_rank: '64',
      lora_targets: 'q,v',
      attention: 'eager',
      fused_cross_entropy: 'true',
      grad_checkpointing: 'full',
      precision: 'amp_fp16',
      optimizer: 'adamw_8bit',
      num_gpus: '4',
      sharding: 'zero3',
    };
    const response = core.estimate(query);
    expect(response.ok).toBe(true);
    const rows = Object.fromEntries(summaryRows(response, query, core.fields, core.gpus, 'en', makeTranslate('en')));

    expect(rows['Model']).toBe('Qwen3 8B');
    expect(rows['GPU']).toBe(core.gpus.find((gpu) => gpu.id === 'a100-80gb')!.name);
    expect(rows['LoRA rank (r)']).toBe('64');
    expect(rows['Attention kernel']).toBe('Eager');
    expect(rows['Gradient checkpointing']).toBeDefined();
    expect(rows['Optimizer']).not.toBe('AdamW');
    expect(rows['Data parallelism']).toMatch(/ZeRO-3/);
    expect(rows['Fused cross-entropy']).toBe('on');
    expect(Object.values(rows)).toContain('q,v');
    expect(rows['GPUs']).toBe('4');
    // A field at its default and outside the main list is left out.
    expect(rows['Packing']).toBeUndefined();
  });

  it('labels fields and on/off in Chinese', async () => {
    await loadCatalog('zh-CN');
    const query = { fused_cross_entropy: 'true' };
    const rows = summaryRows(core.estimate(query), query, core.fields, core.gpus, 'zh-CN', makeTranslate('zh-CN'));

    expect(rows).toContainEqual([makeTranslate('zh-CN')('field.fused_cross_entropy.label'), '开启']);
    expect(makeTranslate('zh-CN')('field.fused_cross_entropy.label')).not.toBe('Fused cross-entropy');
  });
});

describe('Markdown cell escaping', () => {
  // Each expected cell is the input with a backslash before every character that CommonMark or a GFM table would read as markup.
  it.each([
    ['plain name', 'Qwen3 8B (custom)', 'Qwen3 8B (custom)'],
    ['pipe', 'a|b', 'a\\|b'],
    ['image tag', '<img src=x onerror=window.__pwned=1>', '\\<img src=x onerror=window.__pwned=1\\>'],
    ['script tag', '"><script>window.__pwned=1</script>', '"\\>\\<script\\>window.__pwned=1\\</script\\>'],
    ['autolink', '<javascript:alert(1)>', '\\<javascript:alert(1)\\>'],
    ['link', '[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['code span', '`rm -rf`', '\\`rm -rf\\`'],
    ['entity', '&lt;b&gt;', '\\&lt;b\\&gt;'],
    ['trailing backslash', 'name\\', 'name\\\\'],
    ['line breaks', 'a\r\nb\nc\rd', 'a b c d'],
  ])('%s', (_case, text, cell) => {
    expect(escapeMarkdownCell(text)).toBe(cell);
  });

  it('keeps a payload name inside its row', () => {
    const response = core.estimate({});
    const markdown = makeMarkdown(response, [['Model', 'x\\|<b>|`y`\ninjected | row']], 'http://x/', makeTranslate('en'), 'en-US');
    const row = markdown.split('\n')[2]!;

    expect(row).toBe('| Model | x\\\\\\|\\<b\\>\\|\\`y\\` injected \\| row |');
    // Unescaped pipes are the row's three cell borders only.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(3);
  });
});

describe('HTML attribute escaping', () => {
  it('escapes the five markup characters', () => {
    expect(escapeHtmlAttribute(`a&b"c'd<e>f`)).toBe('a&amp;b&quot;c&#39;d&lt;e&gt;f');
  });
});

describe('embed code', () => {
  it('escapes the URL and sandboxes the iframe', () => {
    const code = makeEmbedCode('https://example.org/gpuplan/embed.html?model=qwen3-8b&micro_batch=4');

    expect(code).toContain('src="https://example.org/gpuplan/embed.html?model=qwen3-8b&amp;micro_batch=4"');
    expect(code).toContain('sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"');
    expect(code).toContain("d.type!=='gpuplan:height'");
  });

  it('keeps a quote in the URL inside the attribute', () => {
    const code = makeEmbedCode('https://example.org/embed.html?name="><script>window.__pwned=1</script>');

    expect(code).toContain('src="https://example.org/embed.html?name=&quot;&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"');
    // The only script element is the height listener at the end.
    expect(code.match(/<script>/g)).toHaveLength(1);
  });
});
