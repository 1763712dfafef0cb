import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { generateSecret, generateSync } from 'otplib';
import type { AppContext } from '../server/context';
import type { Role } from '../server/types';
import { hashPassword } from '../server/auth/passwords';
import { type User } from '../modules/accounts';
import { userModel } from '../modules/accounts/model';
import { callModel, type Call } from '../modules/grants/model';
import { defaultRubric, defaultThemes } from '../modules/grants/defaults';
import { type Block } from '../modules/learning';
import { courseModel, lessonModel, lessonVersionModel } from '../modules/learning/model';

export const PASSWORD = 'correct-horse-battery-staple';
let hashed: Promise<string> | undefined;

/** A user in one line. Staff roles come with two-step verification already enrolled. */
export async function buildUser(
  ctx: AppContext,
  fields: Partial<Omit<User, '_id'>> & { role?: Role } = {},
): Promise<User & { totpSecret?: string }> {
  hashed ??= hashPassword(PASSWORD);
  const role = fields.role ?? 'journalist';
  const staff = role !== 'journalist';
  const user = await userModel(ctx.db).create({
    email: `${role}-${randomUUID().slice(0, 8)}@example.org`,
    name: `Test ${role}`,
    passwordHash: await hashed,
    status: 'active',
    locale: 'en',
    ...(staff ? { totpSecret: generateSecret(), totpEnabledAt: new Date() } : {}),
    ...fields,
    role,
  });
  return user.toObject();
}

/** The CSRF token from the first hidden _csrf field of a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

/** A supertest agent with a signed-in session (completing the second factor for staff). */
export async function signIn(app: Express, user: User & { totpSecret?: string }, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  if (res.headers.location?.endsWith('/login/2fa')) {
    const form = await agent.get('/login/2fa').expect(200);
    const code = generateSync({ secret: user.totpSecret! });
    const done = await agent
      .post('/login/2fa')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), code });
    if (done.status !== 303) throw new Error(`second factor failed: ${done.status}`);
  }
  return agent;
}

/** A CSRF token for a signed-in agent, taken from any page it can see. */
export async function tokenFor(agent: ReturnType<typeof request.agent>, path = '/account'): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfFrom(page.text);
}

/** Three criteria with different scales and weights, so weighted review scores can be checked by hand. */
const REVIEW_RUBRIC = [
  {
    id: 'relevance',
    label: { en: 'Relevance', mn: 'Хамаарал' },
    guidance: { en: 'Fit', mn: 'Тохирол' },
    scaleMax: 5,
    weight: 2,
  },
  {
    id: 'ethics',
    label: { en: 'Ethics', mn: 'Ёс зүй' },
    guidance: { en: 'Safety', mn: 'Аюулгүй' },
    scaleMax: 5,
    weight: 1,
  },
  {
    id: 'feasibility',
    label: { en: 'Feasibility', mn: 'Боломж' },
    guidance: { en: 'Plan', mn: 'Төлөв' },
    scaleMax: 10,
    weight: 1,
  },
];

/**
 * A call, created through the grants model. By default it is open (by the app's clock) and closes in
 * 20 minutes, with the default themes and rubric and a course required. `closed: true` gives the call
 * reviewing starts from: closed since 1 February 2026, a uniquely titled call with one theme (`tip`),
 * the three-criterion rubric above, a 10 000 MNT pool and no course required. `fields` win over both.
 */
