import { z } from 'zod';
import { objectId, text, webUrl as webUrlOf } from '../../server/http/validate';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'impact.errors.date')
  .transform((s) => new Date(`${s}T00:00:00Z`))
  .refine((d) => !Number.isNaN(d.getTime()), 'impact.errors.date');

export const webUrl = webUrlOf('impact.errors.url');

export const awardParams = z.strictObject({ id: objectId });
export const figureParams = z.strictObject({ id: objectId, piece: objectId, figure: objectId });
export const pieceParams = z.strictObject({ id: objectId, piece: objectId });
export const evidenceParams = z.strictObject({ piece: objectId, figure: objectId });

export const pieceForm = z.strictObject({
  outlet: text(200).min(1, 'impact.errors.required'),
  url: webUrl,
  publishedOn: day,
  language: z.enum(['mn', 'en', 'other'], 'impact.errors.choose'),
  format: z.enum(['article', 'tv', 'radio', 'social'], 'impact.errors.choose'),
  listPublicly: z.literal('yes').optional(),
});

export const reachForm = z.strictObject({
  metric: z.enum(['views', 'shares', 'comments', 'airings'], 'impact.errors.choose'),
  value: z
    .string()
    .regex(/^\d{1,12}$/, 'impact.errors.number')
    .transform(Number),
  asOf: day,
  source: text(300).min(1, 'impact.errors.required'),
});

export const csrfOnly = z.strictObject({});
export const pageQuery = z.strictObject({ done: z.literal('1').optional() });
