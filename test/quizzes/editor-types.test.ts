/**
 * The question editor for the types with more than a list of choices: spot the harm (an excerpt),
 * ordering (the key is the order of the steps, reordered with Move up / Move down) and cases (fixed
 * classifications and deciding elements, each keyed once). Edit → save → preview → publish; the quiz
 * then grades by the new key, and an attempt under way by the version it showed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';
import { questionModel, type Question, type QuestionOption } from '../../modules/quizzes/model';
import { questionsOfCourse } from '../../modules/quizzes/definitions';
import { isCorrect } from '../../modules/quizzes/grading';
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
  (await questionModel(t.ctx.db).find({ courseId, type }).sort({ qid: 1 }).lean())[nth]!;
const fresh = async (qid: string) => (await questionModel(t.ctx.db).findOne({ courseId, qid }).lean())!;
const path = (qid: string, page: string) => `/trainer/courses/${SLUG}/questions/${qid}/${page}`;
const ids = (list: QuestionOption[] = []) => list.map((o) => o.id);
const keyOf = (list: QuestionOption[] = []) => list.filter((o) => o.correct).map((o) => o.id);

const openEditor = (qid: string, lang = 'en') => openEditorAt(trainer, path(qid, 'edit'), lang);
const save = (q: Question, rev: number, csrf: string, change: Record<string, string | string[]> = {}) =>
  trainer
    .post(path(q.qid, 'edit'))
    .set('Accept-Language', 'en')
    .type('form')
    .send(formOf(q, rev, csrf, change));
const publish = (qid: string, rev: number, csrf: string) =>
  trainer
    .post(path(qid, 'publish'))
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, rev: String(rev) });
const graded = async (qid: string, answer: string[]) =>
  isCorrect((await questionsOfCourse(t.ctx, (await fresh(qid)).courseId)).get(qid)!, answer);

test('ordering: steps move up and down, the new order is the key the quiz then grades by', async () => {
  const q = await questionOf('ordering');
  const { page, rev, csrf } = await openEditor(q.qid);
  assert.match(page.text, /Steps, in the right order/);
  assert.doesNotMatch(page.text, /name="correct"/, 'no correct flags: the order is the key');
  assert.match(page.text, /value="move-down-0"[^>]*>Move step 1 down</);
  assert.doesNotMatch(page.text, /value="move-up-0"/, 'the first step cannot move up');
  assert.doesNotMatch(page.text, new RegExp(`value="move-down-${q.options.length - 1}"`));

  // Step 2 moves up: the page opens at its new place, and the draft has the new order.
  const moved = await save(q, rev, csrf, { action: 'move-up-1' });
  assert.equal(moved.status, 303);
  assert.equal(moved.headers.location, `${path(q.qid, 'edit')}?saved=1#option-0`);
  const after = await openEditor(q.qid);
  const order = [...after.page.text.matchAll(/name="o\d_id" value="([^"]+)"/g)].map((m) => m[1]);
  const expected = [q.options[1]!.id, q.options[0]!.id, ...ids(q.options.slice(2))];
  assert.deepEqual(order, expected);

  const preview = await trainer.get(`${path(q.qid, 'preview')}?lang=mn`).expect(200);
  assert.match(preview.text, /Зөв дараалал|The right order/);
  await publish(q.qid, after.rev, after.csrf).expect(303);
  const now = await fresh(q.qid);
  assert.deepEqual(ids(now.options), expected);
  assert.ok(
    now.options.every((o) => o.correct === undefined),
    'steps carry no flag',
  );
  assert.equal(await graded(q.qid, expected), true, 'the new order is right');
  assert.equal(await graded(q.qid, ids(q.options)), false, 'the old order is wrong now');
});

test('ordering: a step added empty, then removed; fewer than two steps or an empty one is refused', async () => {
  const q = await questionOf('ordering', 1);
  let { rev, csrf } = await openEditor(q.qid);
  const added = await save(q, rev, csrf, { action: 'add-option' });
  assert.equal(added.status, 303);
  ({ rev, csrf } = await openEditor(q.qid));
  const refused = await publish(q.qid, rev, csrf).expect(400);
  assert.match(refused.text, /Write this in both English and Mongolian/, 'the empty new step is marked');
  assert.equal((await fresh(q.qid)).version, q.version, 'nothing published');
  const removed = await save(await withDraft(q), rev, csrf, { action: `remove-option-${q.options.length}` });
  assert.equal(removed.status, 303);
  const page = (await openEditor(q.qid)).page;
  assert.equal([...page.text.matchAll(/name="o\d_id"/g)].length, q.options.length);
});

/** The question as its draft now reads (after an add), to post the whole form again. */
async function withDraft(q: Question): Promise<Question> {
  const page = (await openEditor(q.qid)).page;
  const count = [...page.text.matchAll(/name="o\d_id"/g)].length;
  const blank = { id: `o${count}`, text: { en: '', mn: '' }, feedback: { en: '', mn: '' } };
  return { ...q, options: [...q.options, blank] };
}

