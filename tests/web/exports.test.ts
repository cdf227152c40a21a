import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../web/src/core';
import { makeExport, makeMarkdown, parseExport } from '../../web/src/exports';
import { makeTranslate } from '../../web/src/i18n';
import { makeEmbedCode } from '../../web/src/components/Share';
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
    ['not json', /invalid JSON/],
    ['{"format":"other","version":1,"query":{}}', /"format" is not "gpuplan-setup"/],
    ['{"format":"gpuplan-setup","version":2,"query":{}}', /unsupported version 2/],
    ['{"format":"gpuplan-setup","version":1}', /"query" is missing/],
    ['{"format":"gpuplan-setup","version":1,"query":{"micro_batch":4}}', /"query.micro_batch" is not a string/],
  ])('rejects %s', (text, message) => {
    expect(() => parseExport(text)).toThrow(message);
  });
});

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
});

describe('embed code', () => {
  it('escapes the URL and sandboxes the iframe', () => {
    const code = makeEmbedCode('https://example.org/gpuplan/embed.html?model=qwen3-8b&micro_batch=4');

    expect(code).toContain('src="https://example.org/gpuplan/embed.html?model=qwen3-8b&amp;micro_batch=4"');
    expect(code).toContain('sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"');
    expect(code).toContain("e.data.type!=='gpuplan:height'");
  });
});
