import { createHash, createHmac, randomBytes } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import type { SessionUser } from '../../../server/types';
import { recordAudit } from '../../audit';
import { courseLabel, enrolmentsActiveIn, lessonLabel, type Bilingual } from '../../learning';
import { attemptsSubmittedIn, courseQuizBank } from '../../quizzes';
import { interactionDefinition, interactionResponse, type QuestionShape } from './interactions';
import { xapiSettingsModel, xapiStatementModel, type XapiSettings } from './model';

const VERB = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
} as const;
const TYPE = {
  course: 'http://adlnet.gov/expapi/activities/course',
  lesson: 'http://adlnet.gov/expapi/activities/lesson',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  question: 'http://adlnet.gov/expapi/activities/cmi.interaction',
} as const;
const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000];
const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
const OVERLAP_MS = 2 * 60_000;

// ---- Settings ----

export async function getSettings(ctx: AppContext): Promise<XapiSettings> {
  const doc = await xapiSettingsModel(ctx.db)
    .findOneAndUpdate(
      { key: 'settings' },
      { $setOnInsert: { key: 'settings', enabled: false, actorSecret: randomBytes(32).toString('hex') } },
      { upsert: true, new: true },
    )
    .lean()
    .catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return xapiSettingsModel(ctx.db).findOne({ key: 'settings' }).lean();
    });
  return doc!;
}

/** What the admin page may show: never the password. */
export async function settingsView(ctx: AppContext) {
  const s = await getSettings(ctx);
  const Statements = xapiStatementModel(ctx.db);
  const [pending, sent, dead] = await Promise.all(
    (['pending', 'sent', 'dead'] as const).map((status) => Statements.countDocuments({ status })),
  );
  return {
    endpoint: s.endpoint ?? '',
    username: s.username ?? '',
    passwordSet: !!s.password,
    enabled: s.enabled,
    counts: { pending, sent, dead },
  };
}

export interface SettingsInput {
  endpoint: string;
  username: string;
  password: string;
  enabled: boolean;
}

export async function saveSettings(ctx: AppContext, actor: SessionUser, input: SettingsInput) {
  const current = await getSettings(ctx);
  const now = ctx.clock.now();
  const set: Record<string, unknown> = {
    endpoint: input.endpoint.replace(/\/+$/, ''),
    username: input.username,
    enabled: input.enabled,
  };
  if (input.password) set.password = input.password;
  if (input.enabled && !current.enabled) {
    set.enabledAt = now;
    if (!current.checkpoint) set.checkpoint = now;
  }
  await xapiSettingsModel(ctx.db).updateOne({ key: 'settings' }, { $set: set });
  await recordAudit(
    ctx,
    actor,
    'xapi.settings.saved',
    { type: 'xapiSettings', id: String(current._id) },
    {
      enabled: input.enabled,
    },
  );
}

// ---- Statements ----

/** A stable UUID from the event's key: the LRS sees the same id if we ever send it twice. */
function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface Builder {
  base: string;
  actor: (userId: Types.ObjectId | string) => Record<string, unknown>;
}

function builder(ctx: AppContext, settings: XapiSettings): Builder {
  const base = ctx.config.baseUrl;
  return {
    base,
    actor: (userId) => ({
      objectType: 'Agent',
      account: {
        homePage: base,
        name: createHmac('sha256', settings.actorSecret).update(String(userId)).digest('hex'),
      },
    }),
  };
}

const activity = (id: string, type: string, name?: Bilingual) => ({
  objectType: 'Activity',
  id,
  definition: { type, ...(name ? { name: { en: name.en, mn: name.mn } } : {}) },
});

async function enqueue(ctx: AppContext, sourceKey: string, body: Record<string, unknown>) {
  const statementId = uuidFrom(sourceKey);
  try {
    await xapiStatementModel(ctx.db).updateOne(
      { sourceKey },
      {
        $setOnInsert: {
          sourceKey,
          statementId,
          body: { id: statementId, ...body },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: ctx.clock.now(),
        },
      },
      { upsert: true },
    );
    return 1;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    return 0;
  }
}

/** Changes read per query; a window may hold any number of them, read a page at a time. */
export const XAPI_PAGE_SIZE = 500;
/** The open end of the enrolment query (the latest instant a Date holds). */
const FAR_FUTURE = new Date(8.64e15);

