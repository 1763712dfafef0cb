import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, tokenFor } from '../factories';
import { enrolmentModel } from '../../modules/learning/model';
import { sessionRulesModel } from '../../modules/sessions/model';
import { CHECK_IN_LIMIT } from '../../modules/sessions/routes-attend';
import { buildSession, courseWithTrainer, reload, signInNow } from './helpers';

const T0 = new Date('2026-03-02T03:00:00Z');
let t: TestApp;
const clock = fixedClock(T0);
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const HOUR = 3600_000;

test('check-in: only during the session window, only with the right code, only when signed up', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx);
  const outsider = await buildUser(t.ctx);
  const startsAt = new Date(T0.getTime() + HOUR);
  const session = await buildSession(t.ctx, course._id, {
    startsAt,
    endsAt: new Date(startsAt.getTime() + HOUR),
    checkInCode: 'K7PQ3M',
    registeredIds: [user._id],
    registrations: [{ userId: user._id, at: T0 }],
    seatsLeft: 9,
  });
  const path = `/sessions/${String(session._id)}`;
  const agent = await signInNow(t.app, clock, user);
  const _csrf = await tokenFor(agent, path);
  const post = (code: string) => agent.post(`${path}/check-in`).type('form').send({ _csrf, code });

  // An hour before the start: closed, even with the right code.
  let res = await post('K7PQ3M').expect(400);
  assert.match(res.text, /Check-in is open only during the session/);
  assert.ok(!(await reload(t.ctx, session._id)).attendedIds.length);

  // 15 minutes before the start it opens; a wrong code is refused with the typed code kept.
  clock.set(new Date(startsAt.getTime() - 15 * 60_000));
  const page = await agent.get(path).expect(200);
  assert.match(page.text, /Check-in code/);
  res = await post('WRONG1').expect(400);
  assert.match(res.text, /That code is not right/);
  assert.match(res.text, /id="f-code"[^>]*value="WRONG1"|value="WRONG1"/);
  assert.match(res.text, /aria-invalid="true"/);
  res = await post('x'.repeat(50)).expect(400);
  assert.match(res.text, /That code is not right/);

  // Someone not signed up cannot check in, even with the code.
  const other = await signInNow(t.app, clock, outsider);
  const ot = await tokenFor(other, path);
  res = await other.post(`${path}/check-in`).type('form').send({ _csrf: ot, code: 'K7PQ3M' }).expect(400);
  assert.match(res.text, /Sign up for the session before checking in/);

  // The right code, typed loosely (lower case, a space): checked in once.
  await post('k7p q3m').expect(303);
  await post('K7PQ3M').expect(303);
  const stored = await reload(t.ctx, session._id);
  assert.deepEqual(stored.attendedIds.map(String), [String(user._id)]);
  assert.equal(stored.attendance.length, 1);
  assert.equal(stored.attendance[0]!.by, 'code');
  const done = await agent.get(path).expect(200);
  assert.match(done.text, /Your attendance is recorded/);

  // After the end: the code no longer works (expired).
  clock.set(new Date(startsAt.getTime() + HOUR + 1000));
  const late = await buildSession(t.ctx, course._id, {
    startsAt,
    endsAt: new Date(startsAt.getTime() + HOUR),
    checkInCode: 'ABCDEF',
    registeredIds: [outsider._id],
    registrations: [{ userId: outsider._id, at: T0 }],
  });
  res = await other
    .post(`/sessions/${String(late._id)}/check-in`)
    .type('form')
    .send({ _csrf: ot, code: 'ABCDEF' })
    .expect(400);
  assert.match(res.text, /Check-in is open only during the session/);
  assert.equal((await reload(t.ctx, late._id)).attendedIds.length, 0);
});

