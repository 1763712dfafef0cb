import { generateSecret, generateSync } from 'otplib';
import { Types } from 'mongoose';
import { hashPassword } from '../server/auth/passwords';
import type { AppContext } from '../server/context';
import { userModel } from '../modules/accounts/model';
import { getOutlineBySlug } from '../modules/learning';
import { seedCourses } from '../modules/learning/jobs';
import { createDeclaredIndexes } from './indexes';
import { attemptModel, type Question, type Quiz } from '../modules/quizzes/model';
import { itemFor } from '../modules/quizzes/draw';
import { generateLarge } from './generate-large';
import { buildMissingTestRecords } from '../modules/quizzes/test-records';

/** One autocannon request, rewritten before it is sent (each quiz submit posts a different attempt). */
export interface BenchRequest {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: BenchRequest) => BenchRequest;
}

export interface BenchTarget {
  name: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: BenchRequest[];
  /** Stop after this many requests (each one consumes prepared data) instead of after `duration`. */
  amount?: number;
  /** Checked after the run: e.g. every prepared attempt graded exactly once. */
  verify?: () => Promise<string>;
}

const PASSWORD = 'bench-password-2026';

/**
 * What a browser sends with every request: the app compresses what it answers (brotli here), and that
 * work is part of what a page costs. (The floor and the ceiling compress nothing, as issue 20 set them.)
 */
export const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd' } as const;

export function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.includes('.sid='));
  if (!set) throw new Error(`no session cookie (status ${res.status} ${res.headers.get('location')})`);
  return set.split(';')[0]!;
}

async function csrfOf(url: string, cookie: string, path: string): Promise<string> {
  const page = await fetch(`${url}${path}`, { headers: { cookie } });
  const m = /name="_csrf" value="([^"]+)"/.exec(await page.text());
  if (!m) throw new Error(`no CSRF token on ${path} (status ${page.status})`);
  return m[1]!;
}

/**
 * Signs a user in over HTTP, as a browser would: login form, password, and for staff the TOTP step
 * with a code computed from their secret. Returns the session cookie and a CSRF token of that session.
 */