/**
 * Scans enrolments and submitted attempts changed since the last checkpoint and queues statements
 * (no other module needs to call us). Keys are unique per event, so an overlapping window is harmless.
 * Every change of the window is read, page by page; the checkpoint moves only after the last page, so
 * a run that stops half-way is done again (the keys keep that from sending anything twice).
 */
export async function queueStatements(ctx: AppContext, options: { pageSize?: number } = {}): Promise<number> {
  const pageSize = options.pageSize ?? XAPI_PAGE_SIZE;
  const settings = await getSettings(ctx);
  if (!settings.enabled || !settings.endpoint) return 0;
  const until = ctx.clock.now();
  const since = new Date((settings.checkpoint ?? settings.enabledAt ?? until).getTime() - OVERLAP_MS);
  const window = { after: since, until };
  const b = builder(ctx, settings);
  const courses = new Map<string, { slug: string; title: Bilingual } | null>();
  const course = async (id: Types.ObjectId) => {
    const k = String(id);
    if (!courses.has(k)) courses.set(k, (await courseLabel(ctx, id)) ?? null);
    return courses.get(k) ?? null;
  };
  const banks = new Map<string, Awaited<ReturnType<typeof courseQuizBank>>>();
  const bank = async (id: Types.ObjectId) => {
    const k = String(id);
    if (!banks.has(k)) banks.set(k, await courseQuizBank(ctx, id));
    return banks.get(k)!;
  };
  const courseActivity = (c: { slug: string; title: Bilingual }) =>
    activity(`${b.base}/xapi/activities/course/${c.slug}`, TYPE.course, c.title);
  let queued = 0;

  const queueEnrolment = async (e: Awaited<ReturnType<typeof enrolmentsActiveIn>>[number]) => {
    const c = await course(e.courseId);
    if (!c) return;
    const actor = b.actor(e.userId);
    if (e.startedAt && e.startedAt > since && e.startedAt <= until)
      queued += await enqueue(ctx, `initialized:${String(e._id)}`, {
        actor,
        verb: { id: VERB.initialized, display: { en: 'initialized' } },
        object: courseActivity(c),
        timestamp: e.startedAt.toISOString(),
      });
    for (const v of e.lessonsViewed ?? []) {
      if (!(v.at > since && v.at <= until)) continue;
      const lesson = await lessonLabel(ctx, v.lessonId);
      if (!lesson) continue;
      queued += await enqueue(ctx, `experienced:${String(e._id)}:${String(v.lessonId)}:${v.version}`, {
        actor,
        verb: { id: VERB.experienced, display: { en: 'experienced' } },
        object: activity(
          `${b.base}/xapi/activities/lesson/${c.slug}/${lesson.slug}`,
          TYPE.lesson,
          lesson.title,
        ),
        context: { contextActivities: { parent: [courseActivity(c)] } },
        timestamp: v.at.toISOString(),
      });
    }
    if (e.completedAt && e.completedAt > since && e.completedAt <= until)
      queued += await enqueue(ctx, `completed:${String(e._id)}`, {
        actor,
        verb: { id: VERB.completed, display: { en: 'completed' } },
        object: courseActivity(c),
        result: { completion: true },
        timestamp: e.completedAt.toISOString(),
      });
  };

  const queueAttempt = async (a: Awaited<ReturnType<typeof attemptsSubmittedIn>>[number]) => {
    const c = await course(a.courseId);
    if (!c) return;
    const actor = b.actor(a.userId);
    const { quizzes, questions } = await bank(a.courseId);
    const quizDoc = quizzes.find((q) => q.key === a.quizKey);
    const quizId = `${b.base}/xapi/activities/quiz/${c.slug}/${encodeURIComponent(a.quizKey)}`;
    const quiz = activity(quizId, TYPE.assessment, quizDoc?.title);
    const at = (a.submittedAt ?? until).toISOString();
    const passed = !!a.passed;
    // A pre-test measures where a learner starts: it is completed, never passed or failed.
    const verb =
      quizDoc?.kind === 'pre'
        ? { id: VERB.completed, display: { en: 'completed' } }
        : { id: passed ? VERB.passed : VERB.failed, display: { en: passed ? 'passed' : 'failed' } };
    const score = { scaled: (a.score ?? 0) / 100, raw: a.score ?? 0, min: 0, max: 100 };
    queued += await enqueue(ctx, `attempt:${String(a._id)}`, {
      actor,
      verb,
      object: quiz,
      result:
        quizDoc?.kind === 'pre' ? { score, completion: true } : { score, success: passed, completion: true },
      context: { contextActivities: { parent: [courseActivity(c)] } },
      timestamp: at,
    });
    for (const r of a.results ?? []) {
      const question = questions.find((q) => q.qid === r.qid) as QuestionShape | undefined;
      const id = `${b.base}/xapi/activities/question/${c.slug}/${r.qid}`;
      queued += await enqueue(ctx, `answer:${String(a._id)}:${r.qid}`, {
        actor,
        verb: { id: VERB.answered, display: { en: 'answered' } },
        object: question
          ? { objectType: 'Activity', id, definition: interactionDefinition(question) }
          : activity(id, TYPE.question),
        result: {
          success: r.correct,
          response: question ? interactionResponse(question, r.chosen) : r.chosen.join('[,]'),
        },
        context: { contextActivities: { parent: [quiz], grouping: [courseActivity(c)] } },
        timestamp: at,
      });
    }
  };

  // Enrolments whose activity moves past `until` while we page still hold events of this window: the
  // query is open-ended, the events are filtered by the window above.
  for (let cursor: Types.ObjectId | undefined; ;) {
    const page = await enrolmentsActiveIn(ctx, { after: since, until: FAR_FUTURE }, pageSize, cursor);
    for (const e of page) await queueEnrolment(e);
    if (page.length < pageSize) break;
    cursor = page.at(-1)!._id;
  }
  for (let cursor: Types.ObjectId | undefined; ;) {
    const page = await attemptsSubmittedIn(ctx, window, pageSize, cursor);
    for (const a of page) await queueAttempt(a);
    if (page.length < pageSize) break;
    cursor = page.at(-1)!._id;
  }
  await xapiSettingsModel(ctx.db).updateOne({ key: 'settings' }, { $set: { checkpoint: until } });
  return queued;
}

