import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { assetManifest } from '../../server/http/assets';
import { viewsDir } from '../../server/paths';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

test('pages link the stylesheet by a content hash; that URL is cached for a year, immutable', async () => {
  const page = await request(t.app).get('/login').expect(200);
  const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)?.[1];
  const css = readFileSync(path.join(viewsDir, 'assets', 'app.css'));
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 10);
  assert.equal(href, `/assets/app.${hash}.css`);
  assert.equal((page.text.match(/rel="stylesheet"/g) ?? []).length, 1, 'one stylesheet, no other');

  const res = await request(t.app).get(href!).expect(200);
  assert.equal(res.headers['cache-control'], YEAR_IMMUTABLE);
  assert.match(String(res.headers['content-type']), /^text\/css/);
  assert.equal(res.text, css.toString());
});

test('the plain name and a hash from before a deploy still work, briefly cached', async () => {
  for (const url of ['/assets/app.css', '/assets/app.0123456789.css']) {
    const res = await request(t.app).get(url).expect(200);
    assert.equal(res.headers['cache-control'], 'public, max-age=3600', url);
    assert.match(String(res.headers['content-type']), /^text\/css/);
  }
  await request(t.app).get('/assets/nothing.0123456789.css').expect(404);
  await request(t.app).get('/assets/app.css.0123456789').expect(404);
});

test('mounted under a path, the hashed URL carries the path', async () => {
  const host = express();
  host.use('/training', t.app);
  const page = await request(host).get('/training/login').expect(200);
  const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)?.[1];
  assert.match(href!, /^\/training\/assets\/app\.[0-9a-f]{10}\.css$/);
  const css = await request(host).get(href!).expect(200);
  assert.equal(css.headers['cache-control'], YEAR_IMMUTABLE);
});

test('hashes are computed once; in development (watch) a changed file gets a new hash', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-assets-'));
  try {
    const file = path.join(dir, 'a.css');
    writeFileSync(file, 'a { color: red }');
    const fixed = assetManifest(dir);
    const watched = assetManifest(dir, true);
    const before = fixed.hashedName('a.css');
    assert.match(before, /^a\.[0-9a-f]{10}\.css$/);
    assert.equal(watched.hashedName('a.css'), before);
    writeFileSync(file, 'a { color: blue }');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(fixed.hashedName('a.css'), before, 'production: computed at start');
    assert.notEqual(watched.hashedName('a.css'), before, 'development: follows the file');
    assert.throws(() => fixed.hashedName('missing.css'), /no asset named missing\.css/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
