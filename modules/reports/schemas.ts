import { z } from 'zod';
import { objectId, optionalField } from '../../server/http/validate';

const opt = optionalField;

/** Every report's query string: filters, sort, page and export format. Unknown keys are a 400. */
export const reportQuery = z.strictObject({
  course: opt(z.string().trim().max(80)),
  cohort: opt(objectId),
  region: opt(z.string().trim().max(80)),
  outlet: opt(z.string().trim().max(120)),
  language: opt(z.enum(['en', 'mn'])),
  status: opt(z.enum(['enrolled', 'in_progress', 'completed'])),
  sort: opt(z.enum(['name', '-name', 'status', 'activity', 'started'])),
  page: opt(z.coerce.number().int().min(1).max(100_000)),
  quiz: opt(z.string().trim().max(120)),
  call: opt(objectId),
  format: opt(z.enum(['csv', 'xlsx'])),
});
export type ReportQuery = z.infer<typeof reportQuery>;

export const EXPORT_TABLES = [
  'completion',
  'gain',
  'gain-objectives',
  'gain-groups',
  'kap',
  'items',
  'misconceptions',
  'pipeline-funnel',
  'pipeline-reviewers',
  'pipeline-scores',
  'pipeline-themes',
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

export const exportParams = z.strictObject({ table: z.enum(EXPORT_TABLES) });
export const traineeParams = z.strictObject({ userId: objectId });
export const pdfParams = z.strictObject({});
