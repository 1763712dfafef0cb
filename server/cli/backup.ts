/**
 * Backup and restore of the whole database plus every stored file, and a check that every stored-file
 * record matches a file by SHA-256. `npm run cli -- backup <dir>`, `restore <dir>`, `verify-files`.
 *
 * A backup folder holds `manifest.json`, `collections/<name>.ejson` (one canonical-EJSON document per
 * line, so types such as ObjectId, Date and Decimal128 survive), `uploads/<2 hex>/<key>` (every stored
 * file, whichever storage held it) and `uploads.sha256` (their hashes, `sha256sum -c` format). The
 * storage's own collections (GridFS) are written as files, not documents, so a backup taken from one
 * storage restores into the other.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { BSON } from 'mongodb';
import type { AppContext } from '../context';
import { hashingPieces, isMissing, sha256Of, STORAGE_KEY, type FileStorage } from '../storage/storage';

import { verifyCommand } from './files';

export { verifyFiles, verifyCommand, type FileCheck } from './files';

const { EJSON } = BSON;
const FORMAT = 'umbrella-backup/1';
const INSERT_BATCH = 500;

export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: string;
  database: string;
  collections: Array<{ name: string; file: string; count: number; sha256: string; indexes: object[] }>;
  /** `sums`: the hash file's name and SHA-256 (absent in backups made before it existed). */
  uploads: {
    dir: string;
    files: number;
    bytes: number;
    from?: string;
    sums?: { file: string; sha256: string };
  };
}

function database(ctx: AppContext) {
  const db = ctx.db.db;
  if (!db) throw new Error('not connected to a database');
  return db;
}

async function userCollections(ctx: AppContext): Promise<string[]> {
  const all = await database(ctx).listCollections({}, { nameOnly: true }).toArray();
  return all
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.') && !ctx.storage.collections.includes(n))
    .sort();
}

const SUMS = 'uploads.sha256';

/** Streams every stored file into `<dir>/uploads/` and writes their hashes beside it. */
async function backupFiles(storage: FileStorage, dir: string): Promise<BackupManifest['uploads']> {
  const root = path.join(dir, 'uploads');
  await mkdir(root, { recursive: true });
  const sums: string[] = [];
  let bytes = 0;
  for (const key of (await storage.list()).sort()) {
    const rel = `${key.slice(0, 2)}/${key}`;
    await mkdir(path.join(root, key.slice(0, 2)), { recursive: true });
    const { pieces, tally } = hashingPieces(storage.stream(key), 64 * 1024);
    try {
      await pipeline(pieces, createWriteStream(path.join(root, rel), { flags: 'wx' }));
    } catch (err) {
      // Deleted since the listing (a pitch file removed during the run): not part of this backup.
      if (!isMissing(err)) throw err;
      await rm(path.join(root, rel), { force: true });
      continue;
    }
    sums.push(`${tally.sha256()}  uploads/${rel}\n`);
    bytes += tally.size;
  }
  const text = sums.join('');
  await writeFile(path.join(dir, SUMS), text);
  return {
    dir: 'uploads',
    files: sums.length,
    bytes,
    from: storage.kind,
    sums: { file: SUMS, sha256: createHash('sha256').update(text).digest('hex') },
  };
}

/** Writes every collection and the uploads folder into `dir`, which must not hold a backup already. */
export async function backupDatabase(ctx: AppContext, dir: string): Promise<BackupManifest> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (existsSync(manifestFile)) throw new Error(`${dir} already holds a backup`);
  await mkdir(path.join(dir, 'collections'), { recursive: true });
  const db = database(ctx);
  const collections: BackupManifest['collections'] = [];
  for (const name of await userCollections(ctx)) {
    const file = path.join('collections', `${encodeURIComponent(name)}.ejson`);
    const out = createWriteStream(path.join(dir, file));
    const hash = createHash('sha256');
    let count = 0;
    for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
      const line = `${EJSON.stringify(doc, { relaxed: false })}\n`;
      hash.update(line);
      if (!out.write(line)) await once(out, 'drain');
      count++;
    }
    out.end();
    await once(out, 'finish');
    const indexes = (await db.collection(name).indexes()).filter((i) => i.name !== '_id_');
    collections.push({ name, file, count, sha256: hash.digest('hex'), indexes });
  }
  const manifest: BackupManifest = {
    format: FORMAT,
    createdAt: ctx.clock.now().toISOString(),
    database: db.databaseName,
    collections,
    uploads: await backupFiles(ctx.storage, dir),
  };
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The files a backup holds: key → expected SHA-256 (undefined in a backup made before hashes were kept). */
type BackupFiles = Map<string, string | undefined>;

async function backupFileList(dir: string, manifest: BackupManifest): Promise<BackupFiles> {
  const files: BackupFiles = new Map();
  const sums = manifest.uploads.sums;
  if (sums) {
    const text = await readFile(path.resolve(dir, path.basename(sums.file)), 'utf8');
    if (createHash('sha256').update(text).digest('hex') !== sums.sha256)
      throw new Error(`${sums.file} is damaged (hash)`);
    for (const line of text.split('\n').filter(Boolean)) {
      const m = /^([a-f0-9]{64}) {2}uploads\/([a-f0-9]{2})\/([a-f0-9]{32})$/.exec(line);
      if (!m || m[2] !== m[3]!.slice(0, 2)) throw new Error(`bad line in ${sums.file}: ${line.slice(0, 80)}`);
      files.set(m[3]!, m[1]);
    }
    return files;
  }
  const root = path.resolve(dir, 'uploads');
  for (const d of existsSync(root) ? await readdir(root) : [])
    if (/^[a-f0-9]{2}$/.test(d))
      for (const f of await readdir(path.join(root, d))) if (STORAGE_KEY.test(f)) files.set(f, undefined);
  return files;
}

