/**
 * The operator's file commands on both storages: backup from one and restore into the other,
 * verify-files on GridFS, and move-files both ways (as a function and as the real CLI process).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Binary, type Db } from 'mongodb';
import { Types } from 'mongoose';
import type { TestApp } from '../support/app';
import { backupDatabase, restoreDatabase, verifyFiles } from '../../server/cli/backup';
import { moveCommand, moveFiles, verifyCommand } from '../../server/cli/files';
import { createGridFsStorage } from '../../server/storage/gridfs';
import { createLocalStorage } from '../../server/storage/local';
import type { FileStorage, StorageKind } from '../../server/storage/storage';
import { projectRoot } from '../../server/paths';
import { buildUser } from '../factories';
import { appWith, footprint } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const run = promisify(execFile);

/** Bytes in the app's storage with a `storedfiles` record, as an upload leaves them. */
async function storeFile(t: TestApp, data: Buffer, storage: FileStorage = t.ctx.storage) {
  const stored = await storage.put(data);
  await t.ctx.db.collection('storedfiles').insertOne({
    _id: new Types.ObjectId(),
    storageKey: stored.key,
    sha256: stored.sha256,
    size: stored.size,
    createdAt: new Date('2026-02-01T00:00:00Z'),
  });
  return { ...stored, data };
}

/** Overwrites a GridFS file's first chunk in place: same length, other bytes. */
async function tamperGridFs(db: Db, key: string) {
  const file = await db.collection('uploads.files').findOne({ filename: key });
  const chunk = await db.collection('uploads.chunks').findOne({ files_id: file!._id, n: 0 });
  const data = Buffer.from((chunk!.data as Binary).buffer);
  data[0] = data[0]! ^ 0xff;
  await db.collection('uploads.chunks').updateOne({ _id: chunk!._id }, { $set: { data: new Binary(data) } });
}

