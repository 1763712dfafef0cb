import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';
import { questionModel, type Question } from '../../modules/quizzes/model';
import { questionVersionModel } from '../../modules/quizzes/editor-model';
import { questionsOfCourse } from '../../modules/quizzes/definitions';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { startAttempt, submitAttempt } from '../../modules/quizzes/service';
import { formOf, openEditor as openEditorAt } from './editor-support';

let t: TestApp;
let trainer: request.Agent;
let courseId: unknown;
const SLUG = 'tip-reporting';
before(async () => {
  t = await buildTestApp();
  await importCourses(t.ctx);
  courseId = (await courseModel(t.ctx.db).findOne({ slug: SLUG }).lean())!._id;
  trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
});
after(() => t.close());

const questionOf = async (type: Question['type'], nth = 0) =>
  (
    await questionModel(t.ctx.db)
      .find({ courseId, type })
      .sort({ qid: 1 })
      .limit(nth + 1)
      .lean()
  )[nth]!;
const fresh = async (qid: string) => (await questionModel(t.ctx.db).findOne({ courseId, qid }).lean())!;
const edit = (qid: string) => `/trainer/courses/${SLUG}/questions/${qid}/edit`;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const openEditor = (qid: string, lang = 'en') => openEditorAt(trainer, edit(qid), lang);

test('the list groups questions under objective labels (not ids) in both languages; trainers only', async () => {
  const en = await trainer.get(`/trainer/courses/${SLUG}/questions`).set('Accept-Language', 'en').expect(200);
  const course = (await courseModel(t.ctx.db).findOne({ slug: SLUG }).lean())!;
  const [first] = course.objectives;
  assert.match(en.text, new RegExp(`<h2 id="objective-0">${esc(first!.label.en)}</h2>`));
  const single = await questionOf('single');
  assert.match(en.text, new RegExp(`href="${edit(single.qid)}"`));
  for (const type of ['ordering', 'case', 'spot-harm'] as const)
    assert.match(
      en.text,
      new RegExp(`href="${edit((await questionOf(type)).qid)}"`),
      `${type} is edited here`,
    );

  const mnTrainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer', locale: 'mn' }));
  const mn = await mnTrainer.get(`/trainer/courses/${SLUG}/questions`).expect(200);
  assert.match(mn.text, new RegExp(`<h2 id="objective-0">${esc(first!.label.mn)}</h2>`));
  for (const o of course.objectives) assert.doesNotMatch(mn.text, new RegExp(`>${o.id}<|· ${o.id}\\b`));
  const editor = await mnTrainer.get(edit(single.qid)).expect(200);
  const label = course.objectives.find((o) => o.id === single.objective)!.label.mn;
  assert.match(
    editor.text,
    new RegExp(`<option value="${single.objective}" selected>${esc(label)}</option>`),
  );
  assert.match(editor.text, /-р хувилбар/);
  assert.match(editor.text, new RegExp(`${single.version}-р хувилбар`));

  const journalist = await signIn(t.app, await buildUser(t.ctx));
  await journalist.get(`/trainer/courses/${SLUG}/questions`).expect(403);
  await journalist.get(edit(single.qid)).expect(403);
  await request(t.app).get(edit(single.qid)).expect(303);
  await trainer.get(`/trainer/courses/${SLUG}/questions/no-such-question/edit`).expect(404);
  await trainer.get(`/trainer/courses/no-such-course/questions`).expect(404);
});

