import { useEffect, useMemo, useState } from 'preact/hooks';
import { initialTexts, minimalValues, queryFromTexts, refreshTexts } from './calculator';
import { loadCore, type Core, type EstimateResponse, type FieldError, type Query } from './core';
import { InputForm } from './components/InputForm';
import { Results } from './components/Results';
import { detectLang, LANG_NAMES, LANGS, type Lang } from './i18n';
import { I18nContext, makeI18n } from './i18n/context';
import { readQuery, resolveUrlValues, writeQuery } from './url';

interface Loaded {
  core: Core;
  texts: Query;
  /** Fields that the user edited or the URL set, the only ones sent to the core. */
  edited: ReadonlySet<string>;
  /** The query behind `accepted`, for the URL. */
  acceptedQuery: Query;
  errors: Record<string, FieldError>;
  /** The last estimate that the core accepted, kept on screen while the form has errors. */
  accepted: EstimateResponse | null;
  unknownKeys: string[];
  urlValuesRejected: boolean;
}

function errorsByField(errors: readonly FieldError[]): Record<string, FieldError> {
  const byField: Record<string, FieldError> = {};
  for (const error of errors) byField[error.field] ??= error;
  return byField;
}

// The URL's lang key is read before the core loads, so the loading message is already in that language.
const initialUrl = new URLSearchParams(window.location.search).get('lang');

function replaceUrl(query: string): void {
  const { pathname, hash } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${query}${hash}`);
}

/** Layout of the page: 'page' for index.html, 'embed' for the widget of embed.html (no tagline or footer, a link to the full page, height posted to the parent). */
export type Variant = 'page' | 'embed';

/** Message posted to the parent window from embed.html whenever the widget's height changes. */
export interface EmbedHeightMessage {
  type: 'gpuplan:height';
  /** Document height in CSS pixels. */
  height: number;
}

// Lets the parent page size its iframe to the widget. The message carries only the height, so any origin may receive it.
function postHeightToParent(): () => void {
  let lastHeight = -1;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    const message: EmbedHeightMessage = { type: 'gpuplan:height', height };
    window.parent.postMessage(message, '*');
  });
  observer.observe(document.documentElement);
  return () => observer.disconnect();
}

export function App({ variant = 'page' }: { variant?: Variant }) {
  const [chosenLang, setChosenLang] = useState<Lang | null>(
    () => LANGS.find((lang) => lang.toLowerCase() === initialUrl?.trim().toLowerCase()) ?? null,
  );
  const lang = chosenLang ?? detectLang(navigator.languages ?? [navigator.language]);
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const { t } = i18n;

  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [invalidLang, setInvalidLang] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t('app.title')} · ${t('app.tagline')}`;
  }, [lang, t]);

  useEffect(() => (variant === 'embed' && window.parent !== window ? postHeightToParent() : undefined), [variant]);

  useEffect(() => {
    loadCore().then(
      (core) => {
        const url = readQuery(window.location.search, core.fields);
        const resolved = resolveUrlValues(core, url.values);
        const response = core.estimate(resolved.applied);
        setInvalidLang(url.invalidLang);
        setLoaded({
          core,
          texts: initialTexts(core.fields, response.input, url.values),
          edited: new Set(Object.keys(url.values)),
          acceptedQuery: resolved.applied,
          errors: { ...errorsByField(response.errors), ...resolved.rejected },
          accepted: response.ok ? response : null,
          unknownKeys: url.unknownKeys,
          urlValuesRejected: Object.keys(resolved.rejected).length > 0,
        });
      },
      (error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)),
    );
  }, []);

  function edit(name: string, text: string): void {
    if (!loaded) return;
    const { core } = loaded;
    const edited = new Set(loaded.edited).add(name);
    const texts = { ...loaded.texts, [name]: text };
    const query = queryFromTexts(texts, edited);
    const response = core.estimate(query);
    if (response.ok) {
      replaceUrl(writeQuery(minimalValues(core.estimate, query, response.input), core.fields, chosenLang));
      setLoaded({
        ...loaded,
        texts: refreshTexts(core.fields, texts, edited, response.input),
        edited,
        acceptedQuery: query,
        errors: {},
        accepted: response,
        urlValuesRejected: false,
      });
    } else {
      setLoaded({ ...loaded, texts, edited, errors: errorsByField(response.errors) });
    }
  }

  function chooseLang(next: Lang): void {
    setChosenLang(next);
    setInvalidLang(null);
    if (!loaded?.accepted) return;
    const { core, accepted, acceptedQuery } = loaded;
    replaceUrl(writeQuery(minimalValues(core.estimate, acceptedQuery, accepted.input), core.fields, next));
  }

  const accepted = loaded?.accepted;
  let staleReason: 'edited' | 'url' | null = null;
  if (loaded && Object.keys(loaded.errors).length > 0) staleReason = loaded.urlValuesRejected ? 'url' : 'edited';
  const gpu = accepted ? loaded.core.gpus.find((spec) => spec.id === accepted.input['gpu']) : undefined;
  // Errors on keys that no form field shows (the core's unknown_field) would otherwise be invisible.
  const fieldNames = new Set(loaded?.core.fields.map((field) => field.name));
  const orphanErrors = Object.values(loaded?.errors ?? {}).filter((error) => !fieldNames.has(error.field));

  return (
    <I18nContext.Provider value={i18n}>
      <header class="page-header">
        <div>
          <h1>{t('app.title')}</h1>
          {variant === 'page' && <p class="tagline">{t('app.tagline')}</p>}
          {variant === 'embed' && (
            <a class="open-full" href={`./index.html${window.location.search}`} target="_blank" rel="noopener">
              {t('app.open_full')}
            </a>
          )}
        </div>
        <label class="lang">
          <span>{t('app.language')}</span>
          <select name="lang" value={lang} onChange={(event) => chooseLang(event.currentTarget.value as Lang)}>
            {LANGS.map((code) => (
              <option key={code} value={code}>
                {LANG_NAMES[code]}
              </option>
            ))}
          </select>
        </label>
      </header>

      <main>
        {(loaded?.unknownKeys.length || loaded?.urlValuesRejected || invalidLang || orphanErrors.length > 0) && (
          <div class="notices" role="status">
            {loaded?.urlValuesRejected && <p>{t('url.not_applied')}</p>}
            {loaded?.unknownKeys.map((key) => (
              <p key={key}>{t('url.unknown_key', { key })}</p>
            ))}
            {orphanErrors.map((error) => (
              <p key={error.field}>{t('url.unknown_key', { key: error.field })}</p>
            ))}
            {invalidLang !== null && (
              <p>{t('url.invalid_lang', { value: invalidLang, choices: LANGS.join(', ') })}</p>
            )}
          </div>
        )}

        {loadError && <p class="error" role="alert">{t('app.load_failed', { reason: loadError })}</p>}
        {!loaded && !loadError && <p class="loading">{t('app.loading')}</p>}

        {loaded && (
          <div class="layout">
            <InputForm
              fields={loaded.core.fields}
              gpus={loaded.core.gpus}
              presets={loaded.core.presets}
              texts={loaded.texts}
              errors={loaded.errors}
              onEdit={edit}
            />
            {accepted?.guide && (
              <Results
                guide={accepted.guide}
                gpu={gpu}
                stale={staleReason}
              />
            )}
          </div>
        )}
      </main>

      {variant === 'page' && (
        <footer class="page-footer">
          <p>{t('app.method_note')}</p>
        </footer>
      )}
    </I18nContext.Provider>
  );
}