export async function signIn(
  url: string,
  email: string,
  totpSecret?: string,
): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${url}/login`);
  let cookie = cookieOf(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }),
  });
  if (res.status !== 303) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  cookie = cookieOf(res);
  if (totpSecret) {
    const token = await csrfOf(url, cookie, '/login/2fa');
    const second = await fetch(`${url}/login/2fa`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, code: generateSync({ secret: totpSecret }) }),
    });
    if (second.status !== 303) throw new Error(`second factor of ${email} failed: ${second.status}`);
    cookie = cookieOf(second);
  }
  return { cookie, csrf: await csrfOf(url, cookie, '/account') };
}

export interface DataSetOptions {
  /** 1 = the full large data set (10,000 trainees, 100,000 attempts, 1,000 pitches). */
  scale: number;
  log?: (msg: string) => void;
}

/**
 * Fills the database with the reports engineer's large data set (scaled), then imports the shipped
 * course over it so the trainee pages show real, published lessons and quizzes.
 */
export async function prepareDataSet(ctx: AppContext, o: DataSetOptions) {
  const started = performance.now();
  const generated = await generateLarge(ctx.db, {
    trainees: Math.max(100, Math.round(10_000 * o.scale)),
    attemptsPerTrainee: 10,
    pitches: Math.max(40, Math.round(1_000 * o.scale)),
    batch: 2000,
    log: o.log,
  });
  // The generated course has no status; the shipped import keeps the same slug and adds real lessons.
  await ctx.db.collection('courses').updateOne({ slug: 'tip-reporting' }, { $set: { status: 'published' } });
  await seedCourses(ctx);
  // The generated calls and pitches carry only what the reports read; the reviewer's page also needs
  // a rubric, dates and the pitch's text, as a call made in the app would have.
  const rubric = ['c1', 'c2', 'c3', 'c4'].map((id, i) => ({
    id,
    label: { en: `Criterion ${i + 1}`, mn: `Шалгуур ${i + 1}` },
    guidance: { en: 'How well the pitch meets this criterion.', mn: 'Энэ шалгуурыг хэр хангаж буй.' },
    scaleMax: 5,
    weight: i === 0 ? 2 : 1,
  }));
  await ctx.db.collection('calls').updateMany(
    {},
    {
      $set: {
        rubric,
        blind: true,
        reviewersPerPitch: 3,
        description: { en: 'A story grant call.', mn: 'Сэтгүүлзүйн тэтгэлгийн зарлал.' },
        opensAt: new Date(Date.UTC(2026, 0, 1)),
        closesAt: new Date(Date.UTC(2026, 1, 1)),
        timeZone: 'Asia/Ulaanbaatar',
        maxAward: 5000,
        deadlineMode: 'fixed',
        allowMultiplePitches: false,
      },
    },
  );
  const words = 'Safe migration stories from Darkhan-Uul: how recruiters reach young women online. ';
  await ctx.db.collection('pitches').updateMany(
    {},
    {
      $set: {
        title: 'Recruited online: the road from Darkhan to Erenhot',
        summary: words.repeat(8),
        angle: words.repeat(3),
        audience: 'Women 18–27 and their parents in Ulaanbaatar and Darkhan-Uul.',
        format: 'Long-form article with photos',
        ethicsPlan: words.repeat(4),
        timeline: 'Four weeks of reporting, one of editing.',
        budgetLines: [
          { item: 'Travel', amount: 800 },
          { item: 'Translation', amount: 400 },
        ],
      },
    },
  );
  await createDeclaredIndexes(ctx.db);
  // What the start-up job does for attempts stored before test records existed.
  await buildMissingTestRecords(ctx);
  o.log?.(`data set ready in ${Math.round(performance.now() - started)} ms`);
  return generated;
}

async function benchUser(
  ctx: AppContext,
  fields: { email: string; name: string; role: string; locale?: string },
  staff = false,
) {
  const totpSecret = staff ? generateSecret() : undefined;
  const doc = await userModel(ctx.db).create({
    status: 'active',
    locale: 'mn',
    ...fields,
    passwordHash: await hashPassword(PASSWORD),
    ...(staff ? { totpSecret, totpEnabledAt: ctx.clock.now() } : {}),
  });
  return { id: doc._id as Types.ObjectId, email: fields.email, totpSecret };
}

/**
 * Started attempts of the course's first lesson quiz, `perUser` for each trainee, ready to be submitted
 * once each. The form answers every single-choice question with its first shown option.
 */
async function preparedAttempts(ctx: AppContext, users: Types.ObjectId[], perUser: number) {
  const course = (await ctx.db.collection('courses').findOne({ slug: 'tip-reporting' }))!;
  // The shipped lesson quizzes have question ids (the generated ones do not).
  const quiz = (await ctx.db
    .collection<Quiz>('quizzes')
    .findOne({ courseId: course._id, kind: 'lesson', 'questionIds.0': { $exists: true } }))!;
  const questions = await ctx.db
    .collection<Question>('questions')
    .find({ courseId: course._id, qid: { $in: quiz.questionIds } })
    .toArray();
  const drawn = questions.slice(0, quiz.draw || questions.length);
  const now = ctx.clock.now();
  const docs = users.flatMap((userId) =>
    Array.from({ length: perUser }, (_, i) => ({
      quizId: quiz._id,
      quizKey: quiz.key,
      courseId: quiz.courseId,
      userId,
      attemptNo: i + 1,
      status: 'started' as const,
      startedAt: now,
      items: drawn.map((q) => itemFor(q)),
      answers: {},
    })),
  );
  const Attempts = attemptModel(ctx.db);
  const ids: Types.ObjectId[] = [];
  for (let i = 0; i < docs.length; i += 1000) {
    const inserted = await Attempts.insertMany(docs.slice(i, i + 1000), { lean: true });
    ids.push(...inserted.map((d) => d._id as Types.ObjectId));
  }
  const forms = docs.map((d, i) => {
    const form = new URLSearchParams();
    for (const item of d.items)
      if (item.type === 'single' || item.type === 'true-false')
        form.append(`q.${item.qid}`, item.optionOrder[0]!);
    form.append('confirmBlank', 'on');
    return { id: String(ids[i]), userId: String(d.userId), form };
  });
  return { quizKey: quiz.key, forms };
}

export interface TargetOptions {
  /** How many quiz submits to prepare (and then send). */
  submits: number;
}

/** The admin's page among the targets: its session also times the reports (bench/report-requests.ts). */
export const ADMIN_PAGE = 'completion report (admin)';

/** The pages measured, with whatever data and sessions they need. */
export async function benchTargets(ctx: AppContext, url: string, o: TargetOptions): Promise<BenchTarget[]> {
  const journalist = await benchUser(ctx, {
    email: 'bench-journalist@example.org',
    name: 'Bench Journalist',
    role: 'journalist',
  });
  const trainee = await signIn(url, journalist.email);
  const outline = (await getOutlineBySlug(ctx, 'tip-reporting'))!;
  const lesson = (outline.lessons[1] ?? outline.lessons[0]!).slug;
  // Part-way through the course, as a real trainee on the dashboard: enrolled, one lesson read.
  for (const page of ['/learn/tip-reporting', `/learn/tip-reporting/${lesson}`]) {
    const res = await fetch(url + page, { headers: { cookie: trainee.cookie } });
    if (res.status !== 200) throw new Error(`${page} answered ${res.status}`);
    await res.arrayBuffer();
  }

  // Admin for the completion report.
  const admin = await benchUser(
    ctx,
    { email: 'bench-admin@example.org', name: 'Bench Admin', role: 'admin', locale: 'en' },
    true,
  );
  const adminSession = await signIn(url, admin.email, admin.totpSecret);

  // A generated reviewer with an accepted assignment: give them a password and a second factor.
  const assignment = (await ctx.db.collection('assignments').findOne({ status: 'accepted' }))!;
  const reviewerSecret = generateSecret();
  const reviewer = (await ctx.db.collection('users').findOneAndUpdate(
    { _id: assignment.reviewerId },
    {
      $set: {
        passwordHash: await hashPassword(PASSWORD),
        totpSecret: reviewerSecret,
        totpEnabledAt: ctx.clock.now(),
      },
    },
    { returnDocument: 'after' },
  ))!;
  const reviewerSession = await signIn(url, reviewer.email as string, reviewerSecret);

  // Quiz submits: 10 trainees, each with submits/10 started attempts; every POST submits the next one.
  const submitters = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      benchUser(ctx, {
        email: `bench-submit${i}@example.org`,
        name: `Bench Submitter ${i}`,
        role: 'journalist',
      }),
    ),
  );
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  for (const s of submitters) sessions.set(String(s.id), await signIn(url, s.email));
  const perUser = Math.ceil(o.submits / submitters.length);
  const { forms } = await preparedAttempts(
    ctx,
    submitters.map((s) => s.id),
    perUser,
  );
  // Interleave users so parallel submits rarely share an enrolment document.
  const order = Array.from({ length: perUser }, (_, k) =>
    submitters.map((_s, u) => forms[u * perUser + k]!),
  ).flat();
  let next = 0;
  const submit: BenchRequest = {
    method: 'POST',
    setupRequest: (req) => {
      const f = order[next++ % order.length]!;
      const s = sessions.get(f.userId)!;
      const body = new URLSearchParams(f.form);
      body.set('_csrf', s.csrf);
      return {
        ...req,
        method: 'POST',
        path: `/quizzes/attempts/${f.id}/submit`,
        headers: { ...BROWSER, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      };
    },
  };
  const attemptIds = order.map((f) => new Types.ObjectId(f.id));

  return [
    { name: 'livez (no db)', path: '/livez', headers: { ...BROWSER } },
    { name: 'dashboard /learn', path: '/learn', headers: { ...BROWSER, cookie: trainee.cookie } },
    {
      name: `lesson /learn/tip-reporting/${lesson}`,
      path: `/learn/tip-reporting/${lesson}`,
      headers: { ...BROWSER, cookie: trainee.cookie },
    },
    {
      name: 'quiz submit (POST, each a new attempt)',
      path: '/',
      requests: [submit],
      amount: order.length,
      verify: async () => {
        const graded = await ctx.db.collection('attempts').countDocuments({
          _id: { $in: attemptIds },
          status: 'submitted',
          score: { $exists: true },
        });
        return `${graded}/${attemptIds.length} prepared attempts graded`;
      },
    },
    {
      name: 'reviewer pitch page',
      path: `/reviews/${String(assignment._id)}`,
      headers: { ...BROWSER, cookie: reviewerSession.cookie },
    },
    {
      name: ADMIN_PAGE,
      path: '/reports/completion?course=tip-reporting',
      headers: { ...BROWSER, cookie: adminSession.cookie },
    },
  ];
}
