/**
 * Stored files against their records: `npm run cli -- verify-files [--strict]` checks that every record
 * of a stored file has its bytes with the recorded SHA-256; `move-files <from> <to> [--keep-source]`
 * moves every file between the local folder and GridFS.
 */
import type { Db } from 'mongodb';
import type { AppContext } from '../context';
import { createStorage } from '../storage/create';
import { isMissing, sha256Of, type FileStorage, type StorageKind } from '../storage/storage';

export interface FileCheck {
  checked: number;
  missing: string[];
  mismatched: string[];
  orphans: string[];
  ok: boolean;
}

function database(ctx: AppContext): Db {
  const db = ctx.db.db as Db | undefined;
  if (!db) throw new Error('not connected to a database');
  return db;
}

type FileRecord = { storageKey?: unknown; sha256?: unknown };

/**
 * Every record of a stored file: pitch attachments (`storedfiles`), lesson media (`lessonmedia`) and the
 * evidence of reach figures (inside `impactpieces`). A new kind of stored file adds its source here, or verify-files calls it an orphan.
 */
async function* records(db: Db): AsyncGenerator<FileRecord> {
  for (const name of ['storedfiles', 'lessonmedia'])
    yield* db.collection<FileRecord>(name).find({}, { projection: { storageKey: 1, sha256: 1 } });
  // Pieces are few (one programme's published stories): read each one's figures and keep the evidence.
  type Piece = { reach?: Array<{ evidence?: FileRecord }> };
  for await (const p of db
    .collection<Piece>('impactpieces')
    .find({}, { projection: { 'reach.evidence': 1 } }))
    for (const f of p.reach ?? []) if (f.evidence) yield f.evidence;
}

/**
 * Every file record must have its file in `storage` with the recorded SHA-256; files in
 * storage without a record are listed as orphans (left behind by a failed upload).
 */
export async function checkFiles(db: Db, storage: FileStorage): Promise<FileCheck> {
  const known = new Set<string>();
  const result: FileCheck = { checked: 0, missing: [], mismatched: [], orphans: [], ok: true };
  for await (const rec of records(db)) {
    result.checked++;
    const key = String(rec.storageKey);
    known.add(key);
    let actual: string;
    try {
      if (!(await storage.exists(key))) throw new Error('missing');
      actual = await sha256Of(storage.stream(key));
    } catch {
      result.missing.push(key);
      continue;
    }
    if (actual !== String(rec.sha256).toLowerCase()) result.mismatched.push(key);
  }
  result.orphans = (await storage.list()).filter((k) => !known.has(k)).sort();
  result.ok = result.missing.length === 0 && result.mismatched.length === 0;
  return result;
}

export const verifyFiles = (ctx: AppContext) => checkFiles(database(ctx), ctx.storage);

export interface MoveReport {
  /** Files found in the source. */
  scanned: number;
  copied: number;
  /** In the target already with the right bytes (an earlier run): not copied again. */
  alreadyThere: number;
  removedFromSource: number;
  /** The bytes do not match their record, or did not read back the same: left in the source only. */
  mismatched: string[];
  /** The target holds different bytes under the same key: both left as they are. */
  conflicts: string[];
}

/**
 * Copies every file of `from` into `to` under the same key, reads each copy back and checks its
 * SHA-256 against what was sent and against the file's record, then removes it from `from` (unless
 * `keepSource`). Running it again finishes an interrupted run and changes nothing after a complete one.
 */
export async function moveFiles(
  db: Db,
  from: FileStorage,
  to: FileStorage,
  options: { keepSource?: boolean } = {},
): Promise<MoveReport> {
  const report: MoveReport = {
    scanned: 0,
    copied: 0,
    alreadyThere: 0,
    removedFromSource: 0,
    mismatched: [],
    conflicts: [],
  };
  // Recorded hashes, one read (a programme holds thousands of files, not millions).
  const hashes = new Map<string, string>();
  for await (const rec of records(db)) hashes.set(String(rec.storageKey), String(rec.sha256).toLowerCase());
  for (const key of (await from.list()).sort()) {
    report.scanned++;
    const recorded = hashes.get(key);
    try {
      if (await to.exists(key)) {
        const there = await sha256Of(to.stream(key));
        if (there !== (recorded ?? (await sha256Of(from.stream(key))))) {
          report.conflicts.push(key);
          continue;
        }
        report.alreadyThere++;
      } else {
        const written = await to.putAs(key, from.stream(key));
        const readBack = await sha256Of(to.stream(key));
        if (readBack !== written.sha256 || (recorded !== undefined && written.sha256 !== recorded)) {
          await to.remove(key);
          report.mismatched.push(key);
          continue;
        }
        report.copied++;
      }
    } catch (err) {
      if (isMissing(err)) continue; // removed meanwhile
      throw err;
    }
    if (!options.keepSource) {
      await from.remove(key);
      report.removedFromSource++;
    }
  }
  return report;
}

/** CLI wrappers: messages on stdout, exit code 1 when something does not match. */
export async function verifyCommand(ctx: AppContext, args: string[]): Promise<void> {
  const r = await verifyFiles(ctx);
  console.log(`Checked ${r.checked} file records (${ctx.storage.kind} storage).`);
  for (const k of r.missing) console.log(`MISSING   ${k}`);
  for (const k of r.mismatched) console.log(`MISMATCH  ${k}`);
  for (const k of r.orphans) console.log(`ORPHAN    ${k}`);
  const unfinished = await ctx.storage.unfinishedWrites();
  if (unfinished) console.log(`UNFINISHED ${unfinished} writes: uploads in progress, or left by a crash.`);
  const strict = args.includes('--strict');
  if (!r.ok || (strict && r.orphans.length)) process.exitCode = 1;
  else console.log(r.orphans.length ? 'All records match; orphan files listed above.' : 'All files match.');
}

const KINDS: readonly StorageKind[] = ['local', 'gridfs'];

export async function moveCommand(ctx: AppContext, args: string[]): Promise<void> {
  const [from, to] = args.filter((a) => !a.startsWith('--')) as StorageKind[];
  if (!from || !to || from === to || !KINDS.includes(from) || !KINDS.includes(to))
    throw new Error('Usage: npm run cli -- move-files <local|gridfs> <local|gridfs> [--keep-source]');
  const where = { uploadsDir: ctx.config.uploadsDir, connection: ctx.db };
  const target = createStorage(to, where);
  const r = await moveFiles(database(ctx), createStorage(from, where), target, {
    keepSource: args.includes('--keep-source'),
  });
  console.log(
    `${r.scanned} files in ${from}: ${r.copied} copied to ${to}, ${r.alreadyThere} already there, ` +
      `${r.removedFromSource} removed from ${from}.`,
  );
  for (const k of r.mismatched) console.log(`MISMATCH  ${k} (left in ${from})`);
  for (const k of r.conflicts) console.log(`CONFLICT  ${k} (different bytes in ${to}; both kept)`);
  const check = await checkFiles(database(ctx), target);
  console.log(
    `${check.checked - check.missing.length - check.mismatched.length} of ${check.checked} records match a file in ${to}.`,
  );
  if (r.mismatched.length || r.conflicts.length || !check.ok) process.exitCode = 1;
  else if (to !== ctx.config.storage)
    console.log(`Set STORAGE=${to} and restart the app to serve files from ${to}.`);
}
