import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { coalesce } from '../../modules/reports/export';

/** Runs chunks through coalesce() and returns the writes that came out. */
async function writesOf(chunks: string[], size: number): Promise<Buffer[]> {
  const writes: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), coalesce(size), sink);
  return writes;
}

test('small chunks leave as few larger writes, every byte in order, the last part flushed', async () => {
  const rows = Array.from({ length: 1000 }, (_, i) => `row ${i},Ганбаатар,2026-03-0${i % 9}\n`);
  const writes = await writesOf(rows, 4096);
  assert.equal(Buffer.concat(writes).toString(), rows.join(''));
  assert.ok(writes.length < 20, `${writes.length} writes for 1000 rows`);
  assert.ok(writes.slice(0, -1).every((w) => w.length >= 4096));
  assert.ok(writes.at(-1)!.length > 0);
});

test('nothing in, nothing out; one chunk over the size passes at once', async () => {
  assert.deepEqual(await writesOf([], 4096), []);
  const big = 'x'.repeat(10_000);
  assert.deepEqual(
    (await writesOf([big], 4096)).map((w) => w.toString()),
    [big],
  );
});
