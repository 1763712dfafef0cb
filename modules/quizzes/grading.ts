import type { Answers, AttemptItem, AttemptResult, Question } from './model';

type Gradable = Pick<Question, 'type' | 'options' | 'elements'>;

const correctIds = (opts: Gradable['options'] = []) =>
  opts.filter((o) => o.correct === true).map((o) => o.id);
const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && new Set(a).size === a.length && b.every((id) => a.includes(id));
const sameSequence = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** Whether one answer is right. Exact: a partly right multiple choice is wrong. */
export function isCorrect(q: Gradable, chosen: string[] | undefined): boolean {
  const answer = chosen ?? [];
  switch (q.type) {
    case 'single':
    case 'true-false':
      return answer.length === 1 && answer[0] === correctIds(q.options)[0];
    case 'multiple':
    case 'spot-harm':
      return sameSet(answer, correctIds(q.options));
    case 'ordering':
      return sameSequence(
        answer,
        q.options.map((o) => o.id),
      );
    case 'case':
      return (
        answer.length === 2 &&
        answer[0] === correctIds(q.options)[0] &&
        answer[1] === correctIds(q.elements)[0]
      );
  }
}

export interface Grade {
  score: number;
  results: AttemptResult[];
}

/** Grades every item of an attempt against the question bank: percent correct, rounded. */
export function grade(items: AttemptItem[], questions: Map<string, Gradable>, answers: Answers): Grade {
  const results = items.map((item) => {
    const q = questions.get(item.qid);
    const chosen = answers[item.qid] ?? [];
    return { qid: item.qid, objective: item.objective, correct: q ? isCorrect(q, chosen) : false, chosen };
  });
  const right = results.filter((r) => r.correct).length;
  const score = results.length ? Math.round((right / results.length) * 100) : 0;
  return { score, results };
}
