import { z } from 'zod';
import { oid } from '../../../server/db/ids';
import { NotFound } from '../../../server/http/errors';
import { publishedCourses, requirePublishedOutline, getCourseOutline, enrolmentsPage } from '../../learning';
import { certificateByCode } from '../../certificates';
import { openCalls } from '../../grants';
import { Bilingual, dateTime, defineEndpoint, described, iso, named, page, slug, USER_ID } from './endpoint';
import { moreEndpoints } from './endpoints-more';
import { writeEndpoints } from './endpoints-write';
import { callEndpoints } from './endpoints-calls';
import { reviewEndpoints } from './endpoints-reviews';

const courseSummary = named(
  'CourseSummary',
  z.object({ slug: z.string(), title: Bilingual, summary: Bilingual, lessonCount: z.number().int() }),
);

const coreEndpoints = [
  defineEndpoint({
    operationId: 'listCourses',
    method: 'get',
    path: '/courses',
    scope: 'courses:read',
    summary: 'Published courses',
    query: z.strictObject({}),
    response: z.object({ data: z.array(courseSummary) }),
    async handler(ctx) {
      const courses = await publishedCourses(ctx);
      const outlines = await Promise.all(courses.map((c) => getCourseOutline(ctx, c._id)));
      return {
        data: courses.map((c, i) => ({
          slug: c.slug,
          title: c.title,
          summary: c.summary,
          lessonCount: outlines[i]?.lessons.length ?? 0,
        })),
      };
    },
  }),
  defineEndpoint({
    operationId: 'getCourse',
    method: 'get',
    path: '/courses/:slug',
    scope: 'courses:read',
    summary: 'A published course with its objectives and lessons in order',
    params: z.strictObject({ slug }),
    query: z.strictObject({}),
    response: named(
      'Course',
      z.object({
        slug: z.string(),
        title: Bilingual,
        objectives: z.array(z.object({ id: z.string(), label: Bilingual })),
        lessons: z.array(z.object({ slug: z.string(), title: Bilingual, minutes: z.number() })),
      }),
    ),
    async handler(ctx, { params }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      return {
        slug: outline.slug,
        title: outline.title,
        objectives: outline.objectives.map((o) => ({ id: o.id, label: o.label })),
        lessons: outline.lessons.map((l) => ({ slug: l.slug, title: l.title, minutes: l.minutes ?? 0 })),
      };
    },
  }),
  defineEndpoint({
    operationId: 'listEnrolments',
    method: 'get',
    path: '/courses/:slug/enrolments',
    scope: 'progress:read',
    summary: 'Progress of every trainee in a course (pseudonymous ids), paged by cursor',
    params: z.strictObject({ slug }),
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: z
        .string()
        .regex(/^[a-f0-9]{24}$/)
        .optional(),
    }),
    response: page(
      named(
        'Enrolment',
        z.object({
          id: z.string(),
          userId: described(z.string(), USER_ID),
          status: z.enum(['enrolled', 'in_progress', 'completed']),
          lessonsViewed: z.number().int(),
          quizzesPassed: z.array(z.string()),
          startedAt: dateTime().nullable(),
          completedAt: dateTime().nullable(),
        }),
      ),
    ),
    async handler(ctx, { params, query }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      const cursor = query.cursor ? oid(query.cursor) : undefined;
      const rows = await enrolmentsPage(ctx, outline.id, query.limit, cursor);
      return {
        data: rows.map((e) => ({
          id: String(e._id),
          userId: String(e.userId),
          status: e.status,
          lessonsViewed: e.lessonsViewed.length,
          quizzesPassed: e.quizzesPassed,
          startedAt: iso(e.startedAt),
          completedAt: iso(e.completedAt),
        })),
        nextCursor: rows.length === query.limit ? String(rows[rows.length - 1]!._id) : null,
      };
    },
  }),
  defineEndpoint({
    operationId: 'verifyCertificate',
    method: 'get',
    path: '/certificates/:code',
    scope: 'certificates:read',
    summary: 'Verify a certificate by its code; the holder name only when they allow it',
    params: z.strictObject({ code: z.string().max(20) }),
    query: z.strictObject({}),
    response: named(
      'Certificate',
      z.object({
        code: z.string(),
        status: z.enum(['valid', 'revoked']),
        courseTitle: Bilingual,
        issuedAt: dateTime(),
        revokedAt: dateTime().nullable(),
        holderName: z.string().nullable(),
      }),
    ),
    async handler(ctx, { params }) {
      const cert = await certificateByCode(ctx, params.code);
      if (!cert) throw new NotFound();
      return {
        code: cert.code,
        status: cert.revokedAt ? ('revoked' as const) : ('valid' as const),
        courseTitle: cert.courseTitle,
        issuedAt: iso(cert.issuedAt)!,
        revokedAt: iso(cert.revokedAt),
        holderName: cert.showName ? cert.holderName : null,
      };
    },
  }),
  defineEndpoint({
    operationId: 'listOpenCalls',
    method: 'get',
    path: '/calls',
    scope: 'grants:read',
    summary: 'Calls for pitches open now',
    query: z.strictObject({}),
    response: z.object({
      data: z.array(
        named(
          'Call',
          z.object({
            id: z.string(),
            title: Bilingual,
            opensAt: dateTime(),
            closesAt: dateTime(),
            timeZone: z.string(),
            currency: z.string(),
            maxAward: z.number(),
          }),
        ),
      ),
    }),
    async handler(ctx) {
      const calls = await openCalls(ctx);
      return {
        data: calls.map((c) => ({
          id: String(c._id),
          title: c.title,
          opensAt: iso(c.opensAt)!,
          closesAt: iso(c.closesAt)!,
          timeZone: c.timeZone,
          currency: c.currency,
          maxAward: c.maxAward,
        })),
      };
    },
  }),
];

export const endpoints = [
  ...coreEndpoints,
  ...moreEndpoints,
  ...writeEndpoints,
  ...callEndpoints,
  ...reviewEndpoints,
];