const backupFilePath = (dir: string, key: string) => path.resolve(dir, 'uploads', key.slice(0, 2), key);

/** The manifest, after every collection dump and every file has been checked against its hash. */
async function readManifest(dir: string): Promise<{ manifest: BackupManifest; files: BackupFiles }> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== FORMAT) throw new Error(`not a backup this version can read: ${manifest.format}`);
  for (const c of manifest.collections) {
    const file = path.resolve(dir, c.file);
    if (path.dirname(file) !== path.resolve(dir, 'collections'))
      throw new Error(`bad file in manifest: ${c.file}`);
    if ((await sha256Of(createReadStream(file))) !== c.sha256) throw new Error(`${c.file} is damaged (hash)`);
  }
  const files = await backupFileList(dir, manifest);
  // (Older backups counted every file in the folder copy, temporary parts too: no count to compare.)
  if (manifest.uploads.sums && files.size !== manifest.uploads.files)
    throw new Error(
      `uploads: the backup holds ${files.size} files, its manifest lists ${manifest.uploads.files}`,
    );
  for (const [key, sha256] of files) {
    const actual = await sha256Of(createReadStream(backupFilePath(dir, key))).catch(() => 'missing');
    if (sha256 ? actual !== sha256 : actual === 'missing')
      throw new Error(
        `uploads/${key.slice(0, 2)}/${key} is damaged (${actual === 'missing' ? 'missing' : 'hash'})`,
      );
  }
  return { manifest, files };
}

async function assertEmptyTarget(ctx: AppContext): Promise<void> {
  const db = database(ctx);
  for (const name of [...(await userCollections(ctx)), ...ctx.storage.collections]) {
    if (await db.collection(name).estimatedDocumentCount()) {
      throw new Error(`restore needs an empty database: collection ${name} has documents`);
    }
  }
  if ((await ctx.storage.list()).length) {
    const where =
      ctx.storage.kind === 'local' ? `uploads folder ${path.resolve(ctx.config.uploadsDir)}` : 'GridFS';
    throw new Error(`restore needs an empty file storage: ${where} holds files`);
  }
}

/**
 * Loads a backup into an empty database and an empty file storage (either kind, whichever the backup
 * came from). Checks every hash first, and each file's again as it is stored.
 */
export async function restoreDatabase(
  ctx: AppContext,
  dir: string,
): Promise<{ documents: number; files: number }> {
  const { manifest, files } = await readManifest(dir);
  await assertEmptyTarget(ctx);
  const db = database(ctx);
  let documents = 0;
  for (const c of manifest.collections) {
    const collection = db.collection(c.name);
    let batch: BSON.Document[] = [];
    const lines = readline.createInterface({
      input: createReadStream(path.resolve(dir, c.file)),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (!line) continue;
      batch.push(EJSON.parse(line, { relaxed: false }) as BSON.Document);
      if (batch.length >= INSERT_BATCH) {
        await collection.insertMany(batch, { ordered: true });
        documents += batch.length;
        batch = [];
      }
    }
    if (batch.length) await collection.insertMany(batch, { ordered: true });
    documents += batch.length;
    for (const spec of c.indexes as Array<
      { key: Record<string, 1 | -1>; name: string } & Record<string, unknown>
    >) {
      const { key, v: _v, ns: _ns, ...options } = spec;
      await collection.createIndex(key, options).catch((err: unknown) => {
        ctx.log.warn(
          { err, collection: c.name, index: spec.name },
          'index not restored; the app recreates it',
        );
      });
    }
  }
  for (const [key, sha256] of files) {
    const stored = await ctx.storage.putAs(key, createReadStream(backupFilePath(dir, key)));
    if (sha256 && stored.sha256 !== sha256) {
      await ctx.storage.remove(key);
      throw new Error(`uploads/${key.slice(0, 2)}/${key} changed while it was restored`);
    }
  }
  return { documents, files: files.size };
}

/** CLI wrappers: messages on stdout, exit code 1 when something does not match. */
export async function backupCommand(ctx: AppContext, [dir]: string[]): Promise<void> {
  if (!dir) throw new Error('Usage: npm run cli -- backup <dir>');
  const m = await backupDatabase(ctx, path.resolve(dir));
  const docs = m.collections.reduce((n, c) => n + c.count, 0);
  console.log(
    `Backed up ${m.collections.length} collections (${docs} documents) and ${m.uploads.files} files (${ctx.storage.kind} storage) to ${dir}`,
  );
}

export async function restoreCommand(ctx: AppContext, [dir]: string[]): Promise<void> {
  if (!dir) throw new Error('Usage: npm run cli -- restore <dir>');
  const r = await restoreDatabase(ctx, path.resolve(dir));
  console.log(
    `Restored ${r.documents} documents and ${r.files} files (into ${ctx.storage.kind} storage) from ${dir}`,
  );
  await verifyCommand(ctx, []);
}
