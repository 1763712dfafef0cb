import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { localToUtc, utcToLocalInput, zoneOffsetMs } from '../../modules/grants/time';

test('local deadlines convert to the right UTC instants', () => {
  // Ulaanbaatar is UTC+8 all year.
  assert.equal(localToUtc('2026-03-31T17:00', 'Asia/Ulaanbaatar').toISOString(), '2026-03-31T09:00:00.000Z');
  assert.equal(localToUtc('2026-01-01T00:00', 'Asia/Ulaanbaatar').toISOString(), '2025-12-31T16:00:00.000Z');
  // New York: EST in winter, EDT in summer.
  assert.equal(localToUtc('2026-01-15T12:00', 'America/New_York').toISOString(), '2026-01-15T17:00:00.000Z');
  assert.equal(localToUtc('2026-07-15T12:00', 'America/New_York').toISOString(), '2026-07-15T16:00:00.000Z');
  // 02:30 on the spring-forward day does not exist: it resolves after the gap.
  assert.equal(localToUtc('2026-03-08T02:30', 'America/New_York').toISOString(), '2026-03-08T07:30:00.000Z');
  // 01:30 on the fall-back day happens twice: the first one (EDT).
  assert.equal(localToUtc('2026-11-01T01:30', 'America/New_York').toISOString(), '2026-11-01T05:30:00.000Z');
  assert.equal(localToUtc('2026-06-01T09:00', 'UTC').toISOString(), '2026-06-01T09:00:00.000Z');
  assert.equal(zoneOffsetMs(new Date('2026-06-01T00:00:00Z'), 'Asia/Ulaanbaatar'), 8 * 3600_000);
  assert.equal(utcToLocalInput(new Date('2026-03-31T09:00:00Z'), 'Asia/Ulaanbaatar'), '2026-03-31T17:00');
});

test('bad dates and zones are refused', () => {
  assert.throws(() => localToUtc('2026-02-30T10:00', 'Asia/Ulaanbaatar'), RangeError);
  assert.throws(() => localToUtc('2026-02-10T25:00', 'Asia/Ulaanbaatar'), RangeError);
  assert.throws(() => localToUtc('yesterday', 'Asia/Ulaanbaatar'), RangeError);
  assert.throws(() => localToUtc('2026-02-10T10:00', 'Mars/Olympus'), RangeError);
});

test('the conversion gives the same instants whatever TZ the process runs in', () => {
  const child = path.join(import.meta.dirname, 'tz-child.ts');
  const results = ['UTC', 'America/New_York', 'Asia/Ulaanbaatar'].map((tz) => {
    const raw = execFileSync(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
    return JSON.parse(raw) as { tz: string; offset: number; out: unknown[] };
  });
  // The children really ran in different zones...
  assert.deepEqual(
    results.map((r) => r.offset),
    [0, 300, -480],
  );
  // ...and agree on every instant.
  assert.deepEqual(results[1]!.out, results[0]!.out);
  assert.deepEqual(results[2]!.out, results[0]!.out);
  const first = results[0]!.out[0] as { utc: string; back: string };
  assert.equal(first.utc, '2026-03-31T09:00:00.000Z');
  assert.equal(first.back, '2026-03-31T17:00');
});
