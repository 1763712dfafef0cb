import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { backupDatabase, restoreDatabase, verifyFiles } from '../../server/cli/backup';
import { enqueueEmail } from '../../modules/notifications';
import { recordAudit } from '../../modules/audit';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('backup, restore and file verification', () => {
  let source: TestApp;
  let target: TestApp;
  let dir: string;

  before(async () => {
    source = await buildTestApp();
    target = await buildTestApp();
    dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-backup-'));
  });
  after(async () => {
    await source.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storeFile(t: TestApp, data: Buffer) {
    const stored = await t.ctx.storage.put(data);
    await t.ctx.db.collection('storedfiles').insertOne({
      _id: new Types.ObjectId(),
      storageKey: stored.key,
      sha256: stored.sha256,
      size: stored.size,
      createdAt: new Date('2026-02-01T00:00:00Z'),
    });
    return stored;
  }

  test('a backup restores into an empty database with every document, type and file intact', async () => {
    const user = await buildUser(source.ctx, { name: 'Ариунаа <b>' });
    await enqueueEmail(source.ctx, { to: user.email, template: 'notifications/test-message', locale: 'mn' });
    await recordAudit(source.ctx, { id: String(user._id), role: 'journalist' }, 'pitch.submitted', {
      type: 'pitch',
      id: 'p1',
    });
    const fileA = await storeFile(source, Buffer.from('%PDF-1.7 story draft'));
    const fileB = await storeFile(source, Buffer.alloc(300_000, 7));

    const manifest = await backupDatabase(source.ctx, dir);
    assert.ok(manifest.collections.some((c) => c.name === 'users' && c.count === 1));
    assert.equal(manifest.uploads.files, 2);
    await assert.rejects(backupDatabase(source.ctx, dir), /already holds a backup/);

    const restored = await restoreDatabase(target.ctx, dir);
    assert.equal(restored.files, 2);
    const srcDb = source.ctx.db.db!;
    const dstDb = target.ctx.db.db!;
    for (const c of manifest.collections) {
      const a = await srcDb.collection(c.name).find({}).sort({ _id: 1 }).toArray();
      const b = await dstDb.collection(c.name).find({}).sort({ _id: 1 }).toArray();
      assert.deepEqual(b, a, `collection ${c.name} round-trips`);
    }
    const u = await dstDb.collection('users').findOne({ _id: user._id });
    assert.ok(u?._id instanceof Types.ObjectId, 'ObjectId kept its type');
    assert.ok(u?.createdAt instanceof Date, 'Date kept its type');
    assert.equal(u?.name, 'Ариунаа <b>');
    assert.deepEqual(await target.ctx.storage.read(fileA.key), Buffer.from('%PDF-1.7 story draft'));
    assert.equal(sha(await target.ctx.storage.read(fileB.key)), fileB.sha256);
    const check = await verifyFiles(target.ctx);
    assert.deepEqual(check, { checked: 2, missing: [], mismatched: [], orphans: [], ok: true });

    await assert.rejects(restoreDatabase(target.ctx, dir), /empty database/, 'never restores over data');
  });

  test('a damaged backup is refused before anything is written', async () => {
    const t = await buildTestApp();
    const bad = mkdtempSync(path.join(os.tmpdir(), 'umbrella-backup-bad-'));
    try {
      await buildUser(t.ctx);
      const m = await backupDatabase(t.ctx, bad);
      const users = m.collections.find((c) => c.name === 'users')!;
      const file = path.join(bad, users.file);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"active"', '"disabled"'));
      const empty = await buildTestApp();
      try {
        await assert.rejects(restoreDatabase(empty.ctx, bad), /damaged/);
        assert.equal(await empty.ctx.db.db!.collection('users').countDocuments(), 0);
      } finally {
        await empty.close();
      }
    } finally {
      await t.close();
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test('verify-files reports missing files, hash mismatches and orphans', async () => {
    const t = await buildTestApp();
    try {
      const good = await storeFile(t, Buffer.from('fine'));
      const changed = await storeFile(t, Buffer.from('original bytes'));
      const gone = await storeFile(t, Buffer.from('will be deleted'));
      const orphan = await t.ctx.storage.put(Buffer.from('left by a failed upload'));
      writeFileSync(path.join(t.uploadsDir, changed.key.slice(0, 2), changed.key), 'tampered bytes');
      await t.ctx.storage.remove(gone.key);
      const check = await verifyFiles(t.ctx);
      assert.equal(check.checked, 3);
      assert.deepEqual(check.missing, [gone.key]);
      assert.deepEqual(check.mismatched, [changed.key]);
      assert.deepEqual(check.orphans, [orphan.key]);
      assert.equal(check.ok, false);
      assert.ok(!check.missing.includes(good.key));
    } finally {
      await t.close();
    }
  });
});
