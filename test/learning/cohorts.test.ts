import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, csrfFrom, signIn } from '../factories';
import { cohortModel, enrolmentModel } from '../../modules/learning/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('a trainer creates a cohort, enrols by e-mail, sees progress; other trainers get 404', async () => {
  const { course } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const other = await buildUser(t.ctx, { role: 'trainer' });
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const a = await buildUser(t.ctx, { name: 'Anu Trainee' });
  const b = await buildUser(t.ctx, { name: 'Bat Trainee' });
  const staff = await signIn(t.app, trainer);
  const list = await staff.get('/trainer/cohorts').expect(200);
  const token = csrfFrom(list.text);
  await staff
    .post('/trainer/cohorts')
    .type('form')
    .send({ _csrf: token, name: '', courseId: String(course._id) })
    .expect(400);
  const created = await staff
    .post('/trainer/cohorts')
    .type('form')
    .send({ _csrf: token, name: 'Darkhan 2026', courseId: String(course._id), region: 'Darkhan-Uul' })
    .expect(303);
  const cohortUrl = created.headers.location!;
  const cohort = await cohortModel(t.ctx.db).findOne({ name: 'Darkhan 2026' }).lean();
  assert.ok(cohortUrl.endsWith(`/trainer/cohorts/${String(cohort!._id)}`));

  const enrolled = await staff
    .post(`${cohortUrl}/enrol`)
    .type('form')
    .send({ _csrf: token, emails: `${a.email}\n${b.email.toUpperCase()}, nobody@example.org` })
    .expect(200);
  assert.match(enrolled.text, /2 trainees enrolled/);
  assert.match(enrolled.text, /nobody@example.org/);
  assert.equal(await enrolmentModel(t.ctx.db).countDocuments({ cohortId: cohort!._id }), 2);

  const reader = await signIn(t.app, a);
  await reader.get(`/learn/${course.slug}/lesson-1`).expect(200);
  const members = await staff.get(cohortUrl).expect(200);
  assert.match(members.text, /Anu Trainee/);
  assert.match(members.text, /1 of 2 steps done \(50%\)/);
  assert.match(members.text, /Not started/);

  const otherAgent = await signIn(t.app, other);
  await otherAgent.get(cohortUrl).expect(404);
  const otherToken = csrfFrom((await otherAgent.get('/trainer/cohorts')).text);
  await otherAgent
    .post(`${cohortUrl}/enrol`)
    .type('form')
    .send({ _csrf: otherToken, emails: a.email })
    .expect(404);
  await otherAgent.post(`${cohortUrl}/remind`).type('form').send({ _csrf: otherToken }).expect(404);
  const otherList = await otherAgent.get('/trainer/cohorts').expect(200);
  assert.doesNotMatch(otherList.text, /Darkhan 2026/);

  const adminAgent = await signIn(t.app, admin);
  await adminAgent.get(cohortUrl).expect(200);
  await reader.get(cohortUrl).expect(403);
});
