/**
 * Backup and restore of the whole database plus the uploads folder, and a check that every stored-file
 * record matches a file by SHA-256. `npm run cli -- backup <dir>`, `restore <dir>`, `verify-files`.
 *
 * A backup folder holds `manifest.json`, `collections/<name>.ejson` (one canonical-EJSON document per
 * line, so types such as ObjectId, Date and Decimal128 survive) and `uploads/` (a copy of the folder).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { BSON } from 'mongodb';
import type { Readable } from 'node:stream';
import type { AppContext } from '../context';

const { EJSON } = BSON;
const FORMAT = 'umbrella-backup/1';
const INSERT_BATCH = 500;

export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: string;
  database: string;
  collections: Array<{ name: string; file: string; count: number; sha256: string; indexes: object[] }>;
  uploads: { dir: string; files: number; bytes: number };
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
    .filter((n) => !n.startsWith('system.'))
    .sort();
}

async function copyFolder(from: string, to: string): Promise<{ files: number; bytes: number }> {
  await mkdir(to, { recursive: true });
  if (existsSync(from)) await cp(from, to, { recursive: true, errorOnExist: true, force: false });
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files++;
        bytes += (await readFile(p)).length;
      }
    }
  };
  await walk(to);
  return { files, bytes };
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
  const uploads = await copyFolder(path.resolve(ctx.config.uploadsDir), path.join(dir, 'uploads'));
  const manifest: BackupManifest = {
    format: FORMAT,
    createdAt: ctx.clock.now().toISOString(),
    database: db.databaseName,
    collections,
    uploads: { dir: 'uploads', ...uploads },
  };
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function readManifest(dir: string): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== FORMAT) throw new Error(`not a backup this version can read: ${manifest.format}`);
  for (const c of manifest.collections) {
    const file = path.resolve(dir, c.file);
    if (path.dirname(file) !== path.resolve(dir, 'collections'))
      throw new Error(`bad file in manifest: ${c.file}`);
    if ((await sha256Of(createReadStream(file))) !== c.sha256) throw new Error(`${c.file} is damaged (hash)`);
  }
  return manifest;
}

async function assertEmptyTarget(ctx: AppContext): Promise<void> {
  const db = database(ctx);
  for (const name of await userCollections(ctx)) {
    if (await db.collection(name).estimatedDocumentCount()) {
      throw new Error(`restore needs an empty database: collection ${name} has documents`);
    }
  }
  const uploads = path.resolve(ctx.config.uploadsDir);
  if (existsSync(uploads) && (await readdir(uploads)).length) {
    throw new Error(`restore needs an empty uploads folder: ${uploads}`);
  }
}

/** Loads a backup into an empty database and an empty uploads folder. Checks every hash first. */
export async function restoreDatabase(
  ctx: AppContext,
  dir: string,
): Promise<{ documents: number; files: number }> {
  const manifest = await readManifest(dir);
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
  const uploads = await copyFolder(path.join(dir, manifest.uploads.dir), path.resolve(ctx.config.uploadsDir));
  if (uploads.files !== manifest.uploads.files) {
    throw new Error(`uploads: ${uploads.files} files restored, the backup lists ${manifest.uploads.files}`);
  }
  return { documents, files: uploads.files };
}

export interface FileCheck {
  checked: number;
  missing: string[];
  mismatched: string[];
  orphans: string[];
  ok: boolean;
}

/**
 * Every record in `storedfiles` must have its file in storage with the recorded SHA-256; files in
 * storage without a record are listed as orphans (left behind by a failed upload).
 */
export async function verifyFiles(ctx: AppContext): Promise<FileCheck> {
  const records = database(ctx)
    .collection<{ storageKey?: unknown; sha256?: unknown }>('storedfiles')
    .find({}, { projection: { storageKey: 1, sha256: 1 } });
  const known = new Set<string>();
  const result: FileCheck = { checked: 0, missing: [], mismatched: [], orphans: [], ok: true };
  for await (const rec of records) {
    result.checked++;
    const key = String(rec.storageKey);
    known.add(key);
    let actual: string;
    try {
      if (!(await ctx.storage.exists(key))) throw new Error('missing');
      actual = await sha256Of(ctx.storage.stream(key));
    } catch {
      result.missing.push(key);
      continue;
    }
    if (actual !== String(rec.sha256).toLowerCase()) result.mismatched.push(key);
  }
  result.orphans = (await ctx.storage.list()).filter((k) => !known.has(k)).sort();
  result.ok = result.missing.length === 0 && result.mismatched.length === 0;
  return result;
}

/** CLI wrappers: messages on stdout, exit code 1 when something does not match. */
export async function backupCommand(ctx: AppContext, [dir]: string[]): Promise<void> {
  if (!dir) throw new Error('Usage: npm run cli -- backup <dir>');
  const m = await backupDatabase(ctx, path.resolve(dir));
  const docs = m.collections.reduce((n, c) => n + c.count, 0);
  console.log(
    `Backed up ${m.collections.length} collections (${docs} documents) and ${m.uploads.files} files to ${dir}`,
  );
}

export async function restoreCommand(ctx: AppContext, [dir]: string[]): Promise<void> {
  if (!dir) throw new Error('Usage: npm run cli -- restore <dir>');
  const r = await restoreDatabase(ctx, path.resolve(dir));
  console.log(`Restored ${r.documents} documents and ${r.files} files from ${dir}`);
  await verifyCommand(ctx, []);
}

export async function verifyCommand(ctx: AppContext, args: string[]): Promise<void> {
  const r = await verifyFiles(ctx);
  console.log(`Checked ${r.checked} file records.`);
  for (const k of r.missing) console.log(`MISSING   ${k}`);
  for (const k of r.mismatched) console.log(`MISMATCH  ${k}`);
  for (const k of r.orphans) console.log(`ORPHAN    ${k}`);
  const strict = args.includes('--strict');
  if (!r.ok || (strict && r.orphans.length)) process.exitCode = 1;
  else console.log(r.orphans.length ? 'All records match; orphan files listed above.' : 'All files match.');
}
