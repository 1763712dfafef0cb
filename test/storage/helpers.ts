import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildTestApp, type TestApp } from '../support/app';
import type { StorageKind } from '../../server/storage/storage';

export const KINDS: readonly StorageKind[] = ['local', 'gridfs'];

/** The real app on its own database, its files in the storage named. */
export const appWith = (kind: StorageKind) => buildTestApp({ config: { storage: kind } });

/** Every file under a folder, temporary parts included. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/**
 * What a storage has written, complete or not: files and parts on disk for local; documents in the
 * GridFS collections (`files` documents, `chunks`) for GridFS.
 */
export async function footprint(t: TestApp): Promise<{ files: number; chunks: number; disk: number }> {
  const db = t.ctx.db.db!;
  return {
    files: await db.collection('uploads.files').countDocuments(),
    chunks: await db.collection('uploads.chunks').countDocuments(),
    disk: filesUnder(t.uploadsDir).length,
  };
}

/** Bytes a write has put down so far, before it completes. */
export async function bytesInFlight(t: TestApp): Promise<number> {
  if (t.ctx.storage.kind === 'gridfs') {
    const chunks = await t.ctx.db.db!.collection('uploads.chunks').find({}).toArray();
    return chunks.reduce((n, c) => n + (c.data as { length(): number }).length(), 0);
  }
  return filesUnder(t.uploadsDir)
    .filter((f) => f.endsWith('.part'))
    .reduce((n, f) => n + statSync(f).size, 0);
}

/**
 * Waits (at most `tries` turns of 10 ms) until `check` holds; false if it never does. The caller
 * asserts on the result, so a storage that never writes fails the test instead of hanging it.
 */
export async function eventually(check: () => Promise<boolean>, tries = 300): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
