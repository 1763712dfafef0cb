import { z } from 'zod';
import { enrolJournalist, requirePublishedOutline } from '../../learning';
import {
  dateTime,
  defineEndpoint,
  described,
  iso,
  named,
  objectId,
  slug,
  tokenActor,
  USER_ID,
} from './endpoint';

/** Who to enrol: an account by its API user id, or an existing journalist account by e-mail. */
const EnrolmentRequest = named(
  'EnrolmentRequest',
  z
    .strictObject({
      userId: described(objectId, USER_ID).optional(),
      email: z.email().max(254).optional(),
      cohortId: described(objectId, "One of the course's cohorts; the trainee joins it").optional(),
    })
    .refine((b) => !!b.userId !== !!b.email, { message: 'Give exactly one of userId and email' }),
  'An enrolment to make: one of userId or email, and optionally a cohort of the course',
);

const EnrolmentResult = named(
  'EnrolmentResult',
  z.object({
    id: z.string(),
    userId: described(z.string(), USER_ID),
    course: z.string(),
    cohortId: z.string().nullable(),
    status: z.enum(['enrolled', 'in_progress', 'completed']),
    enrolledAt: dateTime().nullable(),
    created: described(z.boolean(), 'False when the person was already enrolled (nothing duplicated)'),
  }),
);

/** Writes a programme's own systems make (each idempotent with an Idempotency-Key; each audited). */
export const writeEndpoints = [
  defineEndpoint({
    operationId: 'enrolInCourse',
    method: 'post',
    path: '/courses/:slug/enrolments',
    scope: 'enrolments:write',
    status: (r) => (r.created ? 201 : 200),
    summary: 'Enrol a journalist in a published course, optionally into one of its cohorts',
    params: z.strictObject({ slug }),
    query: z.strictObject({}),
    body: EnrolmentRequest,
    response: EnrolmentResult,
    async handler(ctx, { params, body, token }) {
      const outline = await requirePublishedOutline(ctx, params.slug);
      const { enrolment, userId, created } = await enrolJournalist(
        ctx,
        tokenActor(token),
        { userId: body.userId, email: body.email },
        outline.id,
        body.cohortId,
      );
      return {
        id: String(enrolment._id),
        userId,
        course: outline.slug,
        cohortId: enrolment.cohortId ? String(enrolment.cohortId) : null,
        status: enrolment.status,
        enrolledAt: iso(enrolment.enrolledAt),
        created,
      };
    },
  }),
];
