import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectId } from 'mongodb';
import type { TestApp } from '../support/app';
import { FileExists, readAll, type FileStorage } from '../../server/storage/storage';
import { loadConfig } from '../../server/config';
import { appWith, bytesInFlight, eventually, footprint, KINDS } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A source of `pieces`, each of the given size, with a pause between them (as a slow client sends). */
async function* slowly(pieces: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of pieces) {
    await new Promise((r) => setImmediate(r));
    yield p;
  }
}

async function errorOf(stream: Readable): Promise<{ code?: string }> {
  try {
    await readAll(stream);
  } catch (err) {
    return err as { code?: string };
  }
  assert.fail('the stream ended without an error');
}

test('STORAGE picks the storage: local with the embedded database, GridFS with MONGODB_URI', () => {
  assert.equal(loadConfig({}).storage, 'local');
  assert.equal(loadConfig({ MONGODB_URI: '' }).storage, 'local');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://db.example/umbrella' }).storage, 'gridfs');
  assert.equal(
    loadConfig({ MONGODB_URI: 'mongodb://db.example/umbrella', STORAGE: 'local' }).storage,
    'local',
  );
  assert.equal(loadConfig({ STORAGE: 'gridfs' }).storage, 'gridfs');
  assert.equal(loadConfig({ STORAGE: '', MONGODB_URI: 'mongodb://db.example/umbrella' }).storage, 'gridfs');
  assert.equal(loadConfig({ STORAGE: '' }).storage, 'local');
  assert.throws(() => loadConfig({ STORAGE: 's3' }), /STORAGE/);
});