export async function buildCall(
  ctx: AppContext,
  fields: Partial<Call> = {},
  { closed = false }: { closed?: boolean } = {},
): Promise<Call> {
  const now = ctx.clock.now();
  const base = {
    description: { en: 'Stories on safe migration', mn: 'Аюулгүй шилжилт' },
    timeZone: 'Asia/Ulaanbaatar',
    currency: 'MNT' as const,
    maxAward: 5_000_000,
    awardedTotal: 0,
    reviewersPerPitch: 2,
    blind: true,
    deadlineMode: 'fixed' as const,
    allowMultiplePitches: false,
  };
  const preset = closed
    ? {
        title: { en: `Call ${randomUUID().slice(0, 6)}`, mn: 'Уралдаан' },
        description: { en: 'Stories on safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' },
        themes: [{ id: 'tip', label: { en: 'Trafficking', mn: 'Хүний наймаа' } }],
        opensAt: new Date('2026-01-01T00:00:00Z'),
        closesAt: new Date('2026-02-01T00:00:00Z'),
        budgetPool: 10_000,
        maxAward: 5_000,
        eligibility: {},
        rubric: REVIEW_RUBRIC,
        status: 'closed' as const,
      }
    : {
        title: { en: 'Dream Umbrella stories', mn: 'Мөрөөдлийн шүхэр нийтлэл' },
        themes: defaultThemes(),
        opensAt: new Date(now.getTime() - 3600_000),
        closesAt: new Date(now.getTime() + 20 * 60_000),
        budgetPool: 30_000_000,
        eligibility: { courseSlug: 'tip-reporting' },
        rubric: defaultRubric(),
        status: 'open' as const,
      };
  const call = await callModel(ctx.db).create({ ...base, ...preset, ...fields });
  return call.toObject();
}

/**
 * A published course with published lessons (two by default), written straight to the learning models
 * (no content files). Returns the course (with its lessonIds) and the lessons.
 */
export async function buildCourse(
  ctx: AppContext,
  options: {
    lessons?: Array<{ slug?: string; blocks?: Array<Partial<Block>>; hasQuiz?: boolean }>;
    mnDraft?: boolean;
    hasPostTest?: boolean;
    completionRules?: { lessons: boolean; lessonQuizzes: boolean; postTest: boolean };
    title?: { en: string; mn: string };
  } = {},
) {
  const slug = `course-${randomUUID().slice(0, 8)}`;
  const course = await courseModel(ctx.db).create({
    slug,
    title: options.title ?? { en: `Course ${slug}`, mn: `Сургалт ${slug}` },
    summary: { en: 'Summary', mn: 'Хураангуй' },
    objectives: [{ id: 'tip-definition', label: { en: 'Define', mn: 'Тодорхойлох' } }],
    mnDraft: options.mnDraft ?? true,
    status: 'published',
    hasPreTest: false,
    hasPostTest: options.hasPostTest ?? false,
    completionRules: options.completionRules ?? { lessons: true, lessonQuizzes: true, postTest: true },
  });
  const specs = options.lessons ?? [{}, {}];
  const lessons = [];
  for (const [i, spec] of specs.entries()) {
    const blocks = (spec.blocks ?? [{ en: `English text ${i + 1}`, mn: `Монгол бичвэр ${i + 1}` }]).map(
      (b, j) => ({ id: `b${j + 1}`, type: 'markdown' as const, en: '', mn: '', ...b }),
    );
    const content = {
      title: { en: `Lesson ${i + 1}`, mn: `Хичээл ${i + 1}` },
      objectives: ['tip-definition'],
      minutes: 5,
      blocks,
    };
    const lesson = await lessonModel(ctx.db).create({
      courseId: course._id,
      slug: spec.slug ?? `lesson-${i + 1}`,
      ...content,
      status: 'published',
      version: 1,
      publishedAt: new Date(),
      hasQuiz: spec.hasQuiz ?? false,
    });
    await lessonVersionModel(ctx.db).create({
      lessonId: lesson._id,
      courseId: course._id,
      version: 1,
      ...content,
      publishedAt: new Date(),
    });
    lessons.push(lesson.toObject());
  }
  await courseModel(ctx.db).updateOne(
    { _id: course._id },
    { $set: { lessonIds: lessons.map((l) => l._id) } },
  );
  return { course: { ...course.toObject(), lessonIds: lessons.map((l) => l._id) }, lessons };
}
