/** Which Chromium the browser tests use: CHROMIUM_PATH, then one on PATH, else the npm-shipped one. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium, isExecutableFile, systemChromium, type FoundChromium } from '../support/chromium-path';

const root = mkdtempSync(path.join(os.tmpdir(), 'umbrella-chromium-path-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A folder holding the given files: 'x' makes an executable, '-' a plain file, 'd' a folder. */
function folder(name: string, entries: Record<string, 'x' | '-' | 'd'>): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  for (const [file, kind] of Object.entries(entries)) {
    const p = path.join(dir, file);
    if (kind === 'd') mkdirSync(p);
    else {
      writeFileSync(p, '#!/bin/sh\n');
      chmodSync(p, kind === 'x' ? 0o755 : 0o644);
    }
  }
  return dir;
}

const npm: FoundChromium = { executablePath: '/npm/chromium', source: 'npm' };
const noUnpack = async () => assert.fail('the npm Chromium must not be used here');

test('isExecutableFile: executable files only, not plain files, folders or missing paths', () => {
  const dir = folder('kinds', { exe: 'x', plain: '-', sub: 'd' });
  assert.equal(isExecutableFile(path.join(dir, 'exe')), true);
  assert.equal(isExecutableFile(path.join(dir, 'plain')), false);
  assert.equal(isExecutableFile(path.join(dir, 'sub')), false);
  assert.equal(isExecutableFile(path.join(dir, 'missing')), false);
});

test('CHROMIUM_PATH wins over a browser on PATH', async () => {
  const own = folder('own', { 'my-chrome': 'x' });
  const onPath = folder('onpath1', { chromium: 'x' });
  const found = await findChromium({ CHROMIUM_PATH: path.join(own, 'my-chrome'), PATH: onPath }, noUnpack);
  assert.deepEqual(found, { executablePath: path.join(own, 'my-chrome'), source: 'CHROMIUM_PATH' });
});

test('a CHROMIUM_PATH that is not an executable file is an error, never a fallback', async () => {
  const dir = folder('bad', { plain: '-', sub: 'd' });
  const onPath = folder('onpath2', { chromium: 'x' });
  for (const bad of ['/nonexistent/chromium', path.join(dir, 'plain'), path.join(dir, 'sub')])
    await assert.rejects(findChromium({ CHROMIUM_PATH: bad, PATH: onPath }, noUnpack), (err: Error) => {
      assert.match(err.message, /CHROMIUM_PATH=.* is not an executable file/);
      assert.ok(err.message.includes(bad));
      return true;
    });
});

test('on PATH: chromium, then chromium-browser, then google-chrome; non-executables are skipped', async () => {
  const first = folder('p1', { chromium: '-', 'google-chrome': 'x' });
  const second = folder('p2', { chromium: 'd', 'chromium-browser': 'x' });
  const third = folder('p3', { chromium: 'x' });
  const PATH = [first, second, third].join(path.delimiter);
  // chromium is looked for in every PATH folder before chromium-browser is.
  assert.deepEqual(await findChromium({ PATH }, noUnpack), {
    executablePath: path.join(third, 'chromium'),
    source: 'PATH',
  });
  assert.deepEqual(systemChromium({ PATH: [first, second].join(path.delimiter) }), {
    executablePath: path.join(second, 'chromium-browser'),
    source: 'PATH',
  });
  assert.deepEqual(systemChromium({ PATH: first }), {
    executablePath: path.join(first, 'google-chrome'),
    source: 'PATH',
  });
});

test('without CHROMIUM_PATH or a browser on PATH, the npm-shipped Chromium is used', async () => {
  const empty = folder('empty', { chromium: '-', 'chromium-browser': 'd' });
  assert.equal(systemChromium({ PATH: empty }), undefined);
  assert.equal(systemChromium({}), undefined);
  assert.deepEqual(await findChromium({ PATH: empty, CHROMIUM_PATH: '' }, async () => npm), npm);
});