for (const kind of KINDS) {
  describe(`${kind} storage keeps the contract`, () => {
    let t: TestApp;
    let storage: FileStorage;
    before(async () => {
      t = await appWith(kind);
      storage = t.ctx.storage;
      assert.equal(storage.kind, kind);
    });
    after(() => t.close());

    test('a buffer goes in under a random key with its size and SHA-256, and comes out the same', async () => {
      const data = Buffer.from('%PDF-1.7 a story draft — Улаанбаатар');
      const stored = await storage.put(data);
      assert.match(stored.key, /^[a-f0-9]{32}$/);
      assert.deepEqual(stored, { key: stored.key, size: data.length, sha256: sha(data) });
      assert.deepEqual(await storage.read(stored.key), data);
      assert.deepEqual(await readAll(storage.stream(stored.key)), data);
      assert.equal(await storage.exists(stored.key), true);
      assert.ok((await storage.list()).includes(stored.key));
      const again = await storage.put(data);
      assert.notEqual(again.key, stored.key, 'every put has its own key');
    });

    test('a stream of many pieces (some larger than a GridFS chunk) is hashed and stored whole; empty files too', async () => {
      const pieces = [randomBytes(10), randomBytes(300 * 1024), randomBytes(1), randomBytes(700 * 1024 + 3)];
      const whole = Buffer.concat(pieces);
      const stored = await storage.put(Readable.from(slowly(pieces)));
      assert.equal(stored.size, whole.length);
      assert.equal(stored.sha256, sha(whole));
      assert.deepEqual(await storage.read(stored.key), whole);
      const empty = await storage.put(Buffer.alloc(0));
      assert.equal(empty.sha256, sha(Buffer.alloc(0)));
      assert.deepEqual(await storage.read(empty.key), Buffer.alloc(0));
    });

    test('a byte range comes out exactly: inside one chunk, across chunks, to the last byte', async () => {
      const data = randomBytes(700 * 1024 + 5);
      const { key } = await storage.put(data);
      const ranges = [
        [0, 0],
        [10, 99],
        [255 * 1024 - 3, 255 * 1024 + 2],
        [100, 600 * 1024],
        [data.length - 1, data.length - 1],
        [300 * 1024, data.length - 1],
      ] as const;
      for (const [start, end] of ranges)
        assert.deepEqual(
          await readAll(storage.stream(key, { start, end })),
          data.subarray(start, end + 1),
          `bytes ${start}-${end}`,
        );
    });

    test('bytes stream in: the storage writes before the source has ended', async () => {
      let seen = false;
      async function* source() {
        yield randomBytes(600 * 1024);
        // Send the rest only once bytes are down: a storage that buffers the whole file never gets here.
        seen = await eventually(async () => (await bytesInFlight(t)) > 0);
        yield randomBytes(10);
      }
      const stored = await storage.put(Readable.from(source()));
      assert.ok(seen, 'bytes were written while the source was still open');
      assert.equal(stored.size, 600 * 1024 + 10);
    });

    test('bytes stream out in pieces, never one whole-file buffer', async () => {
      const data = randomBytes(2 * 1024 * 1024);
      const { key } = await storage.put(data);
      const sizes: number[] = [];
      for await (const chunk of storage.stream(key)) sizes.push((chunk as Buffer).length);
      assert.ok(sizes.length >= 8, `${sizes.length} pieces`);
      assert.ok(Math.max(...sizes) <= 256 * 1024, `largest piece ${Math.max(...sizes)} bytes`);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        data.length,
      );
    });

    test('a source that fails mid-write (a client abort) leaves no file, part or chunk', async () => {
      const before = await footprint(t);
      const keysBefore = (await storage.list()).sort();
      let wroteSome = false;
      async function* aborted() {
        yield randomBytes(600 * 1024);
        wroteSome = await eventually(async () => (await bytesInFlight(t)) > 0);
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      }
      await assert.rejects(storage.put(Readable.from(aborted())), /aborted/);
      assert.ok(wroteSome, 'bytes had been written before the abort, so the cleanup mattered');
      assert.deepEqual(await footprint(t), before);
      assert.deepEqual((await storage.list()).sort(), keysBefore);
    });

    test('a missing file: stream errors with ENOENT, read rejects, exists is false, remove is quiet', async () => {
      const key = randomBytes(16).toString('hex');
      assert.equal((await errorOf(storage.stream(key))).code, 'ENOENT');
      await assert.rejects(storage.read(key), (err: { code?: string }) => err.code === 'ENOENT');
      assert.equal(await storage.exists(key), false);
      await storage.remove(key);
      for (const bad of ['../../etc/passwd', 'ABCDEF', '', `${key}x`]) {
        assert.throws(() => storage.stream(bad), /invalid storage key/);
        await assert.rejects(async () => storage.putAs(bad, Buffer.from('x')), /invalid storage key/);
      }
    });

    test('putAs stores under the given key and never overwrites one that exists', async () => {
      const key = randomBytes(16).toString('hex');
      const first = randomBytes(400 * 1024);
      assert.deepEqual(await storage.putAs(key, first), { key, size: first.length, sha256: sha(first) });
      const before = await footprint(t);
      await assert.rejects(storage.putAs(key, Buffer.from('other bytes')), FileExists);
      assert.deepEqual(await storage.read(key), first, 'the original bytes are intact');
      assert.deepEqual(await footprint(t), before, 'nothing left by the refused write');
    });

    test('a write a dead process left is counted by unfinishedWrites, never listed', async () => {
      const keys = (await storage.list()).sort();
      const before = await storage.unfinishedWrites();
      if (kind === 'gridfs')
        await t.ctx.db
          .db!.collection('uploads.chunks')
          .insertOne({ files_id: new ObjectId(), n: 0, data: Buffer.from('x') });
      else {
        const key = randomBytes(16).toString('hex');
        mkdirSync(path.join(t.uploadsDir, key.slice(0, 2)), { recursive: true });
        writeFileSync(path.join(t.uploadsDir, key.slice(0, 2), `${key}.0badf00d.part`), 'half a file');
      }
      assert.equal(await storage.unfinishedWrites(), before + 1);
      assert.deepEqual((await storage.list()).sort(), keys);
    });

    test('remove deletes the file and all of its bytes', async () => {
      const { key } = await storage.put(randomBytes(600 * 1024));
      const before = await footprint(t);
      await storage.remove(key);
      assert.equal(await storage.exists(key), false);
      assert.ok(!(await storage.list()).includes(key));
      const now = await footprint(t);
      if (kind === 'gridfs') {
        assert.equal(now.files, before.files - 1);
        assert.equal(now.chunks, before.chunks - 3, '600 KB is three 255 KB chunks');
      } else assert.equal(now.disk, before.disk - 1);
    });
  });
}

describe('GridFS specifics', () => {
  let t: TestApp;
  before(async () => {
    t = await appWith('gridfs');
  });
  after(() => t.close());

  test('the bucket has the indexes GridFS needs, and nothing goes to the uploads folder', async () => {
    await t.ctx.storage.put(Buffer.from('x'));
    const db = t.ctx.db.db!;
    const files = await db.collection('uploads.files').indexes();
    const chunks = await db.collection('uploads.chunks').indexes();
    assert.ok(files.some((i) => JSON.stringify(i.key) === '{"filename":1,"uploadDate":1}'));
    assert.ok(chunks.some((i) => JSON.stringify(i.key) === '{"files_id":1,"n":1}' && i.unique));
    assert.deepEqual((await footprint(t)).disk, 0);
  });

  test('a file with a chunk missing or cut short is an error, never short bytes', async () => {
    const db = t.ctx.db.db!;
    for (const damage of [
      (id: unknown) => db.collection('uploads.chunks').deleteOne({ files_id: id, n: 1 }),
      (id: unknown) =>
        db
          .collection('uploads.chunks')
          .updateOne({ files_id: id, n: 2 }, { $set: { data: Buffer.from('short') } }),
    ]) {
      const { key } = await t.ctx.storage.put(randomBytes(600 * 1024));
      const file = await db.collection('uploads.files').findOne({ filename: key });
      await damage(file!._id);
      await assert.rejects(t.ctx.storage.read(key), /chunk/);
    }
  });
});
