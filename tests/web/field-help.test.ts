// The command line prints the page's field descriptions: cli/field_help.inc is
// generated from the English catalog and must match it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en';
import { enMore } from '../../web/src/i18n/en-more';
// @ts-expect-error: a plain ES module without types
import { fieldHelpInc } from '../../tools/field-help.mjs';
import { loadTestCore } from './load-core';

const root = join(__dirname, '..', '..');

describe('command-line field help', () => {
  it('matches the English catalog (run node tools/field-help.mjs after editing a field.NAME.help)', () => {
    const committed = readFileSync(join(root, 'cli', 'field_help.inc'), 'utf8');
    expect(committed).toBe(fieldHelpInc({ ...en, ...enMore }));
  });

  it('describes every setup and model field', async () => {
    const core = await loadTestCore();
    const described = new Set([...readFileSync(join(root, 'cli', 'field_help.inc'), 'utf8').matchAll(/^\{"(\w+)", /gm)].map((match) => match[1]));
    const missing = core.fields.map((field) => field.name).filter((name) => !described.has(name));
    expect(missing).toEqual([]);
  });
});
