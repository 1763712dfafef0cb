import { Readable, Writable } from 'node:stream';
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
}

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV/formula injection). */
export function formulaSafe(value: Cell): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string')
    return Number.isFinite(value as number) || typeof value === 'boolean' ? value : null;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

async function* asCells<R>(rows: AsyncIterable<R> | Iterable<R>, columns: Column<R>[]) {
  for await (const row of rows) yield columns.map((c) => formulaSafe(c.value(row)));
}

/** Streams rows as UTF-8 CSV with a BOM through csv-stringify; back-pressure keeps memory flat. */
export async function writeCsv<R>(
  out: Writable,
  headers: string[],
  columns: Column<R>[],
  rows: AsyncIterable<R> | Iterable<R>,
): Promise<void> {
  const source = Readable.from(asCells(rows, columns), { objectMode: true });
  const csv = stringify({ bom: true, header: true, columns: headers.map((h) => formulaSafe(h) as string) });
  await pipeline(source, csv, out);
}

/** Streams rows into an XLSX workbook (exceljs WorkbookWriter commits each row as it goes). */
export async function writeXlsx<R>(
  out: Writable,
  sheetName: string,
  headers: string[],
  columns: Column<R>[],
  rows: AsyncIterable<R> | Iterable<R>,
): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = book.addWorksheet(sheetName.slice(0, 31));
  sheet.addRow(headers).commit();
  for await (const cells of asCells(rows, columns)) sheet.addRow(cells).commit();
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
