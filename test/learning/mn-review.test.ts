import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, csrfFrom, signIn, tokenFor } from '../factories';
import { lessonModel } from '../../modules/learning/model';
import { blockReviewModel } from '../../modules/learning/mn-review-model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** A course whose first lesson has three blocks, and a trainer signed in. */
async function setup() {
  const { course } = await buildCourse(t.ctx, {
    lessons: [
      {
        blocks: [
          { en: 'First English', mn: 'Нэгдүгээр монгол' },
          { en: 'Second English', mn: 'Хоёрдугаар монгол' },
          { en: 'Third English', mn: 'Гуравдугаар монгол' },
        ],
      },
      {},
    ],
  });
  const trainer = await buildUser(t.ctx, { role: 'trainer', name: 'Trainer Tuya' });
  const staff = await signIn(t.app, trainer);
  const page = `/trainer/courses/${course.slug}/lessons/lesson-1/mn-review`;
  return { course, trainer, staff, page };
}

type Agent = Awaited<ReturnType<typeof signIn>>;
async function signOff(agent: Agent, page: string, fields: Record<string, string | string[]>) {
  const form = await agent.get(page).expect(200);
  const version = /name="version" value="(\d+)"/.exec(form.text)![1]!;
  const body = new URLSearchParams({ _csrf: csrfFrom(form.text), version });
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return agent.post(page).type('form').send(body.toString());
}

const draftMarks = (html: string) =>
  (html.match(/Draft: not yet reviewed by a native-speaking trainer/g) ?? []).length;

/** Publishes a new version of lesson-1 through the editor, with block b1's texts changed. */
async function republish(
  agent: Agent,
  courseId: Types.ObjectId,
  slug: string,
  b1: { en: string; mn: string },
) {
  const lesson = (await lessonModel(t.ctx.db).findOne({ courseId, slug: 'lesson-1' }).lean())!;
  const editUrl = `/trainer/courses/${slug}/lessons/lesson-1/edit`;
  const csrf = csrfFrom((await agent.get(editUrl).expect(200)).text);
  const blocks = lesson.blocks.map((b) => (b.id === 'b1' ? { ...b, ...b1 } : b));
  const fields: Record<string, string> = {
    _csrf: csrf,
    rev: String(lesson.draftRev),
    titleEn: lesson.title.en,
    titleMn: lesson.title.mn,
    minutes: String(lesson.minutes),
    action: 'save',
  };
  blocks.forEach((b, i) => {
    Object.assign(fields, {
      [`b${i}_id`]: b.id,
      [`b${i}_type`]: b.type,
      [`b${i}_en`]: b.en,
      [`b${i}_mn`]: b.mn,
    });
  });
  await agent.post(editUrl).type('form').send(fields).expect(303);
  await agent
    .post(`/trainer/courses/${slug}/lessons/lesson-1/publish`)
    .type('form')
    .send({ _csrf: csrf, rev: String(lesson.draftRev + 1) })
    .expect(303);
}

