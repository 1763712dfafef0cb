import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../server/db/embedded';

/**
 * An aggregate answers in batches of the cursor's batchSize, as MongoDB does (upstream put every result in
 * the first reply, so a streamed export arrived at once): the rest comes with getMore, in order.
 */
for (const backend of ['memory', 'h2'] as const) {
  test(`${backend} backend: aggregate results come in batches of cursor.batchSize`, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-cursor-test-'));
    const mongo = await startEmbeddedMongo({ backend, dataDir });
    const client = await MongoClient.connect(mongo.uri);
    try {
      const db = client.db('cursor_test');
      await db
        .collection('rows')
        .insertMany(Array.from({ length: 95 }, (_, i) => ({ i, even: i % 2 === 0 })));
      const pipeline = [{ $match: { even: true } }, { $sort: { i: -1 } }];

      const first = await db.command({ aggregate: 'rows', pipeline, cursor: { batchSize: 10 } });
      assert.equal(first.cursor.firstBatch.length, 10);
      assert.notEqual(Number(first.cursor.id), 0, 'a cursor for the rest');

      const streamed = await db.collection('rows').aggregate(pipeline, { batchSize: 10 }).toArray();
      assert.deepEqual(
        streamed.map((d) => d.i),
        Array.from({ length: 48 }, (_, k) => 94 - 2 * k),
      );
      // Without a batchSize the whole result still comes at once.
      const all = await db.command({ aggregate: 'rows', pipeline, cursor: {} });
      assert.equal(all.cursor.firstBatch.length, 48);
      assert.equal(Number(all.cursor.id), 0);
    } finally {
      await client.close();
      await mongo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
