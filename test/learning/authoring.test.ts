import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, csrfFrom, signIn } from '../factories';
import { enrolmentModel, lessonModel, lessonVersionModel } from '../../modules/learning/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const form = (rev: number, blocks: Array<{ id: string; en: string; mn: string }>, extra = {}) => ({
  rev: String(rev),
  titleEn: 'Lesson 1 revised',
  titleMn: 'Хичээл 1 шинэчилсэн',
  minutes: '7',
  action: 'save',
  ...Object.fromEntries(
    blocks.flatMap((b, i) => [
      [`b${i}_id`, b.id],
      [`b${i}_type`, 'markdown'],
      [`b${i}_en`, b.en],
      [`b${i}_mn`, b.mn],
    ]),
  ),
  ...extra,
});

test('trainer saves a draft, a stale save gets 409 with the text kept, publish makes a version', async () => {
  const { course, lessons } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const trainee = await buildUser(t.ctx);
  const staff = await signIn(t.app, trainer);
  const reader = await signIn(t.app, trainee);
  const editUrl = `/trainer/courses/${course.slug}/lessons/lesson-1/edit`;

  const page = await staff.get(editUrl).expect(200);
  const token = csrfFrom(page.text);
  assert.match(page.text, /name="rev" value="0"/);
  await staff
    .post(editUrl)
    .type('form')
    .send({ _csrf: token, ...form(0, [{ id: 'b1', en: 'Draft English', mn: 'Ноорог монгол' }]) })
    .expect(303);

  // A second trainer who opened the editor at rev 0 saves later: 409, their text is still on the page.
  const stale = await staff
    .post(editUrl)
    .type('form')
    .send({ _csrf: token, ...form(0, [{ id: 'b1', en: 'My precious paragraph', mn: 'Миний догол мөр' }]) })
    .expect(409);
  assert.match(stale.text, /My precious paragraph/);
  assert.match(stale.text, /Someone else saved a newer version/);
  assert.match(stale.text, /name="rev" value="1"/);

  // The trainee still sees the published version, never the draft.
  const before = await reader.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.match(before.text, /English text 1/);
  assert.doesNotMatch(before.text, /Draft English/);

  // Preview shows the draft to the trainer in either language.
  const preview = await staff
    .get(`/trainer/courses/${course.slug}/lessons/lesson-1/preview?lang=mn`)
    .expect(200);
  assert.match(preview.text, /Ноорог монгол/);
  await reader.get(`/trainer/courses/${course.slug}/lessons/lesson-1/preview`).expect(403);

  await staff
    .post(`/trainer/courses/${course.slug}/lessons/lesson-1/publish`)
    .type('form')
    .send({ _csrf: token, rev: '1' })
    .expect(303);
  const lesson = await lessonModel(t.ctx.db).findById(lessons[0]!._id).lean();
  assert.equal(lesson!.version, 2);
  assert.equal(lesson!.draft, undefined);
  const versions = await lessonVersionModel(t.ctx.db).find({ lessonId: lessons[0]!._id }).lean();
  assert.deepEqual(versions.map((v) => v.version).sort(), [1, 2]);

  const after = await reader.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.match(after.text, /Draft English/);
  const history = await staff.get(`/trainer/courses/${course.slug}/lessons/lesson-1/history`).expect(200);
  assert.match(history.text, /Lesson 1 revised/);
});

