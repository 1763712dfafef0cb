import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { trusted } from '../../server/db/ids';
import { itemFor } from '../../modules/quizzes/draw';
import { startAttempt } from '../../modules/quizzes/service';
import type { Question } from '../../modules/quizzes/model';
import { importRealCourse, models } from './support';

let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp();
  ({ courseId } = await importRealCourse(t.ctx));
});
after(() => t.close());

const DRAWS = 200;
const keyOf = (q: Pick<Question, 'options'>) => q.options.find((o) => o.correct)!.id;

test('true/false: every draw shows True, False — the order (and so the key’s place) says nothing about the key', async () => {
  const bank = await models(t.ctx).Questions.find({ courseId, type: 'true-false' }).lean<Question[]>();
  assert.ok(bank.length >= 2, 'the shipped bank has true/false questions');
  // Both ways round, whatever order the content lists them in: the content lists the key first.
  const tf = (key: 'true' | 'false', first: 'true' | 'false') =>
    ({
      qid: `tf-${key}-${first}`,
      objective: 'tip-definition',
      type: 'true-false',
      version: 1,
      options: (first === 'true' ? ['true', 'false'] : ['false', 'true']).map((id) => ({
        id,
        text: { en: id, mn: id },
        feedback: { en: '', mn: '' },
        correct: id === key,
      })),
    }) as unknown as Question;
  const questions = [
    ...bank,
    tf('true', 'true'),
    tf('false', 'false'),
    tf('true', 'false'),
    tf('false', 'true'),
  ];
  assert.ok(
    new Set(questions.map(keyOf)).size === 2,
    'questions keyed "true" and questions keyed "false" are both drawn',
  );

  // For each key value: how often each order was shown, and where the key stood.
  const orders = { true: new Map<string, number>(), false: new Map<string, number>() };
  for (const q of questions)
    for (let i = 0; i < DRAWS; i++) {
      const order = itemFor(q).optionOrder.join(',');
      const seen = orders[keyOf(q) as 'true' | 'false'];
      seen.set(order, (seen.get(order) ?? 0) + 1);
    }
  // Independence: the distribution of the order shown is the same for both keys. Before the fix
  // the content's order was kept (key first): "true,false" for every true key, "false,true" for
  // every false one — the position of the key gave the answer away.
  const share = (m: Map<string, number>) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return Object.fromEntries([...m.entries()].map(([k, n]) => [k, n / total]));
  };
  assert.deepEqual(share(orders.true), share(orders.false), 'the order shown depends on the key');
  assert.deepEqual(share(orders.true), { 'true,false': 1 }, 'True first, then False');

  // The same through real attempts at every quiz that holds a true/false question.
  const Quizzes = models(t.ctx).Quizzes;
  const withTf = await Quizzes.find({
    courseId,
    questionIds: trusted({ $in: bank.map((q) => q.qid) }),
  }).lean();
  for (const quiz of withTf) {
    const user = await buildUser(t.ctx);
    const attempt = await startAttempt(t.ctx, String(user._id), String(quiz._id));
    for (const item of attempt.items.filter((i) => i.type === 'true-false'))
      assert.deepEqual(item.optionOrder, ['true', 'false'], `${quiz.key} ${item.qid}`);
  }
});
