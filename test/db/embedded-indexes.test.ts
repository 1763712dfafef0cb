import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId, type Db, type Document, type Filter } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded';

/**
 * Both embedded backends (memory for tests, H2 for `npm start`) answer equality queries from indexes
 * through the same planner (server/db/embedded/IndexPlanner.java). An index may only narrow the scan,
 * never change a result: every query runs against an indexed collection and an unindexed twin holding
 * the same documents, through inserts, updates and deletes, and for H2 across a restart (its indexes are
 * rebuilt from the stored documents).
 */

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

const users = Array.from({ length: 12 }, () => new ObjectId());
const courses = Array.from({ length: 3 }, () => new ObjectId());

function makeDoc(rand: () => number, i: number): Document {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const doc: Document = {
    _id: new ObjectId(),
    seq: i,
    userId: pick(users),
    courseId: pick(courses),
    status: pick(['started', 'submitted', 'graded']),
    // Numbers in different BSON types must still be equal (1 == 1.0 == 1L).
    attemptNo: pick([1, 2, 3]),
    tags: pick([['a'], ['a', 'b'], [], ['c']]),
    at: new Date(Date.UTC(2026, 0, 1 + (i % 5))),
    items: [{ qid: `q${i % 7}` }, { qid: `q${(i + 3) % 7}` }],
  };
  if (rand() < 0.3) delete doc.status; // missing fields
  if (rand() < 0.1) doc.status = null;
  if (i % 2 === 0) doc.code = `C${i}`; // sparse unique
  return doc;
}

async function twins(db: Db) {
  const indexed = db.collection('indexed');
  const plain = db.collection('plain');
  // Unique and compound: also answers its leading field alone.
  await indexed.createIndex({ userId: 1, seq: 1 }, { unique: true });
  await indexed.createIndex({ userId: 1, courseId: 1, attemptNo: 1 });
  await indexed.createIndex({ status: 1 });
  await indexed.createIndex({ tags: 1 });
  await indexed.createIndex({ 'items.qid': 1 });
  await indexed.createIndex({ at: 1 });
  await indexed.createIndex({ code: 1 }, { unique: true, sparse: true });
  await indexed.createIndex({ userId: 1, attemptNo: 1, at: 1 }, { unique: false });
  return { indexed, plain };
}

function queries(): Array<Filter<Document>> {
  const [u0, u1] = users;
  const [c0] = courses;
  return [
    { userId: u0 },
    { userId: u0, courseId: c0 },
    { userId: u0, courseId: c0, attemptNo: 2 },
    { userId: u0, courseId: c0, attemptNo: 2.0, status: 'graded' },
    { userId: { $in: [u0, u1] }, courseId: c0 },
    { userId: u1, attemptNo: { $gt: 1 } },
    { userId: u1, seq: { $lt: 200 } },
    { userId: u1, seq: 17 },
    { status: 'submitted' },
    { status: null },
    { status: { $exists: false } },
    { status: { $in: ['started', 'graded'] } },
    { tags: 'a' },
    { tags: ['a', 'b'] },
    { tags: { $size: 0 } },
    { 'items.qid': 'q3' },
    { at: new Date(Date.UTC(2026, 0, 2)) },
    { code: 'C4' },
    { code: { $in: ['C2', 'C6', 'nope'] } },
    { code: 'C4', status: 'started' },
    { $or: [{ userId: u0 }, { status: 'graded' }] },
    { userId: u0, $or: [{ status: 'graded' }, { attemptNo: 1 }] },
    { _id: new ObjectId() },
  ];
}

async function assertSameResults(
  indexed: ReturnType<Db['collection']>,
  plain: ReturnType<Db['collection']>,
  stage: string,
) {
  for (const q of queries()) {
    const a = await indexed.find(q).sort({ _id: 1 }).toArray();
    const b = await plain.find(q).sort({ _id: 1 }).toArray();
    assert.deepEqual(a, b, `${stage}: ${JSON.stringify(q)}`);
    // Natural order (no sort) is the same as a scan's.
    const natural = await indexed.find(q).toArray();
    const scanned = await plain.find(q).toArray();
    assert.deepEqual(
      natural.map((d) => String(d._id)),
      scanned.map((d) => String(d._id)),
      `${stage} natural order: ${JSON.stringify(q)}`,
    );
    // Pipelines starting with $match (and countDocuments, which is one) read through the indexes too.
    const pipeline = [{ $match: q }, { $group: { _id: '$status', n: { $sum: 1 } } }, { $sort: { _id: 1 } }];
    assert.deepEqual(
      await indexed.aggregate(pipeline).toArray(),
      await plain.aggregate(pipeline).toArray(),
      `${stage} aggregate: ${JSON.stringify(q)}`,
    );
    assert.equal(await indexed.countDocuments(q), await plain.countDocuments(q), `${stage} count`);
  }
}

