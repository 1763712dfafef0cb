import { z } from 'zod';
import { listField, objectId, text } from '../../server/http/validate';
import { displayName } from '../../server/http/attachment';

/** One line others read (titles, labels): no control, bidi-override or zero-width characters. */
const line = (max: number) => text(max).transform(displayName);
const requiredLine = (max: number) => line(max).pipe(z.string().min(1, 'grants.errors.required'));
import { FILE_KINDS } from './model';

/** Money as typed by people: digits with optional spaces or commas as group separators. */
const money = z
  .string()
  .trim()
  .max(20)
  .regex(/^[\d\s,]*$/, 'grants.errors.amount')
  .transform((s) => s.replace(/[\s,]/g, ''));
const requiredMoney = money.refine((s) => s.length > 0 && s.length <= 13, 'grants.errors.amount');
const localDateTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'grants.errors.dateTime');
const smallInt = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,2}$/, 'grants.errors.number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, 'grants.errors.number');
const check = z.literal('on').optional();
const slug = z
  .string()
  .trim()
  .max(40)
  .regex(/^[a-z0-9-]*$/, 'grants.errors.slug');

export const callForm = z.strictObject({
  titleEn: requiredLine(200),
  titleMn: requiredLine(200),
  descriptionEn: text(8000).optional(),
  descriptionMn: text(8000).optional(),
  themeId: listField(slug, 20),
  themeLabelEn: listField(line(120), 20),
  themeLabelMn: listField(line(120), 20),
  opensAt: localDateTime,
  closesAt: localDateTime,
  timeZone: text(64).min(1, 'grants.errors.required'),
  budgetPool: requiredMoney,
  maxAward: requiredMoney,
  courseSlug: z
    .string()
    .trim()
    .max(80)
    .regex(/^[a-z0-9-]*$/, 'grants.errors.slug')
    .optional(),
  rubricId: listField(slug, 20),
  rubricLabelEn: listField(line(120), 20),
  rubricLabelMn: listField(line(120), 20),
  rubricGuidanceEn: listField(text(1000), 20),
  rubricGuidanceMn: listField(text(1000), 20),
  rubricScaleMax: listField(z.string().trim().max(2), 20),
  rubricWeight: listField(z.string().trim().max(4), 20),
  reviewersPerPitch: smallInt(1, 10),
  blind: check,
  deadlineMode: z.enum(['fixed', 'rolling']),
  allowMultiplePitches: check,
  version: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .optional(),
});
export type CallForm = z.infer<typeof callForm>;

const version = z.union([
  z.number().int().min(0).max(1e9),
  z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number),
]);

/** The pitch form and its autosave JSON share one shape. Status, owner and totals are never inputs. */
export const pitchForm = z.strictObject({
  version,
  title: line(200).optional(),
  angle: text(4000).optional(),
  audience: text(1000).optional(),
  outlet: line(200).optional(),
  format: line(200).optional(),
  themes: listField(z.string().max(40), 20),
  ethicsPlan: text(4000).optional(),
  budgetItem: listField(line(200), 20),
  budgetAmount: listField(money, 20),
  timeline: text(2000).optional(),
});
export type PitchForm = z.infer<typeof pitchForm>;

export const versionForm = z.strictObject({ version: version.optional() });
export const emptyForm = z.strictObject({});
export const callIdParams = z.strictObject({ callId: objectId });
export const fileIdParams = z.strictObject({ fileId: objectId });
export const pitchFileParams = z.strictObject({ id: objectId, fileId: objectId });
export const uploadFields = z.strictObject({ kind: z.enum(FILE_KINDS) });
export const callListQuery = z.strictObject({});
