import { useState } from 'preact/hooks';
import { CUSTOM_MODEL } from '../calculator';
import type { FieldError, ModelResponse, PresetSummary } from '../core';
import { formatSignificant } from '../format';
import { loadMoreMessages } from '../i18n';
import { useI18n } from '../i18n/context';
import { describeFieldError } from '../messages';

interface ModelPickerProps {
  presets: readonly PresetSummary[];
  /** Preset id or "custom". */
  model: string;
  error: FieldError | undefined;
  onChoose: (id: string) => void;
  /** Parses config.json text with the core, whose config reader may still have to load; the picker applies the spec when it is valid. */
  parseConfig: (text: string) => Promise<ModelResponse>;
  onConfig: (response: ModelResponse) => void;
}

type ConfigImportModule = typeof import('./ConfigImport');
const loadConfigImport = (): Promise<ConfigImportModule> =>
  Promise.all([import('./ConfigImport'), loadMoreMessages()]).then(([module]) => module);

/** 8.03e9 → "8.03B", for preset option text. */
export function shortCount(count: number, locale: string): string {
  const scales: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  const [factor, suffix] = scales.find(([scale]) => count >= scale) ?? [1, ''];
  return `${formatSignificant(count / factor, locale)}${suffix}`;
}

function matches(preset: PresetSummary, words: readonly string[]): boolean {
  const haystack = `${preset.name} ${preset.id} ${preset.series} ${preset.hf_id}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** Searchable preset list grouped by series, the custom choice, and config.json import (ConfigImport.tsx). */
export function ModelPicker({ presets, model, error, onChoose, parseConfig, onConfig }: ModelPickerProps) {
  const { lang, t, locale } = useI18n();
  const [search, setSearch] = useState('');
  // The import's code loads when its section first opens.
  const [configImport, setConfigImport] = useState<ConfigImportModule | null>(null);
  const [configImportError, setConfigImportError] = useState<string | null>(null);

  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = presets.filter((preset) => matches(preset, words));
  const shown = presets.filter((preset) => preset.id === model || matching.includes(preset));
  const series = [...new Set(shown.map((preset) => preset.series))];
  const chosen = presets.find((preset) => preset.id === model);
  const optionText = (preset: PresetSummary) => `${preset.name} · ${shortCount(preset.params, locale)}`;

  function openConfigImport(open: boolean): void {
    if (!open || configImport) return;
    setConfigImportError(null);
    loadConfigImport().then(setConfigImport, (reason: unknown) => setConfigImportError(reason instanceof Error ? reason.message : String(reason)));
  }

  return (
    <div class="model-picker">
      <div class="field">
        <label for="model-search">{t('model.search')}</label>
        <div class="control">
          <input id="model-search" type="search" value={search} placeholder={t('model.search_placeholder')} autoComplete="off" onInput={(event) => setSearch(event.currentTarget.value)} />
        </div>
      </div>
      <div class={`field${error ? ' invalid' : ''}`}>
        <label for="field-model">{t('field.model.label')}</label>
        <div class="control">
          <select
            id="field-model"
            name="model"
            value={model}
            aria-describedby={error ? 'field-model-help field-model-error' : 'field-model-help'}
            aria-invalid={error ? 'true' : undefined}
            onChange={(event) => onChoose(event.currentTarget.value)}
          >
            {!chosen && model !== CUSTOM_MODEL && <option value={model}>{model}</option>}
            {series.map((name) => (
              <optgroup key={name} label={name}>
                {shown.filter((preset) => preset.series === name).map((preset) => (
                  <option key={preset.id} value={preset.id}>
                    {optionText(preset)}
                  </option>
                ))}
              </optgroup>
            ))}
            <option value={CUSTOM_MODEL}>{t('model.custom')}</option>
          </select>
        </div>
        <p class="help" id="field-model-help">
          {matching.length === 0
            ? t('model.no_match', { query: search })
            : chosen
              ? `${chosen.hf_id || chosen.name} · ${t(chosen.active_params < chosen.params ? 'model.params_moe' : 'model.params', {
                  params: shortCount(chosen.params, locale),
                  active: shortCount(chosen.active_params, locale),
                })}`
              : t('field.model.help')}
        </p>
        {error && (
          <p class="error" id="field-model-error" role="alert">
            {describeFieldError(error, undefined, lang, t)}
          </p>
        )}
      </div>

      <details class="config-import" onToggle={(event) => openConfigImport(event.currentTarget.open)}>
        <summary>{t('model.config')}</summary>
        {configImport ? (
          <configImport.ConfigImport parseConfig={parseConfig} onConfig={onConfig} />
        ) : configImportError ? (
          <p class="error" role="alert">
            {t('model.config_load_failed', { reason: configImportError })}
          </p>
        ) : (
          <p class="loading" role="status">
            {t('model.config_loading')}
          </p>
        )}
      </details>
    </div>
  );
}
