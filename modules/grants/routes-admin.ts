import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { AppError } from '../../server/http/errors';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { grantsPolicy as policy } from './policy';
import { callForm, callIdParams, emptyForm } from './schemas';
import * as calls from './service-calls';
import { pitchesForCall } from './service-pitches';
import { callFormFromBody, callFormValues, presentCall } from './present';
import { defaultRubric, defaultThemes, DEFAULT_COURSE, DEFAULT_TIME_ZONE } from './defaults';
import { utcToLocalInput } from './time';
import { usersByIds } from '../accounts';
import { signedInUser } from '../../server/auth/policy';

/** Grant calls for program managers: list, create, edit, open, close. */
export function adminCallRoutes(ctx: AppContext): Router {
  const router = Router();

  const newValues = () => {
    const now = ctx.clock.now();
    const inAMonth = new Date(now.getTime() + 30 * 24 * 3600 * 1000);
    return callFormValues({
      title: { en: '', mn: '' },
      description: { en: '', mn: '' },
      themes: defaultThemes(),
      opensAt: now,
      closesAt: inAMonth,
      timeZone: DEFAULT_TIME_ZONE,
      budgetPool: 0,
      maxAward: 0,
      eligibility: { courseSlug: DEFAULT_COURSE },
      rubric: defaultRubric(),
      reviewersPerPitch: 2,
      blind: true,
      deadlineMode: 'fixed',
      allowMultiplePitches: false,
      __v: 0,
    } as unknown as Parameters<typeof callFormValues>[0]);
  };

  const renderForm = (res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render('grants/admin-call-form', {
      zones: Intl.supportedValuesOf('timeZone'),
      ...locals,
    });

  router.get('/admin/calls', policy.manageCalls, async (_req, res) => {
    const list = await calls.listCalls(ctx);
    res.render('grants/admin-calls', {
      calls: list.map((c) => presentCall(c, res.locals.lang, c.timeZone)),
    });
  });

  router.get('/admin/calls/new', policy.manageCalls, (_req, res) => {
    renderForm(res, 200, { values: { ...newValues(), budgetPool: '', maxAward: '' }, callId: undefined });
  });

  router.post('/admin/calls', policy.manageCalls, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = callForm.safeParse(body);
    if (!parsed.success)
      return renderForm(res, 400, { values: callFormFromBody(body), errors: fieldErrors(parsed.error) });
    try {
      const call = await calls.createCall(ctx, signedInUser(req), parsed.data);
      res.redirect(303, res.locals.url(`/admin/calls/${String(call._id)}?saved=1`));
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      renderForm(res, 400, { values: callFormFromBody(body), errors: err.details ?? { _form: err.key } });
    }
  });

  /** The call's page; an open or close that is refused comes back here with the reason. */
  async function renderCall(
    res: Response,
    callId: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ) {
    const call = await calls.getCall(ctx, callId);
    const pitches = await pitchesForCall(ctx, callId, [
      'submitted',
      'under_review',
      'shortlisted',
      'funded',
      'declined',
      'waitlisted',
    ]);
    const people = await usersByIds(
      ctx,
      pitches.map((p) => p.applicantId),
    );
    const names = new Map(people.map((u) => [String(u._id), u.name]));
    renderForm(res, status, {
      callId,
      call: presentCall(call, res.locals.lang, res.locals.timeZone),
      values: callFormValues(call),
      ...extra,
      pitches: pitches.map((p) => ({
        id: String(p._id),
        title: p.title,
        reference: p.reference ?? '',
        status: p.status,
        applicant: names.get(String(p.applicantId)) ?? '',
        budgetTotal: p.budgetTotal,
        submittedAt: p.submittedAt ? utcToLocalInput(p.submittedAt, call.timeZone).replace('T', ' ') : '',
      })),
    });
  }

  router.get('/admin/calls/:callId', policy.manageCalls, async (req, res) => {
    const callId = parseParams(callIdParams, req.params).callId;
    await renderCall(res, callId, 200, { saved: req.query.saved === '1' });
  });

  router.post('/admin/calls/:callId', policy.manageCalls, async (req, res) => {
    const callId = parseParams(callIdParams, req.params).callId;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = callForm.safeParse(body);
    const call = await calls.getCall(ctx, callId);
    const again = (status: number, errors: Record<string, string>) =>
      renderForm(res, status, {
        callId,
        call: presentCall(call, res.locals.lang, res.locals.timeZone),
        values: callFormFromBody(body),
        errors,
        pitches: [],
      });
    if (!parsed.success) return again(400, fieldErrors(parsed.error));
    try {
      await calls.updateCall(ctx, signedInUser(req), callId, parsed.data);
      res.redirect(303, res.locals.url(`/admin/calls/${callId}?saved=1`));
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      again(err.status, err.details ?? { _form: err.key });
    }
  });

  router.post('/admin/calls/:callId/open', policy.manageCalls, async (req, res) => {
    const callId = parseParams(callIdParams, req.params).callId;
    parse(emptyForm, req.body);
    try {
      await calls.openCall(ctx, signedInUser(req), callId);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      return renderCall(res, callId, 409, { errors: { _form: err.key } });
    }
    res.redirect(303, res.locals.url(`/admin/calls/${callId}?saved=1`));
  });

  router.post('/admin/calls/:callId/close', policy.manageCalls, async (req, res) => {
    const callId = parseParams(callIdParams, req.params).callId;
    parse(emptyForm, req.body);
    try {
      await calls.closeCall(ctx, signedInUser(req), callId);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      return renderCall(res, callId, 409, { errors: { _form: err.key } });
    }
    res.redirect(303, res.locals.url(`/admin/calls/${callId}?saved=1`));
  });

  return router;
}
