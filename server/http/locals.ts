import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Locale } from '../types';
import { dateFormatter, pickLocale, translator } from '../i18n';
import { navFor } from '../navigation';

type Translate = ReturnType<typeof translator>;

/**
 * translator() with plain look-ups (a key, no options) remembered per app and language: a page calls
 * t() dozens of times and i18next resolves each through several layers. Missing keys are not
 * remembered, so resources added later still show up.
 */
function memoTranslators(): (lang: Locale) => Translate {
  const byLang = new Map<Locale, Translate>();
  return (lang) => {
    let t = byLang.get(lang);
    if (t) return t;
    const base = translator(lang);
    const hits = new Map<string, string>();
    const call = base as unknown as (...args: unknown[]) => unknown;
    t = ((key: unknown, ...rest: unknown[]) => {
      if (rest.length || typeof key !== 'string') return call(key, ...rest);
      const hit = hits.get(key);
      if (hit !== undefined) return hit;
      const value = call(key);
      if (typeof value === 'string' && value !== key && hits.size < 10_000) hits.set(key, value);
      return value;
    }) as unknown as Translate;
    byLang.set(lang, t);
    return t;
  };
}

/** What every view may use: translation, language, the signed-in user, links under the mount path. */
export function viewLocals(config: Config): RequestHandler {
  const translate = memoTranslators();
  return (req, res, next) => {
    const lang = pickLocale(req, config.defaultLocale);
    const timeZone = req.user?.timeZone ?? config.defaultTimeZone;
    const base: string = res.locals.base ?? '';
    res.locals.lang = lang;
    res.locals.t = translate(lang);
    res.locals.user = req.user;
    res.locals.navItems = navFor(req.user?.role);
    res.locals.timeZone = timeZone;
    res.locals.fmt = dateFormatter(lang, timeZone);
    res.locals.url = (path: string) => base + path;
    res.locals.currentPath = req.originalUrl.slice(base.length) || '/';
    res.locals.errors = {};
    res.locals.values = {};
    next();
  };
}

/** Remembers where this app is mounted, so every link and redirect works under any base path. */
export const mountBase: RequestHandler = (req, res, next) => {
  res.locals.base = req.baseUrl;
  next();
};
