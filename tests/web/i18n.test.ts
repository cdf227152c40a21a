import { beforeAll, describe, expect, it, vi } from 'vitest';
import { catalogs, detectLang, interpolate, LANGS, loadCatalog, matchLang } from '../../web/src/i18n';

beforeAll(async () => {
  for (const lang of LANGS) await loadCatalog(lang);
});

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

describe('on-demand strings', () => {
  it('join the catalogs loaded before and after the first part that needs them', async () => {
    // A fresh copy of the module, without the catalogs that the test setup loaded.
    vi.resetModules();
    const fresh = await import('../../web/src/i18n');
    await fresh.loadCatalog('en');
    expect(fresh.lookup('en', 'fix.apply')).toBeNull();
    await fresh.loadMoreMessages();
    expect(fresh.lookup('en', 'fix.apply')).toBe('Apply');
    await fresh.loadCatalog('zh-CN');
    expect(fresh.lookup('zh-CN', 'fix.apply')).toBe('应用');
    expect(fresh.lookup('zh-CN', 'app.title')).toBe('gpuplan');
  });
});

describe('message catalogs', () => {
  const english = catalogs.en!;

  it.each(LANGS)('%s has every English key and no others', (lang) => {
    expect(Object.keys(catalogs[lang]!).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(LANGS)('%s uses the English placeholders', (lang) => {
    for (const [key, template] of Object.entries(english)) {
      const translated = (catalogs[lang] as Record<string, string>)[key]!;
      expect(placeholders(translated), key).toEqual(placeholders(template));
    }
  });

  it.each(LANGS)('%s has no empty message', (lang) => {
    for (const [key, text] of Object.entries(catalogs[lang]!)) {
      expect(text.trim(), key).not.toBe('');
    }
  });

  it('zh-CN translates the field labels', () => {
    const chinese = catalogs['zh-CN'] as Record<string, string>;
    for (const key of Object.keys(english).filter((name) => name.endsWith('.label') && name !== 'field.gpu.label')) {
      expect(chinese[key], key).not.toBe((english as Record<string, string>)[key]);
    }
  });
});

describe('language detection', () => {
  it.each([
    [['zh-CN'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['zh-Hans-CN', 'en'], 'zh-CN'],
    [['zh-TW', 'en-US'], 'en'],
    [['fr-FR', 'zh-CN'], 'zh-CN'],
    [['fr-FR'], 'en'],
    [[], 'en'],
  ])('%j picks %s', (preferred, expected) => {
    expect(detectLang(preferred)).toBe(expected);
  });

  it('rejects an unknown tag', () => {
    expect(matchLang('de')).toBeNull();
  });
});

describe('interpolate', () => {
  it('fills every placeholder', () => {
    expect(interpolate('{a} of {b}', { a: 1, b: 'two' })).toBe('1 of two');
  });

  it('leaves a placeholder without a value visible', () => {
    expect(interpolate('{a} of {b}', { a: 1 })).toBe('1 of {b}');
  });
});
