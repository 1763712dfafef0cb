import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded';

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(uri: string): Promise<boolean> {
  const { hostname, port } = new URL(uri);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function withConnection<T>(
  db: EmbeddedMongo,
  fn: (conn: mongoose.Connection) => Promise<T>,
): Promise<T> {
  const conn = await mongoose
    .createConnection(db.uri, { dbName: 'umbrella_test', serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

test('memory backend: mongoose features the app relies on', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-embedded-test-'));
  const started = Date.now();
  const db = await startEmbeddedMongo({ backend: 'memory', dataDir });
  t.diagnostic(`${db.kind} ready in ${Date.now() - started} ms at ${db.uri}`);
  try {
    assert.match(db.uri, /^mongodb:\/\/127\.0\.0\.1:\d+$/);

    await withConnection(db, async (conn) => {
      await t.test('insert and find', async () => {
        const Story = conn.model(
          'Story',
          new mongoose.Schema({
            title: String,
            status: String,
            score: Number,
            tags: [String],
            createdAt: Date,
          }),
        );
        await Story.insertMany([
          {
            title: 'Flood relief',
            status: 'draft',
            score: 3,
            tags: ['climate'],
            createdAt: new Date('2024-01-02'),
          },
          {
            title: 'Migration stories',
            status: 'submitted',
            score: 5,
            tags: ['migration', 'people'],
            createdAt: new Date('2024-02-03'),
          },
          {
            title: 'Herders in winter',
            status: 'submitted',
            score: 4,
            tags: ['climate', 'people'],
            createdAt: new Date('2024-03-04'),
          },
        ]);
        const found = await Story.find({ tags: 'climate' }).sort({ createdAt: -1 }).lean();
        assert.deepEqual(
          found.map((s) => s.title),
          ['Herders in winter', 'Flood relief'],
        );
        assert.equal(await Story.countDocuments({ status: 'submitted' }), 2);
        const one = await Story.findOne({ title: /migration/i }).lean();
        assert.equal(one?.score, 5);
      });

      await t.test('unique index gives E11000', async () => {
        const User = conn.model('User', new mongoose.Schema({ email: { type: String, unique: true } }));
        await User.init();
        await User.create({ email: 'a@example.org' });
        await assert.rejects(User.create({ email: 'a@example.org' }), (err: unknown) => {
          assert.equal((err as { code?: number }).code, 11000);
          return true;
        });
      });

      await t.test('findOneAndUpdate with a condition', async () => {
        const Grant = conn.model(
          'Grant',
          new mongoose.Schema({ name: String, state: String, reviews: Number }),
        );
        const g = await Grant.create({ name: 'g1', state: 'open', reviews: 0 });
        const updated = await Grant.findOneAndUpdate(
          { _id: g._id, state: 'open' },
          { $set: { state: 'closed' }, $inc: { reviews: 1 } },
          { new: true },
        ).lean();
        assert.equal(updated?.state, 'closed');
        assert.equal(updated?.reviews, 1);
        const again = await Grant.findOneAndUpdate(
          { _id: g._id, state: 'open' },
          { $set: { state: 'closed' } },
          { new: true },
        );
        assert.equal(again, null);
      });

      await t.test('aggregate with $group/$avg and $facet', async () => {
        const Story = conn.model('Story');
        const byStatus = await Story.aggregate<{ _id: string; avg: number; n: number }>([
          { $group: { _id: '$status', avg: { $avg: '$score' }, n: { $sum: 1 } } },
          { $sort: { _id: 1 } },
        ]);
        assert.deepEqual(byStatus, [
          { _id: 'draft', avg: 3, n: 1 },
          { _id: 'submitted', avg: 4.5, n: 2 },
        ]);
        const [facets] = await Story.aggregate<{
          total: { n: number }[];
          byTag: { _id: string; n: number }[];
        }>([
          {
            $facet: {
              total: [{ $count: 'n' }],
              byTag: [
                { $unwind: '$tags' },
                { $group: { _id: '$tags', n: { $sum: 1 } } },
                { $sort: { n: -1, _id: 1 } },
              ],
            },
          },
        ]);
        assert.deepEqual(facets?.total, [{ n: 3 }]);
        assert.deepEqual(facets?.byTag, [
          { _id: 'climate', n: 2 },
          { _id: 'people', n: 2 },
          { _id: 'migration', n: 1 },
        ]);
      });

      await t.test('optimisticConcurrency gives VersionError', async () => {
        const Doc = conn.model('Doc', new mongoose.Schema({ body: String }, { optimisticConcurrency: true }));
        const created = await Doc.create({ body: 'v0' });
        const a = await Doc.findById(created._id);
        const b = await Doc.findById(created._id);
        assert.ok(a && b);
        a.body = 'from a';
        await a.save();
        b.body = 'from b';
        await assert.rejects(b.save(), mongoose.Error.VersionError);
        const final = await Doc.findById(created._id).lean();
        assert.equal(final?.body, 'from a');
        assert.equal(final?.__v, 1);
      });
    });
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('h2 backend persists across restarts; stop() ends the process', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-embedded-test-'));
  try {
    const schema = new mongoose.Schema({ key: String, value: Number });

    let started = Date.now();
    const first = await startEmbeddedMongo({ backend: 'h2', dataDir });
    t.diagnostic(`${first.kind} (h2) ready in ${Date.now() - started} ms`);
    await withConnection(first, async (conn) => {
      await conn.model('Setting', schema).create({ key: 'persisted', value: 42 });
    });
    await first.stop();
    await first.stop(); // idempotent
    assert.equal(isAlive(first.pid), false, 'server process should have exited');
    assert.equal(await canConnect(first.uri), false, 'port should be closed after stop()');

    started = Date.now();
    const second = await startEmbeddedMongo({ backend: 'h2', dataDir });
    t.diagnostic(`${second.kind} (h2) restarted in ${Date.now() - started} ms`);
    try {
      await withConnection(second, async (conn) => {
        const doc = await conn.model('Setting', schema).findOne({ key: 'persisted' }).lean();
        assert.equal(doc?.value, 42);
      });
    } finally {
      await second.stop();
    }
    assert.equal(isAlive(second.pid), false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
