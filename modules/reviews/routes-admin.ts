import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { AppError, Invalid } from '../../server/http/errors';
import { reviewsPolicy as policy } from './policy';
import {
  assignmentsQuery,
  autoAssignForm,
  boardQuery,
  callAssignmentParams,
  callParams,
  callPitchParams,
  csrfOnly,
  decisionForm,
  manualAssignForm,
  selectionForm,
  selectionQuery,
} from './schemas';
import { applySelection, selectionPreview } from './batch';
import { assignManually, assignmentsOfCall, autoAssign, unassign } from './assign';
import { decide, releaseDecisions, releasePreview, reviewBoard, staffReviewsOfPitch } from './decisions';
import { formatInZone, getCall, pitchesFinal, pitchesForCall } from './grants-port';
import { callTitle, dueLabel, rubricView } from './present';
import { activeReviewers, usersById } from './users';
import { signedInUser } from '../../server/auth/policy';

/** A refusal the person can act on (bad input, a business rule): shown on the form, not an error page. */
const refusal = (err: unknown): err is AppError =>
  err instanceof AppError && (err.status === 400 || err.status === 409);

/** Field errors as i18n keys only: a message zod wrote itself (a tampered field) reads as "not valid". */
const onlyKeys = (errors: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k, /^(reviews|errors)\.[\w.]+$/.test(v) ? v : 'errors.invalid']),
  );

