import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';

/** `app.3f9c0a1b2d.css`: the name, ten hex digits of the content's SHA-256, the extension. */
const HASHED = /^\/(.+)\.([0-9a-f]{10})(\.[A-Za-z0-9]+)$/;
const YEAR = 365 * 24 * 3600 * 1000;
/** Un-hashed (or outdated) URLs: links from old pages and other sites keep working, briefly cached. */
const SHORT = 3600 * 1000;

interface Entry {
  hash: string;
  mtimeMs: number;
}

function hashOf(file: string): Entry {
  return {
    hash: createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10),
    mtimeMs: statSync(file).mtimeMs,
  };
}

/** Content hashes of the files in `dir`, computed once; with `watch`, again when a file changes. */
export function assetManifest(dir: string, watch = false) {
  const entries = new Map<string, Entry>();
  for (const name of readdirSync(dir)) {
    if (statSync(path.join(dir, name)).isFile()) entries.set(name, hashOf(path.join(dir, name)));
  }
  const current = (name: string): Entry | undefined => {
    const entry = entries.get(name);
    if (!entry || !watch) return entry;
    const file = path.join(dir, name);
    if (statSync(file).mtimeMs === entry.mtimeMs) return entry;
    const fresh = hashOf(file);
    entries.set(name, fresh);
    return fresh;
  };
  return {
    /** The hashed file name of an asset; a name we do not have is a bug in a view. */
    hashedName(name: string): string {
      const entry = current(name);
      if (!entry) throw new Error(`no asset named ${name}`);
      const ext = path.extname(name);
      return `${name.slice(0, name.length - ext.length)}.${entry.hash}${ext}`;
    },
    hashOf: (name: string) => current(name)?.hash,
  };
}

/**
 * Serves `dir` under /assets and gives views `asset('app.css')` → `/assets/app.<hash>.css` (under the
 * mount path). A hashed URL never changes content, so browsers keep it a year without asking again
 * (`immutable`); the plain name, or a hash from before a deploy, gets the current file for an hour.
 * Everything else (traversal, bad encodings, conditional and range requests) is serve-static's.
 */
export function staticAssets(dir: string, options: { watch?: boolean } = {}): Router {
  const manifest = assetManifest(dir, options.watch);
  const common = { index: false, fallthrough: false } as const;
  const longLived = express.static(dir, { ...common, maxAge: YEAR, immutable: true });
  const shortLived = express.static(dir, { ...common, maxAge: SHORT });
  const serve: RequestHandler = (req, res, next) => {
    const m = HASHED.exec(req.path);
    const name = m ? `${m[1]}${m[3]}` : undefined;
    const hash = name && manifest.hashOf(name);
    if (!m || !hash) return shortLived(req, res, next);
    req.url = `/${name}`;
    return (hash === m[2] ? longLived : shortLived)(req, res, next);
  };
  const router = Router();
  router.use((_req, res, next) => {
    res.locals.asset = (name: string) => `${res.locals.base ?? ''}/assets/${manifest.hashedName(name)}`;
    next();
  });
  router.use('/assets', serve);
  return router;
}
