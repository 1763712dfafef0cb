import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { AppError } from '../../server/http/errors';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { signedInUser } from '../../server/auth/policy';
import type { SessionUser } from '../../server/types';
import { usersByIds } from '../accounts';
import { recordAudit } from '../audit';
import { utcToLocalInput } from '../grants';
import type { CourseOutline } from '../learning';
import { sessionsPolicy as policy } from './policy';
import { attendanceForm, courseParams, emptyForm, idParams, rulesForm, sessionForm } from './schemas';
import { managedCourses, requireManagedCourse, requireManagedSession } from './access';
import { presentSession } from './present';
import type { LiveSession } from './model';
import * as manage from './service-manage';

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 600) : '');
/** What the trainer typed, to put back in the form. */
const typedValues = (body: Record<string, unknown>) =>
  Object.fromEntries(
    ['kind', 'titleEn', 'titleMn', 'startsAt', 'durationMinutes', 'place', 'link', 'capacity'].map((k) => [
      k,
      str(body[k]),
    ]),
  );

function valuesOf(s: LiveSession) {
  return {
    kind: s.kind,
    titleEn: s.title.en,
    titleMn: s.title.mn,
    startsAt: utcToLocalInput(s.startsAt, s.timeZone),
    durationMinutes: String(Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000)),
    place: s.place ?? '',
    link: s.link ?? '',
    capacity: String(s.capacity),
  };
}

