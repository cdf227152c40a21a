import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { makeTranslate, numberLocale, type Lang, type Translate } from './index';

export interface I18n {
  lang: Lang;
  t: Translate;
  /** Locale for Intl number formatting. */
  locale: string;
}

export function makeI18n(lang: Lang): I18n {
  return { lang, t: makeTranslate(lang), locale: numberLocale(lang) };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
