// @vitest-environment happy-dom
// The fixes for a setup that does not fit, beside a form with an invalid field.
import { cleanup, screen, within } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core, Query } from '../../web/src/core';
import { loadCatalog } from '../../web/src/i18n';
import { findFixes } from '../../web/src/suggest';
import { loadTestCore } from './load-core';
import { renderResults } from './render-results';

let core: Core;

beforeAll(async () => {
  core = await loadTestCore();
  await loadCatalog('en');
});

afterEach(cleanup);

// Llama 3 8B full fine-tuning at the defaults (AMP, AdamW, micro-batch 16) needs far more than 80 GB.
const TOO_BIG: Query = { model: 'llama-3-8b' };

function renderFixes(stale: 'edited' | null) {
  const response = core.estimate(TOO_BIG);
  expect(response.ok).toBe(true);
  expect(response.detailed?.fits).toBe(false);
  const fixes = findFixes(core.estimate, TOO_BIG, response);
  expect(fixes.length).toBeGreaterThan(0);
  renderResults(core, response, { stale, fixes });
  return screen.getByRole('region', { name: 'Cheapest changes that make it fit (fewest GPU-seconds per token; QLoRA, a change of method, last)' });
}

describe('fixes', () => {
  it('say beside the buttons that an invalid field holds the result back', () => {
    const section = renderFixes('edited');
    expect(within(section).getByText('Showing the last valid estimate. Correct the marked fields to update it.')).toBeTruthy();
    // The fixes were found for the last valid setup, so they wait until the form is valid again.
    const buttons = within(section).getAllByRole('button', { name: 'Apply' });
    expect(buttons.length).toBeGreaterThan(0);
    for (const button of buttons) expect((button as HTMLButtonElement).disabled).toBe(true);
  });

  it('show no notice while the form is valid', () => {
    const section = renderFixes(null);
    expect(within(section).queryByText(/last valid estimate/)).toBeNull();
  });
});