/** Programme staff: assignments, review board, decisions, release. */
export function adminReviewRoutes(ctx: AppContext): Router {
  const router = Router();

  /** The assignments page; a refused form comes back on it with its values and errors. */
  async function renderAssignments(
    res: Response,
    callId: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ) {
    const call = await getCall(ctx, callId);
    const pitches = await pitchesForCall(ctx, call._id, ['submitted', 'under_review', 'shortlisted']);
    const assignments = await assignmentsOfCall(ctx, callId);
    const reviewers = await activeReviewers(ctx);
    const names = await usersById(
      ctx,
      assignments.map((a) => a.reviewerId),
    );
    res.status(status).render('reviews/admin-assignments', {
      call: {
        id: callId,
        title: callTitle(call, res.locals.lang as Locale),
        reviewersPerPitch: call.reviewersPerPitch,
        rolling: call.deadlineMode === 'rolling',
        // Assigning before a fixed deadline: the admin is told what it does and does not do.
        earlyUntil: pitchesFinal(call, ctx.clock.now())
          ? ''
          : formatInZone(call.closesAt, call.timeZone, res.locals.lang as Locale),
      },
      pitches: pitches.map((p) => ({
        id: String(p._id),
        title: p.title,
        status: p.status,
        assignments: assignments
          .filter((a) => a.pitchId.equals(p._id))
          .map((a) => ({
            id: String(a._id),
            status: a.status,
            reviewer: names.get(String(a.reviewerId))?.name ?? '',
            reason: a.conflictReason,
            due: dueLabel(a.dueAt, call, res.locals.lang as Locale),
          })),
      })),
      reviewers: reviewers.map((r) => ({ id: String(r._id), name: r.name, outlet: r.outlet ?? '' })),
      ...extra,
    });
  }

  router.get('/admin/calls/:callId/assignments', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const q = parse(assignmentsQuery, req.query);
    await renderAssignments(res, callId, 200, {
      result: q.created === undefined ? undefined : { created: q.created, unfilled: q.unfilled ?? '0' },
    });
  });

  router.post('/admin/calls/:callId/assignments', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = manualAssignForm.safeParse(body);
    try {
      if (!parsed.success) throw new Invalid('errors.invalid', fieldErrors(parsed.error));
      await assignManually(ctx, signedInUser(req), callId, parsed.data);
    } catch (err) {
      if (!refusal(err)) throw err;
      return renderAssignments(res, callId, err.status, {
        manual: { values: body, errors: { _form: err.key, ...onlyKeys(err.details) } },
      });
    }
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/assignments`));
  });

  router.post('/admin/calls/:callId/assignments/auto', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = autoAssignForm.safeParse(body);
    if (!parsed.success)
      return renderAssignments(res, callId, 400, {
        auto: { values: body, errors: { _form: 'errors.invalid', ...onlyKeys(fieldErrors(parsed.error)) } },
      });
    const form = parsed.data;
    let result: Awaited<ReturnType<typeof autoAssign>>;
    try {
      result = await autoAssign(ctx, signedInUser(req), callId, { cap: form.cap, dueAt: form.dueAt });
    } catch (err) {
      if (!refusal(err)) throw err;
      return renderAssignments(res, callId, err.status, {
        auto: { values: body, errors: { _form: err.key, ...onlyKeys(err.details) } },
      });
    }
    res.redirect(
      303,
      res.locals.url(
        `/admin/calls/${callId}/assignments?created=${result.created}&unfilled=${result.unfilled}`,
      ),
    );
  });

  router.post('/admin/calls/:callId/assignments/:assignmentId/delete', policy.staff, async (req, res) => {
    const { callId, assignmentId } = parseParams(callAssignmentParams, req.params);
    parse(csrfOnly, req.body);
    await unassign(ctx, signedInUser(req), callId, assignmentId);
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/assignments`));
  });

  router.get('/admin/calls/:callId/review-board', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const q = parse(boardQuery, req.query);
    const board = await reviewBoard(ctx, callId, res.locals.lang as Locale, {
      picked: q.whatIf ? (q.pick ?? []) : undefined,
      threshold: q.threshold,
    });
    res.render('reviews/board', { board, whatIf: !!q.whatIf, released: !!q.released, decided: !!q.decided });
  });

  /** The confirmation before a batch of decisions: what will be funded, the totals, the money left. */
  router.get('/admin/calls/:callId/review-board/apply', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const q = parse(selectionQuery, req.query);
    const preview = await selectionPreview(ctx, callId, res.locals.lang as Locale, q.pick ?? []);
    res.render('reviews/apply', { preview });
  });

  /** Applies the confirmed selection; the refused pitches come back on the board, each with its reason. */
  router.post('/admin/calls/:callId/review-board/apply', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const form = parse(selectionForm, req.body);
    const lang = res.locals.lang as Locale;
    const batch = await applySelection(ctx, signedInUser(req), callId, lang, form.pick ?? []);
    const board = await reviewBoard(ctx, callId, lang);
    res.status(batch.refused.length && !batch.funded.length ? 409 : 200).render('reviews/board', {
      board,
      batch,
      whatIf: false,
    });
  });

  /** One pitch's reviews and the decision form; a refused decision comes back here with its reason. */
  async function renderPitchReviews(
    res: Response,
    callId: string,
    pitchId: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ) {
    const call = await getCall(ctx, callId);
    const data = await staffReviewsOfPitch(ctx, callId, pitchId);
    res.status(status).render('reviews/admin-pitch', {
      callId,
      rubric: rubricView(call, res.locals.lang as Locale),
      pitch: {
        id: pitchId,
        title: data.pitch.title,
        status: data.pitch.status,
        requested: data.pitch.budgetTotal ?? 0,
      },
      reviews: data.reviews,
      maxAward: call.maxAward,
      remaining: call.budgetPool - (call.awardedTotal ?? 0),
      currency: call.currency ?? 'MNT',
      ...extra,
    });
  }

  router.get('/admin/calls/:callId/pitches/:pitchId/reviews', policy.staff, async (req, res) => {
    const { callId, pitchId } = parseParams(callPitchParams, req.params);
    await renderPitchReviews(res, callId, pitchId);
  });

  router.post('/admin/calls/:callId/pitches/:pitchId/decision', policy.staff, async (req, res) => {
    const { callId, pitchId } = parseParams(callPitchParams, req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = decisionForm.safeParse(body);
    try {
      if (!parsed.success) throw new Invalid('errors.invalid', fieldErrors(parsed.error));
      await decide(ctx, signedInUser(req), callId, pitchId, parsed.data);
    } catch (err) {
      // Over budget, above the largest award, already decided: the reason on the form, values kept.
      if (!refusal(err)) throw err;
      const field = err.key === 'reviews.errors.alreadyDecided' ? 'outcome' : 'amount';
      return renderPitchReviews(res, callId, pitchId, err.status, {
        values: body,
        errors: {
          ...(err.details ? {} : { [field]: err.key }),
          ...onlyKeys(err.details),
          _form: 'reviews.errors.notRecorded',
        },
      });
    }
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/review-board?decided=1`));
  });

  /** The confirmation before the one-shot release: who gets what, and the totals. */
  router.get('/admin/calls/:callId/release', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    res.render('reviews/release', { preview: await releasePreview(ctx, callId, res.locals.lang as Locale) });
  });

  router.post('/admin/calls/:callId/release', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    parse(csrfOnly, req.body);
    await releaseDecisions(ctx, signedInUser(req), callId);
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/review-board?released=1`));
  });

  return router;
}