test('spot the harm: the excerpt is edited in both languages, the harmful passages are the key', async () => {
  const q = await questionOf('spot-harm');
  const { page, rev, csrf } = await openEditor(q.qid);
  assert.match(page.text, /Excerpt the trainee reads/);
  assert.match(page.text, /type="checkbox" name="correct"/);
  const newKey = ids(q.options)
    .filter((id) => !keyOf(q.options).includes(id))
    .slice(0, 1);
  const saved = await save(q, rev, csrf, {
    excerptEn: 'An edited excerpt naming no one.',
    excerptMn: 'Хэнийг ч нэрлээгүй зассан ишлэл.',
    correct: newKey,
  });
  assert.equal(saved.status, 303);
  const preview = await trainer.get(`${path(q.qid, 'preview')}?lang=mn`).expect(200);
  assert.match(preview.text, /<blockquote>Хэнийг ч нэрлээгүй зассан ишлэл.<\/blockquote>/);

  // An excerpt in one language only: refused, the field marked, the draft kept.
  const half = await save(q, rev + 1, csrf, { excerptMn: '', correct: newKey });
  assert.equal(half.status, 303);
  const refused = await publish(q.qid, rev + 2, csrf).expect(400);
  assert.match(refused.text, /id="f-excerptMn"[^>]*aria-invalid="true"/);
  const ok = await save(q, rev + 2, csrf, {
    excerptEn: 'An edited excerpt naming no one.',
    excerptMn: 'Хэнийг ч нэрлээгүй зассан ишлэл.',
    correct: newKey,
  });
  assert.equal(ok.status, 303);
  await publish(q.qid, rev + 3, csrf).expect(303);
  const now = await fresh(q.qid);
  assert.equal(now.excerpt?.mn, 'Хэнийг ч нэрлээгүй зассан ишлэл.');
  assert.deepEqual(keyOf(now.options), newKey);
  assert.equal(await graded(q.qid, newKey), true);

  // No harmful passage marked: refused.
  const { rev: r2, csrf: c2 } = await openEditor(q.qid);
  await save(now, r2, c2, { correct: [] }).expect(303);
  const none = await publish(q.qid, r2 + 1, c2).expect(400);
  assert.match(none.text, /Mark at least one correct option/);
});

test('case: classifications and elements are fixed; one of each is keyed; the quiz grades by both', async () => {
  // A case question a learner's pre-test is showing right now (graded later by the version it showed).
  const learner = await buildUser(t.ctx);
  const pre = (await quizSummariesForCourse(t.ctx, String(courseId))).find((x) => x.key === 'pre')!;
  const attempt = await startAttempt(t.ctx, String(learner._id), pre.quizId);
  const shown = await Promise.all(attempt.items.filter((i) => i.type === 'case').map((i) => fresh(i.qid)));
  const q = shown.find((x) => keyOf(x.options)[0] !== 'neither')!;
  assert.ok(q, 'the pre-test shows a case question');
  const { page, rev, csrf } = await openEditor(q.qid);
  assert.match(page.text, /Classification and answer key/);
  assert.match(page.text, /Deciding element/);
  assert.doesNotMatch(page.text, /value="add-option"|value="remove-option-/, 'nothing to add or remove');
  const oldAnswer = [keyOf(q.options)[0]!, keyOf(q.elements)[0]!];
  const newAnswer = ['neither', ids(q.elements).find((id) => id !== oldAnswer[1])!];

  // Extra option or element ids posted are ignored: the lists stay the question's.
  const saved = await save(q, rev, csrf, {
    caseEn: `${q.case!.en} (edited)`,
    correct: newAnswer[0]!,
    element: newAnswer[1]!,
    o9_id: 'invented',
    o9_textEn: 'x',
  });
  assert.equal(saved.status, 303);
  const draft = await openEditor(q.qid);
  assert.deepEqual(
    [...draft.page.text.matchAll(/name="o\d_id" value="([^"]+)"/g)].map((m) => m[1]),
    ids(q.options),
  );
  assert.match(draft.page.text, new RegExp(`type="radio" name="element" value="${newAnswer[1]}" checked`));
  const preview = await trainer.get(`${path(q.qid, 'preview')}?lang=en`).expect(200);
  assert.match(preview.text, /\(edited\)/);

  await publish(q.qid, draft.rev, draft.csrf).expect(303);
  const now = await fresh(q.qid);
  assert.equal(now.case!.en, `${q.case!.en} (edited)`);
  assert.deepEqual([keyOf(now.options)[0], keyOf(now.elements)[0]], newAnswer);
  assert.equal(await graded(q.qid, newAnswer), true);
  assert.equal(await graded(q.qid, oldAnswer), false);
  // The attempt under way keeps the version it showed, element key included.
  const submitted = await submitAttempt(t.ctx, attempt, { [q.qid]: oldAnswer });
  assert.equal(submitted.results!.find((r) => r.qid === q.qid)!.correct, true, 'graded as shown');
});

test('case: no element keyed, or two, is refused with the element list marked; nothing published', async () => {
  const q = await questionOf('case', 1);
  const { rev, csrf } = await openEditor(q.qid);
  await save(q, rev, csrf, { element: '' }).expect(303);
  const refused = await publish(q.qid, rev + 1, csrf).expect(400);
  assert.match(refused.text, /id="element-key-error"[^>]*>Mark exactly one element\./);
  assert.match(refused.text, /name="element"[^>]*aria-describedby="element-key-error"/);
  const two = await save(q, rev + 1, csrf, {
    element: ids(q.elements).slice(0, 2),
    caseEn: 'Kept case text',
  });
  assert.equal(two.status, 400, 'two elements: a malformed form, re-rendered with what was typed');
  assert.match(two.text, /Kept case text/);
  assert.equal((await fresh(q.qid)).version, q.version);
});

test('the Mongolian editor labels every type’s parts', async () => {
  for (const type of ['ordering', 'case', 'spot-harm'] as const) {
    const q = await questionOf(type, 2);
    const mnTrainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer', locale: 'mn' }));
    const page = await mnTrainer.get(path(q.qid, 'edit')).expect(200);
    const want = {
      ordering: /Алхмууд, зөв дарааллаар/,
      case: /Шийдвэрлэх бүрэлдэхүүн/,
      'spot-harm': /Суралцагчийн унших ишлэл/,
    };
    assert.match(page.text, want[type], type);
    assert.doesNotMatch(page.text, /quizzes\.editor\./, 'no untranslated keys');
  }
});
