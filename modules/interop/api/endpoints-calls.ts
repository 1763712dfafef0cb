import { z } from 'zod';
import { parse } from '../../../server/http/validate';
import { callForm, createCall, getCall, updateCall, type Call } from '../../grants';
import { Bilingual, dateTime, defineEndpoint, described, named, objectId, tokenActor } from './endpoint';

const id = z.string().regex(/^[a-z0-9-]{1,40}$/);
const local = described(
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/),
  "Wall-clock time in the call's timeZone, e.g. 2027-03-01T09:00",
);

/**
 * A call as an integration sends it. The grants module's own form rules check it (the same as the
 * admin's call form): this shape is only mapped onto that form, never judged here.
 */
const CallRequest = named(
  'CallRequest',
  z.strictObject({
    title: z.strictObject({ en: z.string(), mn: z.string() }),
    description: z.strictObject({ en: z.string(), mn: z.string() }).optional(),
    themes: z
      .array(z.strictObject({ id, label: z.strictObject({ en: z.string(), mn: z.string() }) }))
      .max(20),
    opensAt: local,
    closesAt: local,
    timeZone: described(z.string().max(64), 'An IANA time zone, e.g. Asia/Ulaanbaatar'),
    budgetPool: z.number().int().min(0),
    maxAward: z.number().int().min(0),
    courseSlug: described(z.string().max(80), 'Applicants must have completed this course').optional(),
    rubric: z
      .array(
        z.strictObject({
          id,
          label: z.strictObject({ en: z.string(), mn: z.string() }),
          guidance: z.strictObject({ en: z.string(), mn: z.string() }).optional(),
          scaleMax: z.number().int(),
          weight: z.number(),
        }),
      )
      .max(20),
    reviewersPerPitch: z.number().int(),
    blind: z.boolean(),
    deadlineMode: z.enum(['fixed', 'rolling']),
    allowMultiplePitches: z.boolean(),
    version: described(
      z.number().int().min(0),
      'On update: the version read; a newer one is a 409',
    ).optional(),
  }),
  'A call for pitches: the same fields and rules as the admin call form',
);
type CallRequest = z.infer<typeof CallRequest>;

const CallDetail = named(
  'CallDetail',
  z.object({
    id: z.string(),
    status: z.string(),
    version: z.number().int(),
    title: Bilingual,
    opensAt: dateTime(),
    closesAt: dateTime(),
    timeZone: z.string(),
    currency: z.string(),
    budgetPool: z.number(),
    maxAward: z.number(),
    reviewersPerPitch: z.number().int(),
    blind: z.boolean(),
    rubric: z.array(z.object({ id: z.string(), label: Bilingual, scaleMax: z.number(), weight: z.number() })),
  }),
);

/** The flat admin form the grants module checks (strings, as a browser posts them). */
function asCallForm(b: CallRequest) {
  return parse(callForm, {
    titleEn: b.title.en,
    titleMn: b.title.mn,
    descriptionEn: b.description?.en ?? '',
    descriptionMn: b.description?.mn ?? '',
    themeId: b.themes.map((t) => t.id),
    themeLabelEn: b.themes.map((t) => t.label.en),
    themeLabelMn: b.themes.map((t) => t.label.mn),
    opensAt: b.opensAt,
    closesAt: b.closesAt,
    timeZone: b.timeZone,
    budgetPool: String(b.budgetPool),
    maxAward: String(b.maxAward),
    ...(b.courseSlug !== undefined ? { courseSlug: b.courseSlug } : {}),
    rubricId: b.rubric.map((r) => r.id),
    rubricLabelEn: b.rubric.map((r) => r.label.en),
    rubricLabelMn: b.rubric.map((r) => r.label.mn),
    rubricGuidanceEn: b.rubric.map((r) => r.guidance?.en ?? ''),
    rubricGuidanceMn: b.rubric.map((r) => r.guidance?.mn ?? ''),
    rubricScaleMax: b.rubric.map((r) => String(r.scaleMax)),
    rubricWeight: b.rubric.map((r) => String(r.weight)),
    reviewersPerPitch: String(b.reviewersPerPitch),
    ...(b.blind ? { blind: 'on' } : {}),
    deadlineMode: b.deadlineMode,
    ...(b.allowMultiplePitches ? { allowMultiplePitches: 'on' } : {}),
    ...(b.version !== undefined ? { version: String(b.version) } : {}),
  });
}

const detail = (c: Call) => ({
  id: String(c._id),
  status: c.status,
  version: c.__v ?? 0,
  title: c.title,
  opensAt: c.opensAt.toISOString(),
  closesAt: c.closesAt.toISOString(),
  timeZone: c.timeZone,
  currency: c.currency ?? 'MNT',
  budgetPool: c.budgetPool,
  maxAward: c.maxAward,
  reviewersPerPitch: c.reviewersPerPitch,
  blind: c.blind,
  rubric: c.rubric.map((r) => ({ id: r.id, label: r.label, scaleMax: r.scaleMax, weight: r.weight })),
});

/** Calls for pitches created and edited by a programme's own system (drafts; opening stays an admin's). */
export const callEndpoints = [
  defineEndpoint({
    operationId: 'createCall',
    method: 'post',
    path: '/calls',
    scope: 'calls:write',
    status: () => 201,
    summary: 'Create a call for pitches as a draft (an admin opens it)',
    query: z.strictObject({}),
    body: CallRequest,
    response: CallDetail,
    async handler(ctx, { body, token }) {
      return detail(await createCall(ctx, tokenActor(token), asCallForm(body)));
    },
  }),
  defineEndpoint({
    operationId: 'getCall',
    method: 'get',
    path: '/calls/:id',
    scope: 'grants:read',
    summary: 'One call with its rubric and version (for an update)',
    params: z.strictObject({ id: objectId }),
    query: z.strictObject({}),
    response: CallDetail,
    async handler(ctx, { params }) {
      return detail(await getCall(ctx, params.id));
    },
  }),
  defineEndpoint({
    operationId: 'updateCall',
    method: 'put',
    path: '/calls/:id',
    scope: 'calls:write',
    summary: 'Replace a draft or open call (the admin form rules); a closed call or a stale version is a 409',
    params: z.strictObject({ id: objectId }),
    query: z.strictObject({}),
    body: CallRequest,
    response: CallDetail,
    async handler(ctx, { params, body, token }) {
      return detail(await updateCall(ctx, tokenActor(token), params.id, asCallForm(body)));
    },
  }),
];
