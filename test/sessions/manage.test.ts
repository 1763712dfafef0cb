import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, tokenFor } from '../factories';
import { liveSessionModel, sessionRulesModel } from '../../modules/sessions/model';
import { outboxModel } from '../../modules/notifications/model';
import { buildSession, courseWithTrainer, reload, signInNow } from './helpers';

const T0 = new Date('2026-03-02T03:00:00Z');
let t: TestApp;
const clock = fixedClock(T0);
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const validForm = {
  kind: 'webinar',
  titleEn: 'Media Camp I',
  titleMn: 'Медиа кэмп I',
  startsAt: '2026-03-31T17:00',
  durationMinutes: '120',
  place: '',
  link: 'https://meet.example.org/camp',
  capacity: '25',
};

test('a trainer schedules a session in the course zone: 17:00 Ulaanbaatar is 09:00 UTC', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const agent = await signInNow(t.app, clock, trainer);
  const list = await agent.get('/trainer/sessions').expect(200);
  assert.ok(list.text.includes(`/trainer/sessions/courses/${course.slug}`));
  const page = await agent.get(`/trainer/sessions/courses/${course.slug}/new`).expect(200);
  assert.match(page.text, /Asia\/Ulaanbaatar/);
  const _csrf = await tokenFor(agent, `/trainer/sessions/courses/${course.slug}/new`);
  const res = await agent
    .post(`/trainer/sessions/courses/${course.slug}`)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(303);
  assert.match(res.headers.location!, /^\/trainer\/sessions\/[0-9a-f]{24}\?done=saved$/);
  const saved = await liveSessionModel(t.ctx.db).findOne({ courseId: course._id }).lean();
  assert.ok(saved);
  assert.equal(saved.startsAt.toISOString(), '2026-03-31T09:00:00.000Z');
  assert.equal(saved.endsAt.toISOString(), '2026-03-31T11:00:00.000Z');
  assert.equal(saved.capacity, 25);
  assert.equal(saved.seatsLeft, 25);
  assert.match(saved.checkInCode, /^[A-Z2-9]{6}$/);
  const roster = await agent.get(res.headers.location!.split('?')[0]!).expect(200);
  assert.ok(roster.text.includes(saved.checkInCode), 'the trainer sees the check-in code');
  assert.match(roster.text, /31 Mar 2026, 17:00 \(Asia\/Ulaanbaatar\)/);
});

