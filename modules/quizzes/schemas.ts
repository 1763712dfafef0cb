import { z } from 'zod';
import { objectId } from '../../server/http/validate';

export const quizParams = z.strictObject({ quizId: objectId });
export const attemptParams = z.strictObject({ attemptId: objectId });
const pageNo = z
  .string()
  .regex(/^[1-9][0-9]{0,2}$/)
  .transform(Number);
/** A page of the answer sheet: `/quizzes/attempts/:attemptId/pages/:page` (1-based). */
export const pageParams = z.strictObject({ attemptId: objectId, page: pageNo });

const id = '[a-z0-9][a-z0-9-]{0,39}';
/**
 * Answer fields, named by question: `q.<qid>` (chosen option ids), `c.<qid>` and `e.<qid>` (case
 * classification and element), `o.<qid>.<optionId>` (position of an ordering item), `s.<sid>` (a
 * survey answer: a scale point or a practice option, never graded). Nothing else is
 * accepted: a `score`, `results` or `correct` field fails the key pattern and the request is a 400.
 */
export const answerKey = z
  .string()
  .regex(new RegExp(`^(?:[qces]\\.${id}|o\\.${id}\\.${id})$`), 'unknown field');
const value = z.string().max(40);
export const answerForm = z
  .record(answerKey, z.union([value, z.array(value).max(20)]))
  .refine((form) => Object.keys(form).length <= 250, 'too many fields');
export type AnswerForm = z.infer<typeof answerForm>;

/**
 * The fields a sheet's buttons and hidden inputs add beside the answers: `page` (the page the answers
 * come from; without it the form is the whole sheet), `go` (the page Previous/Next or a page button
 * leads to after saving) and `confirmBlank` (submit with unanswered questions).
 */
export const sheetFlags = z.strictObject({
  confirmBlank: z.literal('on').optional(),
  page: pageNo.optional(),
  go: pageNo.optional(),
});
export const startForm = z.strictObject({});
