import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, tokenFor } from '../factories';
import { outboxModel } from '../../modules/notifications/model';
import { signUp } from '../../modules/sessions/service-attend';
import { getCourseOutline } from '../../modules/learning';
import { trusted } from '../../server/db/ids';
import { buildSession, courseWithTrainer, parseCalendar, reload, signInNow } from './helpers';

const T0 = new Date('2026-03-02T03:00:00Z');
let t: TestApp;
const clock = fixedClock(T0);
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const sessionUser = (u: { _id: unknown; email: string; name: string }) => ({
  id: String(u._id),
  role: 'journalist' as const,
  email: u.email,
  name: u.name,
});

test('the course page lists upcoming sessions; a trainee signs up, gets a confirmation with an .ics, cancels', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const session = await buildSession(t.ctx, course._id, { capacity: 3, seatsLeft: 3 });
  const past = await buildSession(t.ctx, course._id, {
    title: { en: 'Already over', mn: 'Дууссан' },
    startsAt: new Date(T0.getTime() - 3 * 3600_000),
    endsAt: new Date(T0.getTime() - 2 * 3600_000),
  });
  const user = await buildUser(t.ctx, { name: 'Saraa' });
  const agent = await signInNow(t.app, clock, user);
  const page = await agent.get(`/learn/${course.slug}`).expect(200);
  assert.match(page.text, /Live sessions/);
  assert.ok(page.text.includes(`/sessions/${String(session._id)}`));
  assert.ok(!page.text.includes(`/sessions/${String(past._id)}`), 'sessions that ended are not offered');
  assert.match(page.text, /3 of 3 seats left/);

  const path = `/sessions/${String(session._id)}`;
  const before = await agent.get(path).expect(200);
  assert.ok(!before.text.includes('meet.example.org'), 'the meeting link waits for the sign-up');
  assert.match(before.text, /The meeting link is shown once you sign up/);
  const _csrf = await tokenFor(agent, path);
  const res = await agent.post(`${path}/sign-up`).type('form').send({ _csrf }).expect(303);
  assert.equal(res.headers.location, `${path}?done=signed-up`);
  const afterPage = await agent.get(res.headers.location).expect(200);
  assert.match(afterPage.text, /You are signed up/);
  assert.ok(afterPage.text.includes('href="https://meet.example.org/media-camp"'));
  let stored = await reload(t.ctx, session._id);
  assert.equal(stored.seatsLeft, 2);
  assert.deepEqual(stored.registeredIds.map(String), [String(user._id)]);

  const mail = await outboxModel(t.ctx.db).findOne({ template: 'sessions/confirmed', to: user.email }).lean();
  assert.ok(mail);
  assert.equal(mail.subject, 'You are signed up: Media Camp I');
  assert.match(mail.text, /4 Mar 2026, 11:00 \(Asia\/Ulaanbaatar\)/);
  const ics = parseCalendar(mail.attachments![0]!.content);
  assert.equal(mail.attachments![0]!.filename, `session-${String(session._id)}.ics`);
  assert.equal(ics.start?.iso, '2026-03-04T03:00:00.000Z');
  assert.equal(ics.end?.iso, '2026-03-04T04:30:00.000Z');
  assert.equal(ics.summary, 'Media Camp I');
  assert.equal(ics.url, 'https://meet.example.org/media-camp');
  assert.equal(ics.uid, `session-${String(session._id)}@127.0.0.1:3000`);

  // A second sign-up (double submit) takes no second seat and sends no second e-mail.
  await agent.post(`${path}/sign-up`).type('form').send({ _csrf }).expect(303);
  stored = await reload(t.ctx, session._id);
  assert.equal(stored.seatsLeft, 2);
  assert.equal(stored.registeredIds.length, 1);
  assert.equal(await outboxModel(t.ctx.db).countDocuments({ template: 'sessions/confirmed' }), 1);

  // The download link gives the same event, with the link for someone signed up.
  const file = await agent.get(`${path}/calendar.ics`).expect(200);
  assert.match(String(file.headers['content-type']), /^text\/calendar/);
  assert.match(
    String(file.headers['content-disposition']),
    /^attachment; filename="session-[0-9a-f]{24}\.ics"$/,
  );
  assert.equal(parseCalendar(file.text).url, 'https://meet.example.org/media-camp');

  await agent.post(`${path}/cancel`).type('form').send({ _csrf }).expect(303);
  stored = await reload(t.ctx, session._id);
  assert.equal(stored.seatsLeft, 3);
  assert.deepEqual(stored.registeredIds, []);
  assert.deepEqual(stored.registrations, []);
  // Not signed up: the calendar file points at the session page, not the meeting.
  const anonFile = await agent.get(`${path}/calendar.ics`).expect(200);
  assert.equal(parseCalendar(anonFile.text).url, `http://127.0.0.1:3000${path}`);
  assert.ok(!anonFile.text.includes('meet.example.org'));
});