test('save a draft, preview it in both languages, publish a version the quiz then uses', async () => {
  const q = await questionOf('single');
  const { rev, csrf } = await openEditor(q.qid);
  const wrong = q.options.find((o) => !o.correct)!;
  const saved = await trainer
    .post(edit(q.qid))
    .type('form')
    .send(
      formOf(q, rev, csrf, {
        stemEn: 'Which one is trafficking? (edited)',
        stemMn: 'Аль нь хүн худалдаалах гэмт хэрэг вэ? (зассан)',
        o0_feedbackMn: 'Шинэ тайлбар',
        correct: wrong.id,
      }),
    );
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.location, `${edit(q.qid)}?saved=1`);
  // A draft only: trainees still get the published question.
  assert.equal((await fresh(q.qid)).stem.en, q.stem.en);
  const page = await trainer.get(edit(q.qid)).set('Accept-Language', 'en').expect(200);
  assert.match(page.text, /Which one is trafficking\? \(edited\)/);
  assert.match(page.text, /unpublished changes/);
  assert.match(page.text, new RegExp(`type="radio" name="correct" value="${wrong.id}" checked`));

  const mn = await trainer.get(`/trainer/courses/${SLUG}/questions/${q.qid}/preview?lang=mn`).expect(200);
  assert.match(mn.text, /<legend id="stem">Аль нь хүн худалдаалах гэмт хэрэг вэ\? \(зассан\)<\/legend>/);
  assert.match(mn.text, /Шинэ тайлбар/);
  assert.match(mn.text, new RegExp(`✓ ${esc(wrong.text.mn)}`));
  const en = await trainer.get(`/trainer/courses/${SLUG}/questions/${q.qid}/preview?lang=en`).expect(200);
  assert.match(en.text, /Which one is trafficking\? \(edited\)/);

  // What the quiz player reads (cached) is still the published question…
  const cached = await questionsOfCourse(t.ctx, q.courseId);
  assert.equal(cached.get(q.qid)!.stem.en, q.stem.en);
  const draftRev = Number(/name="rev" value="(\d+)"/.exec(page.text)![1]);
  assert.equal(draftRev, rev + 1);
  const published = await trainer
    .post(`/trainer/courses/${SLUG}/questions/${q.qid}/publish`)
    .type('form')
    .send({ _csrf: csrf, rev: String(draftRev) });
  assert.equal(published.status, 303);
  const now = await fresh(q.qid);
  assert.equal(now.version, q.version + 1);
  assert.equal(now.stem.mn, 'Аль нь хүн худалдаалах гэмт хэрэг вэ? (зассан)');
  assert.deepEqual(
    now.options.filter((o) => o.correct).map((o) => o.id),
    [wrong.id],
  );
  assert.equal(now.type, q.type);
  assert.equal(now.contentHash, q.contentHash); // an unchanged course file does not undo the edit
  // …and, once published, the new version at once.
  assert.equal(
    (await questionsOfCourse(t.ctx, q.courseId)).get(q.qid)!.stem.en,
    'Which one is trafficking? (edited)',
  );
  const version = await questionVersionModel(t.ctx.db)
    .findOne({ questionId: q._id, version: q.version + 1 })
    .lean();
  assert.ok(version?.publishedAt, 'the new version, with when it was published');
  // The version it replaced is kept as shown (attempts under way showed it).
  const before = await questionVersionModel(t.ctx.db)
    .findOne({ questionId: q._id, version: q.version })
    .lean();
  assert.deepEqual(
    before?.options.filter((o) => o.correct).map((o) => o.id),
    q.options.filter((o) => o.correct).map((o) => o.id),
  );
  const history = await trainer.get(published.headers.location!).set('Accept-Language', 'en').expect(200);
  assert.match(history.text, new RegExp(`Published as version ${q.version + 1}`));
  assert.match(history.text, /Which one is trafficking\? \(edited\)/);

  // Publishing again without a new draft: nothing to publish (the rev moved on: a stale form).
  const again = await trainer
    .post(`/trainer/courses/${SLUG}/questions/${q.qid}/publish`)
    .type('form')
    .send({ _csrf: csrf, rev: String(draftRev) });
  assert.equal(again.status, 409);
  assert.equal((await fresh(q.qid)).version, q.version + 1);
});

test('a stale save is a 409 that keeps the text typed; nothing is overwritten', async () => {
  const q = await questionOf('single', 1);
  const a = await openEditor(q.qid);
  const b = await openEditor(q.qid);
  await trainer
    .post(edit(q.qid))
    .type('form')
    .send(formOf(q, a.rev, a.csrf, { stemEn: 'First trainer' }))
    .expect(303);
  const stale = await trainer
    .post(edit(q.qid))
    .set('Accept-Language', 'en')
    .type('form')
    .send(formOf(q, b.rev, b.csrf, { stemEn: 'Second trainer' }));
  assert.equal(stale.status, 409);
  assert.match(stale.text, /Second trainer/);
  assert.match(stale.text, new RegExp(`name="rev" value="${a.rev + 1}"`));
  const page = await trainer.get(edit(q.qid)).expect(200);
  assert.match(page.text, /First trainer/);
  assert.doesNotMatch(page.text, /Second trainer/);
});

test('publishing checks both languages and the key; errors are marked beside the fields', async () => {
  const q = await questionOf('multiple');
  const { rev, csrf } = await openEditor(q.qid);
  await trainer
    .post(edit(q.qid))
    .type('form')
    .send(formOf(q, rev, csrf, { stemMn: '', o1_feedbackEn: '  ', correct: [] }))
    .expect(303);
  const res = await trainer
    .post(`/trainer/courses/${SLUG}/questions/${q.qid}/publish`)
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, rev: String(rev + 1) });
  assert.equal(res.status, 400);
  assert.match(res.text, /The draft is not ready to publish/);
  assert.match(res.text, /id="f-stemMn"[^>]*aria-invalid="true"/);
  assert.match(res.text, /id="f-o1feedbackEn"[^>]*aria-invalid="true"/);
  assert.match(res.text, /Mark at least one correct option/);
  assert.equal((await fresh(q.qid)).version, q.version);

  // Single choice: two marked correct is refused too.
  const s = await questionOf('single', 2);
  const e = await openEditor(s.qid);
  await trainer
    .post(edit(s.qid))
    .type('form')
    .send(formOf(s, e.rev, e.csrf, { correct: s.options.slice(0, 2).map((o) => o.id) }))
    .expect(303);
  const two = await trainer
    .post(`/trainer/courses/${SLUG}/questions/${s.qid}/publish`)
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: e.csrf, rev: String(e.rev + 1) });
  assert.equal(two.status, 400);
  assert.match(two.text, /Mark exactly one correct option/);
});

