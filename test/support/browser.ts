import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Express } from 'express';
import type { Transporter } from 'nodemailer';
import { buildTestApp, type TestApp } from './app';
import { findChromium, type FoundChromium } from './chromium-path';
import type { Config } from '../../server/config';
import { projectRoot } from '../../server/paths';

export const SCREENSHOTS = path.join(projectRoot, 'artifacts', 'screenshots');
const AXE_SOURCE = path.join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js');

export interface BrowserApp extends TestApp {
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies) at the given viewport width. */
  newPage(options?: { width?: number; height?: number; locale?: 'en' | 'mn' }): Promise<Page>;
  closeAll(): Promise<void>;
}

/**
 * Launches the Chromium that findChromium picks (CHROMIUM_PATH, one on PATH, else the npm-shipped one),
 * or the one given. A launch that fails says which browser it tried.
 */
export async function launchChromium(chosen?: FoundChromium): Promise<Browser> {
  const found = chosen ?? (await findChromium());
  try {
    return await chromium.launch({
      executablePath: found.executablePath,
      env: found.env ? { ...process.env, ...found.env } : undefined,
      timeout: 60_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    throw new Error(`Chromium from ${found.source} (${found.executablePath}) did not launch`, { cause: err });
  }
}

/** Runs each closer in turn, even if an earlier one failed. */
async function closeEach(closers: Array<() => Promise<unknown>>): Promise<void> {
  for (const close of closers) await close().catch(() => undefined);
}

/** Stops listening and drops open (keep-alive) connections, so close() does not wait for them. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The real app on 127.0.0.1 at a free port (its baseUrl is that address, so origin checks and e-mail
 * links line up) and a headless Chromium to drive it.
 */
export async function startBrowserApp(
  config: Partial<Config> = {},
  options: { mailTransport?: Transporter; chromium?: FoundChromium } = {},
): Promise<BrowserApp> {
  // Whatever is opened is closed again if a later step fails: a half-started app would keep the test
  // process alive (server, database connection) and stall the run. The server stops taking requests
  // before the database goes.
  const closers: Array<() => Promise<unknown>> = [];
  try {
    // The port is known only once listening, and the app needs it as its baseUrl: route through a holder.
    const holder: { app?: Express } = {};
    const server = http.createServer((req, res) => {
      if (!holder.app) return void res.writeHead(503).end();
      holder.app(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    closers.push(() => closeServer(server));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const test = await buildTestApp({ config: { baseUrl, ...config }, mailTransport: options.mailTransport });
    closers.push(() => test.close());
    holder.app = test.app;
    const browser = await launchChromium(options.chromium);
    const contexts: BrowserContext[] = [];
    return {
      ...test,
      baseUrl,
      browser,
      async newPage({ width = 1280, height = 900, locale = 'en' } = {}) {
        const context = await browser.newContext({
          viewport: { width, height },
          locale,
          extraHTTPHeaders: { 'Accept-Language': locale },
          baseURL: baseUrl,
        });
        contexts.push(context);
        return context.newPage();
      },
      async closeAll() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await browser.close().catch(() => undefined);
        await closeEach(closers);
      },
    };
  } catch (err) {
    await closeEach(closers);
    throw err;
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; html: string; failureSummary?: string }>;
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page. Our CSP forbids inline scripts, so the
 * library is evaluated through the DevTools protocol (page.evaluate), which CSP does not govern.
 */
export async function checkA11y(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(`${readFileSync(AXE_SOURCE, 'utf8')}\n;undefined`);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations as never;
  });
}

/** One line per violation, for assertion messages. */
export const describeViolations = (violations: AxeViolation[]) =>
  violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html).join(' | ')}`)
    .join('\n');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