test('a full session refuses with 409 on its page; a past or cancelled one too; unknown ids are 404', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const taken = await buildUser(t.ctx);
  const full = await buildSession(t.ctx, course._id, {
    capacity: 1,
    seatsLeft: 0,
    registeredIds: [taken._id],
    registrations: [{ userId: taken._id, at: T0 }],
  });
  const started = await buildSession(t.ctx, course._id, { startsAt: new Date(T0.getTime() - 60_000) });
  const cancelled = await buildSession(t.ctx, course._id, { status: 'cancelled' });
  const agent = await signInNow(t.app, clock, await buildUser(t.ctx));
  const _csrf = await tokenFor(agent, `/learn/${course.slug}`);
  const fullPage = await agent.get(`/sessions/${String(full._id)}`).expect(200);
  assert.match(fullPage.text, /Full: no seats left/);
  assert.ok(!fullPage.text.includes('/sign-up"'), 'no sign-up button when full');
  const cases: Array<[string, RegExp]> = [
    [String(full._id), /Sorry, this session is full/],
    [String(started._id), /already started or ended/],
    [String(cancelled._id), /This session was cancelled/],
  ];
  for (const [id, message] of cases) {
    const res = await agent.post(`/sessions/${id}/sign-up`).type('form').send({ _csrf }).expect(409);
    assert.match(res.text, message);
    assert.match(res.text, /role="alert"/);
  }
  assert.equal((await reload(t.ctx, full._id)).seatsLeft, 0);
  assert.equal((await reload(t.ctx, started._id)).registeredIds.length, 0);
  await agent.post('/sessions/0123456789abcdef01234567/sign-up').type('form').send({ _csrf }).expect(404);
  await agent.post('/sessions/nope/sign-up').type('form').send({ _csrf }).expect(404);
  await agent.get('/sessions/0123456789abcdef01234567').expect(404);
  // Unknown fields and no CSRF token are refused.
  await agent
    .post(`/sessions/${String(full._id)}/sign-up`)
    .type('form')
    .send({ _csrf, seatsLeft: 5 })
    .expect(400);
  await agent
    .post(`/sessions/${String(full._id)}/sign-up`)
    .type('form')
    .send({})
    .expect(403);
  // Cancelling after the start is refused; the seat stays taken.
  const late = await buildUser(t.ctx);
  const lateStarted = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() - 60_000),
    registeredIds: [late._id],
    registrations: [{ userId: late._id, at: T0 }],
    seatsLeft: 9,
  });
  const lateAgent = await signInNow(t.app, clock, late);
  const lt = await tokenFor(lateAgent, `/sessions/${String(lateStarted._id)}`);
  const refused = await lateAgent
    .post(`/sessions/${String(lateStarted._id)}/cancel`)
    .type('form')
    .send({ _csrf: lt })
    .expect(409);
  assert.match(refused.text, /already started or ended/);
  assert.equal((await reload(t.ctx, lateStarted._id)).seatsLeft, 9);
});

test('staff cannot sign up (403); a session of an unpublished course is 404 to trainees', async () => {
  clock.set(T0);
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const session = await buildSession(t.ctx, course._id);
  const staff = await signInNow(t.app, clock, trainer);
  const st = await tokenFor(staff, `/sessions/${String(session._id)}`);
  await staff
    .post(`/sessions/${String(session._id)}/sign-up`)
    .type('form')
    .send({ _csrf: st })
    .expect(403);
  await t.ctx.db.collection('courses').updateOne({ _id: course._id }, { $set: { status: 'draft' } });
  const { invalidateCourse } = await import('../../modules/learning/outline');
  await invalidateCourse(t.ctx, course._id);
  const trainee = await signInNow(t.app, clock, await buildUser(t.ctx));
  await trainee.get(`/sessions/${String(session._id)}`).expect(404);
  await trainee.get(`/sessions/${String(session._id)}/calendar.ics`).expect(404);
});

test('30 people racing for 5 seats: exactly 5 get in, 25 are told it is full, seats never go below 0', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const outline = (await getCourseOutline(t.ctx, course._id))!;
  const session = await buildSession(t.ctx, course._id, { capacity: 5, seatsLeft: 5 });
  const people = await Promise.all(Array.from({ length: 30 }, () => buildUser(t.ctx)));
  // Each person also double-submits: 60 parallel requests.
  const results = await Promise.allSettled(
    people.flatMap((p) => [
      signUp(t.ctx, sessionUser(p), session, outline),
      signUp(t.ctx, sessionUser(p), session, outline),
    ]),
  );
  const stored = await reload(t.ctx, session._id);
  assert.equal(stored.seatsLeft, 0);
  assert.equal(stored.registeredIds.length, 5);
  assert.equal(new Set(stored.registeredIds.map(String)).size, 5, 'nobody holds two seats');
  assert.equal(stored.registrations.length, 5);
  const won = results.filter((r) => r.status === 'fulfilled' && r.value === true).length;
  assert.equal(won, 5);
  const refused = results.filter((r) => r.status === 'rejected');
  assert.ok(refused.every((r) => (r as PromiseRejectedResult).reason.key === 'sessions.errors.full'));
  assert.equal(
    await outboxModel(t.ctx.db).countDocuments({
      template: 'sessions/confirmed',
      to: trusted({ $in: people.map((p) => p.email) }),
    }),
    5,
  );
  // A seat given back goes to exactly one of the next racers.
  const leaver = people.find((p) => String(p._id) === String(stored.registeredIds[0]))!;
  const { cancelSignUp } = await import('../../modules/sessions/service-attend');
  await Promise.all([
    cancelSignUp(t.ctx, sessionUser(leaver), stored),
    cancelSignUp(t.ctx, sessionUser(leaver), stored),
  ]);
  assert.equal((await reload(t.ctx, session._id)).seatsLeft, 1, 'a double cancel frees one seat');
  const waiting = people.filter((p) => !stored.registeredIds.some((id) => String(id) === String(p._id)));
  await Promise.allSettled(waiting.map((p) => signUp(t.ctx, sessionUser(p), stored, outline)));
  const final = await reload(t.ctx, session._id);
  assert.equal(final.seatsLeft, 0);
  assert.equal(final.registeredIds.length, 5);
});