test('options: add and remove on choice questions; true/false keeps True, False in order', async () => {
  const q = await questionOf('single', 3);
  let { rev, csrf } = await openEditor(q.qid);
  const added = await trainer
    .post(edit(q.qid))
    .type('form')
    .send(formOf(q, rev, csrf, { action: 'add-option' }));
  assert.equal(added.status, 303);
  assert.match(added.headers.location!, new RegExp(`#option-${q.options.length}$`));
  ({ rev, csrf } = await openEditor(q.qid));
  const page = await trainer.get(edit(q.qid)).expect(200);
  assert.equal(
    (page.text.match(/<fieldset class="editor-block" id="option-/g) ?? []).length,
    q.options.length + 1,
  );
  const removed = await trainer
    .post(edit(q.qid))
    .type('form')
    .send(formOf(q, rev, csrf, { action: 'remove-option-0' }));
  assert.equal(removed.status, 303);
  const after = await trainer.get(edit(q.qid)).expect(200);
  assert.doesNotMatch(after.text, new RegExp(`name="o\\d_id" value="${q.options[0]!.id}"`));

  const tf = await questionOf('true-false');
  const e = await openEditor(tf.qid);
  assert.doesNotMatch(e.page.text, /value="add-option"|value="remove-option/);
  const flipped = tf.options.find((o) => !o.correct)!.id;
  // The options posted in the other order and an extra action: still True, False; only the key moves.
  const body = formOf(tf, e.rev, e.csrf, { correct: flipped, action: 'add-option' });
  await trainer.post(edit(tf.qid)).type('form').send(body).expect(303);
  const f = await openEditor(tf.qid);
  await trainer
    .post(`/trainer/courses/${SLUG}/questions/${tf.qid}/publish`)
    .type('form')
    .send({ _csrf: f.csrf, rev: String(f.rev) })
    .expect(303);
  const now = await fresh(tf.qid);
  assert.deepEqual(
    now.options.map((o) => o.id),
    tf.options.map((o) => o.id),
  );
  assert.deepEqual(
    now.options.filter((o) => o.correct).map((o) => o.id),
    [flipped],
  );
});

test('unknown fields and malformed values: re-rendered with the values kept, never a 500', async () => {
  const q = await questionOf('single', 4);
  const { rev, csrf } = await openEditor(q.qid);
  const odd = await trainer
    .post(edit(q.qid))
    .type('form')
    .send(`${formOf(q, rev, csrf)}&role=admin`);
  assert.equal(odd.status, 400);
  const long = await trainer
    .post(edit(q.qid))
    .set('Accept-Language', 'en')
    .type('form')
    .send(formOf(q, rev, csrf, { stemEn: 'Kept text', action: 'explode' }));
  assert.equal(long.status, 400);
  assert.match(long.text, /Kept text/);
  assert.equal((await fresh(q.qid)).version, q.version);
});

test('an attempt under way is graded by the version it showed, not one published meanwhile', async () => {
  const learner = await buildUser(t.ctx);
  const quizzes = await quizSummariesForCourse(t.ctx, String(courseId));
  let attempt;
  let item;
  for (const quiz of quizzes.filter((x) => x.key.startsWith('lesson:'))) {
    attempt = await startAttempt(t.ctx, String(learner._id), quiz.quizId);
    item = attempt.items.find((i) => i.type === 'single');
    if (item) break;
  }
  assert.ok(attempt && item, 'a lesson quiz showing a single-choice question');
  const q = await fresh(item.qid);
  const oldKey = q.options.filter((o) => o.correct).map((o) => o.id);
  const other = q.options.find((o) => !o.correct)!;
  // The trainer moves the key while the learner is answering.
  const { rev, csrf } = await openEditor(q.qid);
  await trainer
    .post(edit(q.qid))
    .type('form')
    .send(formOf(q, rev, csrf, { correct: other.id }))
    .expect(303);
  await trainer
    .post(`/trainer/courses/${SLUG}/questions/${q.qid}/publish`)
    .type('form')
    .send({ _csrf: csrf, rev: String(rev + 1) })
    .expect(303);
  assert.equal((await fresh(q.qid)).version, q.version + 1);

  const submitted = await submitAttempt(t.ctx, attempt, { [q.qid]: oldKey });
  const result = submitted.results!.find((r) => r.qid === q.qid)!;
  assert.equal(result.correct, true, 'right by the question as it was shown');

  // A new attempt shows the new version, and is graded by it.
  const next = await startAttempt(t.ctx, String(learner._id), attempt.quizId.toString());
  const shown = next.items.find((i) => i.qid === q.qid);
  if (shown) {
    assert.equal(shown.questionVersion, q.version + 1);
    const again = await submitAttempt(t.ctx, next, { [q.qid]: oldKey });
    assert.equal(again.results!.find((r) => r.qid === q.qid)!.correct, false);
  }
});
