import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { buildTestApp, type TestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildUser, signIn } from '../factories';
import { fixedClock } from '../../server/clock';
import { isoInZone } from '../../modules/reports/export';
import { buildFixture } from './fixture';

/**
 * Exports are dated where the reader is. The fixture's u1 started on 2026-01-01T00:00Z, which is
 * 08:00 that day in Ulaanbaatar (UTC+8, no DST) and 19:00 the day before in New York (UTC−5).
 */
const clock = fixedClock(new Date());
let t: TestApp;
let ub: Awaited<ReturnType<typeof signIn>>;
let f: Awaited<ReturnType<typeof buildFixture>>;
before(async () => {
  t = await buildTestApp({ clock });
  f = await buildFixture(t.ctx);
});
after(async () => t.close());

const get = (agent: Awaited<ReturnType<typeof signIn>>, url: string) =>
  agent.get(url).buffer(true).parse(binary).expect(200);

/** A string of the PDF's document information dictionary (pdfkit writes it as an indirect object). */
function pdfInfo(pdf: Buffer, key: string): string | undefined {
  const text = pdf.toString('latin1');
  const ref = new RegExp(`/${key} (\\d+) 0 R`).exec(text)?.[1];
  if (!ref) return undefined;
  const m = new RegExp(`\\n${ref} 0 obj\\n\\(((?:\\\\.|[^\\\\)])*)\\)`).exec(text);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}

test('ISO 8601 with the offset of the zone', () => {
  const at = new Date(Date.UTC(2025, 11, 4, 17, 30));
  assert.equal(isoInZone(at, 'Asia/Ulaanbaatar'), '2025-12-05T01:30:00+08:00');
  assert.equal(isoInZone(at, 'America/New_York'), '2025-12-04T12:30:00-05:00');
  assert.equal(isoInZone(at, 'Asia/Kolkata'), '2025-12-04T23:00:00+05:30');
  assert.equal(
    isoInZone(new Date(Date.UTC(2025, 6, 1, 12)), 'America/New_York'),
    '2025-07-01T08:00:00-04:00',
  );
  assert.equal(isoInZone(at, 'UTC'), '2025-12-04T17:30:00+00:00');
});

test('on the day a zone changes its clocks, each instant gets its own offset', () => {
  // New York left daylight time at 06:00 UTC on 2 Nov 2025 (02:00 EDT became 01:00 EST).
  const utc = (h: number, m = 0) => new Date(Date.UTC(2025, 10, 2, h, m));
  // Asked in this order so the day's lookup is made on a moment of each side first.
  assert.equal(isoInZone(utc(5, 59), 'America/New_York'), '2025-11-02T01:59:00-04:00');
  assert.equal(isoInZone(utc(6), 'America/New_York'), '2025-11-02T01:00:00-05:00');
  assert.equal(isoInZone(utc(1), 'America/New_York'), '2025-11-01T21:00:00-04:00');
  assert.equal(isoInZone(utc(23), 'America/New_York'), '2025-11-02T18:00:00-05:00');
  // And the days either side keep theirs.
  assert.equal(
    isoInZone(new Date(Date.UTC(2025, 10, 1, 12)), 'America/New_York'),
    '2025-11-01T08:00:00-04:00',
  );
  assert.equal(
    isoInZone(new Date(Date.UTC(2025, 10, 3, 12)), 'America/New_York'),
    '2025-11-03T07:00:00-05:00',
  );
});

test('cohort PDF dated in the viewer’s zone: 5 Dec in Ulaanbaatar while UTC still says 4 Dec', async () => {
  // A TOTP code is accepted once: this admin signs in once for the file. No zone of their own: the
  // default, Asia/Ulaanbaatar.
  ub = await signIn(t.app, f.admin);
  const admin = ub;
  clock.set(new Date(Date.UTC(2025, 11, 4, 17, 30))); // 01:30 on 5 Dec in Ulaanbaatar
  const pdf = (await get(admin, '/reports/cohort-summary?course=tip')).body as Buffer;
  const subject = pdfInfo(pdf, 'Subject');
  assert.ok(subject, 'the PDF says when it was generated');
  assert.match(subject, /5 Dec 2025, 01:30 \(Asia\/Ulaanbaatar\)/);
  assert.doesNotMatch(subject, /2025-12-04|4 Dec/);
  clock.set(new Date());
});

test('CSV dates: ISO 8601 with the viewer’s offset; XLSX: real date cells in the viewer’s time', async () => {
  const ny = await signIn(
    t.app,
    await buildUser(t.ctx, { role: 'admin', name: 'NY Admin', timeZone: 'America/New_York' }),
  );
  const csvOf = async (agent: typeof ub) =>
    ((await get(agent, '/reports/export/completion?course=tip')).body as Buffer).toString('utf8');
  const rowOf = (csv: string) => csv.split('\n').find((l) => l.startsWith('Алтанцэцэг Бат'))!;
  const mine = rowOf(await csvOf(ub));
  assert.ok(mine.includes('2026-01-01T08:00:00+08:00'), mine);
  assert.doesNotMatch(mine, /\d{2}:\d{2}(:\d{2})?(\.\d+)?Z/, 'no UTC text');
  const theirs = rowOf(await csvOf(ny));
  assert.ok(theirs.includes('2025-12-31T19:00:00-05:00'), theirs);

  const xlsx = (await get(ub, '/reports/export/completion?course=tip&format=xlsx')).body as Buffer;
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  const header = (sheet.getRow(1).values as unknown[]).map(String);
  const col = header.indexOf('Started');
  assert.ok(col > 0, `a Started column: ${header.join(' | ')}`);
  let row: ExcelJS.Row | undefined;
  sheet.eachRow((r) => {
    if (r.getCell(1).value === 'Алтанцэцэг Бат') row = r;
  });
  assert.ok(row, 'u1 is in the sheet');
  const cell = row.getCell(col);
  assert.equal(cell.type, ExcelJS.ValueType.Date, `a date cell, not text: ${String(cell.value)}`);
  // Spreadsheet dates have no zone: the cell holds the Ulaanbaatar wall-clock time, 08:00.
  assert.equal((cell.value as Date).toISOString(), '2026-01-01T08:00:00.000Z');
  assert.match(cell.numFmt, /yyyy-mm-dd/);
});