test('the course zone set by the trainer decides the instant; an unknown zone is refused with the form kept', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/courses/${course.slug}`;
  let _csrf = await tokenFor(agent, path);
  const bad = await agent
    .post(`${path}/rules`)
    .type('form')
    .send({ _csrf, requiredSessions: '2', timeZone: 'Mars/Olympus' })
    .expect(400);
  assert.match(bad.text, /Choose a time zone from the list/);
  assert.match(bad.text, /id="f-requiredSessions"[^>]*value="2"|value="2"[^>]*id="f-requiredSessions"/);
  const badNumber = await agent
    .post(`${path}/rules`)
    .type('form')
    .send({ _csrf, requiredSessions: 'lots', timeZone: 'Asia/Hovd' })
    .expect(400);
  assert.match(badNumber.text, /Enter a number from 0 to 50/);
  assert.match(badNumber.text, /value="lots"/);
  await agent
    .post(`${path}/rules`)
    .type('form')
    .send({ _csrf, requiredSessions: '2', timeZone: 'Asia/Hovd' })
    .expect(303);
  const rules = await sessionRulesModel(t.ctx.db).findOne({ courseId: course._id }).lean();
  assert.equal(rules?.requiredSessions, 2);
  assert.equal(rules?.timeZone, 'Asia/Hovd');
  _csrf = await tokenFor(agent, path);
  await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(303);
  const saved = await liveSessionModel(t.ctx.db).findOne({ courseId: course._id }).lean();
  // Hovd is UTC+7: 17:00 there is 10:00 UTC.
  assert.equal(saved?.startsAt.toISOString(), '2026-03-31T10:00:00.000Z');
  assert.equal(saved?.timeZone, 'Asia/Hovd');
});

test('bad input re-renders the form with 400, every value kept and each error marked', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/courses/${course.slug}`;
  const _csrf = await tokenFor(agent, `${path}/new`);
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ titleEn: '' }, 'titleEn', /This field is required/],
    [{ startsAt: 'tomorrow' }, 'startsAt', /Enter a date and time/],
    [{ startsAt: '2026-02-30T10:00' }, 'startsAt', /Enter a date and time/],
    [{ startsAt: '2026-03-01T10:00' }, 'startsAt', /The start must be in the future/],
    [{ durationMinutes: '5' }, 'durationMinutes', /from 15 to 600 minutes/],
    [{ capacity: '0' }, 'capacity', /from 1 to 1000/],
    [{ link: 'javascript:alert(1)' }, 'link', /web address starting with https/],
    [{ link: '', place: '' }, 'place', /Give a place or a meeting link/],
    [{ kind: 'party' }, 'kind', /Choose workshop or webinar/],
  ];
  for (const [change, field, message] of cases) {
    const sent = { ...validForm, titleEn: 'Kept <title> & "quotes"', ...change };
    const res = await agent
      .post(path)
      .type('form')
      .send({ _csrf, ...sent })
      .expect(400);
    assert.match(res.text, message, field);
    assert.match(res.text, new RegExp(`href="#f-${field}"`), `${field} is linked from the summary`);
    if (field !== 'titleEn')
      assert.ok(res.text.includes('value="Kept &lt;title&gt; &amp; &#34;quotes&#34;"'));
    if (field !== 'kind' && field !== 'place' && field !== 'link')
      assert.match(res.text, new RegExp(`id="f-${field}"[^>]*aria-invalid="true"`));
    if (change.startsAt) assert.ok(res.text.includes(`value="${change.startsAt}"`), 'the typed date is kept');
  }
  assert.equal(await liveSessionModel(t.ctx.db).countDocuments({ courseId: course._id }), 0);
  // Unknown fields are refused, never stored.
  await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm, seatsLeft: '999' })
    .expect(400);
  assert.equal(await liveSessionModel(t.ctx.db).countDocuments({ courseId: course._id }), 0);
});

test("another trainer's course and sessions are 404; a journalist gets 403; anonymous goes to sign-in", async () => {
  const { course } = await courseWithTrainer(t.ctx);
  const session = await buildSession(t.ctx, course._id);
  const other = await courseWithTrainer(t.ctx);
  const stranger = await signInNow(t.app, clock, other.trainer);
  const _csrf = await tokenFor(stranger, '/trainer/sessions');
  const list = await stranger.get('/trainer/sessions').expect(200);
  assert.ok(!list.text.includes(course.slug), 'not listed');
  await stranger.get(`/trainer/sessions/courses/${course.slug}`).expect(404);
  await stranger.get(`/trainer/sessions/courses/${course.slug}/new`).expect(404);
  await stranger
    .post(`/trainer/sessions/courses/${course.slug}`)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(404);
  await stranger.get(`/trainer/sessions/${String(session._id)}`).expect(404);
  await stranger.get(`/trainer/sessions/${String(session._id)}/edit`).expect(404);
  await stranger
    .post(`/trainer/sessions/${String(session._id)}`)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(404);
  await stranger
    .post(`/trainer/sessions/${String(session._id)}/cancel`)
    .type('form')
    .send({ _csrf })
    .expect(404);
  await stranger
    .post(`/trainer/sessions/${String(session._id)}/attendance`)
    .type('form')
    .send({ _csrf })
    .expect(404);
  await stranger.get('/trainer/sessions/not-an-id').expect(404);
  assert.equal((await reload(t.ctx, session._id)).status, 'scheduled');

  const journalist = await signInNow(t.app, clock, await buildUser(t.ctx));
  const jt = await tokenFor(journalist);
  await journalist.get('/trainer/sessions').expect(403);
  await journalist.get(`/trainer/sessions/${String(session._id)}`).expect(403);
  await journalist
    .post(`/trainer/sessions/${String(session._id)}/cancel`)
    .type('form')
    .send({ _csrf: jt })
    .expect(403);

  const admin = await signInNow(t.app, clock, await buildUser(t.ctx, { role: 'admin' }));
  await admin.get(`/trainer/sessions/${String(session._id)}`).expect(200);

  const anon = await (await import('supertest')).default(t.app).get('/trainer/sessions').expect(303);
  assert.match(anon.headers.location!, /^\/login\?next=/);
});

