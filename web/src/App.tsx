import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { CUSTOM_MODEL, MODEL_KEY, initialTexts, minimalValues, queryFromTexts, refreshTexts } from './calculator';
import { loadCore, type Core, type EstimateResponse, type FieldError, type ModelResponse, type PlanResponse, type Query } from './core';
import { ARCHITECTURE_FIELDS, fieldApplies } from './form-layout';
import { catalogs, detectLang, LANG_NAMES, LANGS, loadCatalog, loadMoreMessages, type Lang } from './i18n';
import { I18nContext, makeI18n } from './i18n/context';
import { describeFieldError } from './messages';
import type { Fix } from './suggest';
import type { Sweep } from './sweep';
import { InputForm } from './components/InputForm';
import { Results } from './components/Results';
import { makeEmbedCode, Share } from './components/Share';
import { PAGE_KEYS, readQuery, resolveUrlValues, writeQuery, type PageOptions, type Tab, type Theme } from './url';

/** Layout of the page: 'page' for index.html, 'embed' for the widget of embed.html. */
export type Variant = 'page' | 'embed';

/** Message posted to the parent window from embed.html whenever the widget's height changes. */
export interface EmbedHeightMessage {
  type: 'gpuplan:height';
  /** Document height in CSS pixels. */
  height: number;
}

/** The inputs that the embed's form view shows. */
const EMBED_FIELDS = new Set([MODEL_KEY, 'method', 'micro_batch', 'seq_len', 'precision', 'gpu', 'num_gpus', 'sharding']);

interface CalculatorState {
  texts: Query;
  /** Fields that the user edited or the URL set, the only ones sent to the core. */
  edited: ReadonlySet<string>;
  errors: Record<string, FieldError>;
  /** The last estimate that the core accepted, kept on screen while the form has errors. */
  accepted: EstimateResponse | null;
  /** The query behind `accepted`. */
  acceptedQuery: Query;
  unknownKeys: string[];
  invalidPage: Record<string, string>;
  urlValuesRejected: boolean;
}

interface Derived {
  for: EstimateResponse;
  fixes: Fix[];
  breakdown: ModelResponse;
}

/** The peak-memory curves of one accepted estimate. */
interface ShownSweeps {
  for: EstimateResponse;
  sweeps: Sweep[];
}

// Parts of the page that load on demand, so the first view downloads less.
// The module system fetches each chunk once, and later calls reuse it.
type ChartsModule = typeof import('./charts');
type PlannerModule = typeof import('./components/Planner');
/** The planner's component with the on-demand core's plan(), which it needs to render. */
interface LoadedPlanner {
  Planner: PlannerModule['Planner'];
  plan: (query: Query) => PlanResponse;
}
const loadCharts = (): Promise<ChartsModule> => import('./charts');
// Each on-demand part loads the strings only it uses beside its code (loadMoreMessages).
const withMessages = <T,>(part: Promise<T>): Promise<T> => Promise.all([part, loadMoreMessages()]).then(([module]) => module);
const loadSuggest = (): Promise<typeof import('./suggest')> => withMessages(import('./suggest'));
const loadPlanner = (): Promise<PlannerModule> => withMessages(import('./components/Planner'));
const loadExports = (): Promise<typeof import('./exports')> => withMessages(import('./exports'));

