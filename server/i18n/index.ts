import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import type { Request } from 'express';
import { LOCALES, type Locale } from '../types';

const root = path.resolve(import.meta.dirname, '../..');

type Tree = Record<string, unknown>;

function readJson(file: string): Tree {
  return JSON.parse(readFileSync(file, 'utf8')) as Tree;
}

/** Common strings plus each module's `locales/<lang>.json`, nested under the module's folder name. */
export function loadResources(): Record<Locale, Tree> {
  const out = {} as Record<Locale, Tree>;
  const modulesDir = path.join(root, 'modules');
  for (const lang of LOCALES) {
    const tree = readJson(path.join(root, 'server/i18n/locales', `${lang}.json`));
    for (const mod of readdirSync(modulesDir)) {
      const file = path.join(modulesDir, mod, 'locales', `${lang}.json`);
      if (existsSync(file)) tree[mod] = readJson(file);
    }
    out[lang] = tree;
  }
  return out;
}

let shared: i18n | undefined;

/** One i18next instance per process: bundles are read once and cached in memory. */
export function getI18n(): i18n {
  if (shared) return shared;
  const resources = loadResources();
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: resources[l] }])),
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  shared = instance;
  return instance;
}

const translators = new Map<Locale, TFunction>();
const MAX_REMEMBERED = 5000;

/**
 * The memo key of a call with options (`t('k', { count: 3 })`): the options must be one plain object
 * of strings, numbers and booleans — the same key and options always give the same text, since the
 * bundles never change while the process runs. Anything else (functions, objects) is not remembered.
 */
function withOptionsKey(key: string, rest: unknown[]): string | undefined {
  const [options] = rest;
  if (rest.length !== 1 || !options || typeof options !== 'object' || Array.isArray(options))
    return undefined;
  let memo = key;
  for (const [name, value] of Object.entries(options)) {
    const type = typeof value;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
    memo += `\u0000${name}\u0000${type[0]}${String(value)}`;
  }
  return memo;
}

/**
 * t() for one language. Plain look-ups (a key, no options) are remembered: a page calls t() dozens of
 * times and i18next resolves each through several layers. Missing keys are not remembered.
 */
export function translator(locale: Locale): TFunction {
  const known = translators.get(locale);
  if (known) return known;
  const base = getI18n().getFixedT(locale) as unknown as (...args: unknown[]) => unknown;
  const hits = new Map<string, string>();
  const t = ((key: unknown, ...rest: unknown[]) => {
    if (typeof key !== 'string') return base(key, ...rest);
    const memo = rest.length ? withOptionsKey(key, rest) : key;
    if (memo === undefined) return base(key, ...rest);
    const hit = hits.get(memo);
    if (hit !== undefined) return hit;
    const value = base(key, ...rest);
    if (typeof value === 'string' && value !== key) {
      // Interpolated values (names, counts) vary without end: keep the memory bounded.
      if (hits.size >= MAX_REMEMBERED) hits.clear();
      hits.set(memo, value);
    }
    return value;
  }) as unknown as TFunction;
  translators.set(locale, t);
  return t;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** First supported language in an Accept-Language header, by quality. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { lang: (tag ?? '').slice(0, 2).toLowerCase(), q: q ? Number(q) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  return ranked.find((r) => isLocale(r.lang))?.lang as Locale | undefined;
}

/** Profile first, then the switcher's choice, then the browser's, then the configured default. */
export function pickLocale(req: Request, fallback: Locale): Locale {
  return req.user?.locale ?? req.session?.lang ?? fromAcceptLanguage(req.get('accept-language')) ?? fallback;
}

/** Sizes as people read them, in their language: 1.2 MB, 340 KB, 812 bytes. */
export function fileSize(bytes: number, lang: Locale): string {
  const unit = (en: string, mn: string) => (lang === 'mn' ? mn : en);
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} ${unit('MB', 'МБ')}`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} ${unit('KB', 'КБ')}`;
  return `${bytes} ${unit('bytes', 'байт')}`;
}

type Formatter = {
  dateTime(d: Date | string | undefined | null): string;
  date(d: Date | string | undefined | null): string;
  /** A file's size: "1.2 MB" / "1.2 МБ". */
  size(bytes: number): string;
};
const formatters = new Map<string, Formatter>();

/** Formats instants (and sizes) for a reader in their language and time zone (cached: Intl objects are costly). */
export function dateFormatter(locale: Locale, timeZone: string): Formatter {
  const key = `${locale}|${timeZone}`;
  const cached = formatters.get(key);
  if (cached) return cached;
  const tag = locale === 'mn' ? 'mn-MN' : 'en-GB';
  const fmt = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone });
  const made: Formatter = {
    dateTime: (d) => (d ? fmt.format(new Date(d)) : ''),
    date: (d) => (d ? day.format(new Date(d)) : ''),
    size: (bytes) => fileSize(bytes, locale),
  };
  if (formatters.size < 200) formatters.set(key, made);
  return made;
}
