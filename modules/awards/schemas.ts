import { z } from 'zod';
import { objectId, text, webUrl as webUrlOf } from '../../server/http/validate';

export const webUrl = webUrlOf('awards.errors.url');

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), webUrl.optional());

export const awardParams = z.strictObject({ id: objectId });
export const trancheParams = z.strictObject({ id: objectId, key: z.enum(['award', 'draft', 'publication']) });
/** Forms that post nothing but the CSRF token (server/auth/csrf.ts removes `_csrf` before any schema). */
export const csrfOnly = z.strictObject({});

export const draftForm = z
  .strictObject({ link: optionalUrl, note: text(2000).optional() })
  .refine((f) => !!f.link || !!f.note, { message: 'awards.errors.draftEmpty', path: ['link'] });

export const publishedForm = z.strictObject({
  url: webUrl,
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'awards.errors.date')
    .transform((s) => new Date(`${s}T00:00:00Z`))
    .refine((d) => !Number.isNaN(d.getTime()), 'awards.errors.date'),
  // An unticked checkbox sends nothing: not listed unless the journalist says so.
  listPublicly: z.literal('yes').optional(),
});

/** The journalist lists or withdraws the published link on the public page. */
export const listingForm = z.strictObject({ listPublicly: z.enum(['yes', 'no']) });

export const ethicsForm = z.strictObject({ note: text(2000).optional() });
export const confirmPublicationForm = z.strictObject({
  linkChecked: z.literal('on', 'awards.errors.linkChecked'),
});
export const payForm = z.strictObject({ reference: text(200).optional() });
export const awardPageQuery = z.strictObject({ done: z.literal('1').optional() });