/** Returns the message for a catalog that failed to load, in both languages because no catalog is there to word it. */
function catalogFailedText(reason: string): string {
  return `The page’s text failed to load: ${reason}. Reload the page to try again. 页面文字加载失败，请刷新页面重试。`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorsByField(errors: readonly FieldError[]): Record<string, FieldError> {
  const byField: Record<string, FieldError> = {};
  for (const error of errors) byField[error.field] ??= error;
  return byField;
}

/** State for a set of URL values: rejected values are reported and left out, as readQuery and resolveUrlValues describe. */
function stateFromValues(core: Core, values: Query, unknownKeys: string[], invalidPage: Record<string, string>): CalculatorState {
  const resolved = resolveUrlValues(core, values);
  const response = core.estimate(resolved.applied);
  return {
    texts: initialTexts(core.fields, response, values),
    edited: new Set(Object.keys(values)),
    errors: { ...errorsByField(response.errors), ...resolved.rejected },
    accepted: response.ok ? response : null,
    acceptedQuery: resolved.applied,
    unknownKeys,
    invalidPage,
    urlValuesRejected: Object.keys(resolved.rejected).length > 0,
  };
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

const initialUrl = readQuery(window.location.search, []);

export function App({ variant = 'page' }: { variant?: Variant }) {
  const [page, setPage] = useState<PageOptions>(initialUrl.page);
  const chosenLang: Lang = page.lang ?? detectLang(navigator.languages ?? [navigator.language]);
  // Every catalog loads on demand, so a reader downloads only the language shown. The page shows
  // nothing until the first catalog has loaded, and after a switch it keeps the last language until the new one has.
  const [shownLang, setShownLang] = useState<Lang | null>(catalogs[chosenLang] ? chosenLang : null);
  const [catalogError, setCatalogError] = useState<string | null>(null);
  const lang: Lang = shownLang ?? chosenLang;
  const i18n = useMemo(() => makeI18n(lang), [lang, shownLang]);
  const { t } = i18n;

  useEffect(() => {
    let current = true;
    loadCatalog(chosenLang).then(
      () => current && setShownLang(chosenLang),
      (error: unknown) => current && (shownLang ? setLoadError(errorMessage(error)) : setCatalogError(errorMessage(error))),
    );
    return () => {
      current = false;
    };
  }, [chosenLang]);

  const [core, setCore] = useState<Core | null>(null);
  const [state, setState] = useState<CalculatorState | null>(null);
  const [derived, setDerived] = useState<Derived | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [importMessage, setImportMessage] = useState<string | null>(null);
  // The import button sits at the bottom of the results; its outcome shows with the notices at the top, so
  // the page scrolls there.
  const notices = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (importMessage) notices.current?.scrollIntoView?.({ block: 'nearest' });
  }, [importMessage]);
  const [charts, setCharts] = useState<ChartsModule | null>(null);
  // The curves' section has scrolled into view (or an SVG export needs it), so the curves are computed and drawn.
  const [chartsWanted, setChartsWanted] = useState(false);
  const [sweeps, setSweeps] = useState<ShownSweeps | null>(null);
  /** Resolvers of whenChartsShown(), called once the current setup's curves are drawn or have failed to load. */
  const chartsWaiters = useRef<(() => void)[]>([]);
  const [planner, setPlanner] = useState<LoadedPlanner | null>(null);
  const [plannerError, setPlannerError] = useState<string | null>(null);
  const urlTimer = useRef<number | undefined>(undefined);
  const lastUrl = useRef(window.location.search);
  // The planner's non-default inputs for the URL. The planner reads them when it mounts, so a restore remounts it (planRestores is its key).
  const planValues = useRef<Query>(initialUrl.plan);
  const [planRestores, setPlanRestores] = useState(0);

  useEffect(() => {
    if (!shownLang) return;
    document.documentElement.lang = shownLang;
    document.title = `${t('app.title')} · ${t('app.tagline')}`;
  }, [shownLang, t]);

  useEffect(() => {
    if (page.theme) document.documentElement.dataset['theme'] = page.theme;
    else delete document.documentElement.dataset['theme'];
  }, [page.theme]);

  useEffect(() => (variant === 'embed' && window.parent !== window ? postHeightToParent() : undefined), [variant]);

  useEffect(() => {
    loadCore().then(
      (loaded) => {
        const url = readQuery(window.location.search, loaded.fields);
        setCore(loaded);
        setState(stateFromValues(loaded, url.values, url.unknownKeys, url.invalidPage));
      },
      (error: unknown) => setLoadError(errorMessage(error)),
    );
  }, []);

  // Back and forward restore the setup that the URL describes.
  useEffect(() => {
    if (!core) return undefined;
    const restore = () => {
      const url = readQuery(window.location.search, core.fields);
      lastUrl.current = window.location.search;
      planValues.current = url.plan;
      setPlanRestores((count) => count + 1);
      setPage(url.page);
      setState(stateFromValues(core, url.values, url.unknownKeys, url.invalidPage));
    };
    window.addEventListener('popstate', restore);
    return () => window.removeEventListener('popstate', restore);
  }, [core]);

  // Suggestions and the parameter breakdown cost many estimates, so they follow a short pause.
  // The code of the suggestions, when the setup does not fit, loads during that pause, after the first result is on screen.
  const accepted = state?.accepted ?? null;
  useEffect(() => {
    if (!core || !accepted || !state) return undefined;
    const query = state.acceptedQuery;
    const detailed = accepted.detailed;
    const suggestModule = detailed && !detailed.fits ? loadSuggest() : null;
    let cancelled = false;
    const timer = window.setTimeout(() => {
      Promise.resolve(suggestModule).then(
        (suggest) => {
          if (cancelled) return;
          const modelQuery: Query = {};
          for (const name of [MODEL_KEY, ...ARCHITECTURE_FIELDS]) if (query[name] !== undefined) modelQuery[name] = query[name]!;
          setDerived({
            for: accepted,
            fixes: suggest ? suggest.findFixes(core.estimate, query, accepted) : [],
            breakdown: core.modelBreakdown(modelQuery),
          });
        },
        (error: unknown) => setLoadError(errorMessage(error)),
      );
    }, 60);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [core, accepted]);

  // The curves cost about a dozen estimates and their code is a chunk of its own, so both wait until the
  // curves' section scrolls into view. Below the first screen they are not part of the first view.
  useEffect(() => {
    if (!core || !accepted || !state || !chartsWanted || variant !== 'page' || !accepted.detailed) return undefined;
    const query = state.acceptedQuery;
    let cancelled = false;
    const timer = window.setTimeout(() => {
      loadCharts().then(
        (chartsModule) => {
          if (cancelled) return;
          setCharts(chartsModule);
          setSweeps({ for: accepted, sweeps: chartsModule.computeSweeps(core, query, accepted) });
        },
        (error: unknown) => {
          setLoadError(errorMessage(error));
          for (const resolve of chartsWaiters.current.splice(0)) resolve();
        },
      );
    }, 60);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [core, accepted, chartsWanted]);

  const freshSweeps = sweeps && sweeps.for === accepted ? sweeps.sweeps : null;
  const chartsShown = !accepted?.detailed || variant !== 'page' || (freshSweeps !== null && charts !== null);
  useEffect(() => {
    if (chartsShown) for (const resolve of chartsWaiters.current.splice(0)) resolve();
  });

  /** Resolves once the accepted setup's curves are drawn, loading them first when their section has not been in view yet. */
  function whenChartsShown(): Promise<void> {
    if (chartsShown) return Promise.resolve();
    setChartsWanted(true);
    return new Promise((resolve) => chartsWaiters.current.push(resolve));
  }

  // The embed has no planner, so it ignores the tab key.
  const view: Tab = variant === 'page' && page.tab === 'planner' ? 'planner' : 'calculator';
  // The planner's code and the core's on-demand module load when the tab opens. A failed load is
  // reported in the tab, the calculator keeps working, and opening the tab again tries again.
  useEffect(() => {
    if (view !== 'planner' || !core || planner) return;
    setPlannerError(null);
    Promise.all([loadPlanner(), core.loadExtra()]).then(
      ([module, extra]) => setPlanner({ Planner: module.Planner, plan: extra.plan }),
      (error: unknown) => setPlannerError(errorMessage(error)),
    );
  }, [view, core]);

  function pageQuery(values: Query, options: PageOptions): string {
    return writeQuery(values, core!.fields, options, planValues.current);
  }

  /** Writes the URL for the accepted setup: pushState for a discrete change, replaceState (after a pause) while typing. */
  function writeUrl(next: CalculatorState, options: PageOptions, mode: 'push' | 'replace'): void {
    window.clearTimeout(urlTimer.current);
    const write = () => {
      if (!next.accepted) return;
      const search = pageQuery(minimalValues(core!.estimate, next.acceptedQuery, next.accepted), options);
      if (search === lastUrl.current) return;
      lastUrl.current = search;
      const { pathname, hash } = window.location;
      const method = mode === 'push' ? 'pushState' : 'replaceState';
      window.history[method](null, '', `${pathname}${search}${hash}` || pathname);
    };
    if (mode === 'push') write();
    else urlTimer.current = window.setTimeout(write, 250);
  }

  /** Sends the edited texts to the core; a valid result replaces the shown estimate and the URL. */
  function update(texts: Query, edited: ReadonlySet<string>, commit: boolean): void {
    if (!core || !state) return;
    const query = queryFromTexts(texts, edited, core.fields);
    const response = core.estimate(query);
    if (!response.ok) {
      setState({ ...state, texts, edited, errors: errorsByField(response.errors) });
      return;
    }
    const next: CalculatorState = {
      ...state,
      texts: refreshTexts(core.fields, texts, edited, response),
      edited,
      errors: {},
      accepted: response,
      acceptedQuery: query,
      urlValuesRejected: false,
    };
    setState(next);
    writeUrl(next, page, commit ? 'push' : 'replace');
  }

  function edit(name: string, text: string, commit: boolean): void {
    if (!state) return;
    if (commit && state.texts[name] === text && state.edited.has(name)) {
      // The change event after typing: the value is already applied, so only the history entry is left to write.
      if (state.accepted && Object.keys(state.errors).length === 0) writeUrl(state, page, 'push');
      return;
    }
    update({ ...state.texts, [name]: text }, new Set(state.edited).add(name), commit);
  }

  function chooseModel(id: string): void {
    if (!state) return;
    const edited = new Set(state.edited);
    const texts: Query = { ...state.texts, [MODEL_KEY]: id };
    edited.add(MODEL_KEY);
    for (const name of ARCHITECTURE_FIELDS) edited.delete(name);
    if (id === CUSTOM_MODEL) {
      // A custom model starts from the current architecture, so it is valid at once.
      const spec = state.accepted?.model?.spec ?? {};
      for (const name of ARCHITECTURE_FIELDS) {
        if (name === 'name' || spec[name] === undefined) continue;
        texts[name] = String(spec[name]);
        edited.add(name);
      }
    }
    update(texts, edited, true);
  }

  function applyConfig(response: ModelResponse): void {
    if (!state || !response.spec) return;
    const texts: Query = { ...state.texts, [MODEL_KEY]: CUSTOM_MODEL };
    const edited = new Set(state.edited).add(MODEL_KEY);
    for (const name of ARCHITECTURE_FIELDS) {
      const value = response.spec[name];
      if (value === undefined || (name === 'name' && !value)) continue;
      texts[name] = String(value);
      edited.add(name);
    }
    update(texts, edited, true);
  }

  function applyChanges(changes: Query): void {
    if (!state) return;
    const edited = new Set(state.edited);
    for (const name of Object.keys(changes)) edited.add(name);
    update({ ...state.texts, ...changes }, edited, true);
  }

  function loadValues(values: Query, options: PageOptions = page): void {
    if (!core) return;
    const known = new Set([MODEL_KEY, ...core.fields.map((field) => field.name)]);
    const unknown = Object.keys(values).filter((key) => !known.has(key));
    const kept = Object.fromEntries(Object.entries(values).filter(([key]) => known.has(key)));
    const next = stateFromValues(core, kept, unknown, {});
    setState(next);
    writeUrl(next, options, 'push');
  }

  function setPageOption(options: PageOptions): void {
    setPage(options);
    if (state?.accepted) writeUrl(state, options, 'push');
  }

  // Share and export actions.
  const currentQuery = () => (state?.accepted ? minimalValues(core!.estimate, state.acceptedQuery, state.accepted) : {});
  // A link to the page keeps the tab; a link to the widget keeps neither the tab nor the widget's view.
  const pageUrl = (file: string) => {
    const options = file === 'embed.html' ? { ...page, view: null, tab: null } : { ...page, view: null };
    const search = core ? pageQuery(currentQuery(), options) : window.location.search;
    return new URL(`${file}${search}`, window.location.href).href;
  };
  // The export code loads on the first click. A failed load is reported in the notices, like a failed import.
  function withExports(action: (module: Awaited<ReturnType<typeof loadExports>>) => void): void {
    loadExports().then(action, (error: unknown) => setImportMessage(t('app.load_failed', { reason: errorMessage(error) })));
  }
  const shareActions = {
    onExportJson: () =>
      withExports(({ download, makeExport }) => {
        if (state?.accepted) download('gpuplan-setup.json', 'application/json', `${JSON.stringify(makeExport(currentQuery(), state.accepted, pageUrl('index.html')), null, 2)}\n`);
      }),
    onImportJson: (text: string) =>
      withExports(({ parseExport, ImportError }) => {
        try {
          const values = parseExport(text);
          loadValues(values);
          setImportMessage(t('share.imported', { count: Object.keys(values).length }));
        } catch (error) {
          setImportMessage(error instanceof ImportError ? t(`import.${error.code}`, error.params) : t('share.import_failed', { reason: (error as Error).message }));
        }
      }),
    onExportMarkdown: () =>
      withExports(({ download, makeMarkdown, summaryRows }) => {
        const response = state?.accepted;
        if (!response) return;
        const rows = summaryRows(response, currentQuery(), core!.fields, core!.gpus, lang, t);
        const gpuName = core!.gpus.find((spec) => spec.id === response.input['gpu'])?.name ?? '';
        download('gpuplan-summary.md', 'text/markdown', makeMarkdown(response, rows, pageUrl('index.html'), t, i18n.locale, gpuName));
      }),
    onExportSvg: () =>
      withExports(async ({ combineSvgs, download }) => {
        // The file has every chart, so the curves are drawn first when the reader has not scrolled to them.
        await whenChartsShown();
        const svgs = [...document.querySelectorAll<SVGSVGElement>('svg[data-export]')];
        const style = getComputedStyle(document.documentElement);
        download('gpuplan-charts.svg', 'image/svg+xml', combineSvgs(svgs, style.color, style.backgroundColor));
      }),
    embedCode: () => makeEmbedCode(pageUrl('embed.html')),
  };

  const errors = state?.errors ?? {};
  let staleReason: 'edited' | 'url' | null = null;
  if (state && Object.keys(errors).length > 0) staleReason = state.urlValuesRejected ? 'url' : 'edited';
  const gpu = accepted ? core!.gpus.find((spec) => spec.id === accepted.input['gpu']) : undefined;
  const embed = variant === 'embed';
  const embedView = page.view ?? 'form';
  const only = embed ? EMBED_FIELDS : undefined;
  // Errors on fields that the form does not show (an unknown key, a LoRA value with full fine-tuning) would otherwise be invisible.
  const shown = (name: string) => name === MODEL_KEY || (core?.fields.some((field) => field.name === name) && fieldApplies(name, state?.texts ?? {}) && (!only || only.has(name)));
  const hiddenErrors = embed && embedView === 'result' ? Object.values(errors) : Object.values(errors).filter((error) => !shown(error.field));
  const fresh = derived && derived.for === accepted ? derived : null;

  if (!shownLang) {
    return catalogError ? (
      <p class="error" role="alert">
        {catalogFailedText(catalogError)}
      </p>
    ) : null;
  }

  return (
    <I18nContext.Provider value={i18n}>
      {!embed && (
        <a class="skip" href="#results">
          {t('app.skip')}
        </a>
      )}
      <header class="page-header">
        <div>
          <h1>{t('app.title')}</h1>
          {!embed && <p class="tagline">{t('app.tagline')}</p>}
          {embed && (
            <a class="open-full" href={pageUrl('index.html')} target="_blank" rel="noopener">
              {t('app.open_full')}
            </a>
          )}
        </div>
        <div class="settings">
          {core && !embed && (
            <div class="buttons" role="group">
              {(['calculator', 'planner'] as const).map((name) => (
                <button key={name} type="button" aria-pressed={view === name} onClick={() => setPageOption({ ...page, tab: name === 'planner' ? 'planner' : null })}>
                  {t(name === 'calculator' ? 'app.calculator' : 'app.planner')}
                </button>
              ))}
            </div>
          )}
          <label>
            <span>{t('app.language')}</span>
            <select name="lang" value={chosenLang} onChange={(event) => setPageOption({ ...page, lang: event.currentTarget.value as Lang })}>
              {LANGS.map((code) => (
                <option key={code} value={code}>
                  {LANG_NAMES[code]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('app.theme')}</span>
            <select name="theme" value={page.theme ?? ''} onChange={(event) => setPageOption({ ...page, theme: (event.currentTarget.value || null) as Theme | null })}>
              <option value="">{t('app.theme_system')}</option>
              <option value="light">{t('app.theme_light')}</option>
              <option value="dark">{t('app.theme_dark')}</option>
            </select>
          </label>
        </div>
      </header>

      <main>
        {state && (state.unknownKeys.length > 0 || state.urlValuesRejected || Object.keys(state.invalidPage).length > 0 || hiddenErrors.length > 0 || importMessage) && (
          <div class="notices" role="status" ref={notices}>
            {importMessage && <p>{importMessage}</p>}
            {state.urlValuesRejected && <p>{t('url.not_applied')}</p>}
            {state.unknownKeys.map((key) => (
              <p key={key}>{t('url.unknown_key', { key })}</p>
            ))}
            {Object.entries(state.invalidPage).map(([key, value]) => (
              <p key={key}>{t('url.invalid_page', { key, value, choices: PAGE_KEYS[key]!.join(', ') })}</p>
            ))}
            {hiddenErrors.map((error) => (
              <p key={error.field} class="error">
                {t('url.hidden_error', { message: describeFieldError(error, core?.fields.find((field) => field.name === error.field), lang, t) })}
              </p>
            ))}
          </div>
        )}

        {loadError && (
          <p class="error" role="alert">
            {t('app.load_failed', { reason: loadError })}
          </p>
        )}
        {!state && !loadError && <p class="loading">{t('app.loading')}</p>}

        {core && state && view === 'planner' && !state.accepted && <p class="notice">{t('planner.needs_valid')}</p>}
        {core && state && view === 'planner' && state.accepted && !planner && !plannerError && <p class="loading">{t('app.loading')}</p>}
        {view === 'planner' && plannerError && (
          <p class="error" role="alert">
            {t('planner.load_failed', { reason: plannerError })}
          </p>
        )}
        {core && state?.accepted && view === 'planner' && planner && (
          <planner.Planner
            plan={planner.plan}
            gpus={core.gpus}
            query={state.acceptedQuery}
            input={state.accepted.input}
            modelName={String(state.accepted.model?.spec['name'] ?? '')}
            key={planRestores}
            urlValues={planValues.current}
            onUrlValues={(values, commit) => {
              planValues.current = values;
              writeUrl(state, page, commit ? 'push' : 'replace');
            }}
            onLoad={(input) => {
              planValues.current = {};
              const options: PageOptions = { ...page, tab: null };
              setPage(options);
              loadValues(input, options);
            }}
          />
        )}

        {core && state && view === 'calculator' && (
          <div class={`layout${embed && embedView === 'result' ? ' results-only' : ''}`}>
            {!(embed && embedView === 'result') && (
              <InputForm
                fields={core.fields}
                gpus={core.gpus}
                presets={core.presets}
                texts={state.texts}
                errors={errors}
                input={accepted?.input ?? null}
                modelParams={accepted?.model?.counts.total ?? null}
                only={only}
                onEdit={edit}
                onChooseModel={chooseModel}
                parseConfig={core.parseHfConfig}
                onConfig={applyConfig}
              />
            )}
            {accepted && (
              <div class="results-column">
                <Results
                  response={accepted}
                  gpu={gpu}
                  stale={staleReason}
                  fixes={fresh?.fixes ?? null}
                  sweeps={freshSweeps}
                  SweepChart={charts?.SweepChart ?? null}
                  onSweepsNear={() => setChartsWanted(true)}
                  breakdown={fresh?.breakdown ?? null}
                  detail={embed ? 'compact' : 'full'}
                  onApplyFix={applyChanges}
                />
                {!embed && <Share {...shareActions} />}
              </div>
            )}
          </div>
        )}
      </main>

      {!embed && (
        <footer class="page-footer">
          <p>{t('app.method_note')}</p>
        </footer>
      )}
    </I18nContext.Provider>
  );
}