for (const [from, to] of [
  ['gridfs', 'local'],
  ['local', 'gridfs'],
] as Array<[StorageKind, StorageKind]>) {
  test(`a backup taken with ${from} storage restores into ${to} storage, every file checked by hash`, async () => {
    const source = await appWith(from);
    const target = await appWith(to);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-backup-'));
    try {
      await buildUser(source.ctx, { name: 'Ариунаа' });
      const small = await storeFile(source, Buffer.from('%PDF-1.7 story draft'));
      const big = await storeFile(source, randomBytes(600 * 1024));
      const manifest = await backupDatabase(source.ctx, dir);
      assert.deepEqual(manifest.uploads.files, 2);
      assert.equal(manifest.uploads.from, from);
      assert.ok(
        !manifest.collections.some((c) => c.name.startsWith('uploads.')),
        'GridFS collections are backed up as files, not documents',
      );
      const sums = readFileSync(path.join(dir, 'uploads.sha256'), 'utf8');
      assert.ok(
        sums.includes(`${big.sha256}  uploads/${big.key.slice(0, 2)}/${big.key}`),
        'sha256sum format',
      );
      await run('sha256sum', ['--check', '--quiet', 'uploads.sha256'], { cwd: dir });

      const restored = await restoreDatabase(target.ctx, dir);
      assert.deepEqual(restored.files, 2);
      assert.deepEqual(await target.ctx.storage.read(small.key), small.data);
      assert.equal(sha(await target.ctx.storage.read(big.key)), big.sha256);
      assert.deepEqual(await verifyFiles(target.ctx), {
        checked: 2,
        missing: [],
        mismatched: [],
        orphans: [],
        ok: true,
      });
      const where = await footprint(target);
      assert.equal(to === 'gridfs' ? where.files : where.disk, 2, `the files are in ${to}`);
      await assert.rejects(restoreDatabase(target.ctx, dir), /empty/);
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a backup with a damaged or missing file is refused before anything is restored', async () => {
  const source = await appWith('gridfs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-backup-'));
  try {
    await buildUser(source.ctx);
    const file = await storeFile(source, Buffer.from('original bytes'));
    await backupDatabase(source.ctx, dir);
    const copy = path.join(dir, 'uploads', file.key.slice(0, 2), file.key);
    for (const damage of [() => writeFileSync(copy, 'tampered bytes'), () => rmSync(copy)]) {
      damage();
      const target = await appWith('gridfs');
      try {
        await assert.rejects(restoreDatabase(target.ctx, dir), /is damaged/);
        assert.equal(await target.ctx.db.db!.collection('users').countDocuments(), 0);
        assert.deepEqual(await footprint(target), { files: 0, chunks: 0, disk: 0 });
      } finally {
        await target.close();
      }
    }
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a backup made before file hashes were kept (a copy of the uploads folder) still restores', async () => {
  const source = await appWith('local');
  const target = await appWith('gridfs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-backup-'));
  try {
    const file = await storeFile(source, randomBytes(300 * 1024));
    await backupDatabase(source.ctx, dir);
    // As the earlier format wrote it: no hash list, and whatever the folder held (a part file too).
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { uploads: Record<string, unknown> };
    manifest.uploads = { dir: 'uploads', files: 2, bytes: file.size + 4 };
    writeFileSync(manifestFile, JSON.stringify(manifest));
    rmSync(path.join(dir, 'uploads.sha256'));
    writeFileSync(path.join(dir, 'uploads', file.key.slice(0, 2), `${file.key}.part`), 'half');
    assert.deepEqual((await restoreDatabase(target.ctx, dir)).files, 1);
    assert.equal(sha(await target.ctx.storage.read(file.key)), file.sha256);
    assert.equal((await verifyFiles(target.ctx)).ok, true);
  } finally {
    await source.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify-files on GridFS reports missing files, changed bytes and orphans', async () => {
  const t = await appWith('gridfs');
  try {
    const good = await storeFile(t, Buffer.from('fine'));
    const changed = await storeFile(t, randomBytes(300 * 1024));
    const gone = await storeFile(t, Buffer.from('will be deleted'));
    const orphan = await t.ctx.storage.put(Buffer.from('bytes without a record'));
    await tamperGridFs(t.ctx.db.db!, changed.key);
    await t.ctx.storage.remove(gone.key);
    const check = await verifyFiles(t.ctx);
    assert.deepEqual(check, {
      checked: 3,
      missing: [gone.key],
      mismatched: [changed.key],
      orphans: [orphan.key],
      ok: false,
    });
    assert.ok(!check.mismatched.includes(good.key));

    await t.ctx.db
      .db!.collection('uploads.chunks')
      .insertOne({ files_id: new Types.ObjectId(), n: 0, data: Buffer.from('x') });
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => void printed.push(line);
    try {
      await verifyCommand(t.ctx, []);
      assert.equal(process.exitCode, 1);
    } finally {
      console.log = log;
      process.exitCode = undefined;
    }
    assert.deepEqual(printed, [
      'Checked 3 file records (gridfs storage).',
      `MISSING   ${gone.key}`,
      `MISMATCH  ${changed.key}`,
      `ORPHAN    ${orphan.key}`,
      'UNFINISHED 1 writes: uploads in progress, or left by a crash.',
    ]);
  } finally {
    await t.close();
  }
});

describe('move-files', () => {
  let t: TestApp;
  let local: FileStorage;
  let gridfs: FileStorage;
  let db: Db;
  before(async () => {
    t = await appWith('local');
    local = createLocalStorage(t.uploadsDir);
    gridfs = createGridFsStorage(t.ctx.db);
    db = t.ctx.db.db!;
  });
  after(() => t.close());

  test('moves every file to GridFS and back, checking hashes; a second run changes nothing', async () => {
    const files = [
      await storeFile(t, Buffer.from('%PDF-1.7 plan'), local),
      await storeFile(t, randomBytes(700 * 1024), local),
      await storeFile(t, Buffer.alloc(0), local),
    ];
    const orphan = await local.put(Buffer.from('no record'));
    const there = await moveFiles(db, local, gridfs);
    assert.deepEqual(there, {
      scanned: 4,
      copied: 4,
      alreadyThere: 0,
      removedFromSource: 4,
      mismatched: [],
      conflicts: [],
    });
    assert.deepEqual(await local.list(), []);
    for (const f of files) assert.equal(sha(await gridfs.read(f.key)), f.sha256);
    assert.ok(await gridfs.exists(orphan.key), 'files without a record move too');
    assert.deepEqual((await moveFiles(db, local, gridfs)).scanned, 0, 'idempotent');

    const back = await moveFiles(db, gridfs, local);
    assert.deepEqual([back.copied, back.removedFromSource], [4, 4]);
    assert.deepEqual((await footprint(t)).files, 0);
    assert.deepEqual((await footprint(t)).chunks, 0);
    for (const f of files) assert.deepEqual(await local.read(f.key), f.data);
    assert.deepEqual((await moveFiles(db, gridfs, local)).scanned, 0, 'idempotent');
    for (const key of await local.list()) await local.remove(key);
  });

  test('an interrupted run finishes; damaged bytes and conflicting copies stay where they are', async () => {
    const copied = await storeFile(t, Buffer.from('copied before the interruption'), local);
    await gridfs.putAs(copied.key, local.stream(copied.key));
    const damaged = await storeFile(t, Buffer.from('bytes as recorded'), local);
    writeFileSync(path.join(t.uploadsDir, damaged.key.slice(0, 2), damaged.key), 'bytes changed on disk');
    const clash = await storeFile(t, Buffer.from('the recorded bytes'), local);
    await gridfs.putAs(clash.key, Buffer.from('something else entirely'));

    const r = await moveFiles(db, local, gridfs, { keepSource: false });
    assert.deepEqual(r, {
      scanned: 3,
      copied: 0,
      alreadyThere: 1,
      removedFromSource: 1,
      mismatched: [damaged.key],
      conflicts: [clash.key],
    });
    assert.equal(await local.exists(copied.key), false);
    assert.equal(await gridfs.exists(damaged.key), false, 'a damaged copy is never left in the target');
    assert.equal(await local.exists(damaged.key), true);
    assert.equal(sha(await local.read(clash.key)), clash.sha256, 'both sides of a conflict are kept');
    assert.deepEqual(await gridfs.read(clash.key), Buffer.from('something else entirely'));
    for (const f of [damaged, clash]) await local.remove(f.key);
    await gridfs.remove(clash.key);
    await gridfs.remove(copied.key);
  });

  test('move-files refuses a missing, unknown or identical pair of storages', async () => {
    for (const args of [[], ['local'], ['local', 'local'], ['local', 's3'], ['disk', 'gridfs']])
      await assert.rejects(moveCommand(t.ctx, args), /Usage: npm run cli -- move-files <local\|gridfs>/);
  });

  test('--keep-source copies without removing', async () => {
    const f = await storeFile(t, Buffer.from('kept in both'), local);
    const r = await moveFiles(db, local, gridfs, { keepSource: true });
    assert.deepEqual([r.copied, r.removedFromSource], [1, 0]);
    assert.ok((await local.exists(f.key)) && (await gridfs.exists(f.key)));
    const again = await moveFiles(db, local, gridfs, { keepSource: true });
    assert.deepEqual([again.copied, again.alreadyThere], [0, 1]);
    await local.remove(f.key);
    await gridfs.remove(f.key);
  });
});

test('the CLI moves files both ways and verify-files exits 1 on a mismatch', async () => {
  const t = await appWith('local');
  const uri = new URL(process.env.TEST_MONGODB_URI!);
  uri.pathname = `/${t.ctx.db.name}`;
  const cli = (storage: StorageKind, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'server/cli/index.ts', ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        MONGODB_URI: uri.href,
        UPLOADS_DIR: t.uploadsDir,
        STORAGE: storage,
        LOG_LEVEL: 'silent',
      },
    });
  try {
    const files = [await storeFile(t, Buffer.from('one')), await storeFile(t, randomBytes(400 * 1024))];
    const moved = await cli('gridfs', 'move-files', 'local', 'gridfs');
    assert.match(
      moved.stdout,
      /2 files in local: 2 copied to gridfs, 0 already there, 2 removed from local\./,
    );
    assert.match(moved.stdout, /2 of 2 records match a file in gridfs\./);
    assert.match(
      (await cli('gridfs', 'verify-files')).stdout,
      /Checked 2 file records \(gridfs storage\)\.\nAll files match\./,
    );

    await tamperGridFs(t.ctx.db.db!, files[1]!.key);
    const failed = await cli('gridfs', 'verify-files').then(
      () => assert.fail('verify-files should exit 1'),
      (err: { code: number; stdout: string }) => err,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, new RegExp(`MISMATCH  ${files[1]!.key}`));

    const back = await cli('local', 'move-files', 'gridfs', 'local').then(
      () => assert.fail('a damaged file must fail the move'),
      (err: { code: number; stdout: string }) => err,
    );
    assert.equal(back.code, 1);
    assert.match(
      back.stdout,
      /2 files in gridfs: 1 copied to local, 0 already there, 1 removed from gridfs\./,
    );
    assert.match(back.stdout, new RegExp(`MISMATCH  ${files[1]!.key} \\(left in gridfs\\)`));
  } finally {
    await t.close();
  }
});
