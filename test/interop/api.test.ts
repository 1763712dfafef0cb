import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { importCourses, getCourseBySlug } from '../../modules/learning';
import { enrolmentModel } from '../../modules/learning/model';
import { createApiToken, openApiDocument } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';
import { attemptModel } from '../../modules/quizzes/model';
import { Types } from 'mongoose';

let t: TestApp;
let token: string;
let readOnlyCourses: string;
const doc = openApiDocument('http://127.0.0.1:3000') as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: { 'application/json': { schema: object } } }> }>
  >;
  components: { schemas: Record<string, object>; responses: Record<string, object> };
};
/** A schema of the document, with the document's components in reach of its `$ref`s. */
const withComponents = (schema: object) => ({ ...schema, components: doc.components });
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** Validates a real response body against the document's schema for that path and status. */
function assertMatchesDocument(path: string, status: number, body: unknown) {
  const op = doc.paths[path]?.get;
  assert.ok(op, `documented: ${path}`);
  const response = op.responses[String(status)];
  const schema = response?.content?.['application/json'].schema;
  if (!schema) return; // error responses use the shared Error component, checked below
  const validate = ajv.compile(withComponents(schema));
  assert.ok(validate(body), `${path} ${status}: ${ajv.errorsText(validate.errors)}`);
}

before(async () => {
  t = await buildTestApp();
  await importCourses(t.ctx);
  const admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  token = (
    await createApiToken(t.ctx, admin, 'LMS', [
      'courses:read',
      'progress:read',
      'certificates:read',
      'grants:read',
    ])
  ).secret;
  readOnlyCourses = (await createApiToken(t.ctx, admin, 'Courses only', ['courses:read'])).secret;
});
after(() => t.close());

const api = (path: string, secret = token) =>
  request(t.app).get(`/api/v1${path}`).set('Authorization', `Bearer ${secret}`);

test('the OpenAPI 3.1 document is served and is itself valid JSON Schema where it declares schemas', async () => {
  const res = await request(t.app).get('/api/v1/openapi.json').expect(200);
  assert.equal(res.body.openapi, '3.1.0');
  for (const [path, ops] of Object.entries(res.body.paths as typeof doc.paths)) {
    for (const op of Object.values(ops)) {
      const schema = op.responses['200']?.content?.['application/json'].schema;
      assert.ok(schema, `${path} documents its 200 body`);
      ajv.compile(withComponents(schema));
    }
  }
});

test('every documented route answers with a body that matches the document', async () => {
  const courses = await api('/courses').expect(200);
  assertMatchesDocument('/courses', 200, courses.body);
  assert.equal(courses.body.data[0].slug, 'tip-reporting');
  assert.ok(courses.body.data[0].lessonCount >= 6);

  const course = await api('/courses/tip-reporting').expect(200);
  assertMatchesDocument('/courses/{slug}', 200, course.body);
  assert.equal(course.body.objectives.length, 10);

  const journalist = await buildUser(t.ctx);
  const courseDoc = await getCourseBySlug(t.ctx, 'tip-reporting');
  await enrolmentModel(t.ctx.db).create({
    userId: journalist._id,
    courseId: courseDoc!._id,
    status: 'enrolled',
  });
  const enrolments = await api('/courses/tip-reporting/enrolments?limit=1').expect(200);
  assertMatchesDocument('/courses/{slug}/enrolments', 200, enrolments.body);
  assert.equal(enrolments.body.data.length, 1);

  const calls = await api('/calls').expect(200);
  assertMatchesDocument('/calls', 200, calls.body);

  const missing = await api('/certificates/AAAA-BBBB-CCCC').expect(404);
  const validateError = ajv.compile({
    $ref: '#/components/schemas/Error',
    components: (doc as unknown as { components: object }).components,
  } as object);
  assert.ok(validateError(missing.body), ajv.errorsText(validateError.errors));
});

