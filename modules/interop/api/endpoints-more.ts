import { z } from 'zod';
import { oid } from '../../../server/db/ids';
import { NotFound } from '../../../server/http/errors';
import { requirePublishedOutline, completionCounts } from '../../learning';
import { submittedAttemptsPage } from '../../quizzes';
import { applicantStatus, getCall, pitchesForCall } from '../../grants';
import {
  Bilingual,
  dateTime,
  defineEndpoint,
  described,
  iso,
  named,
  objectId,
  page,
  pageOf,
  paging,
  slug,
  USER_ID,
} from './endpoint';

const nextCursor = (rows: Array<{ _id: unknown }>, limit: number) =>
  rows.length === limit ? String(rows[rows.length - 1]!._id) : null;

/** Lessons, attempts, completion figures, and the grant pipeline for integrations. */
export const moreEndpoints = [
  defineEndpoint({
    operationId: 'getLesson',
    method: 'get',
    path: '/courses/:slug/lessons/:lesson',
    scope: 'courses:read',
    summary: 'A published lesson with its blocks in both languages (Markdown source)',
    params: z.strictObject({ slug, lesson: slug }),
    query: z.strictObject({}),
    response: z.object({
      slug: z.string(),
      title: Bilingual,
      objectives: z.array(z.string()),
      version: z.number().int(),
      blocks: z.array(
        z.object({
          id: z.string(),
          type: z.string(),
          en: z.string(),
          mn: z.string(),
          src: z.string().nullable(),
        }),
      ),
    }),
    async handler(ctx, { params }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      const lesson = outline.lessons.find((l) => l.slug === params.lesson);
      if (!lesson) throw new NotFound();
      return {
        slug: lesson.slug,
        title: lesson.title,
        objectives: lesson.objectives,
        version: lesson.version,
        blocks: lesson.blocks.map((b) => ({
          id: b.id,
          type: b.type,
          en: b.en,
          mn: b.mn,
          src: b.src ?? null,
        })),
      };
    },
  }),
  defineEndpoint({
    operationId: 'listAttempts',
    method: 'get',
    path: '/courses/:slug/attempts',
    scope: 'progress:read',
    summary: 'Submitted quiz attempts in a course (pseudonymous user ids), paged by cursor',
    params: z.strictObject({ slug }),
    query: z.strictObject(paging),
    response: page(
      named(
        'Attempt',
        z.object({
          id: z.string(),
          userId: described(z.string(), USER_ID),
          quizKey: z.string(),
          attemptNo: z.number().int(),
          score: z.number(),
          passed: z.boolean(),
          submittedAt: dateTime().nullable(),
        }),
      ),
    ),
    async handler(ctx, { params, query }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      const cursor = query.cursor ? oid(query.cursor) : undefined;
      const rows = await submittedAttemptsPage(ctx, outline.id, query.limit, cursor);
      return {
        data: rows.map((a) => ({
          id: String(a._id),
          userId: String(a.userId),
          quizKey: a.quizKey,
          attemptNo: a.attemptNo,
          score: a.score ?? 0,
          passed: !!a.passed,
          submittedAt: iso(a.submittedAt),
        })),
        nextCursor: nextCursor(rows, query.limit),
      };
    },
  }),
  defineEndpoint({
    operationId: 'getCompletionSummary',
    method: 'get',
    path: '/courses/:slug/completion',
    scope: 'progress:read',
    summary: 'How many trainees are enrolled, in progress and completed',
    params: z.strictObject({ slug }),
    query: z.strictObject({}),
    response: z.object({
      enrolled: z.number().int(),
      inProgress: z.number().int(),
      completed: z.number().int(),
      total: z.number().int(),
    }),
    async handler(ctx, { params }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      const { enrolled, inProgress, completed } = await completionCounts(ctx, outline.id);
      return { enrolled, inProgress, completed, total: enrolled + inProgress + completed };
    },
  }),
  defineEndpoint({
    operationId: 'listCallPitches',
    method: 'get',
    path: '/calls/:id/pitches',
    scope: 'grants:read',
    summary:
      'Submitted pitches of a call with their status and, once released, their decision, paged by cursor',
    params: z.strictObject({ id: objectId }),
    query: z.strictObject(paging),
    response: page(
      z.object({
        id: z.string(),
        title: z.string(),
        status: z.string(),
        themes: z.array(z.string()),
        budgetTotal: z.number(),
        submittedAt: dateTime().nullable(),
        decision: z.object({ outcome: z.string(), amount: z.number() }).nullable(),
      }),
    ),
    async handler(ctx, { params, query }) {
      const call = await getCall(ctx, params.id);
      const pitches = await pitchesForCall(ctx, call._id, [
        'submitted',
        'under_review',
        'shortlisted',
        'funded',
        'declined',
        'waitlisted',
      ]);
      const released = !!call.decisionsReleasedAt;
      const { rows, nextCursor } = pageOf(pitches, query);
      return {
        data: rows.map((p) => ({
          id: String(p._id),
          title: p.title,
          // What the applicant may see: no decision (nor shortlisting) before the release.
          status: applicantStatus(call, p),
          themes: p.themes,
          budgetTotal: p.budgetTotal,
          submittedAt: iso(p.submittedAt),
          decision:
            released && p.decision ? { outcome: p.decision.outcome, amount: p.decision.amount } : null,
        })),
        nextCursor,
      };
    },
  }),
];
