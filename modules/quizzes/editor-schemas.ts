import { z } from 'zod';
import { LOCALES } from '../../server/types';
import { MAX_OPTIONS } from './editor';
import type { QuestionContent } from './editor-model';
import type { QuestionType } from './model';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/);
const qid = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);
export const courseQuestionsParams = z.strictObject({ courseSlug: slug });
export const questionParams = z.strictObject({ courseSlug: slug, qid });
export const questionPreviewQuery = z.strictObject({ lang: z.enum(LOCALES).optional() });
export const questionRevForm = z.strictObject({ rev: z.coerce.number().int().min(0) });

const optionKey = /^o(\d)_(id|textEn|textMn|feedbackEn|feedbackMn)$/;
const elementKey = /^e(\d)_(id|textEn|textMn|feedbackEn|feedbackMn)$/;
const t = (max: number) => z.string().trim().max(max, 'quizzes.editor.errors.tooLong');
const optionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);

/** The editor posts flat fields (o0_textEn, …); checked here, then shaped into the question. */
const fields = z.record(
  z
    .string()
    .regex(
      /^(rev|action|objective|stemEn|stemMn|explanationEn|explanationMn|excerptEn|excerptMn|caseEn|caseMn|correct|element|[oe]\d_(id|textEn|textMn|feedbackEn|feedbackMn))$/,
    ),
  z.union([z.string().max(4000), z.array(z.string().max(60)).max(MAX_OPTIONS)]),
);

const choice = z.strictObject({
  id: optionId,
  text: z.strictObject({ en: t(1000), mn: t(1000) }),
  feedback: z.strictObject({ en: t(2000), mn: t(2000) }),
});
const shape = z.strictObject({
  rev: z.coerce.number().int().min(0),
  action: z.string().regex(/^(save|add-option|remove-option-\d|move-up-\d|move-down-\d)$/),
  objective: z.string().max(60),
  stem: z.strictObject({ en: t(4000), mn: t(4000) }),
  explanation: z.strictObject({ en: t(4000), mn: t(4000) }),
  excerpt: z.strictObject({ en: t(4000), mn: t(4000) }),
  case: z.strictObject({ en: t(4000), mn: t(4000) }),
  correct: z.array(optionId).max(MAX_OPTIONS),
  element: z.union([optionId, z.literal('')]),
  options: z.array(choice).max(MAX_OPTIONS),
  elements: z.array(choice).max(MAX_OPTIONS),
});
export type QuestionEditorInput = z.infer<typeof shape>;

/** Flat form body → editor input; on failure also what was typed, to show it again. */
export function parseQuestionEditor(body: unknown) {
  const flat = fields.safeParse(body ?? {});
  if (!flat.success) return { success: false as const, error: flat.error };
  const f = flat.data;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
  const listed = (key: RegExp, prefix: string) => {
    const indexes = new Set<number>();
    for (const k of Object.keys(f)) {
      const m = key.exec(k);
      if (m) indexes.add(Number(m[1]));
    }
    return [...indexes]
      .sort((a, b) => a - b)
      .map((i) => ({
        id: str(`${prefix}${i}_id`),
        text: { en: str(`${prefix}${i}_textEn`), mn: str(`${prefix}${i}_textMn`) },
        feedback: { en: str(`${prefix}${i}_feedbackEn`), mn: str(`${prefix}${i}_feedbackMn`) },
      }));
  };
  const correct = f.correct === undefined ? [] : Array.isArray(f.correct) ? f.correct : [f.correct];
  const shaped = {
    rev: str('rev'),
    action: str('action') || 'save',
    objective: str('objective'),
    stem: { en: str('stemEn'), mn: str('stemMn') },
    explanation: { en: str('explanationEn'), mn: str('explanationMn') },
    excerpt: { en: str('excerptEn'), mn: str('excerptMn') },
    case: { en: str('caseEn'), mn: str('caseMn') },
    correct,
    // Two elements posted is a malformed form (a radio group sends one): joined, it fails the id rule.
    element: Array.isArray(f.element) ? f.element.join(',') : str('element'),
    options: listed(optionKey, 'o'),
    elements: listed(elementKey, 'e'),
  };
  const result = shape.safeParse(shaped);
  return result.success ? result : { ...result, shaped };
}

const typed = (text: { en: string; mn: string }) => (text.en || text.mn ? text : undefined);

/**
 * What was typed as the question's content: the key from the `correct` choices (and the `element`
 * for a case); an ordering question's key is the order of its steps, so its steps carry no flag.
 */
export function contentFromInput(
  type: QuestionType,
  input: Omit<QuestionEditorInput, 'rev' | 'action'>,
): QuestionContent {
  const explanation = typed(input.explanation);
  const flagged = (list: QuestionEditorInput['options'], right: string[]) =>
    list.map((o) => (type === 'ordering' ? o : { ...o, correct: right.includes(o.id) }));
  return {
    objective: input.objective,
    stem: input.stem,
    ...(explanation ? { explanation } : {}),
    ...(type === 'spot-harm' ? { excerpt: input.excerpt } : {}),
    ...(type === 'case' ? { case: input.case, elements: flagged(input.elements, [input.element]) } : {}),
    options: flagged(input.options, input.correct),
  };
}
