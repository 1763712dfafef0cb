/**
 * Bytes on the wire and paint time, as a phone on a slow mobile network gets a page (issue 20): see
 * bench/page-weight.ts for the pages and the table.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';

export const BUDGET = { firstVisit: 15 * 1024, repeatVisit: 6 * 1024, fcpMs: 2000 };
/** Slow 3G as issue 20 defines it: 400 kbit/s each way, 400 ms added to every request. */
export const SLOW_3G = { latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
/** What Chromium offers (over HTTPS, and to localhost), and what an old client or a proxy offers. */
const ENCODINGS = { br: 'gzip, deflate, br, zstd', gzip: 'gzip' } as const;

export interface Transfer {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Status line and headers as sent. */
  headerBytes: number;
  /** Body as sent (compressed when Content-Encoding says so). */
  bodyBytes: number;
  /** Body after decoding. */
  body: Buffer;
}

/** One GET over a fresh connection, counting the bytes as they arrive (node does not decode them). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let headerBytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`.length;
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
        const enc = res.headers['content-encoding'];
        const body =
          enc === 'gzip' ? zlib.gunzipSync(raw) : enc === 'br' ? zlib.brotliDecompressSync(raw) : raw;
        resolve({
          url,
          status: res.statusCode!,
          headers: res.headers,
          headerBytes,
          bodyBytes: raw.length,
          body,
        });
      });
    });
    req.on('error', reject);
  });
}

const DAY = 24 * 3600;
const wire = (t: Transfer) => t.headerBytes + t.bodyBytes;
const maxAge = (t: Transfer) =>
  Number(/max-age=(\d+)/.exec(String(t.headers['cache-control'] ?? ''))?.[1] ?? 0);

/** Stylesheets and scripts a page loads (inline scripts travel inside the HTML). */
export function linkedAssets(html: string): string[] {
  const found = [
    ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g),
    ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
  ];
  return found.map((m) => m[1]!.replace(/&amp;/g, '&'));
}

export interface PageWeight {
  name: string;
  path: string;
  status: number;
  encoding: string;
  htmlBytes: number;
  htmlWire: number;
  assets: Array<{ url: string; wire: number; cacheControl: string }>;
  firstVisit: number;
  repeatVisit: number;
  /** Assets asked for again on the repeat visit (their cached copy was no longer fresh). */
  revalidated: number;
  /** @font-face rules and font files: the budget allows none. */
  fonts: number;
}

/**
 * A first visit fetches the page and every stylesheet and script it links. A repeat visit, the next
 * day, fetches the page again (it is never stored) and, with a conditional request, every asset whose
 * cached copy is no longer fresh by then.
 */
export async function pageWeight(
  base: string,
  page: { name: string; path: string },
  cookie: string,
  encoding: keyof typeof ENCODINGS = 'gzip',
): Promise<PageWeight> {
  const headers = { cookie, 'accept-encoding': ENCODINGS[encoding] };
  const html = await rawGet(base + page.path, headers);
  const text = html.body.toString('utf8');
  const assets = await Promise.all(
    linkedAssets(text).map((u) => rawGet(new URL(u, base + page.path).href, headers)),
  );
  let repeatVisit = wire(await rawGet(base + page.path, headers));
  let revalidated = 0;
  for (const a of assets) {
    if (maxAge(a) > DAY) continue;
    revalidated += 1;
    const validators: Record<string, string> = {};
    if (a.headers.etag) validators['if-none-match'] = a.headers.etag;
    if (a.headers['last-modified']) validators['if-modified-since'] = a.headers['last-modified'];
    repeatVisit += wire(await rawGet(a.url, { ...headers, ...validators }));
  }
  const css = assets.map((a) => a.body.toString('utf8')).join('\n');
  return {
    ...page,
    status: html.status,
    encoding: String(html.headers['content-encoding'] ?? 'identity'),
    htmlBytes: html.body.length,
    htmlWire: wire(html),
    assets: assets.map((a) => ({
      url: a.url,
      wire: wire(a),
      cacheControl: String(a.headers['cache-control']),
    })),
    firstVisit: wire(html) + assets.reduce((n, a) => n + wire(a), 0),
    repeatVisit,
    revalidated,
    fonts: (css.match(/@font-face/g) ?? []).length + (text.match(/\.(woff2?|ttf|otf)\b/g) ?? []).length,
  };
}

export interface Paint {
  fcpMs: number;
  /** Bytes Chromium received (headers + body), as its network panel counts them. */
  transferred: number;
  /** Requests finished, and how many of them the browser's cache answered without asking. */
  requests: number;
  fromCache: number;
}

/**
 * Loads a page in a fresh browser context under slow-3G emulation, then again with the cache warm:
 * first contentful paint and what crossed the (emulated) network each time.
 */
export async function paintOver3g(browser: Browser, base: string, pagePath: string, cookie: string) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 360, height: 740 } });
  try {
    const [name, ...rest] = cookie.split('=');
    await context.addCookies([{ name: name!, value: rest.join('='), url: base }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_3G });
    let transferred = 0;
    let requests = 0;
    let fromCache = 0;
    cdp.on('Network.loadingFinished', (e) => {
      transferred += e.encodedDataLength;
      requests += 1;
    });
    cdp.on('Network.requestServedFromCache', () => {
      fromCache += 1;
    });
    const visit = async (): Promise<Paint> => {
      transferred = 0;
      requests = 0;
      fromCache = 0;
      const res = await page.goto(pagePath, { waitUntil: 'load' });
      if (res?.status() !== 200) throw new Error(`${pagePath} answered ${res?.status()}`);
      // Paint entries can arrive after `load`: wait for the buffered one.
      const fcpMs = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const fcp = list.getEntriesByName('first-contentful-paint')[0];
              if (fcp) resolve(fcp.startTime);
            }).observe({ type: 'paint', buffered: true });
            setTimeout(() => resolve(Number.NaN), 10_000);
          }),
      );
      return { fcpMs: Math.round(fcpMs), transferred, requests, fromCache };
    };
    return { first: await visit(), repeat: await visit() };
  } finally {
    await context.close();
  }
}
