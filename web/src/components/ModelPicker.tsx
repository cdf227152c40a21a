import { useState } from 'preact/hooks';
import { CUSTOM_MODEL } from '../calculator';
import type { FieldError, ModelResponse, PresetSummary } from '../core';
import { formatSignificant } from '../format';
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

/** What the import shows: the core's response, a file that could not be read, the core's config reader loading or failing to load. */
type ConfigResultState = ModelResponse | { readError: string } | { loading: true } | { loadError: string };

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

/** Searchable preset list grouped by series, the custom choice, and config.json import. */
export function ModelPicker({ presets, model, error, onChoose, parseConfig, onConfig }: ModelPickerProps) {
  const { lang, t, locale } = useI18n();
  const [search, setSearch] = useState('');
  const [configText, setConfigText] = useState('');
  const [configResult, setConfigResult] = useState<ConfigResultState | null>(null);

  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = presets.filter((preset) => matches(preset, words));
  const shown = presets.filter((preset) => preset.id === model || matching.includes(preset));
  const series = [...new Set(shown.map((preset) => preset.series))];
  const chosen = presets.find((preset) => preset.id === model);
  const optionText = (preset: PresetSummary) => `${preset.name} · ${shortCount(preset.params, locale)}`;

  async function applyConfig(text: string): Promise<void> {
    setConfigResult({ loading: true });
    let response: ModelResponse;
    try {
      response = await parseConfig(text);
    } catch (reason) {
      setConfigResult({ loadError: reason instanceof Error ? reason.message : String(reason) });
      return;
    }
    setConfigResult(response);
    if (response.ok) onConfig(response);
  }

  async function readFile(file: File | undefined): Promise<void> {
    if (!file) return;
    try {
      const text = await file.text();
      setConfigText(text);
      await applyConfig(text);
    } catch (reason) {
      setConfigResult({ readError: reason instanceof Error ? reason.message : String(reason) });
    }
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

      <details class="config-import">
        <summary>{t('model.config')}</summary>
        <label for="config-text">{t('model.config_paste')}</label>
        <textarea id="config-text" rows={5} spellcheck={false} value={configText} onInput={(event) => setConfigText(event.currentTarget.value)} />
        <div class="row">
          <button type="button" onClick={() => void applyConfig(configText)}>
            {t('model.config_apply')}
          </button>
          <label class="file">
            {t('model.config_file')}
            <input type="file" accept=".json,application/json" onChange={(event) => void readFile(event.currentTarget.files?.[0])} />
          </label>
        </div>
        <ConfigResult result={configResult} />
      </details>
    </div>
  );
}

function ConfigResult({ result }: { result: ConfigResultState | null }) {
  const { lang, t, locale } = useI18n();
  if (!result) return null;
  if ('loading' in result) return <p class="loading" role="status">{t('model.config_loading')}</p>;
  if ('loadError' in result) return <p class="error" role="alert">{t('model.config_load_failed', { reason: result.loadError })}</p>;
  if ('readError' in result) return <p class="error" role="alert">{t('model.config_read_failed', { reason: result.readError })}</p>;
  if (result.ok) {
    return (
      <p class="ok" role="status">
        {t('model.config_applied', { name: String(result.spec?.['name'] || 'config.json'), params: shortCount(result.counts?.total ?? NaN, locale) })}
      </p>
    );
  }
  return (
    <div class="error" role="alert">
      <p>{t('model.config_errors')}</p>
      <ul data-testid="config-errors">
        {result.errors.map((error) => (
          <li key={error.field + error.code}>
            {lang === 'en' ? t('model.config_error', { field: error.field, message: error.message.replace(`${error.field}: `, '') }) : describeFieldError(error, undefined, lang, t)}
          </li>
        ))}
      </ul>
    </div>
  );
}
