import { z } from 'zod';
import { objectId, optionalField, text } from '../../server/http/validate';
import type { Criterion } from './grants-port';

export const assignmentParams = z.strictObject({ assignmentId: objectId });
export const fileParams = z.strictObject({
  assignmentId: objectId,
  index: z.string().regex(/^[1-9][0-9]?$/),
});
export const callParams = z.strictObject({ callId: objectId });
export const callAssignmentParams = z.strictObject({ callId: objectId, assignmentId: objectId });
export const callPitchParams = z.strictObject({ callId: objectId, pitchId: objectId });

export const declareForm = z.strictObject({
  answer: z.enum(['none', 'conflict']),
  reason: text(1000).optional(),
});

/**
 * A due date as the admin picked it: a calendar day (or a day and time) in the call's time zone. The
 * service turns it into an instant with the call's zone (a day means the end of that day there).
 */
const dateInput = z
  .string()
  .trim()
  .max(30)
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, 'reviews.errors.date');

const optionalDate = optionalField(dateInput);

export const manualAssignForm = z.strictObject({
  pitchId: objectId,
  reviewerId: objectId,
  dueAt: optionalDate,
});

export const autoAssignForm = z.strictObject({
  cap: optionalField(z.coerce.number().int().min(1).max(500)),
  dueAt: optionalDate,
});

/**
 * A score as typed. Its range and whole-number rule are the service's (checkScores), so a 7, a -1 or a
 * 3.5 comes back on the form with everything else the reviewer typed, never as an error page.
 */
const scoreText = z.string().trim().max(10, 'reviews.errors.scoreRange').optional();
const comment = z.string().trim().max(5000, 'reviews.errors.tooLong').default('');

/** Built from the call's rubric: one `score_<criterionId>` field per criterion and nothing else. */
export function reviewForm(rubric: Criterion[]) {
  const scores = Object.fromEntries(rubric.map((c) => [`score_${c.id}`, scoreText]));
  return z.strictObject({
    version: z.coerce.number().int().min(0).max(1_000_000),
    action: z.enum(['save', 'submit']),
    commentToApplicant: comment,
    privateComment: comment,
    recommendation: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(['fund', 'maybe', 'decline']).optional(),
    ),
    ...scores,
  });
}

const picks = z.preprocess(
  (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]),
  z.array(objectId).max(500).optional(),
);

/** After submitting: the comment to the applicant alone (scores and the rest are final). */
export const commentForm = z.strictObject({
  version: z.coerce.number().int().min(0).max(1_000_000),
  commentToApplicant: comment,
});

export const boardQuery = z.strictObject({
  pick: picks,
  whatIf: z.literal('1').optional(),
  released: z.literal('1').optional(),
  decided: z.literal('1').optional(),
  threshold: optionalField(z.coerce.number().min(0).max(100)),
});

/** The confirmation page of a batch: the board's selection (and its other fields, ignored). */
export const selectionQuery = z.strictObject({
  pick: picks,
  whatIf: z.literal('1').optional(),
  threshold: z.string().max(10).optional(),
});
/** Applying the confirmed selection: the pitches as listed on the confirmation page. */
export const selectionForm = z.strictObject({ pick: picks });

export const decisionForm = z.strictObject({
  outcome: z.enum(['funded', 'waitlisted', 'declined', 'shortlisted'], 'reviews.errors.outcome'),
  // Typed money: "1,500,000" and "1 500 000" mean 1500000.
  amount: z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' ? v.replace(/[\s,]/g, '') : v),
    z
      .string()
      .regex(/^\d{1,13}$/, 'reviews.errors.amount')
      .transform(Number)
      .refine((n) => n >= 1, 'reviews.errors.amount')
      .optional(),
  ),
});

/** Forms that post nothing but the CSRF token (server/auth/csrf.ts removes `_csrf` before any schema). */
export const csrfOnly = z.strictObject({});

export const assignmentsQuery = z.strictObject({
  created: z
    .string()
    .regex(/^\d{1,5}$/)
    .optional(),
  unfilled: z
    .string()
    .regex(/^\d{1,5}$/)
    .optional(),
});
export const reviewPageQuery = z.strictObject({
  saved: z.literal('1').optional(),
  commented: z.literal('1').optional(),
  submitted: z.literal('1').optional(),
});
export const listQuery = z.strictObject({ declared: z.literal('1').optional() });
