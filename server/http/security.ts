import { randomBytes } from 'node:crypto';
import helmet from 'helmet';
import type { RequestHandler, Response } from 'express';
import { Forbidden } from './errors';

/** A fresh nonce per response, used by the CSP and by every <script> we render. */
export const cspNonce: RequestHandler = (_req, res, next) => {
  res.locals.nonce = randomBytes(16).toString('base64');
  next();
};

export function securityHeaders(frameAncestors: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'self'",
          (_req, res) => `'nonce-${(res as unknown as { locals: { nonce: string } }).locals.nonce}'`,
        ],
        // style, font and connect fall back to default-src 'self'.
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'", ...frameAncestors],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: frameAncestors.length ? frameAncestors : ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    frameguard: frameAncestors.length ? false : { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
    crossOriginEmbedderPolicy: false,
    // Headers only obsolete browsers read (IE8, Flash, the retired XSS auditor), and DNS prefetch
    // control, which browsers already keep off on HTTPS pages: bytes on every page for nothing.
    xDnsPrefetchControl: false,
    xXssProtection: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
  });
}

/**
 * Lets one response be framed by, and post its form to, origins known only at request time (an LMS
 * registered by an admin a minute ago): the CSP set for every page is rewritten for this response.
 */
export function widenCsp(res: Response, add: { frameAncestors?: string[]; formAction?: string[] }): void {
  let csp = String(res.getHeader('Content-Security-Policy') ?? '');
  const origins = (list: string[] = []) => [...new Set(list.map(originOf).filter(Boolean))].join(' ');
  if (add.frameAncestors?.length) {
    csp = csp.replace(/frame-ancestors [^;]*/, (d) =>
      `${d.replace(" 'none'", '')} ${origins(add.frameAncestors)}`.replace(/\s+/g, ' '),
    );
    res.removeHeader('X-Frame-Options');
  }
  if (add.formAction?.length)
    csp = csp.replace(/form-action [^;]*/, (d) => `${d} ${origins(add.formAction)}`);
  res.setHeader('Content-Security-Policy', csp);
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return /^https?:$/.test(u.protocol) ? u.origin : '';
  } catch {
    return '';
  }
}

/** Pages can carry personal data: never let a shared cache or the back button keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests from other sites before any body is read (so before multer writes
 * a byte). `allowCrossSite` paths (e.g. an LTI launch, bearer-token API) do their own checks.
 */
export function sameOriginOnly(
  trustedOrigins: string[],
  allowCrossSite: (path: string) => boolean,
): RequestHandler {
  return (req, _res, next) => {
    if (SAFE.has(req.method) || allowCrossSite(req.path)) return next();
    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return next(new Forbidden('errors.crossSite'));
    const origin = req.get('origin');
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for our own forms, so
    // "null" carries no information: the Sec-Fetch-Site check above and the CSRF token decide.
    if (origin && origin !== 'null') {
      const own = `${req.protocol}://${req.get('host')}`;
      if (origin !== own && !trustedOrigins.includes(origin)) return next(new Forbidden('errors.crossSite'));
    }
    next();
  };
}
