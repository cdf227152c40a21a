// Renders the results panel of one estimate, as the page shows it, for the component tests.
import { render } from '@testing-library/preact';
import { vi } from 'vitest';
import { Results } from '../../web/src/components/Results';
import type { Core, EstimateResponse } from '../../web/src/core';
import type { Lang } from '../../web/src/i18n';
import { I18nContext, makeI18n } from '../../web/src/i18n/context';
import type { Fix } from '../../web/src/suggest';

export interface ResultsOptions {
  lang?: Lang;
  stale?: 'edited' | 'url' | null;
  fixes?: Fix[] | null;
}

export function renderResults(core: Core, response: EstimateResponse, { lang = 'en', stale = null, fixes = null }: ResultsOptions = {}): void {
  render(
    <I18nContext.Provider value={makeI18n(lang)}>
      <Results
        response={response}
        gpu={core.gpus.find((gpu) => gpu.id === response.input['gpu'])}
        stale={stale}
        fixes={fixes}
        sweeps={null}
        SweepChart={null}
        breakdown={null}
        detail="compact"
        onApplyFix={vi.fn()}
      />
    </I18nContext.Provider>,
  );
}
