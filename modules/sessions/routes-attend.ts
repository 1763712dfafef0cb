import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AppContext } from '../../server/context';
import { AppError, TooMany } from '../../server/http/errors';
import { MongoRateLimitStore } from '../../server/http/rate-limit-store';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { signedInUser } from '../../server/auth/policy';
import { sessionsPolicy as policy } from './policy';
import { checkInForm, emptyForm, idParams } from './schemas';
import { requireVisibleSession } from './access';
import { presentSession } from './present';
import { calendarFileName, sessionCalendar } from './calendar';
import * as attend from './service-attend';

/** Wrong check-in codes a person may try per session window: plenty for typos, too few to guess. */
export const CHECK_IN_LIMIT = 10;
const CHECK_IN_WINDOW_MS = 15 * 60_000;

/** A trainee's side: the session page, sign-up and its cancelling, check-in, the calendar file. */
export function attendRoutes(ctx: AppContext): Router {
  const router = Router();
  // Counted in the database per person, so every process behind a load balancer counts the same tries.
  const checkInLimit = rateLimit({
    store: new MongoRateLimitStore(ctx, 'session-check-in'),
    windowMs: CHECK_IN_WINDOW_MS,
    limit: CHECK_IN_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `check-in:${req.user?.id ?? ''}`,
    handler: (_req, _res, next) => next(new TooMany()),
  });

  const render = async (req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) => {
    const { id } = parseParams(idParams, req.params);
    const { session, course } = await requireVisibleSession(ctx, id);
    const user = signedInUser(req);
    const view = presentSession(session, res.locals.lang, ctx.clock.now(), {
      id: user.id,
      staff: user.role !== 'journalist',
    });
    res.status(status).render('sessions/session', {
      session: view,
      course,
      isTrainee: user.role === 'journalist',
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
      ...extra,
    });
  };
  const back = (res: Response, id: string, done: string) =>
    res.redirect(303, res.locals.url(`/sessions/${id}?done=${done}`));

  router.get('/sessions/:id', policy.view, async (req, res) => {
    await render(req, res);
  });

  /** A refusal the person can act on (full, started, cancelled) comes back on the session's page. */
  const orRefusal = async (req: Request, res: Response, action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      await render(req, res, 409, { problem: err.key });
    }
  };

  router.post('/sessions/:id/sign-up', policy.attend, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    const { session, course } = await requireVisibleSession(ctx, id);
    await orRefusal(req, res, async () => {
      await attend.signUp(ctx, signedInUser(req), session, course);
      back(res, id, 'signed-up');
    });
  });

  router.post('/sessions/:id/cancel', policy.attend, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    const { session } = await requireVisibleSession(ctx, id);
    await orRefusal(req, res, async () => {
      await attend.cancelSignUp(ctx, signedInUser(req), session);
      back(res, id, 'cancelled');
    });
  });

  router.post('/sessions/:id/check-in', policy.attend, checkInLimit, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { session } = await requireVisibleSession(ctx, id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = typeof body.code === 'string' ? body.code.slice(0, 20) : '';
    const parsed = checkInForm.safeParse(body);
    if (!parsed.success)
      return render(req, res, 400, { errors: fieldErrors(parsed.error), values: { code: typed } });
    try {
      await attend.checkIn(ctx, signedInUser(req), session, parsed.data.code);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      return render(req, res, 400, { errors: err.details ?? {}, values: { code: typed } });
    }
    back(res, id, 'checked-in');
  });

  router.get('/sessions/:id/calendar.ics', policy.view, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { session, course } = await requireVisibleSession(ctx, id);
    const user = signedInUser(req);
    const withLink = user.role !== 'journalist' || session.registeredIds.some((r) => String(r) === user.id);
    res.set({
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `attachment; filename="${calendarFileName(session)}"`,
      'Cache-Control': 'no-store',
    });
    res.send(sessionCalendar(ctx, session, course, res.locals.lang, { withLink }));
  });

  return router;
}
