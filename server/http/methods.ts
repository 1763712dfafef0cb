import type { Express, Request, RequestHandler } from 'express';
import { AppError } from './errors';

type Layer = {
  match(path: string): false | { path: string };
  route?: { _methods(): string[] };
  handle?: { stack?: Layer[]; router?: { stack?: Layer[] } };
};

/** The methods some route answers for `path`, however deeply routers nest (empty: no route there). */
function methodsAt(stack: readonly Layer[], path: string, out = new Set<string>()): Set<string> {
  for (const layer of stack) {
    let hit: false | { path: string };
    try {
      hit = layer.match(path);
    } catch {
      continue; // a malformed %-escape: the 404 that follows says enough
    }
    if (!hit) continue;
    if (layer.route) {
      for (const m of layer.route._methods()) out.add(m);
      continue;
    }
    const nested = layer.handle?.stack ?? layer.handle?.router?.stack;
    if (Array.isArray(nested)) methodsAt(nested, path.slice(hit.path.length) || '/', out);
  }
  return out;
}

/**
 * A path that exists under other methods answers 405 with `Allow` (RFC 9110 §15.5.6), not 404.
 * Runs only where a request found no route, so it costs nothing on the way to a page.
 */
export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const stack = (app as unknown as { router?: { stack?: Layer[] } }).router?.stack ?? [];
    const allowed = [...methodsAt(stack, req.path)].filter((m) => m !== '*');
    if (!allowed.length || allowed.includes(req.method)) return next();
    res.set('Allow', allowed.sort().join(', '));
    next(new AppError(405, 'errors.methodNotAllowed'));
  };
}

/**
 * The page a person was looking at, for a path that may only answer POST (a form re-rendered after a
 * refused submit, e.g. `/grants/pitches/<id>/submit`): the path itself when some route answers GET
 * there, else the nearest parent that does (`/grants/pitches/<id>`), else '/'. The query is kept only
 * when the path itself is a page. Routes are read from the app handling the request (`req.app`), so
 * this works under any mount path.
 */
export function pageToReturnTo(req: Request, target: string): string {
  const stack = (req.app as unknown as { router?: { stack?: Layer[] } }).router?.stack ?? [];
  const [path = '/', query] = target.split('?', 2) as [string, string | undefined];
  const segments = path.split('/').filter(Boolean);
  for (let n = segments.length; n > 0; n--) {
    const candidate = '/' + segments.slice(0, n).join('/');
    if (methodsAt(stack, candidate).has('GET'))
      return n === segments.length && query ? `${candidate}?${query}` : candidate;
  }
  return '/';
}