test('pagination walks every enrolment once with a cursor', async () => {
  const courseDoc = await getCourseBySlug(t.ctx, 'tip-reporting');
  for (let i = 0; i < 5; i++) {
    const u = await buildUser(t.ctx);
    await enrolmentModel(t.ctx.db).create({ userId: u._id, courseId: courseDoc!._id, status: 'enrolled' });
  }
  const total = await enrolmentModel(t.ctx.db).countDocuments({ courseId: courseDoc!._id });
  const seen = new Set<string>();
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const res = await api(
      `/courses/tip-reporting/enrolments?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    ).expect(200);
    for (const e of res.body.data) seen.add(e.id);
    if (!res.body.nextCursor) break;
    cursor = res.body.nextCursor;
  }
  assert.equal(seen.size, total);
});

test('tokens: missing, wrong, revoked or under-scoped tokens are refused with consistent JSON errors', async () => {
  const none = await request(t.app).get('/api/v1/courses').expect(401);
  assert.equal(none.body.error.status, 401);
  await api('/courses', 'umb_not-a-real-token-000000000000').expect(401);
  const scoped = await api('/calls', readOnlyCourses).expect(403);
  assert.equal(scoped.body.error.code, 'interop.api.errors.scope');
  await api('/courses?limit=5').expect(400);
  await api('/courses/Not_A_Slug!').expect(404);
  await api('/courses/no-such-course').expect(404);
});

test('a session cookie alone does not open the API, and admins create and revoke tokens in the UI', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  await agent.get('/api/v1/courses').expect(401);
  const csrf = await tokenFor(agent, '/admin/api-tokens');
  const created = await agent
    .post('/admin/api-tokens')
    .type('form')
    .send({ _csrf: csrf, stepUpSecret: PASSWORD, name: 'Moodle', scopes: 'courses:read' })
    .expect(201);
  const secret = /(umb_[A-Za-z0-9_-]+)/.exec(created.text)![1]!;
  await api('/courses', secret).expect(200);
  const id = /api-tokens\/([a-f0-9]{24})\/revoke/.exec(created.text)![1]!;
  await agent.post(`/admin/api-tokens/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
  await api('/courses', secret).expect(401);
  await agent.post('/admin/api-tokens').type('form').send({ _csrf: csrf, name: '' }).expect(400);
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  await journalist.get('/admin/api-tokens').expect(403);
});

test('lesson, attempts, completion and call pitches match the document; undecided outcomes stay hidden', async () => {
  const lesson = await api('/courses/tip-reporting/lessons/01-what-is-trafficking').expect(200);
  assertMatchesDocument('/courses/{slug}/lessons/{lesson}', 200, lesson.body);
  assert.ok(lesson.body.blocks.every((b: { en: string; mn: string }) => b.en && b.mn));
  await api('/courses/tip-reporting/lessons/no-such-lesson').expect(404);

  const course = await getCourseBySlug(t.ctx, 'tip-reporting');
  const user = await buildUser(t.ctx);
  await attemptModel(t.ctx.db).create({
    quizId: new Types.ObjectId(),
    quizKey: 'pre',
    courseId: course!._id,
    userId: user._id,
    attemptNo: 1,
    status: 'submitted',
    startedAt: new Date(),
    submittedAt: new Date(),
    items: [],
    answers: {},
    score: 64,
    passed: true,
    results: [],
  });
  const attempts = await api('/courses/tip-reporting/attempts?limit=10').expect(200);
  assertMatchesDocument('/courses/{slug}/attempts', 200, attempts.body);
  assert.ok(attempts.body.data.some((a: { score: number }) => a.score === 64));

  const completion = await api('/courses/tip-reporting/completion').expect(200);
  assertMatchesDocument('/courses/{slug}/completion', 200, completion.body);
  assert.equal(
    completion.body.total,
    await enrolmentModel(t.ctx.db).countDocuments({ courseId: course!._id }),
  );

  const callId = new Types.ObjectId();
  const now = new Date();
  await t.ctx.db.collection('calls').insertOne({
    _id: callId,
    title: { en: 'Call', mn: 'Урилга' },
    description: { en: 'd', mn: 'd' },
    themes: [],
    opensAt: now,
    closesAt: now,
    timeZone: 'Asia/Ulaanbaatar',
    currency: 'MNT',
    budgetPool: 10,
    maxAward: 5,
    awardedTotal: 5,
    rubric: [],
    reviewersPerPitch: 2,
    blind: true,
    deadlineMode: 'fixed',
    allowMultiplePitches: false,
    status: 'closed',
    eligibility: {},
  });
  await t.ctx.db.collection('pitches').insertOne({
    callId,
    applicantId: user._id,
    slot: 0,
    status: 'funded',
    title: 'A story',
    themes: [],
    budgetLines: [],
    budgetTotal: 5,
    fileIds: [],
    submittedAt: now,
    decision: { outcome: 'funded', amount: 5, decidedAt: now },
  });
  const pitches = await api(`/calls/${callId}/pitches`).expect(200);
  assertMatchesDocument('/calls/{id}/pitches', 200, pitches.body);
  assert.equal(pitches.body.data[0].status, 'under_review');
  assert.equal(pitches.body.data[0].decision, null);
  await api(`/calls/${new Types.ObjectId()}/pitches`).expect(404);
});

/** Every node of a JSON value, with the key it sits under. */
function* nodes(value: unknown, key = ''): Generator<[string, Record<string, unknown>]> {
  if (!value || typeof value !== 'object') return;
  if (!Array.isArray(value)) yield [key, value as Record<string, unknown>];
  for (const [k, v] of Object.entries(value)) yield* nodes(v, Array.isArray(value) ? key : k);
}

test('the document names its shapes, dates its instants and lets responses grow', () => {
  for (const name of ['Bilingual', 'CourseSummary', 'Course', 'Enrolment', 'Attempt', 'Certificate', 'Call'])
    assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
  const text = JSON.stringify(doc);
  assert.match(text, /"\$ref":"#\/components\/schemas\/Enrolment"/);
  assert.doesNotMatch(text, /#\/\$defs\//, 'no dangling $defs references');
  // Every property ending in "At" is a date-time, with or without null.
  let instants = 0;
  // Request bodies are as strict as the routes (unknown fields refused); responses are not.
  const requests = Object.keys(doc.components.schemas).filter((n) => n.endsWith('Request'));
  assert.ok(requests.length >= 1, 'request bodies are named *Request');
  for (const name of requests)
    assert.equal(
      (doc.components.schemas[name] as { additionalProperties?: unknown }).additionalProperties,
      false,
    );
  const responsesOnly: unknown = JSON.parse(
    JSON.stringify(doc, (k, v: unknown) => (k === 'requestBody' || requests.includes(k) ? undefined : v)),
  );
  for (const [, node] of nodes(responsesOnly)) {
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [name, prop] of Object.entries(props ?? {})) {
      if (!/At$/.test(name)) continue;
      instants++;
      assert.match(JSON.stringify(prop), /"format":"date-time"/, `${name} is a date-time`);
    }
    assert.notEqual(node.additionalProperties, false, 'responses never forbid new fields');
  }
  assert.ok(instants >= 8, `${instants} instants checked`);
  // An additive change (a field a newer server sends) still matches the document.
  const enrolment = ajv.compile(withComponents({ $ref: '#/components/schemas/Enrolment' }));
  const body = {
    id: 'e1',
    userId: 'u1',
    status: 'enrolled',
    lessonsViewed: 0,
    quizzesPassed: [],
    startedAt: null,
    completedAt: '2026-12-04T10:00:00.000Z',
    addedLater: { anything: true },
  };
  assert.ok(enrolment(body), ajv.errorsText(enrolment.errors));
  assert.ok(!enrolment({ ...body, completedAt: '4 Dec 2026' }), 'a date that is not RFC 3339 is refused');
});

test('the document says how to page, what a 429 means and how ids map across API, LTI and xAPI', () => {
  const info = (doc as unknown as { info: { description: string } }).info.description;
  assert.match(info, /nextCursor/);
  assert.match(info, /Retry-After/);
  assert.match(info, /LTI/);
  assert.match(info, /xAPI/);
  const limited = doc.components.responses.RateLimited as { headers: Record<string, unknown> };
  assert.ok(limited.headers['Retry-After']);
  for (const [path, ops] of Object.entries(doc.paths))
    for (const op of Object.values(ops))
      assert.deepEqual(op.responses['429'], { $ref: '#/components/responses/RateLimited' }, path);
  const listEnrolments = doc.paths['/courses/{slug}/enrolments']!.get as unknown as {
    parameters: Array<{ name: string }>;
  };
  assert.deepEqual(listEnrolments.parameters.map((p) => p.name).sort(), ['cursor', 'limit', 'slug']);
});