test('a trainer signs off blocks: who and when are kept, the draft marks clear block by block, the report counts them', async () => {
  const { course, trainer, staff, page } = await setup();
  const trainee = await signIn(t.app, await buildUser(t.ctx));
  const reader = `/learn/${course.slug}/lesson-1?lang=mn`;
  const before = (await trainee.get(reader).expect(200)).text;
  assert.equal(draftMarks(before), 3, 'every block marked as a draft');
  assert.match(
    before,
    /draft awaiting review by a native-speaking trainer\. 3 of 3 sections of this lesson still await that review/,
  );

  const res = await signOff(staff, page, {
    blocks: ['b1', 'b3'],
    reviewerName: 'Bolormaa D.',
    reviewedOn: '2026-01-15',
  });
  assert.equal(res.status, 303);
  assert.match(res.headers.location!, /mn-review\?saved=1$/);
  const records = await blockReviewModel(t.ctx.db).find({ courseId: course._id }).sort({ blockId: 1 }).lean();
  assert.deepEqual(
    records.map((r) => [
      r.blockId,
      r.reviewerName,
      r.reviewedOn.toISOString().slice(0, 10),
      String(r.recordedBy),
    ]),
    [
      ['b1', 'Bolormaa D.', '2026-01-15', String(trainer._id)],
      ['b3', 'Bolormaa D.', '2026-01-15', String(trainer._id)],
    ],
  );
  const after = (await trainee.get(reader).expect(200)).text;
  assert.equal(draftMarks(after), 1, 'only the block not signed off is still marked');
  assert.match(after, /id="block-b2"[^>]*>\s*<p class="hint" lang="en">/);
  assert.doesNotMatch(after, /id="block-b1"[^>]*>\s*<p class="hint"/);
  // English readers see no draft marks at all.
  assert.equal(draftMarks((await trainee.get(`/learn/${course.slug}/lesson-1?lang=en`).expect(200)).text), 0);

  const review = (await staff.get(`${page}?saved=1`).expect(200)).text;
  assert.match(review, /Sign-off recorded/);
  assert.match(review, /2 of 3 blocks signed off/);
  assert.match(review, /Signed off: Bolormaa D\./);
  const report = (await staff.get(`/trainer/courses/${course.slug}/mn-review`).expect(200)).text;
  assert.match(report, /2 of 4 blocks signed off \(50 %\)/);
  assert.match(report, /<td>2<\/td><td>0<\/td><td>3<\/td>/);
  assert.match((await staff.get(`/trainer/courses/${course.slug}`).expect(200)).text, /mn-review/);

  // The last block: the lesson shows no draft notice any more.
  assert.equal(
    (await signOff(staff, page, { blocks: 'b2', reviewerName: 'Bolormaa D.', reviewedOn: '2026-01-16' }))
      .status,
    303,
  );
  const done = (await trainee.get(reader).expect(200)).text;
  assert.equal(draftMarks(done), 0);
  assert.doesNotMatch(done, /still await review/);
});