/** Trainers' side: their courses' sessions, the attendance rule, schedule/edit/cancel, the roster. */
export function manageRoutes(ctx: AppContext): Router {
  const router = Router();
  const actor = (req: Request): SessionUser => signedInUser(req);
  const coursePath = (res: Response, course: CourseOutline, q = '') =>
    res.locals.url(`/trainer/sessions/courses/${course.slug}${q}`);

  router.get('/trainer/sessions', policy.manage, async (req, res) => {
    res.render('sessions/trainer-courses', { courses: await managedCourses(ctx, actor(req)) });
  });

  const renderCourse = async (
    res: Response,
    course: CourseOutline,
    status = 200,
    extra: Record<string, unknown> = {},
  ) => {
    const [sessions, rules] = await Promise.all([
      manage.sessionsOfCourse(ctx, course.id),
      manage.rulesFor(ctx, course.id),
    ]);
    const now = ctx.clock.now();
    res.status(status).render('sessions/trainer-course', {
      course,
      sessions: sessions.map((s) => presentSession(s, res.locals.lang, now, { staff: true })),
      values: { requiredSessions: String(rules.requiredSessions), timeZone: rules.timeZone },
      zones: Intl.supportedValuesOf('timeZone'),
      ...extra,
    });
  };

  router.get('/trainer/sessions/courses/:courseSlug', policy.manage, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const course = await requireManagedCourse(ctx, actor(req), courseSlug);
    const done = typeof req.query.done === 'string' ? req.query.done : undefined;
    await renderCourse(res, course, 200, { done });
  });

  router.post('/trainer/sessions/courses/:courseSlug/rules', policy.manage, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const course = await requireManagedCourse(ctx, actor(req), courseSlug);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = { requiredSessions: str(body.requiredSessions), timeZone: str(body.timeZone) };
    const parsed = rulesForm.safeParse(body);
    if (!parsed.success)
      return renderCourse(res, course, 400, { values: typed, errors: fieldErrors(parsed.error) });
    try {
      await manage.setRules(ctx, course, parsed.data);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      return renderCourse(res, course, 400, { values: typed, errors: err.details ?? {} });
    }
    await recordAudit(ctx, actor(req), 'sessions.rules-set', { type: 'course', id: course.id });
    res.redirect(303, coursePath(res, course, '?done=rules'));
  });

  const renderForm = (res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render('sessions/trainer-form', { sessionId: undefined, ...locals });

  router.get('/trainer/sessions/courses/:courseSlug/new', policy.manage, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const course = await requireManagedCourse(ctx, actor(req), courseSlug);
    const { timeZone } = await manage.rulesFor(ctx, course.id);
    renderForm(res, 200, {
      course,
      timeZone,
      values: { kind: 'workshop', durationMinutes: '90', capacity: '20' },
    });
  });

  /** Parses the form, runs the change, or re-renders the form with what was typed and why. */
  const submitForm = async (
    req: Request,
    res: Response,
    locals: { course: CourseOutline; timeZone: string; sessionId?: string },
    run: (input: ReturnType<typeof sessionForm.parse>) => Promise<LiveSession>,
  ) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = sessionForm.safeParse(body);
    if (!parsed.success) {
      // The rules the schema cannot know (a start in the past, no place nor link) are marked in the
      // same round, so nobody fixes one field only to be told about the next.
      const errors = fieldErrors(parsed.error);
      const typed = typedValues(body);
      if (!errors.startsAt && typed.startsAt) {
        const problem = manage.startProblem(ctx, typed.startsAt, locals.timeZone);
        if (problem) errors.startsAt = problem;
      }
      if (!errors.place && !errors.link && !typed.place && !typed.link)
        errors.place = 'sessions.errors.placeOrLink';
      return renderForm(res, 400, { ...locals, values: typed, errors });
    }
    let saved: LiveSession;
    try {
      saved = await run(parsed.data);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      const errors = err.details ?? { _form: err.key };
      return renderForm(res, err.status, { ...locals, values: typedValues(body), errors });
    }
    res.redirect(303, res.locals.url(`/trainer/sessions/${String(saved._id)}?done=saved`));
  };

  router.post('/trainer/sessions/courses/:courseSlug', policy.manage, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const course = await requireManagedCourse(ctx, actor(req), courseSlug);
    const { timeZone } = await manage.rulesFor(ctx, course.id);
    await submitForm(req, res, { course, timeZone }, async (input) => {
      const created = await manage.createSession(ctx, actor(req), course, input);
      await recordAudit(ctx, actor(req), 'sessions.created', { type: 'session', id: String(created._id) });
      return created;
    });
  });

  router.get('/trainer/sessions/:id', policy.manage, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { session, course } = await requireManagedSession(ctx, actor(req), id);
    const people = await usersByIds(ctx, session.registeredIds);
    const attended = new Set(session.attendedIds.map(String));
    const roster = people
      .map((p) => ({
        id: String(p._id),
        name: p.name,
        outlet: p.outlet,
        present: attended.has(String(p._id)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    await recordAudit(ctx, actor(req), 'sessions.roster-viewed', { type: 'session', id });
    res.render('sessions/trainer-session', {
      course,
      session: presentSession(session, res.locals.lang, ctx.clock.now(), { staff: true }),
      roster,
      attendanceOpen: manage.attendanceOpen(ctx, session),
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
    });
  });

  router.get('/trainer/sessions/:id/edit', policy.manage, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { session, course } = await requireManagedSession(ctx, actor(req), id);
    renderForm(res, 200, { course, timeZone: session.timeZone, sessionId: id, values: valuesOf(session) });
  });

  router.post('/trainer/sessions/:id', policy.manage, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { session, course } = await requireManagedSession(ctx, actor(req), id);
    await submitForm(req, res, { course, timeZone: session.timeZone, sessionId: id }, async (input) => {
      const updated = await manage.updateSession(ctx, session, course, input);
      await recordAudit(ctx, actor(req), 'sessions.updated', { type: 'session', id });
      return updated;
    });
  });

  router.post('/trainer/sessions/:id/cancel', policy.manage, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    const { session, course } = await requireManagedSession(ctx, actor(req), id);
    await manage.cancelSession(ctx, session, course);
    await recordAudit(ctx, actor(req), 'sessions.cancelled', { type: 'session', id });
    res.redirect(303, res.locals.url(`/trainer/sessions/${id}?done=cancelled`));
  });

  router.post('/trainer/sessions/:id/attendance', policy.manage, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const input = parse(attendanceForm, req.body);
    const { session } = await requireManagedSession(ctx, actor(req), id);
    const changed = await manage.markAttendance(ctx, session, input);
    await recordAudit(ctx, actor(req), 'sessions.attendance-marked', { type: 'session', id }, changed);
    res.redirect(303, res.locals.url(`/trainer/sessions/${id}?done=attendance`));
  });

  return router;
}
