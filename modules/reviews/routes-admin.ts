import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { parse, parseParams } from '../../server/http/validate';
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
} from './schemas';
import { assignManually, assignmentsOfCall, autoAssign, unassign } from './assign';
import { decide, releaseDecisions, reviewBoard, staffReviewsOfPitch } from './decisions';
import { formatInZone, getCall, pitchesFinal, pitchesForCall } from './grants-port';
import { callTitle, rubricView } from './present';
import { activeReviewers, usersById } from './users';
import { signedInUser } from '../../server/auth/policy';

/** Programme staff: assignments, review board, decisions, release. */
export function adminReviewRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/admin/calls/:callId/assignments', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const q = parse(assignmentsQuery, req.query);
    const call = await getCall(ctx, callId);
    const pitches = await pitchesForCall(ctx, call._id, ['submitted', 'under_review', 'shortlisted']);
    const assignments = await assignmentsOfCall(ctx, callId);
    const reviewers = await activeReviewers(ctx);
    const names = await usersById(
      ctx,
      assignments.map((a) => a.reviewerId),
    );
    res.render('reviews/admin-assignments', {
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
          })),
      })),
      reviewers: reviewers.map((r) => ({ id: String(r._id), name: r.name, outlet: r.outlet ?? '' })),
      result: q.created === undefined ? undefined : { created: q.created, unfilled: q.unfilled ?? '0' },
    });
  });

  router.post('/admin/calls/:callId/assignments', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const form = parse(manualAssignForm, req.body);
    await assignManually(ctx, signedInUser(req), callId, form);
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/assignments`));
  });

  router.post('/admin/calls/:callId/assignments/auto', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    const form = parse(autoAssignForm, req.body);
    const result = await autoAssign(ctx, signedInUser(req), callId, { cap: form.cap, dueAt: form.dueAt });
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
    res.render('reviews/board', { board, whatIf: !!q.whatIf, released: !!q.released });
  });

  router.get('/admin/calls/:callId/pitches/:pitchId/reviews', policy.staff, async (req, res) => {
    const { callId, pitchId } = parseParams(callPitchParams, req.params);
    const call = await getCall(ctx, callId);
    const data = await staffReviewsOfPitch(ctx, callId, pitchId);
    res.render('reviews/admin-pitch', {
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
    });
  });

  router.post('/admin/calls/:callId/pitches/:pitchId/decision', policy.staff, async (req, res) => {
    const { callId, pitchId } = parseParams(callPitchParams, req.params);
    const form = parse(decisionForm, req.body);
    await decide(ctx, signedInUser(req), callId, pitchId, form);
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/review-board`));
  });

  router.post('/admin/calls/:callId/release', policy.staff, async (req, res) => {
    const { callId } = parseParams(callParams, req.params);
    parse(csrfOnly, req.body);
    await releaseDecisions(ctx, signedInUser(req), callId);
    res.redirect(303, res.locals.url(`/admin/calls/${callId}/review-board?released=1`));
  });

  return router;
}
