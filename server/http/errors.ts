import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { Logger } from '../logging';
import { fromAcceptLanguage, translator } from '../i18n';
import { redactUrl } from './log-redact';
import { isUnreachable } from '../db/reachability';

/** Errors services throw; one handler maps them to a status and a page. `key` is an i18n key. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly key: string,
    readonly details?: Record<string, string>,
  ) {
    super(key);
  }
}
export class Invalid extends AppError {
  constructor(key = 'errors.invalid', details?: Record<string, string>) {
    super(400, key, details);
  }
}
export class Unauthenticated extends AppError {
  constructor(key = 'errors.unauthenticated') {
    super(401, key);
  }
}
export class Forbidden extends AppError {
  constructor(key = 'errors.forbidden') {
    super(403, key);
  }
}
export class NotFound extends AppError {
  constructor(key = 'errors.notFound') {
    super(404, key);
  }
}
export class Conflict extends AppError {
  constructor(key = 'errors.conflict') {
    super(409, key);
  }
}
export class TooMany extends AppError {
  constructor(key = 'errors.tooMany') {
    super(429, key);
  }
}
export class Unavailable extends AppError {
  constructor(key = 'errors.unavailable') {
    super(503, key);
  }
}

/** Maps database-driver failures to what they mean for the user; undefined when not ours to judge. */
function fromDatabase(err: unknown): AppError | undefined {
  if (err instanceof mongoose.Error.CastError) return new NotFound();
  if (err instanceof mongoose.Error.VersionError) return new Conflict('errors.staleEdit');
  if (err instanceof mongoose.Error.ValidationError) return new Invalid();
  if (err instanceof mongoose.Error.StrictModeError) return new Invalid();
  const e = err as { name?: string; code?: number; message?: string };
  if (e?.code === 11000) return new Conflict();
  if (e?.name === 'MongooseError' && /sanitize|strictQuery|not in schema/i.test(e.message ?? ''))
    return new Invalid();
  if (isUnreachable(err)) return new Unavailable();
  return undefined;
}

/**
 * What each status raised by the stack (body parsers, static files, session, CSRF) tells the user.
 * Statuses not listed here keep their number and get the nearest general message.
 */
const HTTP_STATUS_KEYS: Record<number, string> = {
  400: 'errors.badBody',
  401: 'errors.unauthenticated',
  403: 'errors.forbidden',
  404: 'errors.notFound',
  405: 'errors.methodNotAllowed',
  409: 'errors.conflict',
  411: 'errors.badBody',
  412: 'errors.conflict',
  413: 'errors.tooLarge',
  414: 'errors.tooLarge',
  415: 'errors.unsupportedType',
  416: 'errors.badBody',
  422: 'errors.invalid',
  429: 'errors.tooMany',
  431: 'errors.tooLarge',
  503: 'errors.unavailable',
};

/**
 * An http-errors style error (`status`/`statusCode`, as from body-parser, serve-static, send,
 * raw-body): a client error keeps its status with our message; a 503 stays a 503. Other 5xx stay
 * unknown, so they are logged and answered as 500.
 */
function fromHttpError(err: unknown): AppError | undefined {
  const e = err as { status?: unknown; statusCode?: unknown } | undefined;
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status)) return undefined;
  if (status >= 400 && status < 500)
    return new AppError(status, HTTP_STATUS_KEYS[status] ?? 'errors.badBody');
  if (status === 503) return new Unavailable();
  return undefined;
}

export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; code?: string };
  if (e?.code === 'EBADCSRFTOKEN') return new Forbidden('errors.csrf');
  if (e?.type === 'entity.parse.failed') return new Invalid('errors.badBody');
  return fromHttpError(err) ?? fromDatabase(err);
}

function wantsJson(req: Parameters<RequestHandler>[0]): boolean {
  return (
    req.path.startsWith('/api/') ||
    (!!req.get('accept')?.includes('application/json') && !req.accepts('html'))
  );
}

/**
 * Errors raised before the view locals exist (database down, session store unreachable) still get
 * our page: language from the browser, no user, no menu, no CSRF token (forms on it are inert).
 */
function pageLocalsWithoutSession(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) {
  const lang = fromAcceptLanguage(req.get('accept-language')) ?? 'mn';
  const base: string = res.locals.base ?? '';
  Object.assign(res.locals, {
    lang,
    t: translator(lang),
    user: undefined,
    navItems: [],
    url: (p: string) => base + p,
    currentPath: '/',
    errors: {},
    values: {},
    csrfToken: () => '',
  });
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFound());

/**
 * The one place errors become responses. Errors we do not recognise go to the host app when mounted
 * as a plugin (`passUnknown`), or become a 500 page with a correlation id.
 */
export function errorHandler(log: Logger, passUnknown: boolean): ErrorRequestHandler {
  return (err, req, res, next) => {
    const known = toAppError(err);
    if (!known && passUnknown) return next(err);
    const status = known?.status ?? 500;
    const key = known?.key ?? 'errors.server';
    const requestId = String(req.id ?? '');
    if (status >= 500) log.error({ err, requestId, path: redactUrl(req.path) }, 'request failed');
    if (res.headersSent) return req.socket.destroy();
    if (status === 401 && !wantsJson(req)) {
      const next = encodeURIComponent(req.originalUrl.slice(req.baseUrl.length) || '/');
      return res.redirect(303, `${res.locals.base ?? ''}/login?next=${next}`);
    }
    // The id the log line carries: support asks for it when something went wrong (it is on the page too).
    res.status(status).set({ 'Cache-Control': 'no-store', 'X-Request-Id': requestId });
    // RFC 9110 §11.6.1: a 401 names the scheme that would work (the JSON API takes bearer tokens).
    if (status === 401 && !res.get('WWW-Authenticate'))
      res.set('WWW-Authenticate', 'Bearer realm="umbrella"');
    if (!res.locals.t) pageLocalsWithoutSession(req, res);
    const message = res.locals.t ? res.locals.t(key) : key;
    if (wantsJson(req))
      return res.json({ error: { status, code: key, message, details: known?.details, requestId } });
    res.render('errors/error', { status, message, requestId, title: message }, (renderErr, html) => {
      if (renderErr) return res.type('text/plain').send(`${status} ${message} (${requestId})`);
      res.send(html);
    });
  };
}