test(`check-in attempts are rate-limited per person: after ${CHECK_IN_LIMIT} tries, 429`, async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx);
  const session = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() - 60_000),
    checkInCode: 'RIGHT2',
    registeredIds: [user._id],
    registrations: [{ userId: user._id, at: T0 }],
  });
  const path = `/sessions/${String(session._id)}`;
  const agent = await signInNow(t.app, clock, user);
  const _csrf = await tokenFor(agent, path);
  for (let i = 0; i < CHECK_IN_LIMIT; i++)
    await agent
      .post(`${path}/check-in`)
      .type('form')
      .send({ _csrf, code: `GUESS${i}` })
      .expect(400);
  await agent.post(`${path}/check-in`).type('form').send({ _csrf, code: 'RIGHT2' }).expect(429);
  assert.equal(
    (await reload(t.ctx, session._id)).attendedIds.length,
    0,
    'the limit holds even for the right code',
  );
  // Another person is not affected.
  const second = await buildUser(t.ctx);
  await reloadAndRegister(session._id, second._id);
  const other = await signInNow(t.app, clock, second);
  const ot = await tokenFor(other, path);
  await other.post(`${path}/check-in`).type('form').send({ _csrf: ot, code: 'RIGHT2' }).expect(303);
});

async function reloadAndRegister(sessionId: unknown, userId: unknown) {
  await t.ctx.db
    .collection('livesessions')
    .updateOne(
      { _id: sessionId as never },
      { $push: { registeredIds: userId, registrations: { userId, at: T0 } } as never },
    );
}

test('the trainer marks attendance on the roster; only changes apply, a code check-in meanwhile is kept', async () => {
  clock.set(T0);
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const [ann, bat, chi] = await Promise.all(
    ['Ann', 'Bat', 'Chimgee'].map((name) => buildUser(t.ctx, { name, outlet: 'Daily News' })),
  );
  const startsAt = new Date(T0.getTime() + HOUR);
  const session = await buildSession(t.ctx, course._id, {
    startsAt,
    registeredIds: [ann!._id, bat!._id, chi!._id],
    registrations: [ann!, bat!, chi!].map((u) => ({ userId: u._id, at: T0 })),
  });
  const path = `/trainer/sessions/${String(session._id)}`;
  const agent = await signInNow(t.app, clock, trainer);
  const early = await agent.get(path).expect(200);
  assert.match(early.text, /Attendance can be marked from 15 minutes before the start/);
  assert.match(early.text, /Ann[\s\S]*Bat[\s\S]*Chimgee/);
  const _csrf = await tokenFor(agent, path);
  const refused = await agent
    .post(`${path}/attendance`)
    .type('form')
    .send({ _csrf, present: String(ann!._id) })
    .expect(409);
  assert.match(refused.text, /Attendance can be marked from 15 minutes before the start/);

  clock.set(new Date(startsAt.getTime() + 10 * 60_000));
  const stranger = await buildUser(t.ctx);
  await agent
    .post(`${path}/attendance`)
    .type('form')
    .send({ _csrf, present: [String(ann!._id), String(bat!._id), String(stranger._id)] })
    .expect(303);
  let stored = await reload(t.ctx, session._id);
  assert.deepEqual(stored.attendedIds.map(String).sort(), [String(ann!._id), String(bat!._id)].sort());
  assert.ok(stored.attendance.every((a) => a.by === 'trainer'));

  // Chimgee checks in with the code while the trainer's page still shows her absent; the trainer
  // then unticks Bat. Chimgee keeps her attendance.
  await t.ctx.db
    .collection('livesessions')
    .updateOne(
      { _id: session._id },
      { $push: { attendedIds: chi!._id, attendance: { userId: chi!._id, at: T0, by: 'code' } } as never },
    );
  await agent
    .post(`${path}/attendance`)
    .type('form')
    .send({ _csrf, present: [String(ann!._id)], was: [String(ann!._id), String(bat!._id)] })
    .expect(303);
  stored = await reload(t.ctx, session._id);
  assert.deepEqual(stored.attendedIds.map(String).sort(), [String(ann!._id), String(chi!._id)].sort());
  await agent.post(`${path}/attendance`).type('form').send({ _csrf, present: 'not-an-id' }).expect(400);
});