test('editing: capacity below the sign-ups is refused; a new time tells the people signed up', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const people = await Promise.all([1, 2, 3].map(() => buildUser(t.ctx)));
  const session = await buildSession(t.ctx, course._id, {
    capacity: 5,
    seatsLeft: 2,
    registeredIds: people.map((p) => p._id),
    registrations: people.map((p) => ({ userId: p._id, at: T0 })),
    startsAt: new Date('2026-03-31T09:00:00Z'),
    endsAt: new Date('2026-03-31T11:00:00Z'),
  });
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/${String(session._id)}`;
  const form = await agent.get(`${path}/edit`).expect(200);
  assert.ok(form.text.includes('value="2026-03-31T17:00"'), 'the stored instant shows in the course zone');
  const _csrf = await tokenFor(agent, `${path}/edit`);
  const tooSmall = await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm, capacity: '2' })
    .expect(400);
  assert.match(tooSmall.text, /More people have signed up than this number of seats/);
  assert.ok(tooSmall.text.includes('value="2"'));
  assert.equal((await reload(t.ctx, session._id)).capacity, 5);

  await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm, startsAt: '2026-04-01T10:00', capacity: '3' })
    .expect(303);
  const after = await reload(t.ctx, session._id);
  assert.equal(after.capacity, 3);
  assert.equal(after.seatsLeft, 0);
  assert.equal(after.startsAt.toISOString(), '2026-04-01T02:00:00.000Z');
  assert.equal(after.sequence, 1);
  const mails = await outboxModel(t.ctx.db).find({ template: 'sessions/changed' }).lean();
  assert.deepEqual(mails.map((m) => m.to).sort(), people.map((p) => p.email).sort());
  assert.ok(mails.every((m) => m.attachments?.[0]?.content.includes('SEQUENCE:1')));

  // Cancelling: once, before the start; each person told with a cancelling calendar file.
  await agent.post(`${path}/cancel`).type('form').send({ _csrf }).expect(303);
  assert.equal((await reload(t.ctx, session._id)).status, 'cancelled');
  const cancelled = await outboxModel(t.ctx.db).find({ template: 'sessions/cancelled' }).lean();
  assert.equal(cancelled.length, 3);
  assert.ok(cancelled.every((m) => m.attachments?.[0]?.content.includes('STATUS:CANCELLED')));
  await agent.post(`${path}/cancel`).type('form').send({ _csrf }).expect(409);
  const edit = await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(409);
  assert.match(edit.text, /already started or ended/);
});

test('a session that has started can no longer be edited or cancelled', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const session = await buildSession(t.ctx, course._id, { startsAt: new Date(T0.getTime() - 60_000) });
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/${String(session._id)}`;
  const page = await agent.get(path).expect(200);
  assert.ok(!page.text.includes(`${path}/cancel`), 'no cancel button once started');
  const _csrf = await tokenFor(agent, path);
  await agent.post(`${path}/cancel`).type('form').send({ _csrf }).expect(409);
  const res = await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm })
    .expect(409);
  assert.ok(res.text.includes('value="Media Camp I"'), 'the form comes back with what was typed');
});

test('several mistakes are marked in one round, including a start in the past and no place nor link', async () => {
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/courses/${course.slug}`;
  const _csrf = await tokenFor(agent, `${path}/new`);
  const res = await agent
    .post(path)
    .type('form')
    .send({ _csrf, ...validForm, titleMn: '', startsAt: '2026-01-05T10:00', link: '', place: '' })
    .expect(400);
  for (const field of ['titleMn', 'startsAt', 'place'])
    assert.match(res.text, new RegExp(`href="#f-${field}"`), field);
  assert.match(res.text, /The start must be in the future/);
  assert.match(res.text, /Give a place or a meeting link/);
  assert.ok(res.text.includes('value="2026-01-05T10:00"'));
});
