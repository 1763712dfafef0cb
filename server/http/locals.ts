import type { RequestHandler, Response } from 'express';
import type { Locale } from '../types';
import type { Config } from '../config';
import { dateFormatter, pickLocale, translator } from '../i18n';
import type { NavItem } from '../module';

/** What every view may use: translation, language, the signed-in user, links under the mount path. */
export function viewLocals(config: Config, nav: readonly NavItem[]): RequestHandler {
  return (req, res, next) => {
    const lang = pickLocale(req, config.defaultLocale);
    const timeZone = req.user?.timeZone ?? config.defaultTimeZone;
    const base: string = res.locals.base ?? '';
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    res.locals.user = req.user;
    const role = req.user?.role;
    res.locals.navItems = role ? nav.filter((n) => n.roles.includes(role)) : [];
    res.locals.timeZone = timeZone;
    res.locals.fmt = dateFormatter(lang, timeZone);
    res.locals.url = (path: string) => base + path;
    res.locals.currentPath = req.originalUrl.slice(base.length) || '/';
    res.locals.errors = {};
    res.locals.values = {};
    next();
  };
}

/** Renders this response in another language than the request's (e.g. the one an LMS launched in). */
export function speakTo(res: Response, lang: Locale): void {
  res.locals.lang = lang;
  res.locals.t = translator(lang);
  res.locals.fmt = dateFormatter(lang, res.locals.timeZone);
}

/** Remembers where this app is mounted, so every link and redirect works under any base path. */
export const mountBase: RequestHandler = (req, res, next) => {
  res.locals.base = req.baseUrl;
  next();
};
