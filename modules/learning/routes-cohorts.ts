import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { learningPolicy as policy } from './policy';
import { claimForm, cohortForm, cohortParams, defaultCohortForm, enrolForm, noticesFrom } from './schemas';
import * as cohorts from './cohorts';
import { listCourses } from './authoring';
import { sendReminders } from './reminders';
import { signedInUser } from '../../server/auth/policy';
import { Conflict } from '../../server/http/errors';

/** Cohorts: create, enrol by e-mail, members' progress, remind stalled trainees. */
export function cohortRoutes(ctx: AppContext): Router {
  const router = Router();

  const listPage = async (req: Parameters<Parameters<typeof router.get>[1]>[0]) => ({
    cohorts: await cohorts.listCohorts(ctx, signedInUser(req)),
    courses: await listCourses(ctx),
    unassigned: await cohorts.unassignedTrainees(ctx, signedInUser(req)),
  });

  router.get('/trainer/cohorts', policy.cohorts, async (req, res) => {
    res.render('learning/trainer/cohorts', { ...(await listPage(req)), claimed: req.query.claimed === '1' });
  });

  router.post('/trainer/cohorts', policy.cohorts, async (req, res) => {
    const parsed = cohortForm.safeParse(req.body ?? {});
    if (!parsed.success)
      return res.status(400).render('learning/trainer/cohorts', {
        ...(await listPage(req)),
        values: req.body,
        errors: fieldErrors(parsed.error),
      });
    const cohort = await cohorts.createCohort(ctx, signedInUser(req), parsed.data);
    res.redirect(303, res.locals.url(`/trainer/cohorts/${String(cohort._id)}`));
  });

  /** Adds a self-registered trainee who is in no cohort to one of the trainer's cohorts. */
  router.post('/trainer/cohorts/claim', policy.cohorts, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = claimForm.safeParse(body);
    // A refusal comes back on the list, at the trainee's row, with the reason.
    const refuse = async (status: number, key: string) =>
      res.status(status).render('learning/trainer/cohorts', {
        ...(await listPage(req)),
        claim: { enrolmentId: typeof body.enrolmentId === 'string' ? body.enrolmentId : '', error: key },
        errors: { _form: key },
      });
    if (!parsed.success) return refuse(400, 'learning.cohorts.chooseCohort');
    try {
      await cohorts.claimTrainee(ctx, signedInUser(req), parsed.data.enrolmentId, parsed.data.cohortId);
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      return refuse(409, err.key);
    }
    res.redirect(303, res.locals.url(`/trainer/cohorts?claimed=1#unassigned`));
  });

  router.get('/trainer/cohorts/:id', policy.cohorts, async (req, res) => {
    const { id } = parseParams(cohortParams, req.params);
    const data = await cohorts.cohortMembers(ctx, signedInUser(req), id);
    res.render('learning/trainer/cohort', { ...data, reminded: noticesFrom(req.query).reminded });
  });

  router.post('/trainer/cohorts/:id/enrol', policy.cohorts, async (req, res) => {
    const { id } = parseParams(cohortParams, req.params);
    const parsed = enrolForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const data = await cohorts.cohortMembers(ctx, signedInUser(req), id);
      return res
        .status(400)
        .render('learning/trainer/cohort', { ...data, errors: fieldErrors(parsed.error) });
    }
    const emails = parsed.data.emails
      .split(/[\s,;]+/)
      .filter(Boolean)
      .slice(0, 500);
    const result = await cohorts.enrolByEmail(ctx, signedInUser(req), id, emails);
    const data = await cohorts.cohortMembers(ctx, signedInUser(req), id);
    res.render('learning/trainer/cohort', { ...data, result });
  });

  router.post('/trainer/cohorts/:id/default', policy.cohorts, async (req, res) => {
    const { id } = parseParams(cohortParams, req.params);
    const { on } = parse(defaultCohortForm, req.body ?? {});
    await cohorts.setDefaultCohort(ctx, signedInUser(req), id, on === '1');
    res.redirect(303, res.locals.url(`/trainer/cohorts/${id}`));
  });

  router.post('/trainer/cohorts/:id/remind', policy.cohorts, async (req, res) => {
    const { id } = parseParams(cohortParams, req.params);
    const cohort = await cohorts.cohortFor(ctx, signedInUser(req), id);
    const sent = await sendReminders(ctx, { cohortId: cohort._id });
    res.redirect(303, res.locals.url(`/trainer/cohorts/${id}?reminded=${sent}`));
  });

  return router;
}