test('publishing needs both languages; a new lesson stays invisible to trainees until published', async () => {
  const { course } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'admin' });
  const trainee = await buildUser(t.ctx);
  const staff = await signIn(t.app, trainer);
  const reader = await signIn(t.app, trainee);
  const coursePage = await staff.get(`/trainer/courses/${course.slug}`).expect(200);
  const token = csrfFrom(coursePage.text);
  await staff
    .post(`/trainer/courses/${course.slug}/lessons`)
    .type('form')
    .send({ _csrf: token, slug: 'new-one', titleEn: 'New', titleMn: 'Шинэ' })
    .expect(303);
  await staff
    .post(`/trainer/courses/${course.slug}/lessons`)
    .type('form')
    .send({ _csrf: token, slug: 'Bad Slug', titleEn: 'x', titleMn: 'y' })
    .expect(400);
  await reader.get(`/learn/${course.slug}/new-one`).expect(404);

  const editUrl = `/trainer/courses/${course.slug}/lessons/new-one/edit`;
  const editor = await staff.get(editUrl).expect(200);
  const id = /name="b0_id" value="([^"]+)"/.exec(editor.text)![1]!;
  await staff
    .post(editUrl)
    .type('form')
    .send({ _csrf: token, ...form(0, [{ id, en: 'Only English', mn: '' }]) })
    .expect(303);
  const refused = await staff
    .post(`/trainer/courses/${course.slug}/lessons/new-one/publish`)
    .type('form')
    .send({ _csrf: token, rev: '1' })
    .expect(400);
  assert.match(refused.text, /both English and Mongolian/);
  await reader.get(`/learn/${course.slug}/new-one`).expect(404);

  await staff
    .post(editUrl)
    .type('form')
    .send({ _csrf: token, ...form(1, [{ id, en: 'Only English', mn: 'Монгол ч бас' }]) })
    .expect(303);
  await staff
    .post(`/trainer/courses/${course.slug}/lessons/new-one/publish`)
    .type('form')
    .send({ _csrf: token, rev: '2' })
    .expect(303);
  const now = await reader.get(`/learn/${course.slug}/new-one`).expect(200);
  assert.match(now.text, /Only English/);
});

test('reorder lessons, clear the Mongolian draft flag; bad editor input is a 400; trainees are refused', async () => {
  const { course, lessons } = await buildCourse(t.ctx);
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const staff = await signIn(t.app, trainer);
  const page = await staff.get(`/trainer/courses/${course.slug}`).expect(200);
  assert.match(page.text, /Mark the Mongolian text as reviewed/);
  const token = csrfFrom(page.text);
  await staff
    .post(`/trainer/courses/${course.slug}/lessons/${String(lessons[1]!._id)}/move`)
    .type('form')
    .send({ _csrf: token, direction: 'up' })
    .expect(303);
  const reader = await signIn(t.app, await buildUser(t.ctx));
  const outline = await reader.get(`/learn/${course.slug}`).expect(200);
  assert.ok(outline.text.indexOf('Lesson 2') < outline.text.indexOf('Lesson 1'));

  await staff
    .post(`/trainer/courses/${course.slug}/mn-reviewed`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  const mnPage = await reader.get(`/learn/${course.slug}/lesson-1?lang=mn`).expect(200);
  assert.doesNotMatch(mnPage.text, /draft awaiting review/);

  await staff
    .post(`/trainer/courses/${course.slug}/lessons/lesson-1/edit`)
    .type('form')
    .send({ _csrf: token, ...form(0, []), evil: 'x' })
    .expect(400);
  const typo = await staff
    .post(`/trainer/courses/${course.slug}/lessons/lesson-1/edit`)
    .type('form')
    .send({ _csrf: token, ...form(0, [{ id: 'b1', en: 'Kept text', mn: 'Хадгалсан' }]), minutes: 'abc' })
    .expect(400);
  assert.match(typo.text, /Kept text/);
  assert.match(typo.text, /between 1 and 600/);
  // Staff reading a lesson are not enrolled as trainees.
  await staff.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.equal(await enrolmentModel(t.ctx.db).countDocuments({ userId: trainer._id }), 0);
  const rToken = csrfFrom((await reader.get('/learn')).text);
  await reader.get('/trainer/courses').expect(403);
  await reader
    .post(`/trainer/courses/${course.slug}/mn-reviewed`)
    .type('form')
    .send({ _csrf: rToken })
    .expect(403);
});