test('a course requiring 2 sessions completes (and issues the certificate) only when the second is attended', async () => {
  clock.set(T0);
  const { course, lessons, trainer } = await courseWithTrainer(t.ctx, {
    lessons: [{ slug: 'one' }],
    completionRules: { lessons: true, lessonQuizzes: false, postTest: false },
  });
  await sessionRulesModel(t.ctx.db).create({
    courseId: course._id,
    requiredSessions: 2,
    timeZone: 'Asia/Ulaanbaatar',
  });
  const user = await buildUser(t.ctx);
  const startsAt = new Date(T0.getTime() + HOUR);
  const [first, second] = await Promise.all(
    [0, 1].map(() =>
      buildSession(t.ctx, course._id, {
        startsAt,
        registeredIds: [user._id],
        registrations: [{ userId: user._id, at: T0 }],
        checkInCode: 'CODE22',
      }),
    ),
  );
  const agent = await signInNow(t.app, clock, user);
  // All lessons read: without the sessions the course is not complete.
  await agent.get(`/learn/${course.slug}/${lessons[0]!.slug}`).expect(200);
  let enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id, courseId: course._id }).lean();
  assert.equal(enrolment?.completedAt, undefined);
  const coursePage = await agent.get(`/learn/${course.slug}`).expect(200);
  assert.match(coursePage.text, /attend 2 live sessions\. You have attended 0\./);

  clock.set(new Date(startsAt.getTime() + 60_000));
  const _csrf = await tokenFor(agent, `/sessions/${String(first!._id)}`);
  await agent
    .post(`/sessions/${String(first!._id)}/check-in`)
    .type('form')
    .send({ _csrf, code: 'CODE22' })
    .expect(303);
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id, courseId: course._id }).lean();
  assert.equal(enrolment?.completedAt, undefined, 'one of two sessions is not enough');
  assert.equal(await t.ctx.db.collection('certificates').countDocuments({ userId: user._id }), 0);

  // The trainer marks the second on the roster: now the course completes and the certificate is issued.
  const staff = await signInNow(t.app, clock, trainer);
  const st = await tokenFor(staff, `/trainer/sessions/${String(second!._id)}`);
  await staff
    .post(`/trainer/sessions/${String(second!._id)}/attendance`)
    .type('form')
    .send({ _csrf: st, present: String(user._id) })
    .expect(303);
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id, courseId: course._id }).lean();
  assert.ok(enrolment?.completedAt, 'attendance met: completed');
  assert.equal(
    await t.ctx.db.collection('certificates').countDocuments({ userId: user._id, courseId: course._id }),
    1,
  );
  const after = await agent.get(`/learn/${course.slug}`).expect(200);
  assert.match(after.text, /You have attended 2\./);
});

test('a cancelled session does not count, and a course with no rule completes without sessions', async () => {
  clock.set(T0);
  const { course, lessons } = await courseWithTrainer(t.ctx, {
    lessons: [{ slug: 'one' }],
    completionRules: { lessons: true, lessonQuizzes: false, postTest: false },
  });
  const user = await buildUser(t.ctx);
  await sessionRulesModel(t.ctx.db).create({
    courseId: course._id,
    requiredSessions: 1,
    timeZone: 'Asia/Ulaanbaatar',
  });
  await buildSession(t.ctx, course._id, {
    status: 'cancelled',
    attendedIds: [user._id],
    registeredIds: [user._id],
  });
  const agent = await signInNow(t.app, clock, user);
  await agent.get(`/learn/${course.slug}/${lessons[0]!.slug}`).expect(200);
  let enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id, courseId: course._id }).lean();
  assert.equal(enrolment?.completedAt, undefined);

  const plain = await courseWithTrainer(t.ctx, {
    lessons: [{ slug: 'one' }],
    completionRules: { lessons: true, lessonQuizzes: false, postTest: false },
  });
  await agent.get(`/learn/${plain.course.slug}/${plain.lessons[0]!.slug}`).expect(200);
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id, courseId: plain.course._id }).lean();
  assert.ok(enrolment?.completedAt);
});
