import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
 * Pages sent whole, compressed in one call (see wholeBodies). Mounted after the session middleware:
 * express-session ends a response in two writes while it saves or touches the session, and this must
 * see the body before it is split.
 */
export function compressWholeBodies(enabled: boolean): RequestHandler {
  return enabled ? wholeBodies : noop;
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

/** Below this a compressed body is no smaller once headers are counted (compression's own default). */
const MIN_BYTES = 1024;

/** Whether the browser accepts an encoding (named, with q > 0). */
function accepts(req: Request, encoding: 'br' | 'gzip'): boolean {
  const m = new RegExp(`(?:^|,)\\s*${encoding}\\s*(?:;\\s*q=([0-9.]+))?\\s*(?:,|$)`, 'i').exec(
    req.get('accept-encoding') ?? '',
  );
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}

/**
 * A page sent whole (res.send or res.render: one body, its length known) is compressed in one call.
 * For a 10–20 KB page that is ~0.2 ms, where a zlib stream per response (what `compression` does)
 * spends as much again setting up and tearing down its native state. Anything written in pieces (CSV
 * exports, files) is left to the stream, which keeps memory flat.
 */
const wholeBodies: RequestHandler = (req, res, next) => {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let streamed = false;
  res.write = ((...args: unknown[]) => {
    streamed = true;
    return write(...args);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const body = streamed || res.headersSent ? undefined : asBuffer(chunk, rest[0]);
    const encoding = body && encodingFor(req, res, body);
    if (!body || !encoding) return end(chunk, ...rest);
    const squeezed =
      encoding === 'br'
        ? brotliCompressSync(body, { params: { ...BROTLI, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : gzipSync(body);
    res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', squeezed.length);
    const callback = rest.find((a) => typeof a === 'function');
    return callback ? end(squeezed, callback) : end(squeezed);
  }) as Response['end'];
  next();
};

function asBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return undefined;
}

/** The encoding for this whole body, or none (too small, a HEAD, already encoded, or not worth it). */
function encodingFor(req: Request, res: Response, body: Buffer): 'br' | 'gzip' | undefined {
  if (req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) return undefined;
  if (
    res.getHeader('Content-Encoding') ||
    /\bno-transform\b/.test(String(res.getHeader('Cache-Control') ?? ''))
  )
    return undefined;
  if (!worthCompressing(req, res)) return undefined;
  res.vary('Accept-Encoding');
  if (body.length < MIN_BYTES) return undefined;
  return accepts(req, 'br') ? 'br' : accepts(req, 'gzip') ? 'gzip' : undefined;
}
