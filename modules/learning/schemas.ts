import { z } from 'zod';
import { LOCALES } from '../../server/types';
import { listField, objectId } from '../../server/http/validate';
import { BLOCK_TYPES } from './model';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/);
const text = (max: number) => z.string().trim().max(max);

export const courseParams = z.strictObject({ courseSlug: slug });
export const lessonParams = z.strictObject({ courseSlug: slug, lessonSlug: slug });
export const lessonQuery = z.object({ lang: z.enum(LOCALES).optional() });
export const lessonIdParams = z.strictObject({ courseSlug: slug, lessonId: objectId });
export const cohortParams = z.strictObject({ id: objectId });

export const newLessonForm = z.strictObject({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'learning.errors.slug'),
  titleEn: text(200).min(1, 'learning.errors.required'),
  titleMn: text(200).min(1, 'learning.errors.required'),
});
export const moveForm = z.strictObject({ direction: z.enum(['up', 'down']) });
export const revForm = z.strictObject({ rev: z.coerce.number().int().min(0) });
export const previewQuery = z.strictObject({ lang: z.enum(LOCALES).optional() });

export const MAX_BLOCKS = 40;
const blockKey = /^b(\d{1,2})_(id|type|variant|en|mn|src|altEn|altMn)$/;

/** The editor posts flat fields (b0_en, b0_mn, …): checked here, then shaped into blocks. */
const editorFields = z.record(
  z
    .string()
    .regex(
      /^(rev|titleEn|titleMn|minutes|objectives|action|addType|b\d{1,2}_(id|type|variant|en|mn|src|altEn|altMn))$/,
    ),
  z.union([z.string().max(20000), z.array(z.string().max(60)).max(30)]),
);

const block = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{1,40}$/i),
  type: z.enum(BLOCK_TYPES),
  variant: z.string().trim().max(40).optional(),
  en: z.string().max(20000),
  mn: z.string().max(20000),
  src: z.string().trim().max(500).optional(),
  alt: z.strictObject({ en: z.string().max(500), mn: z.string().max(500) }).optional(),
});

export const editorForm = z.strictObject({
  rev: z.coerce.number().int().min(0),
  titleEn: z.string().trim().max(200),
  titleMn: z.string().trim().max(200),
  minutes: z.coerce
    .number({ error: 'learning.errors.minutes' })
    .int('learning.errors.minutes')
    .min(1, 'learning.errors.minutes')
    .max(600, 'learning.errors.minutes'),
  objectives: z.array(z.string().max(60)).max(30),
  action: z.string().regex(/^(save|add|remove-\d{1,2}|up-\d{1,2}|down-\d{1,2})$/),
  addType: z.enum(BLOCK_TYPES).optional(),
  blocks: z.array(block).max(MAX_BLOCKS),
});
export type EditorInput = z.infer<typeof editorForm>;

/** Flat form body → editor input; throws a zod error for unknown fields or bad values. */
export function parseEditor(body: unknown) {
  const flat = editorFields.safeParse(body ?? {});
  if (!flat.success) return { success: false as const, error: flat.error };
  const fields = flat.data;
  const str = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : undefined);
  const indexes = new Set<number>();
  for (const k of Object.keys(fields)) {
    const m = blockKey.exec(k);
    if (m) indexes.add(Number(m[1]));
  }
  const blocks = [...indexes]
    .sort((a, b) => a - b)
    .map((i) => {
      const altEn = str(`b${i}_altEn`);
      const altMn = str(`b${i}_altMn`);
      return {
        id: str(`b${i}_id`),
        type: str(`b${i}_type`),
        variant: str(`b${i}_variant`) || undefined,
        en: str(`b${i}_en`) ?? '',
        mn: str(`b${i}_mn`) ?? '',
        src: str(`b${i}_src`) || undefined,
        alt: altEn || altMn ? { en: altEn ?? '', mn: altMn ?? '' } : undefined,
      };
    });
  const objectives = fields.objectives;
  const shaped = {
    rev: str('rev'),
    titleEn: str('titleEn') ?? '',
    titleMn: str('titleMn') ?? '',
    minutes: str('minutes'),
    objectives: objectives === undefined ? [] : Array.isArray(objectives) ? objectives : [objectives],
    action: str('action') ?? 'save',
    addType: str('addType') || undefined,
    blocks,
  };
  const result = editorForm.safeParse(shaped);
  // On failure, hand back what was typed so the editor can show it again next to the errors.
  return result.success ? result : { ...result, shaped };
}

export const cohortForm = z.strictObject({
  name: text(120).min(1, 'learning.errors.required'),
  courseId: objectId,
  region: text(80).optional(),
});
export const enrolForm = z.strictObject({ emails: z.string().max(20000) });
export const claimForm = z.strictObject({ enrolmentId: objectId, cohortId: objectId });
export const defaultCohortForm = z.strictObject({ on: z.enum(['1', '0']) });

/** Native-speaker sign-off of lesson blocks (the lesson version shown, the blocks ticked, who and when). */
export const mnReviewForm = z.strictObject({
  version: z.coerce.number().int().min(1).max(1_000_000),
  blocks: listField(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), MAX_BLOCKS),
  reviewerName: text(120).min(2, 'learning.mnReview.nameRequired'),
  reviewedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'learning.mnReview.dateInvalid'),
});
export type MnReviewInput = z.infer<typeof mnReviewForm>;

/** Notices carried in a redirect's query (`?saved=1`); anything else is ignored, never echoed. */
const notices = z.object({
  saved: z.enum(['1', 'mn']).optional().catch(undefined),
  published: z.literal('1').optional().catch(undefined),
  reminded: z.coerce.number().int().min(0).max(100_000).optional().catch(undefined),
});
export const noticesFrom = (query: unknown) => notices.parse(typeof query === 'object' && query ? query : {});
