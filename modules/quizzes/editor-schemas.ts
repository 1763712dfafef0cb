import { z } from 'zod';
import { LOCALES } from '../../server/types';
import { MAX_OPTIONS } from './editor';
import type { QuestionContent } from './editor-model';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/);
const qid = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);
export const courseQuestionsParams = z.strictObject({ courseSlug: slug });
export const questionParams = z.strictObject({ courseSlug: slug, qid });
export const questionPreviewQuery = z.strictObject({ lang: z.enum(LOCALES).optional() });
export const questionRevForm = z.strictObject({ rev: z.coerce.number().int().min(0) });

const optionKey = /^o(\d)_(id|textEn|textMn|feedbackEn|feedbackMn)$/;
const t = (max: number) => z.string().trim().max(max, 'quizzes.editor.errors.tooLong');
const optionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);

/** The editor posts flat fields (o0_textEn, …); checked here, then shaped into the question. */
const fields = z.record(
  z
    .string()
    .regex(
      /^(rev|action|objective|stemEn|stemMn|explanationEn|explanationMn|correct|o\d_(id|textEn|textMn|feedbackEn|feedbackMn))$/,
    ),
  z.union([z.string().max(4000), z.array(z.string().max(60)).max(MAX_OPTIONS)]),
);

const shape = z.strictObject({
  rev: z.coerce.number().int().min(0),
  action: z.string().regex(/^(save|add-option|remove-option-\d)$/),
  objective: z.string().max(60),
  stem: z.strictObject({ en: t(4000), mn: t(4000) }),
  explanation: z.strictObject({ en: t(4000), mn: t(4000) }),
  correct: z.array(optionId).max(MAX_OPTIONS),
  options: z
    .array(
      z.strictObject({
        id: optionId,
        text: z.strictObject({ en: t(1000), mn: t(1000) }),
        feedback: z.strictObject({ en: t(2000), mn: t(2000) }),
      }),
    )
    .max(MAX_OPTIONS),
});
export type QuestionEditorInput = z.infer<typeof shape>;

/** Flat form body → editor input; on failure also what was typed, to show it again. */
export function parseQuestionEditor(body: unknown) {
  const flat = fields.safeParse(body ?? {});
  if (!flat.success) return { success: false as const, error: flat.error };
  const f = flat.data;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
  const indexes = new Set<number>();
  for (const k of Object.keys(f)) {
    const m = optionKey.exec(k);
    if (m) indexes.add(Number(m[1]));
  }
  const correct = f.correct === undefined ? [] : Array.isArray(f.correct) ? f.correct : [f.correct];
  const shaped = {
    rev: str('rev'),
    action: str('action') || 'save',
    objective: str('objective'),
    stem: { en: str('stemEn'), mn: str('stemMn') },
    explanation: { en: str('explanationEn'), mn: str('explanationMn') },
    correct,
    options: [...indexes]
      .sort((a, b) => a - b)
      .map((i) => ({
        id: str(`o${i}_id`),
        text: { en: str(`o${i}_textEn`), mn: str(`o${i}_textMn`) },
        feedback: { en: str(`o${i}_feedbackEn`), mn: str(`o${i}_feedbackMn`) },
      })),
  };
  const result = shape.safeParse(shaped);
  return result.success ? result : { ...result, shaped };
}

/** What was typed as the question's content (the key from the `correct` choices). */
export function contentFromInput(
  input: Pick<QuestionEditorInput, 'objective' | 'stem' | 'explanation' | 'options' | 'correct'>,
): QuestionContent {
  const explanation = input.explanation.en || input.explanation.mn ? input.explanation : undefined;
  return {
    objective: input.objective,
    stem: input.stem,
    ...(explanation ? { explanation } : {}),
    options: input.options.map((o) => ({ ...o, correct: input.correct.includes(o.id) })),
  };
}
