import type { MessageKey, Messages, MoreMessages } from './en';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];
export const LANG_NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };

/**
 * Catalogs loaded so far. Each is a chunk that loads on demand (loadCatalog), so a reader downloads only the
 * languages shown. The strings of the on-demand parts join a language's catalog when loadMoreMessages runs.
 */
export const catalogs: Partial<Record<Lang, Messages & Partial<MoreMessages>>> = {};

/** Set once an on-demand part needed its strings: every language loaded from then on gets them too. */
let moreLoaded = false;

async function importMore(lang: Lang): Promise<MoreMessages> {
  return lang === 'zh-CN' ? (await import('./zh-CN-more')).zhCNMore : (await import('./en-more')).enMore;
}

/** Loads the catalog of `lang` once (with the on-demand strings after loadMoreMessages); callers re-render when it resolves. */
export async function loadCatalog(lang: Lang): Promise<Messages> {
  catalogs[lang] ??= { ...(lang === 'zh-CN' ? (await import('./zh-CN')).zhCN : (await import('./en')).en) };
  if (moreLoaded) Object.assign(catalogs[lang]!, await importMore(lang));
  return catalogs[lang]!;
}

/**
 * Loads the strings of the on-demand parts (planner, config.json import, fixes, exports, assumptions) into every loaded
 * catalog. The parts load it beside their code, so their first render already has the strings.
 */
export async function loadMoreMessages(): Promise<void> {
  moreLoaded = true;
  await Promise.all(
    LANGS.filter((lang) => catalogs[lang]).map(async (lang) => {
      Object.assign(catalogs[lang]!, await importMore(lang));
    }),
  );
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** Returns the supported language for a BCP 47 tag such as "zh", "zh-Hans-CN" or "en-GB", or null. */
export function matchLang(tag: string): Lang | null {
  const lower = tag.trim().toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  // Traditional Chinese readers are better served by English than by a simplified catalog they did not ask for.
  if (lower === 'zh' || lower === 'zh-cn' || lower === 'zh-sg' || lower.startsWith('zh-hans')) return 'zh-CN';
  return null;
}

/** Picks the first supported language from the browser's preferences, defaulting to English. */
export function detectLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const lang = matchLang(tag);
    if (lang) return lang;
  }
  return 'en';
}

/** Replaces each {name} in the template; a placeholder without a value stays visible so the gap is noticed. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Returns the catalog of `lang`, else English while `lang` is loading, else an empty one before any has loaded. */
function loadedMessages(lang: Lang): Partial<Record<MessageKey, string>> {
  return catalogs[lang] ?? catalogs.en ?? {};
}

/** A translator for `lang` (see loadedMessages). Without a catalog it returns the key, which the page never shows because it renders nothing until a catalog has loaded. */
export function makeTranslate(lang: Lang): Translate {
  const messages = loadedMessages(lang);
  return (key, params) => interpolate(messages[key] ?? key, params);
}

/** Looks up a key built at run time (for example from a field name) and returns null when the catalog lacks it. */
export function lookup(lang: Lang, key: string, params?: Params): string | null {
  const messages: Record<string, string> = loadedMessages(lang);
  return Object.prototype.hasOwnProperty.call(messages, key) ? interpolate(messages[key]!, params) : null;
}

/** Locale tag for Intl number formatting. */
export function numberLocale(lang: Lang): string {
  return lang === 'zh-CN' ? 'zh-CN' : 'en-US';
}