const backoff = (attempts: number) => {
  const base = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
  return base + Math.floor(Math.random() * base * 0.2);
};

/** Sends due statements with basic auth and X-Experience-API-Version 1.0.3; retried with backoff. */
export async function sendDueStatements(ctx: AppContext, limit = 200) {
  const settings = await getSettings(ctx);
  if (!settings.enabled || !settings.endpoint) return { sent: 0, failed: 0 };
  const Statements = xapiStatementModel(ctx.db);
  const auth = `Basic ${Buffer.from(`${settings.username ?? ''}:${settings.password ?? ''}`).toString('base64')}`;
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < limit; i++) {
    const now = ctx.clock.now();
    const job = await Statements.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: mongoose.trusted({ $lte: now }) },
      { $set: { nextAttemptAt: new Date(now.getTime() + 5 * 60_000) }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, new: true },
    ).lean();
    if (!job) break;
    let permanent = false;
    let error: string | undefined;
    try {
      const res = await fetch(`${settings.endpoint}/statements`, {
        method: 'POST',
        headers: {
          authorization: auth,
          'x-experience-api-version': '1.0.3',
          'content-type': 'application/json',
        },
        body: JSON.stringify(job.body),
        signal: AbortSignal.timeout(10_000),
        redirect: 'error',
      });
      // 409: the LRS holds a *different* statement under this id (xAPI 1.0.3 §2.2): ours was not
      // stored, so it is not sent; retrying cannot change that, and the admin sees why.
      if (res.status === 409) {
        error = 'LRS 409: it holds another statement with this id';
        permanent = true;
      } else if (!res.ok) {
        error = `LRS ${res.status}`;
        permanent = res.status >= 400 && res.status < 500 && ![401, 403, 408, 429].includes(res.status);
      }
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    }
    if (!error) {
      await Statements.updateOne({ _id: job._id }, { $set: { status: 'sent', sentAt: ctx.clock.now() } });
      sent++;
      continue;
    }
    failed++;
    const dead = permanent || job.attempts >= MAX_ATTEMPTS;
    await Statements.updateOne(
      { _id: job._id },
      {
        $set: {
          status: dead ? 'dead' : 'pending',
          lastError: error,
          nextAttemptAt: new Date(ctx.clock.now().getTime() + backoff(job.attempts)),
        },
      },
    );
  }
  return { sent, failed };
}

export const xapiJob = {
  name: 'interop.xapi',
  intervalMs: 60_000,
  async run(ctx: AppContext) {
    await queueStatements(ctx);
    return sendDueStatements(ctx);
  },
};
