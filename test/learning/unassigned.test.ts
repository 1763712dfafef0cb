import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, csrfFrom, signIn } from '../factories';
import { cohortModel, enrolmentModel } from '../../modules/learning/model';
import { listAudit } from '../../modules/audit';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** A trainer with one cohort of a fresh course, signed in (staff sign in once: TOTP codes are single-use). */
async function setup() {
  const { course } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'trainer', name: 'Tsetseg Trainer' });
  const cohort = await cohortModel(t.ctx.db).create({
    name: 'Darkhan spring',
    courseId: course._id,
    trainerIds: [trainer._id],
  });
  const staff = await signIn(t.app, trainer);
  return { course, trainer, cohort, staff };
}

/** A journalist who signs up on their own and opens the course (enrolled on first visit). */
async function selfRegistered(slug: string, name: string) {
  const user = await buildUser(t.ctx, { name });
  const agent = await signIn(t.app, user);
  await agent.get(`/learn/${slug}`).expect(200);
  await agent.get(`/learn/${slug}/lesson-1`).expect(200);
  return user;
}

test('self-registered trainees: an empty report says why; the trainer claims them from "in no cohort"', async () => {
  const { course, cohort, staff } = await setup();
  const user = await selfRegistered(course.slug, 'Oyunaa Self');

  // Before: "0 trainees" and nothing else, while the trainee was reading.
  const empty = await staff.get(`/reports/completion?course=${course.slug}`).expect(200);
  assert.match(empty.text, /0 trainees/);
  assert.match(empty.text, /Reports show the trainees of your cohorts \(1 of this course\)/);
  assert.match(empty.text, /Trainees of this course who signed up themselves and are in no cohort: 1\./);
  assert.match(empty.text, /href="\/trainer\/cohorts#unassigned"/);
  const gain = await staff.get(`/reports/gain?course=${course.slug}`).expect(200);
  assert.match(gain.text, /in no cohort: 1\./);

  // The cohorts page lists them with a way to add each to one of the trainer's cohorts.
  const page = await staff.get('/trainer/cohorts').expect(200);
  assert.match(page.text, /Trainees in no cohort/);
  assert.match(page.text, /Oyunaa Self/);
  assert.match(page.text, new RegExp(`<option value="${String(cohort._id)}">Darkhan spring</option>`));
  const enrolment = (await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean())!;
  assert.equal(enrolment.cohortId, undefined);
  await staff
    .post('/trainer/cohorts/claim')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), enrolmentId: String(enrolment._id), cohortId: String(cohort._id) })
    .expect(303);
  const claimed = await enrolmentModel(t.ctx.db).findById(enrolment._id).lean();
  assert.equal(String(claimed!.cohortId), String(cohort._id));
  const audit = await listAudit(t.ctx, { action: 'cohort.claimed' });
  assert.ok(audit.some((e) => String(e.targetId) === String(cohort._id)));

  // Now the report shows the trainee and no explanation.
  const full = await staff.get(`/reports/completion?course=${course.slug}`).expect(200);
  assert.match(full.text, /Oyunaa Self/);
  assert.doesNotMatch(full.text, /Reports show the trainees of your cohorts/);

  // Claiming twice is refused (someone was quicker), nothing changes.
  const again = await staff.get('/trainer/cohorts').expect(200);
  assert.match(again.text, /Every trainee of your courses is in a cohort/);
  await staff
    .post('/trainer/cohorts/claim')
    .type('form')
    .send({ _csrf: csrfFrom(again.text), enrolmentId: String(enrolment._id), cohortId: String(cohort._id) })
    .expect(409);
});

test('a default cohort: self-registrations join it; trainers of other cohorts cannot claim into it', async () => {
  const { course, cohort, staff } = await setup();
  const page = await staff.get(`/trainer/cohorts/${String(cohort._id)}`).expect(200);
  assert.match(page.text, /Trainees who sign up themselves do not join this cohort/);
  await staff
    .post(`/trainer/cohorts/${String(cohort._id)}/default`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), on: '1' })
    .expect(303);
  const now = await staff.get(`/trainer/cohorts/${String(cohort._id)}`).expect(200);
  assert.match(now.text, /This is the course’s default cohort/);

  const user = await selfRegistered(course.slug, 'Naraa Default');
  const enrolment = (await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean())!;
  assert.equal(String(enrolment.cohortId), String(cohort._id), 'joined the default cohort');
  const report = await staff.get(`/reports/completion?course=${course.slug}`).expect(200);
  assert.match(report.text, /Naraa Default/);

  // Another trainer, no cohort of this course: the empty report says so; they cannot claim into it.
  const other = await buildUser(t.ctx, { role: 'trainer' });
  const otherAgent = await signIn(t.app, other);
  const theirs = await otherAgent.get(`/reports/completion?course=${course.slug}`).expect(200);
  assert.match(theirs.text, /you run no cohort of this course/);
  const form = await otherAgent.get('/trainer/cohorts').expect(200);
  const loner = await selfRegistered(course.slug, 'Unclaimed');
  await enrolmentModel(t.ctx.db).updateOne({ userId: loner._id }, { $unset: { cohortId: 1 } });
  const lonerEnrolment = (await enrolmentModel(t.ctx.db).findOne({ userId: loner._id }).lean())!;
  await otherAgent
    .post('/trainer/cohorts/claim')
    .type('form')
    .send({
      _csrf: csrfFrom(form.text),
      enrolmentId: String(lonerEnrolment._id),
      cohortId: String(cohort._id),
    })
    .expect(404);
  assert.equal((await enrolmentModel(t.ctx.db).findById(lonerEnrolment._id).lean())!.cohortId, undefined);
});