/** Keys held by each index (MongoDB's `validate` answers the same field). */
async function keysPerIndex(db: Db, name: string): Promise<Record<string, number>> {
  const report = await db.command({ validate: name });
  return report.keysPerIndex as Record<string, number>;
}

async function oracle(backend: 'memory' | 'h2') {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-index-test-'));
  let mongo: EmbeddedMongo = await startEmbeddedMongo({ backend, dataDir });
  let client = await MongoClient.connect(mongo.uri);
  try {
    let db = client.db('index_test');
    let { indexed, plain } = await twins(db);
    const rand = prng(7);
    const docs = Array.from({ length: 400 }, (_, i) => makeDoc(rand, i));
    await indexed.insertMany(docs.map((d) => ({ ...d })));
    await plain.insertMany(docs.map((d) => ({ ...d })));
    await assertSameResults(indexed, plain, 'after insert');

    // One entry per document in a single-field index; array fields add one per element.
    const sizes = await keysPerIndex(db, 'indexed');
    assert.equal(sizes['status_1'], 400);
    const tagEntries = docs.reduce((n, d) => n + new Set(d.tags as string[]).size, 0);
    assert.equal(sizes['tags_1'], tagEntries);

    // Updates that move documents between index keys.
    for (const c of [indexed, plain]) {
      await c.updateMany({ userId: users[0] }, { $set: { status: 'graded', attemptNo: 3 } });
      await c.updateMany({ status: 'started' }, { $unset: { status: '' }, $push: { tags: 'z' } as Document });
      await c.updateOne({ code: 'C10' }, { $set: { code: 'C10b', userId: users[5] } });
      await c.findOneAndUpdate({ userId: users[2], courseId: courses[1] }, { $inc: { attemptNo: 10 } });
      await c.updateOne(
        { userId: users[3], courseId: courses[2], attemptNo: 99 },
        { $set: { status: 'started' }, $setOnInsert: { _id: docs[0]!._id.toString() } },
        { upsert: true },
      );
    }
    await assertSameResults(indexed, plain, 'after updates');

    // Deletes, then re-inserts at the freed positions.
    for (const c of [indexed, plain]) {
      await c.deleteMany({ userId: users[1] });
      await c.deleteMany({ tags: 'c', status: 'submitted' });
      await c.findOneAndDelete({ code: 'C20' });
    }
    const more = Array.from({ length: 60 }, (_, i) => makeDoc(rand, 1000 + i));
    await indexed.insertMany(more.map((d) => ({ ...d })));
    await plain.insertMany(more.map((d) => ({ ...d })));
    await assertSameResults(indexed, plain, 'after deletes and re-inserts');

    if (backend === 'h2') {
      // Only documents are stored: the indexes are rebuilt from them when the file is opened again.
      await client.close();
      await mongo.stop();
      mongo = await startEmbeddedMongo({ backend, dataDir });
      client = await MongoClient.connect(mongo.uri);
      db = client.db('index_test');
      ({ indexed, plain } = { indexed: db.collection('indexed'), plain: db.collection('plain') });
      await assertSameResults(indexed, plain, 'after a restart');
      await indexed.insertMany([makeDoc(rand, 2000), makeDoc(rand, 2001)]);
      await plain.deleteMany({});
      await plain.insertMany(await indexed.find().toArray());
      await assertSameResults(indexed, plain, 'after a restart and inserts');
    }

    // The indexes hold exactly the documents that remain.
    const remaining = await plain.countDocuments({});
    assert.equal((await keysPerIndex(db, 'indexed'))['status_1'], remaining);

    // A duplicate on a unique index is still refused, and nothing is half-written.
    await assert.rejects(indexed.insertOne({ code: 'C4', status: 'started' }), { code: 11000 });
    assert.equal(await indexed.countDocuments({ code: 'C4' }), 1);
  } finally {
    await client.close();
    await mongo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('memory backend: indexes never change a query result, through inserts, updates and deletes', () =>
  oracle('memory'));

test('h2 backend: indexes never change a query result, through writes and a restart', () => oracle('h2'));
