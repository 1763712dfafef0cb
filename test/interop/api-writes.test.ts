/**
 * API writes: a programme's own system enrols journalists through a client generated from the
 * OpenAPI document (openapi-typescript types, openapi-fetch), with scoped tokens, strict JSON bodies,
 * Idempotency-Key replays and the token recorded as the actor in the audit log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Types } from 'mongoose';
import { format, resolveConfig } from 'prettier';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCall, buildUser } from '../factories';
import { buildPitch } from '../reviews/factories';
import { importCourses, getCourseBySlug } from '../../modules/learning';
import { createCohort } from '../../modules/learning/cohorts';
import { enrolmentModel } from '../../modules/learning/model';
import { createApiToken, openApiDocument } from '../../modules/interop';
import { revokeApiToken } from '../../modules/interop/api/tokens';
import { sweepIdempotencyKeys } from '../../modules/interop/api/idempotency';
import { toSessionUser } from '../../modules/accounts';
import { listenApi } from './api-client';
import { TYPES_FILE, generatedApiTypes } from './generated/generate';

const clock = fixedClock(new Date('2026-12-05T02:00:00Z'));
let t: TestApp;
let served: Awaited<ReturnType<typeof listenApi>>;
let baseUrl: string;
let secret: string;
let tokenId: string;
let readOnly: string;
let courseId: string;
let cohortId: string;
let admin: ReturnType<typeof toSessionUser>;
const SLUG = 'tip-reporting';

before(async () => {
  t = await buildTestApp({ clock });
  await importCourses(t.ctx);
  admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  const made = await createApiToken(t.ctx, admin, 'Programme CRM', ['enrolments:write', 'courses:read']);
  secret = made.secret;
  tokenId = String(made.token._id);
  readOnly = (await createApiToken(t.ctx, admin, 'Reader', ['courses:read'])).secret;
  courseId = String((await getCourseBySlug(t.ctx, SLUG))!._id);
  const trainer = toSessionUser(await buildUser(t.ctx, { role: 'trainer' }));
  cohortId = String((await createCohort(t.ctx, trainer, { name: 'Darkhan 2026', courseId }))._id);
  served = await listenApi(t);
  baseUrl = served.baseUrl;
});
after(async () => {
  await served?.close();
  await t?.close();
});

const client = (token = secret) => served.client(token);
const audits = (action: string) => t.ctx.db.collection('auditevents').find({ action }).toArray();
const enrolmentsOf = (userId: unknown) => enrolmentModel(t.ctx.db).find({ userId, courseId }).lean();

test('the generated client types are up to date with the document the app serves', async () => {
  const fresh = await format(await generatedApiTypes(), {
    ...(await resolveConfig(TYPES_FILE)),
    filepath: TYPES_FILE,
  });
  assert.equal(readFileSync(TYPES_FILE, 'utf8'), fresh, 'run `npm run api:types`');
  // Each field keeps its own description (describing a shared id schema once leaked onto every use).
  const props = (
    openApiDocument('http://localhost') as {
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    }
  ).components.schemas;
  assert.match(String(props.EnrolmentRequest!.properties.userId!.description), /learner's id/);
  assert.match(String(props.EnrolmentRequest!.properties.cohortId!.description), /cohorts/);
  assert.equal(props.AssignmentRequest!.properties.pitchId!.description, undefined);
});

test('enrol by e-mail, then again (nothing duplicated), then into a cohort by user id; audited as the token', async () => {
  const sara = await buildUser(t.ctx, { email: 'sara@news.example.mn' });
  const api = client();
  const first = await api.POST('/courses/{slug}/enrolments', {
    params: { path: { slug: SLUG } },
    body: { email: 'Sara@News.example.mn' },
  });
  assert.equal(first.response.status, 201);
  assert.equal(first.data?.userId, String(sara._id));
  assert.equal(first.data?.created, true);
  assert.equal(first.data?.cohortId, null);
  assert.equal(first.data?.enrolledAt, '2026-12-05T02:00:00.000Z');

  const again = await api.POST('/courses/{slug}/enrolments', {
    params: { path: { slug: SLUG } },
    body: { userId: String(sara._id), cohortId },
  });
  assert.equal(again.response.status, 200);
  assert.equal(again.data?.created, false);
  assert.equal(again.data?.cohortId, cohortId, 'moved into the cohort');
  assert.equal((await enrolmentsOf(sara._id)).length, 1);

  const events = [...(await audits('enrolment.created')), ...(await audits('enrolment.updated'))].filter(
    (e) => e.targetId === first.data?.id,
  );
  assert.equal(events.length, 2);
  for (const e of events) {
    assert.equal(String(e.actorId), tokenId, 'the token is the actor');
    assert.equal(e.actorRole, 'api-token');
    assert.equal(e.meta?.by, 'Programme CRM');
  }
});

test('refused: bad bodies (each problem named), unknown ids, form posts, missing scope, revoked token', async () => {
  const api = client();
  const post = (body: Record<string, unknown>, slug = SLUG) =>
    api.POST('/courses/{slug}/enrolments', {
      params: { path: { slug } },
      body: body as { email: string },
    });
  const before = await enrolmentModel(t.ctx.db).countDocuments();
  const both = await post({ email: 'a@b.mn', userId: '0'.repeat(24) });
  assert.equal(both.response.status, 400);
  assert.match(JSON.stringify(both.error), /exactly one of userId and email/);
  const unknownField = await post({ email: 'a@b.mn', role: 'admin' });
  assert.equal(unknownField.response.status, 400);
  assert.equal((await post({ email: 'not-an-address' })).response.status, 400);
  assert.equal((await post({ userId: 'xyz' })).response.status, 400);
  assert.equal((await post({ email: 'nobody@nowhere.mn' })).response.status, 404);
  const trainer = await buildUser(t.ctx, { role: 'trainer', email: 'trainer@news.mn' });
  assert.equal(
    (await post({ userId: String(trainer._id) })).response.status,
    404,
    'only journalist accounts are enrolled',
  );
  const someone = await buildUser(t.ctx);
  assert.equal((await post({ userId: String(someone._id), cohortId: '0'.repeat(24) })).response.status, 404);
  assert.equal((await post({ userId: String(someone._id) }, 'no-such-course')).response.status, 404);

  const form = await fetch(`${baseUrl}/courses/${SLUG}/enrolments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `userId=${String(someone._id)}`,
  });
  assert.equal(form.status, 415);

  const noScope = await client(readOnly).POST('/courses/{slug}/enrolments', {
    params: { path: { slug: SLUG } },
    body: { userId: String(someone._id) },
  });
  assert.equal(noScope.response.status, 403);
  assert.match(String(noScope.response.headers.get('www-authenticate')), /insufficient_scope/);
  assert.equal(await enrolmentModel(t.ctx.db).countDocuments(), before, 'nothing was enrolled');

  const spare = await createApiToken(t.ctx, admin, 'Spare', ['enrolments:write']);
  await revokeApiToken(t.ctx, admin, String(spare.token._id));
  const revoked = await client(spare.secret).POST('/courses/{slug}/enrolments', {
    params: { path: { slug: SLUG } },
    body: { userId: String(someone._id) },
  });
  assert.equal(revoked.response.status, 401);
});

test('Idempotency-Key: a retry replays the first answer; another body is a 422; racing requests act once', async () => {
  const api = client();
  const amar = await buildUser(t.ctx);
  const send = (key: string, body: { userId?: string; cohortId?: string }) =>
    api.POST('/courses/{slug}/enrolments', {
      params: { path: { slug: SLUG }, header: { 'Idempotency-Key': key } },
      body,
    });
  const first = await send('crm-001', { userId: String(amar._id) });
  const retry = await send('crm-001', { userId: String(amar._id) });
  assert.equal(first.response.status, 201);
  assert.equal(retry.response.status, 201, 'the first status, not 200 for "already enrolled"');
  assert.deepEqual(retry.data, first.data);
  assert.equal(retry.response.headers.get('idempotent-replayed'), 'true');
  assert.equal(
    (await audits('enrolment.created')).filter((e) => e.targetId === first.data?.id).length,
    1,
    'acted once',
  );
  const other = await send('crm-001', { userId: String(amar._id), cohortId });
  assert.equal(other.response.status, 422);
  assert.equal((await enrolmentsOf(amar._id))[0]!.cohortId, undefined, 'the second body did nothing');

  // Two requests with one key at once: one acts; the other replays it or is told it is in progress.
  const bold = await buildUser(t.ctx);
  const raced = await Promise.all([1, 2].map(() => send('crm-race', { userId: String(bold._id) })));
  assert.deepEqual(
    raced.map((r) => r.response.status).sort(),
    raced.some((r) => r.response.status === 409) ? [201, 409] : [201, 201],
  );
  assert.equal(
    (await audits('enrolment.created')).filter(
      (e) => e.targetId === raced[0]!.data?.id || e.targetId === raced[1]!.data?.id,
    ).length,
    1,
  );

  // A refused write frees its key: fixed, the same key goes through.
  const nobody = await send('crm-002', { userId: '0'.repeat(24) });
  assert.equal(nobody.response.status, 404);
  const fixed = await send('crm-002', { userId: String(bold._id), cohortId });
  assert.equal(fixed.response.status, 200);

  for (const bad of ['', 'has space', 'x'.repeat(256)]) {
    const res = await fetch(`${baseUrl}/courses/${SLUG}/enrolments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${secret}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': bad,
      },
      body: JSON.stringify({ userId: String(bold._id) }),
    });
    assert.equal(res.status, 400, `key ${JSON.stringify(bad.slice(0, 12))}`);
  }

  // Keys are kept a day, then swept by the job (TTL indexes do not expire on the embedded database).
  const kept = () => t.ctx.db.collection('apiidempotentwrites').countDocuments();
  assert.ok((await kept()) >= 3);
  clock.advance(23 * 60 * 60 * 1000);
  assert.equal(await sweepIdempotencyKeys(t.ctx), 0);
  clock.advance(2 * 60 * 60 * 1000);
  assert.ok((await sweepIdempotencyKeys(t.ctx)) >= 3);
  assert.equal(await kept(), 0);
});

test('calls: created as a draft, read, updated against its version; the admin form rules apply', async () => {
  const made = await createApiToken(t.ctx, admin, 'Grants desk', ['calls:write', 'grants:read']);
  const api = client(made.secret);
  const call = {
    title: { en: 'Stories on safe migration', mn: 'Аюулгүй шилжих хөдөлгөөний тухай нийтлэл' },
    themes: [{ id: 'safe-migration', label: { en: 'Safe migration', mn: 'Аюулгүй шилжилт' } }],
    opensAt: '2027-01-10T09:00',
    closesAt: '2027-02-10T18:00',
    timeZone: 'Asia/Ulaanbaatar',
    budgetPool: 30_000_000,
    maxAward: 5_000_000,
    rubric: [
      { id: 'accuracy', label: { en: 'Accuracy', mn: 'Үнэн зөв байдал' }, scaleMax: 5, weight: 2 },
      { id: 'safety', label: { en: 'Safety', mn: 'Аюулгүй байдал' }, scaleMax: 5, weight: 1 },
    ],
    reviewersPerPitch: 2,
    blind: true,
    deadlineMode: 'fixed' as const,
    allowMultiplePitches: false,
  };
  const created = await api.POST('/calls', { body: call });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.equal(created.data?.status, 'draft');
  assert.equal(created.data?.closesAt, '2027-02-10T10:00:00.000Z', '18:00 in Ulaanbaatar (UTC+8)');
  const id = created.data!.id;
  const event = (await audits('call.created')).find((e) => e.targetId === id)!;
  assert.equal(String(event.actorId), String(made.token._id));
  assert.equal(event.actorRole, 'api-token');

  const read = await api.GET('/calls/{id}', { params: { path: { id } } });
  assert.equal(read.data?.version, 0);
  const updated = await api.PUT('/calls/{id}', {
    params: { path: { id } },
    body: { ...call, maxAward: 6_000_000, version: read.data!.version },
  });
  assert.equal(updated.response.status, 200, JSON.stringify(updated.error));
  assert.equal(updated.data?.maxAward, 6_000_000);
  assert.equal(updated.data?.version, 1);
  const stale = await api.PUT('/calls/{id}', {
    params: { path: { id } },
    body: { ...call, maxAward: 1, version: 0 },
  });
  assert.equal(stale.response.status, 409, 'a stale version loses nothing');
  assert.equal((await api.GET('/calls/{id}', { params: { path: { id } } })).data?.maxAward, 6_000_000);

  // The admin form's rules: a title in one language only; an award above the pool and a closing
  // before the opening (each named at once); nothing created.
  const before = await t.ctx.db.collection('calls').countDocuments();
  const oneLanguage = await api.POST('/calls', { body: { ...call, title: { en: 'Only English', mn: '' } } });
  assert.equal(oneLanguage.response.status, 400);
  const detailsOf = (e: unknown) => (e as { error: { details: Record<string, string> } }).error.details;
  assert.ok(detailsOf(oneLanguage.error).titleMn);
  const rules = await api.POST('/calls', {
    body: { ...call, maxAward: 40_000_000, closesAt: '2027-01-01T09:00' },
  });
  assert.equal(rules.response.status, 400);
  assert.ok(Object.keys(detailsOf(rules.error)).length >= 2, JSON.stringify(detailsOf(rules.error)));
  assert.equal(await t.ctx.db.collection('calls').countDocuments(), before);
  assert.equal(
    (await api.POST('/calls', { body: { ...call, status: 'open' } as typeof call })).response.status,
    400,
    'status is never an input',
  );

  // A closed call is no longer edited; without the scope nothing is written at all.
  await t.ctx.db
    .collection('calls')
    .updateOne({ _id: new Types.ObjectId(id) }, { $set: { status: 'closed' } });
  const locked = await api.PUT('/calls/{id}', { params: { path: { id } }, body: { ...call, version: 1 } });
  assert.equal(locked.response.status, 409);
  assert.equal((await client().POST('/calls', { body: call })).response.status, 403);
});

test('assignments: listed without scores or reasons, created and removed under the assignment rules', async () => {
  const made = await createApiToken(t.ctx, admin, 'Review desk', ['assignments:read', 'assignments:write']);
  const api = client(made.secret);
  const call = await buildCall(t.ctx, {}, { closed: true });
  const applicant = await buildUser(t.ctx);
  const pitch = await buildPitch(t.ctx, call, applicant, { status: 'under_review', outlet: 'Darkhan Daily' });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'UB Post' });
  const colleague = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Darkhan Daily' });
  const path = { id: String(call._id) };

  const created = await api.POST('/calls/{id}/assignments', {
    params: { path },
    body: { pitchId: String(pitch._id), reviewerId: String(reviewer._id), dueAt: '2027-02-20' },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.equal(created.data?.status, 'offered');
  assert.equal(created.data?.dueAt, '2027-02-20T15:59:00.000Z', 'the end of that day in Ulaanbaatar');
  const event = (await audits('assignment.created')).find((e) => e.targetId === created.data?.id)!;
  assert.equal(event.actorRole, 'api-token');

  const listed = await api.GET('/calls/{id}/assignments', { params: { path } });
  assert.deepEqual(
    listed.data?.data.map((a) => a.id),
    [created.data!.id],
  );
  assert.doesNotMatch(JSON.stringify(listed.data), /score|comment|conflictReason|applicant/i);

  const again = await api.POST('/calls/{id}/assignments', {
    params: { path },
    body: { pitchId: String(pitch._id), reviewerId: String(reviewer._id) },
  });
  assert.equal(again.response.status, 409, 'already assigned');
  const sameOutlet = await api.POST('/calls/{id}/assignments', {
    params: { path },
    body: { pitchId: String(pitch._id), reviewerId: String(colleague._id) },
  });
  assert.equal(sameOutlet.response.status, 409, 'a reviewer from the pitch’s outlet is a conflict');
  const notReviewer = await api.POST('/calls/{id}/assignments', {
    params: { path },
    body: { pitchId: String(pitch._id), reviewerId: String(applicant._id) },
  });
  assert.equal(notReviewer.response.status, 400);
  const noPitch = await api.POST('/calls/{id}/assignments', {
    params: { path },
    body: { pitchId: '0'.repeat(24), reviewerId: String(reviewer._id) },
  });
  assert.equal(noPitch.response.status, 404);
  assert.equal(
    (await client().GET('/calls/{id}/assignments', { params: { path } })).response.status,
    403,
    'no assignments scope',
  );

  const removed = await api.DELETE('/calls/{id}/assignments/{assignment}', {
    params: { path: { ...path, assignment: created.data!.id } },
  });
  assert.equal(removed.response.status, 200);
  const twice = await api.DELETE('/calls/{id}/assignments/{assignment}', {
    params: { path: { ...path, assignment: created.data!.id } },
  });
  assert.equal(twice.response.status, 404);
  assert.equal((await api.GET('/calls/{id}/assignments', { params: { path } })).data?.data.length, 0);
});
