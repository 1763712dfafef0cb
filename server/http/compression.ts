import { constants } from 'node:zlib';
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

const noop: RequestHandler = (_req, _res, next) => next();

/**
 * gzip (or brotli, when the browser offers it) for text: pages, CSS, JSON and streamed CSV exports,
 * which keep streaming (zlib passes back-pressure on) in constant memory. Files that are compressed
 * already (PDF, XLSX, images, DOCX) are left alone by the type check. Off (`COMPRESSION=off`) where a
 * proxy in front, or the host app, compresses.
 */
export function compress(enabled: boolean): RequestHandler {
  return enabled ? compression({ filter: worthCompressing, brotli: { params: BROTLI } }) : noop;
}

/**
 * Quality 7 makes a Mongolian lesson page ~12 % smaller than gzip (quality 4, the package's default,
 * is no better than gzip) for ~0.1 ms more per page (9 and up cost 10–40×); a 256 KB window instead
 * of 4 MB is as good for pages and keeps the memory per response in flight small.
 */
const BROTLI = { [constants.BROTLI_PARAM_QUALITY]: 7, [constants.BROTLI_PARAM_LGWIN]: 18 };

export function worthCompressing(req: Request, res: Response): boolean {
  // BREACH: a compressed page's length can leak a secret on it (the CSRF token) when the page also
  // reflects what an attacker chose (the path in the language form) and the attacker can make the
  // victim's browser load it again and again — from another site. Those loads say so in
  // Sec-Fetch-Site, and get the page uncompressed. What is cacheable by anyone holds no secret.
  const site = req.get('sec-fetch-site');
  const crossSite = site === 'cross-site' || site === 'same-site';
  if (crossSite && !/\bpublic\b/.test(String(res.getHeader('Cache-Control') ?? ''))) return false;
  // A stored file goes as it is, with its length: the browser shows progress, and nothing is spent on
  // squeezing a file of known size twice.
  if (
    /^attachment/i.test(String(res.getHeader('Content-Disposition') ?? '')) &&
    res.getHeader('Content-Length')
  )
    return false;
  return compression.filter(req, res);
}
