import { z } from 'zod';
import { getCall } from '../../grants';
import { assignManually, assignmentsOfCall, unassign } from '../../reviews';
import { releasedAwardsOfCall } from '../../awards';
import {
  dateTime,
  defineEndpoint,
  described,
  iso,
  named,
  objectId,
  page,
  pageOf,
  paging,
  tokenActor,
} from './endpoint';

/**
 * An assignment as the API shows it: who reviews which pitch and how far they are. Never the scores,
 * comments or the reason of a declared conflict (the reviewer's own words), as on the admin page.
 */
const Assignment = named(
  'Assignment',
  z.object({
    id: z.string(),
    pitchId: z.string(),
    reviewerId: described(z.string(), "The reviewer's user id"),
    status: z.string(),
    dueAt: dateTime().nullable(),
    respondedAt: dateTime().nullable(),
  }),
);
const view = (a: {
  _id: unknown;
  pitchId: unknown;
  reviewerId: unknown;
  status: string;
  dueAt?: Date;
  respondedAt?: Date;
}) => ({
  id: String(a._id),
  pitchId: String(a.pitchId),
  reviewerId: String(a.reviewerId),
  status: a.status,
  dueAt: iso(a.dueAt),
  respondedAt: iso(a.respondedAt),
});

const AssignmentRequest = named(
  'AssignmentRequest',
  z.strictObject({
    pitchId: objectId,
    reviewerId: objectId,
    dueAt: described(
      z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/),
      "A day (the end of it) or a wall-clock time, in the call's time zone",
    ).optional(),
  }),
  'A reviewer for a pitch, under the same rules as the admin assignments page',
);

/** Reviewer assignments and released awards, for a programme's own grant tracking. */
export const reviewEndpoints = [
  defineEndpoint({
    operationId: 'listAssignments',
    method: 'get',
    path: '/calls/:id/assignments',
    scope: 'assignments:read',
    summary: "A call's reviewer assignments (no scores, comments or conflict reasons), paged by cursor",
    params: z.strictObject({ id: objectId }),
    query: z.strictObject(paging),
    response: page(Assignment),
    async handler(ctx, { params, query }) {
      await getCall(ctx, params.id);
      const { rows, nextCursor } = pageOf(await assignmentsOfCall(ctx, params.id), query);
      return { data: rows.map(view), nextCursor };
    },
  }),
  defineEndpoint({
    operationId: 'createAssignment',
    method: 'post',
    path: '/calls/:id/assignments',
    scope: 'assignments:write',
    status: () => 201,
    summary: 'Assign a reviewer to a pitch (reviewer role, outlet conflicts and duplicates are refused)',
    params: z.strictObject({ id: objectId }),
    query: z.strictObject({}),
    body: AssignmentRequest,
    response: Assignment,
    async handler(ctx, { params, body, token }) {
      return view(await assignManually(ctx, tokenActor(token), params.id, body));
    },
  }),
  defineEndpoint({
    operationId: 'deleteAssignment',
    method: 'delete',
    path: '/calls/:id/assignments/:assignment',
    scope: 'assignments:write',
    summary: 'Remove an assignment whose review is not submitted',
    params: z.strictObject({ id: objectId, assignment: objectId }),
    query: z.strictObject({}),
    response: z.object({ removed: z.literal(true) }),
    async handler(ctx, { params, token }) {
      await unassign(ctx, tokenActor(token), params.id, params.assignment);
      return { removed: true as const };
    },
  }),
  defineEndpoint({
    operationId: 'listAwards',
    method: 'get',
    path: '/calls/:id/awards',
    scope: 'decisions:read',
    summary: "A call's awards and their milestones, paged by cursor — empty until the decisions are released",
    params: z.strictObject({ id: objectId }),
    query: z.strictObject(paging),
    response: page(
      named(
        'Award',
        z.object({
          id: z.string(),
          pitchId: z.string(),
          amount: z.number(),
          status: z.string(),
          milestones: z.array(z.object({ key: z.string(), at: dateTime() })),
          tranches: z.array(z.object({ key: z.string(), amount: z.number(), paidAt: dateTime().nullable() })),
          publishedAt: dateTime().nullable(),
        }),
      ),
    ).extend({ released: z.boolean() }),
    async handler(ctx, { params, query }) {
      const call = await getCall(ctx, params.id);
      if (!call.decisionsReleasedAt) return { released: false, data: [], nextCursor: null };
      // The awards module checks the release again itself: it never hands out an unreleased award.
      const { rows, nextCursor } = pageOf(await releasedAwardsOfCall(ctx, params.id), query);
      return {
        released: true,
        nextCursor,
        data: rows.map((a) => ({
          id: String(a._id),
          pitchId: String(a.pitchId),
          amount: a.amount,
          status: a.status,
          milestones: a.milestones.map((m) => ({ key: m.key, at: m.at.toISOString() })),
          tranches: a.tranches.map((tr) => ({ key: tr.key, amount: tr.amount, paidAt: iso(tr.paidAt) })),
          publishedAt: iso(a.publishedAt),
        })),
      };
    },
  }),
];
