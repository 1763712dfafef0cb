import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../server/db/embedded';

/**
 * What `npm start` writes to its embedded H2 database survives `kill -9` of the app and of the database
 * process: every write the driver saw acknowledged is there after a restart on the same directory, and
 * the indexes (rebuilt from the stored documents) agree with a scan.
 */
test('h2 backend: acknowledged writes survive kill -9 of the app and the database', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-durability-'));
  const app = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'h2-writer.ts'), dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let dbPid: number | undefined;
  try {
    let lastAck = -1;
    await new Promise<void>((resolve, reject) => {
      app.once('exit', (code) => reject(new Error(`the writer exited (${code}) before it was killed`)));
      createInterface({ input: app.stdout! }).on('line', (line) => {
        const [kind, value] = line.split(' ');
        if (kind === 'DB') dbPid = Number(value);
        if (kind !== 'ACK') return;
        lastAck = Number(value);
        // Well past the first second of writes, while they are still coming.
        if (lastAck === 300) {
          // The database first: killed with its parent, it would see stdin close and shut down cleanly.
          if (dbPid) process.kill(dbPid, 'SIGKILL');
          app.kill('SIGKILL');
          resolve();
        }
      });
    });
    app.removeAllListeners('exit');
    assert.ok(dbPid, 'the writer reported the database process');
    t.diagnostic(`killed after ${lastAck + 1} acknowledged writes`);

    const again = await startEmbeddedMongo({ backend: 'h2', dataDir });
    const client = await MongoClient.connect(again.uri);
    try {
      const db = client.db('durability');
      const writes = db.collection('writes');
      const deleted = (seq: number) => seq % 10 === 4 && seq + 5 <= lastAck;
      const expected = Array.from({ length: lastAck + 1 }, (_, seq) => seq).filter((seq) => !deleted(seq));
      const stored = await writes
        .find({ seq: { $lte: lastAck } }, { projection: { _id: 0, seq: 1 } })
        .toArray();
      assert.deepEqual(
        stored.map((d) => d.seq as number).sort((a, b) => a - b),
        expected,
        'every acknowledged insert and delete',
      );
      const counter = await db.collection<{ _id: string; n: number }>('counters').findOne({ _id: 'writes' });
      assert.ok((counter?.n ?? 0) >= lastAck + 1, `counter ${counter?.n} counts every acknowledged $inc`);
      // Index answers (unique and non-unique) agree with the documents.
      assert.equal((await writes.findOne({ seq: lastAck }))?.seq, lastAck);
      const all = await writes.find().toArray();
      for (let group = 0; group < 7; group++) {
        assert.equal(await writes.countDocuments({ group }), all.filter((d) => d.group === group).length);
      }
      await assert.rejects(writes.insertOne({ seq: lastAck }), { code: 11000 });
    } finally {
      await client.close();
      await again.stop();
    }
  } finally {
    if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    if (dbPid) {
      try {
        process.kill(dbPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
