/**
 * What the request logger may write about a URL: paths and query strings keep their shape, secrets in
 * them do not (a live password-reset link in a log is a password). Used by the pino-http serializers
 * in server/app.ts and wherever else a URL is logged.
 */

export const REDACTED = '[redacted]';

/** Path segments that follow these words are one-time secrets or personal lookups. */
const SECRET_AFTER = /(\/(?:reset|invite|verify|continue)\/)[^/?#]+/gi;

/** Query and form keys whose values are credentials or one-time values. */
const SECRET_KEYS =
  /^(?:_?csrf.*|x-csrf-token|token|.*_token|ticket|code|state|nonce|secret|.*password.*|pass|key|api_?key|signature|sig|login_hint|lti_message_hint|jwt|assertion|client_assertion|session|sid|auth|authorization)$/i;

/**
 * A value that looks generated rather than typed: long base64url with mixed case and digits (our
 * reset, invite and handoff tokens), long hex (CSRF tokens), or our API token prefix.
 */
export function looksLikeSecret(value: string): boolean {
  if (/^umb_/.test(value)) return true;
  if (/^[0-9a-f]{40,}$/i.test(value)) return true;
  return /^[A-Za-z0-9_-]{32,}$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value);
}

function redactPath(path: string): string {
  return path
    .replace(SECRET_AFTER, `$1${REDACTED}`)
    .split('/')
    .map((segment) => {
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        /* keep as is */
      }
      return looksLikeSecret(decoded) ? REDACTED : segment;
    })
    .join('/');
}

function redactValue(key: string, value: string): string {
  if (SECRET_KEYS.test(key) || looksLikeSecret(value)) return REDACTED;
  // next=/reset/<token> and other URLs carried inside a query.
  if (value.startsWith('/') || /^https?:\/\//i.test(value)) return redactUrl(value);
  return value;
}

function decodeQueryPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The URL (path and query; absolute or relative) with secrets replaced by [redacted]. */
export function redactUrl(url: string): string;
export function redactUrl(url: string | undefined): string | undefined;
export function redactUrl(url: string | undefined): string | undefined {
  if (typeof url !== 'string') return url;
  const hash = url.indexOf('#');
  const withoutHash = hash < 0 ? url : url.slice(0, hash);
  const q = withoutHash.indexOf('?');
  const path = redactPath(q < 0 ? withoutHash : withoutHash.slice(0, q));
  if (q < 0) return path;
  const query = withoutHash
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      const key = decodeQueryPart(rawKey);
      if (eq < 0) return key !== undefined && looksLikeSecret(key) ? REDACTED : pair;
      const value = decodeQueryPart(pair.slice(eq + 1));
      if (key === undefined || value === undefined) return `${rawKey}=${REDACTED}`;
      const shown = redactValue(key, value);
      return `${rawKey}=${shown === REDACTED ? REDACTED : encodeURIComponent(shown)}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** A parsed query or params object with the same rules as redactUrl. */
export function redactFields(fields: unknown): unknown {
  if (!fields || typeof fields !== 'object') return fields;
  const one = (k: string, v: unknown): unknown =>
    typeof v === 'string' ? redactValue(k, v) : Array.isArray(v) ? v.map((x) => one(k, x)) : v && REDACTED;
  return Object.fromEntries(
    Object.entries(fields as Record<string, unknown>).map(([k, v]) => [k, one(k, v)]),
  );
}

type SerializedReq = { url?: string; query?: unknown; params?: unknown; headers?: Record<string, unknown> };
type SerializedRes = { headers?: Record<string, unknown> };

/** pino-http serializers: applied after pino's standard ones. */
export const requestLogSerializers = {
  req(req: SerializedReq) {
    req.url = redactUrl(req.url);
    req.query = redactFields(req.query);
    req.params = redactFields(req.params);
    // A copy: these are the live request's headers.
    if (typeof req.headers?.referer === 'string')
      req.headers = { ...req.headers, referer: redactUrl(req.headers.referer) };
    return req;
  },
  res(res: SerializedRes) {
    if (res.headers && typeof res.headers.location === 'string')
      res.headers = { ...res.headers, location: redactUrl(res.headers.location) };
    return res;
  },
};
