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

test('claiming a trainee: a refusal comes back on the cohorts page at that row, never an error page', async () => {
  const { course } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const cohort = await cohortModel(t.ctx.db).create({
    name: 'Darkhan spring',
    courseId: course._id,
    trainerIds: [trainer._id],
  });
  const trainee = await buildUser(t.ctx, { name: 'Oyunaa Self' });
  const learner = await signIn(t.app, trainee);
  await learner.get(`/learn/${course.slug}`).expect(200);
  const enrolment = (await enrolmentModel(t.ctx.db).findOne({ userId: trainee._id }).lean())!;
  const staff = await signIn(t.app, trainer);
  const token = csrfFrom((await staff.get('/trainer/cohorts').expect(200)).text);
  const claim = (body: Record<string, string>) =>
    staff
      .post('/trainer/cohorts/claim')
      .type('form')
      .send({ _csrf: token, ...body });

  // No cohort chosen: the page again, the row's select marked, the reason beside it.
  const none = await claim({ enrolmentId: String(enrolment._id) }).expect(400);
  assert.match(none.text, /Trainees in no cohort/);
  assert.match(none.text, /role="alert">Choose one of your cohorts for this trainee\./);
  assert.match(none.text, /name="cohortId" aria-invalid="true" aria-describedby="claim-0-error"/);
  assert.match(none.text, /<p class="error" id="claim-0-error">Choose one of your cohorts/);

  // Someone was quicker: the reason on the page, and the list as it is now.
  await enrolmentModel(t.ctx.db).updateOne({ _id: enrolment._id }, { $set: { cohortId: cohort._id } });
  const late = await claim({ enrolmentId: String(enrolment._id), cohortId: String(cohort._id) }).expect(409);
  assert.match(late.text, /role="alert">That trainee is already in a cohort\./);
  assert.match(late.text, /Every trainee of your courses is in a cohort/);
  // Someone else's cohort stays a 404.
  const other = await cohortModel(t.ctx.db).create({
    name: 'Not mine',
    courseId: course._id,
    trainerIds: [],
  });
  await claim({ enrolmentId: String(enrolment._id), cohortId: String(other._id) }).expect(404);
});
