import { z } from 'zod';
import { optionalField } from '../../server/http/validate';

const opt = optionalField;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'programme.errors.date');

/** The report's query: a period of calendar days (both included) in the programme's zone, one course. */
export const programmeQuery = z.strictObject({
  from: opt(day),
  to: opt(day),
  course: opt(z.string().trim().max(80)),
});
export type ProgrammeQuery = z.infer<typeof programmeQuery>;

export const FIGURES = [
  'enrolled',
  'completed',
  'groups',
  'attendance',
  'knowledge',
  'kap',
  'calls',
  'themes',
  'funded',
  'publications',
] as const;
export type FigureName = (typeof FIGURES)[number];

export const rowsParams = z.strictObject({ figure: z.enum(FIGURES) });
