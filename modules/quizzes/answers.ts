import { Invalid } from '../../server/http/errors';
import type { Answers, Attempt, AttemptItem } from './model';
import type { AnswerForm } from './schemas';

const list = (v: string | string[] | undefined) =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter(Boolean);

/** Ordering: ids sorted by the chosen position; items without a position are left out. */
function orderingAnswer(item: AttemptItem, form: AnswerForm): string[] {
  const placed: Array<{ id: string; pos: number }> = [];
  item.optionOrder.forEach((id) => {
    const raw = list(form[`o.${item.qid}.${id}`]);
    if (raw.length > 1) throw new Invalid('quizzes.errors.badAnswer');
    if (!raw[0]) return;
    const pos = Number(raw[0]);
    if (!Number.isInteger(pos) || pos < 1 || pos > item.optionOrder.length)
      throw new Invalid('quizzes.errors.badAnswer');
    // A position given twice keeps only its first item, so the answer stays incomplete (and wrong).
    if (!placed.some((p) => p.pos === pos)) placed.push({ id, pos });
  });
  return placed.sort((a, b) => a.pos - b.pos).map((p) => p.id);
}

/** Turns the posted form into the stored answer sheet, checking every field belongs to this attempt. */
export function answersFromForm(attempt: Pick<Attempt, 'items'>, form: AnswerForm): Answers {
  const byQid = new Map(attempt.items.map((i) => [i.qid, i]));
  for (const key of Object.keys(form)) {
    if (key.startsWith('s.')) continue; // survey answers: see survey.ts
    const [, qid, optionId] = key.split('.');
    const item = byQid.get(qid ?? '');
    if (!item) throw new Invalid('quizzes.errors.unknownQuestion');
    const kind = key[0];
    const fits =
      item.type === 'ordering'
        ? kind === 'o' && item.optionOrder.includes(optionId ?? '')
        : item.type === 'case'
          ? kind === 'c' || kind === 'e'
          : kind === 'q';
    if (!fits) throw new Invalid('quizzes.errors.badAnswer');
  }
  const answers: Answers = {};
  for (const item of attempt.items) {
    let chosen: string[];
    if (item.type === 'ordering') chosen = orderingAnswer(item, form);
    else if (item.type === 'case') {
      const c = list(form[`c.${item.qid}`]);
      const e = list(form[`e.${item.qid}`]);
      if (c.length > 1 || e.length > 1) throw new Invalid('quizzes.errors.badAnswer');
      chosen = c.length || e.length ? [c[0] ?? '', e[0] ?? ''] : [];
    } else chosen = list(form[`q.${item.qid}`]);
    if (chosen.length) answers[item.qid] = chosen;
  }
  return answers;
}

/** Questions not fully answered yet: the error summary links to them. */
export function unanswered(attempt: Pick<Attempt, 'items'>, answers: Answers): string[] {
  return attempt.items
    .filter((item) => {
      const a = answers[item.qid] ?? [];
      if (item.type === 'ordering') return a.length !== item.optionOrder.length;
      if (item.type === 'case') return !a[0] || !a[1];
      return a.length === 0;
    })
    .map((i) => i.qid);
}

/** Ordering positions given twice: "each position once" errors. */
export function duplicatePositions(attempt: Pick<Attempt, 'items'>, form: AnswerForm): string[] {
  return attempt.items
    .filter((item) => item.type === 'ordering')
    .filter((item) => {
      const pos = item.optionOrder.map((id) => list(form[`o.${item.qid}.${id}`])[0]).filter(Boolean);
      return new Set(pos).size !== pos.length;
    })
    .map((i) => i.qid);
}