test("a sign-off goes stale when the block's Mongolian changes, and holds when only the English does", async () => {
  const { course, staff, page } = await setup();
  await signOff(staff, page, { blocks: ['b1', 'b2'], reviewerName: 'Bolormaa D.', reviewedOn: '2026-01-15' });

  await republish(staff, course._id, course.slug, { en: 'First English, edited', mn: 'Нэгдүгээр монгол' });
  let review = (await staff.get(page).expect(200)).text;
  assert.match(review, /2 of 3 blocks signed off/, 'an English edit keeps the sign-off');

  await republish(staff, course._id, course.slug, {
    en: 'First English, edited',
    mn: 'Нэгдүгээр монгол, засварласан',
  });
  review = (await staff.get(page).expect(200)).text;
  assert.match(review, /1 of 3 blocks signed off/);
  assert.match(review, /Changed since the sign-off \(Bolormaa D\./);
  const report = (await staff.get(`/trainer/courses/${course.slug}/mn-review`).expect(200)).text;
  assert.match(report, /<td>1<\/td><td>1<\/td><td>3<\/td>/, 'one signed off, one stale, of three');
  const trainee = await signIn(t.app, await buildUser(t.ctx));
  const reader = (await trainee.get(`/learn/${course.slug}/lesson-1?lang=mn`).expect(200)).text;
  assert.equal(draftMarks(reader), 2, 'the changed block is a draft again');

  // Signing it off again covers the new text.
  await signOff(staff, page, { blocks: 'b1', reviewerName: 'Bolormaa D.', reviewedOn: '2026-01-20' });
  assert.match((await staff.get(page).expect(200)).text, /2 of 3 blocks signed off/);
});

test('a page opened before the lesson was republished cannot sign off the new text: 409, nothing recorded', async () => {
  const { course, staff, page } = await setup();
  const form = (await staff.get(page).expect(200)).text;
  await republish(staff, course._id, course.slug, { en: 'First English', mn: 'Шинэ монгол эх' });
  const body = new URLSearchParams({
    _csrf: csrfFrom(form),
    version: /name="version" value="(\d+)"/.exec(form)![1]!,
    blocks: 'b1',
    reviewerName: 'Bolormaa D.',
    reviewedOn: '2026-01-15',
  });
  const res = await staff.post(page).type('form').send(body.toString()).expect(409);
  assert.match(res.text, /published again after you opened this page/);
  assert.match(res.text, /value="Bolormaa D\."/, 'what was typed is kept');
  assert.match(res.text, /name="version" value="2"/, 'the page now shows the new version');
  assert.equal(await blockReviewModel(t.ctx.db).countDocuments({ courseId: course._id }), 0);
});

test('the sign-off form: no block, no name, a future or impossible day are shown as errors with the values kept', async () => {
  const { course, staff, page } = await setup();
  const none = await signOff(staff, page, { reviewerName: 'Bolormaa D.', reviewedOn: '2026-01-15' });
  assert.equal(none.status, 400);
  assert.match(none.text, /Tick at least one block of this lesson/);
  assert.match(none.text, /value="Bolormaa D\."/);
  const noName = await signOff(staff, page, { blocks: 'b1', reviewerName: ' ', reviewedOn: '2026-01-15' });
  assert.equal(noName.status, 400);
  assert.match(noName.text, /Enter the reviewer&#39;s name\.|Enter the reviewer's name\./);
  assert.match(noName.text, /id="f-block-b1"[^>]* checked/, 'the ticked block stays ticked');
  const future = await signOff(staff, page, {
    blocks: 'b1',
    reviewerName: 'Bolormaa D.',
    reviewedOn: '2999-01-01',
  });
  assert.equal(future.status, 400);
  assert.match(future.text, /cannot be after today/);
  assert.match(future.text, /aria-invalid="true"/);
  const impossible = await signOff(staff, page, {
    blocks: 'b1',
    reviewerName: 'Bolormaa D.',
    reviewedOn: '2026-02-30',
  });
  assert.equal(impossible.status, 400);
  assert.match(impossible.text, /Enter a date as year-month-day/);
  const unknown = await signOff(staff, page, {
    blocks: 'b9',
    reviewerName: 'Bolormaa D.',
    reviewedOn: '2026-01-15',
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.text, /Tick at least one block of this lesson/);
  assert.equal(
    await blockReviewModel(t.ctx.db).countDocuments({ courseId: course._id }),
    0,
    'nothing recorded',
  );
});

test('only trainers and admins may see the review or sign off; an admin may', async () => {
  const { course, page } = await setup();
  const report = `/trainer/courses/${course.slug}/mn-review`;
  for (const role of ['journalist', 'reviewer'] as const) {
    const agent = await signIn(t.app, await buildUser(t.ctx, { role }));
    await agent.get(page).expect(403);
    await agent.get(report).expect(403);
    const csrf = await tokenFor(agent);
    await agent
      .post(page)
      .type('form')
      .send({ _csrf: csrf, version: '1', blocks: 'b1', reviewerName: 'Someone', reviewedOn: '2026-01-15' })
      .expect(403);
  }
  const res = await request(t.app).get(page);
  assert.ok([302, 303].includes(res.status), `anonymous: ${res.status}`);
  assert.equal(await blockReviewModel(t.ctx.db).countDocuments({ courseId: course._id }), 0);

  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  assert.equal(
    (await signOff(admin, page, { blocks: 'b2', reviewerName: 'Admin A.', reviewedOn: '2026-01-15' })).status,
    303,
  );
  assert.equal(await blockReviewModel(t.ctx.db).countDocuments({ courseId: course._id }), 1);
  // An unknown lesson, or one never published, has nothing to review.
  await admin.get(`/trainer/courses/${course.slug}/lessons/no-such-lesson/mn-review`).expect(404);
});
