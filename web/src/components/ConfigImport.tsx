// The config.json import of the model picker. ModelPicker imports this file
// when the import section first opens, so the first view does not download it.
import { useState } from 'preact/hooks';
import type { FieldError, ModelResponse } from '../core';
import type { Lang, Translate } from '../i18n';
import { useI18n } from '../i18n/context';
import { describeFieldError } from '../messages';
import { shortCount } from './ModelPicker';

interface ConfigImportProps {
  /** Parses config.json text with the core, whose config reader may still have to load. */
  parseConfig: (text: string) => Promise<ModelResponse>;
  /** Receives a valid response, whose spec the calculator applies. */
  onConfig: (response: ModelResponse) => void;
}

/** The import's state: the core's response, a file that could not be read, or the core's config reader loading or failing to load. */
type ConfigResultState = ModelResponse | { readError: string } | { loading: true } | { loadError: string };

/**
 * Words a config.json error from the translated field messages. The core reports a config value
 * as JSON text, so a string arrives quoted ("abc"); the messages add their own quotes.
 */
function describeConfigError(error: FieldError, lang: Lang, t: Translate): string {
  if (error.code === 'missing') return t('model.config_missing', { field: error.field });
  const value = /^".*"$/.test(error.value) ? error.value.slice(1, -1) : error.value;
  return describeFieldError({ ...error, value }, undefined, lang, t);
}

/** Renders a text box and a file input for config.json, and the result of the last import. */
export function ConfigImport({ parseConfig, onConfig }: ConfigImportProps) {
  const { t } = useI18n();
  const [configText, setConfigText] = useState('');
  const [configResult, setConfigResult] = useState<ConfigResultState | null>(null);

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
    <>
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
    </>
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
            {lang === 'en' ? t('model.config_error', { field: error.field, message: error.message.replace(`${error.field}: `, '') }) : describeConfigError(error, lang, t)}
          </li>
        ))}
      </ul>
    </div>
  );
}
