import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { attachmentHeader } from '../../server/http/attachment';

export type Cell = string | number | boolean | Date | null | undefined;

export interface Column<R> {
  /** i18n key of the header */
  header: string;
  value: (row: R) => Cell;
  /** XLSX column width in characters, for long text; short columns fit their header. */
  width?: number;
}

/** Widths a spreadsheet opens with: the column's own, else its header's length, within readable bounds. */
export function columnWidths(headers: string[], columns: Column<unknown>[]): number[] {
  return headers.map((h, i) => Math.min(60, Math.max(10, columns[i]?.width ?? 0, h.length + 2)));
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

const DAY_MS = 86_400_000;
/** `zone|UTC day` → the offset that holds all that day, or null on a day the offset changes. */
const steadyOffsets = new Map<string, number | null>();

/**
 * Minutes the zone is ahead of UTC at that instant (DST-aware, from the Intl time-zone data). An
 * export writes thousands of dates: asking Intl for each was a fifth of a completion CSV's time, so
 * the offset is looked up once per zone and UTC day — when it is the same at the day's first and last
 * second (every day but the few a zone changes its clocks on, which are computed instant by instant).
 */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const day = Math.floor(at.getTime() / DAY_MS);
  const key = `${timeZone}|${day}`;
  let steady = steadyOffsets.get(key);
  if (steady === undefined) {
    const first = exactOffset(new Date(day * DAY_MS), timeZone);
    steady = first === exactOffset(new Date((day + 1) * DAY_MS - 1000), timeZone) ? first : null;
    if (steadyOffsets.size >= 10_000) steadyOffsets.clear();
    steadyOffsets.set(key, steady);
  }
  return steady ?? exactOffset(at, timeZone);
}

function exactOffset(at: Date, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (offsetFormats.size < 100) offsetFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** ISO 8601 in the reader's zone with its offset, to the second: 2025-12-05T04:00:00+08:00. */
export function isoInZone(at: Date, timeZone: string): string {
  const offset = zoneOffsetMinutes(at, timeZone);
  const local = new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/**
 * The wall-clock time in the reader's zone as a Date whose UTC fields carry it: spreadsheets store
 * dates without a zone (a serial number), and exceljs writes a Date's UTC fields.
 */
export const wallClock = (at: Date, timeZone: string) =>
  new Date(at.getTime() + zoneOffsetMinutes(at, timeZone) * 60_000);

/** How exports write instants: in the reader's zone (UTC when none is given). */
export interface DateOptions {
  timeZone?: string;
}

/**
 * A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV/formula injection).
 * Dates become ISO 8601 text with the offset of the reader's zone.
 */
export function formulaSafe(value: Cell, dates: DateOptions = {}): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isoInZone(value, dates.timeZone ?? 'UTC');
  if (typeof value !== 'string')
    return Number.isFinite(value as number) || typeof value === 'boolean' ? value : null;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

async function* asCells<R>(rows: AsyncIterable<R> | Iterable<R>, columns: Column<R>[], dates: DateOptions) {
  for await (const row of rows) yield columns.map((c) => formulaSafe(c.value(row), dates));
}

/** XLSX cells: dates stay dates (real date cells, in the reader's wall-clock time), the rest as in CSV. */
async function* asXlsxCells<R>(
  rows: AsyncIterable<R> | Iterable<R>,
  columns: Column<R>[],
  dates: DateOptions,
) {
  for await (const row of rows)
    yield columns.map((c) => {
      const v = c.value(row);
      return v instanceof Date ? wallClock(v, dates.timeZone ?? 'UTC') : formulaSafe(v, dates);
    });
}

/** How a date cell reads in Excel, LibreOffice and Numbers. */
export const XLSX_DATE_FORMAT = 'yyyy-mm-dd hh:mm';

/** Streams rows as UTF-8 CSV with a BOM through csv-stringify; back-pressure keeps memory flat. */
export async function writeCsv<R>(
  out: Writable,
  headers: string[],
  columns: Column<R>[],
  rows: AsyncIterable<R> | Iterable<R>,
  dates: DateOptions = {},
): Promise<void> {
  const source = Readable.from(asCells(rows, columns, dates), { objectMode: true });
  const csv = stringify({ bom: true, header: true, columns: headers.map((h) => formulaSafe(h) as string) });
  await pipeline(source, csv, coalesce(), out);
}

/**
 * Joins small chunks (csv-stringify emits one per row) into writes of ~16 KB: a compressed response
 * pays one trip to zlib per write, which for 10,000 rows was a third of the export's time.
 */
export function coalesce(size = 16_384): Transform {
  let parts: Buffer[] = [];
  let length = 0;
  const joined = () => {
    const out = Buffer.concat(parts, length);
    parts = [];
    length = 0;
    return out;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= size) done(null, joined());
      else done();
    },
    flush(done) {
      done(null, length ? joined() : undefined);
    },
  });
}

/** Streams rows into an XLSX workbook (exceljs WorkbookWriter commits each row as it goes). */
export async function writeXlsx<R>(
  out: Writable,
  sheetName: string,
  headers: string[],
  columns: Column<R>[],
  rows: AsyncIterable<R> | Iterable<R>,
  dates: DateOptions = {},
): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    // Styles carry the number format that makes a date cell read as a date.
    useStyles: true,
  });
  const sheet = book.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  // Columns are set before the first row: a streamed sheet writes them out first.
  sheet.columns = columnWidths(headers, columns as Column<unknown>[]).map((width) => ({ width }));
  const head = sheet.addRow(headers);
  head.font = { bold: true };
  head.commit();
  // Every cell shares one of two style objects: exceljs remembers a style object it has seen, where
  // a fresh object per cell is looked up again (a tenth of a 10,000-row export).
  const dateStyle: Partial<ExcelJS.Style> = { numFmt: XLSX_DATE_FORMAT };
  const plainStyle: Partial<ExcelJS.Style> = {};
  for await (const cells of asXlsxCells(rows, columns, dates)) {
    const row = sheet.addRow(cells);
    row.eachCell({ includeEmpty: true }, (cell) => {
      cell.style = cell.value instanceof Date ? dateStyle : plainStyle;
    });
    row.commit();
  }
  sheet.commit();
  await book.commit();
}

export function downloadHeaders(res: Response, filename: string, type: string): void {
  res.set({
    'Content-Type': type,
    'Content-Disposition': attachmentHeader(filename),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Discards everything: the benchmark's sink. */
export const nullSink = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
