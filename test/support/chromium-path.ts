/**
 * Which Chromium the browser tests drive, so that `npm test` passes on a machine without one installed:
 *   1. CHROMIUM_PATH — an explicit choice: if it is not an executable file that is an error, never a
 *      silent fallback to another browser;
 *   2. `chromium`, `chromium-browser`, `google-chrome` on PATH (the first executable file found);
 *   3. the headless Chromium that the `@sparticuz/chromium` devDependency ships inside its package,
 *      unpacked once into the temp directory, with a font setup that renders Cyrillic even on a machine
 *      without fonts.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export type ChromiumSource = 'CHROMIUM_PATH' | 'PATH' | 'npm';

export interface FoundChromium {
  executablePath: string;
  source: ChromiumSource;
  /** Extra environment for the browser process (the npm build's font configuration). */
  env?: Record<string, string>;
}

export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, else the first of PATH_NAMES found on PATH; undefined when neither. */
export function systemChromium(env: NodeJS.ProcessEnv = process.env): FoundChromium | undefined {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (!isExecutableFile(explicit))
      throw new Error(`CHROMIUM_PATH=${explicit} is not an executable file (unset it to find a Chromium)`);
    return { executablePath: explicit, source: 'CHROMIUM_PATH' };
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of PATH_NAMES)
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return { executablePath: candidate, source: 'PATH' };
    }
  return undefined;
}

/** The browser the tests use: a system one when there is one, else the npm-shipped one. */
export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  unpack: () => Promise<FoundChromium> = npmChromium,
): Promise<FoundChromium> {
  return systemChromium(env) ?? unpack();
}

// --- The npm-shipped Chromium ------------------------------------------------------------------------

const tmp = os.tmpdir();
/** What the package unpacks (its own choice of places, in the temp directory). */
const UNPACKED = {
  binary: path.join(tmp, 'chromium'),
  fonts: path.join(tmp, 'fonts'),
  swiftshader: path.join(tmp, 'libGLESv2.so'),
};
const LOCK = path.join(tmp, 'umbrella-chromium-unpack.lock');
const MARKER = path.join(tmp, 'umbrella-chromium-unpacked');
const FONTS_CONF = path.join(tmp, 'umbrella-chromium-fonts.conf');
/** A lock older than this belongs to a process that died mid-unpack (unpacking takes a few seconds). */
const STALE_LOCK_MS = 120_000;

/**
 * Unpacks @sparticuz/chromium once per machine. Test files run in parallel and the package only checks
 * whether its output exists, so a second process could launch a half-written binary: unpacking runs
 * under a lock, and a marker written after it completes (with the package version) tells a finished
 * unpack from one interrupted by a kill, or from another version's.
 */
export async function npmChromium(): Promise<FoundChromium> {
  const { default: Chromium } = await import('@sparticuz/chromium');
  const version = await packageVersion();
  await withLock(async () => {
    if (existsSync(MARKER) && (await readFile(MARKER, 'utf8')) === version) return;
    for (const p of Object.values(UNPACKED)) rmSync(p, { recursive: true, force: true });
    await Chromium.executablePath();
    writeFileSync(MARKER, version);
  });
  return { executablePath: UNPACKED.binary, source: 'npm', env: { FONTCONFIG_FILE: fontsConf() } };
}

async function packageVersion(): Promise<string> {
  // The package exports only its entry point (build/index.js); its package.json is one folder up.
  const entry = fileURLToPath(import.meta.resolve('@sparticuz/chromium'));
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
}

async function withLock(fn: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = lockAge();
      if (age !== undefined && age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function lockAge(): number | undefined {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The system's font configuration when there is one, plus the fonts the package ships (Open Sans, which
 * covers Cyrillic): without a font the headless build draws no text at all.
 */
function fontsConf(): string {
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${UNPACKED.fonts}</dir>
  <cachedir>${path.join(tmp, 'umbrella-chromium-fontcache')}</cachedir>
</fontconfig>
`;
  // Written whole and renamed into place: parallel test files may do this at the same moment.
  const partial = `${FONTS_CONF}.${process.pid}`;
  writeFileSync(partial, conf);
  renameSync(partial, FONTS_CONF);
  return FONTS_CONF;
}
