import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { AttemptResult } from '../quizzes';
import { col } from './data';
import { firstAttemptResults, type ItemFilters } from './items-source';
import { MIN_RANKED, misconceptions, positionErrors, type StepStat } from './misconceptions';

export type { ItemFilters } from './items-source';
export { MIN_RANKED, positionErrors, type Misconception, type StepStat } from './misconceptions';

type Text = { en: string; mn: string };

export interface OptionStat {
  id: string;
  text: Text;
  correct: boolean;
  chosen: number;
  /** Percentage of the trainees answering the question who chose this option. */
  share: number;
}

export interface ItemStat {
  qid: string;
  objective: string;
  type: string;
  stem: Text;
  /** Trainees who answered it (each by their first submitted attempt). */
  n: number;
  /** Share correct, 0–1. */
  facility: number;
  /** Answers in each of the upper and lower groups; 0 when too few answers to form them. */
  groupN: number;
  /** Upper 27 % facility − lower 27 % facility, ranked by rest score; null without groups. */
  discrimination: number | null;
  /** Groups smaller than MIN_GROUP: chance alone can move the discrimination by 0.2 or more. */
  rough: boolean;
  /** Point-biserial correlation of the item with the rest score; null when undefined or without groups. */
  pointBiserial: number | null;
  options: OptionStat[];
  /** Ordering questions only: position errors per step, in the right order. */
  steps?: StepStat[];
}

/**
 * Below this many answers per group a discrimination is marked rough: the standard error of a
 * difference of two shares from groups of 10 is up to √(0.25/10 + 0.25/10) ≈ 0.22, as wide as the
 * 0.2 the page calls worth a look.
 */
export const MIN_GROUP = 10;

/** Kelley's 27 % groups: how many answers go in each of the upper and lower groups. */
export const groupSize = (n: number) => (n >= 4 ? Math.max(1, Math.round(0.27 * n)) : 0);

/** Sums for a correlation of right (x, 0/1) with the rest score (y). */
interface RestSums {
  n: number;
  c: number;
  sy: number;
  syy: number;
  sxy: number;
}

/** The answers to one question, folded. */
interface Sums {
  objective: string;
  n: number;
  c: number;
  /** Answers from attempts with other questions, whose rest score is defined. */
  rest: RestSums;
  /** Those answers by rest score: how many, how many right (the upper and lower groups' ranking). */
  byRest: Map<number, { n: number; c: number }>;
  chosen: Map<string, number>;
  /** Each distinct answer given (ids in the order chosen) with how many gave it. */
  byAnswer: Map<string, { ids: string[]; n: number }>;
}

function pointBiserial({ n, c, sy, syy, sxy }: RestSums): number | null {
  if (c === 0 || c === n) return null;
  const mean = sy / n;
  const variance = syy / n - mean * mean;
  // Rest scores that are all equal leave rounding noise, not spread: no correlation to report.
  if (variance <= 1e-9 * Math.max(1, mean * mean)) return null;
  const sd = Math.sqrt(variance);
  const m1 = sxy / c;
  const m0 = (sy - sxy) / (n - c);
  const p = c / n;
  return ((m1 - m0) / sd) * Math.sqrt(p * (1 - p));
}

/**
 * Share right among the first k answers in `order` (rest scores, best or worst first). A tie at the
 * cut-off shares the places left: each tied answer counts in proportion, so the group holds exactly
 * k answers and no arbitrary order (an id) decides who is in.
 */
function groupShare(byRest: Sums['byRest'], order: number[], k: number): number {
  let left = k;
  let right = 0;
  for (const score of order) {
    const { n, c } = byRest.get(score)!;
    const take = Math.min(left, n);
    right += (c * take) / n;
    left -= take;
    if (!left) break;
  }
  return right / k;
}

/**
 * Upper 27 % share right − lower 27 % share right, among the answers to this question ranked by
 * rest score. Null with no groups (under 4 answers): a group without answers tells nothing.
 */
function discrimination(s: Sums, k: number): number | null {
  if (!k) return null;
  const worstFirst = [...s.byRest.keys()].sort((a, b) => a - b);
  return groupShare(s.byRest, [...worstFirst].reverse(), k) - groupShare(s.byRest, worstFirst, k);
}

function emptySums(objective: string): Sums {
  return {
    objective,
    n: 0,
    c: 0,
    rest: { n: 0, c: 0, sy: 0, syy: 0, sxy: 0 },
    byRest: new Map(),
    chosen: new Map(),
    byAnswer: new Map(),
  };
}

/** Counts one answer's rest score (percent right of the attempt's other questions). */
function addRest(s: Sums, x: number, rest: number) {
  const r = s.rest;
  Object.assign(r, {
    n: r.n + 1,
    c: r.c + x,
    sy: r.sy + rest,
    syy: r.syy + rest * rest,
    sxy: r.sxy + x * rest,
  });
  const group = s.byRest.get(rest) ?? { n: 0, c: 0 };
  s.byRest.set(rest, { n: group.n + 1, c: group.c + x });
}

/**
 * Folds one trainee's results into the per-question sums. Each question is set against the rest
 * score — the percent right of the attempt's other questions — never the total: a total that
 * holds the question itself correlates with it even when it is answered by chance.
 */
function addAttempt(sums: Map<string, Sums>, results: AttemptResult[]) {
  const right = results.filter((r) => r.correct).length;
  for (const { qid, correct, chosen, objective } of results) {
    const s = sums.get(qid) ?? emptySums(objective);
    sums.set(qid, s);
    const x = correct ? 1 : 0;
    s.n++;
    s.c += x;
    if (results.length > 1) addRest(s, x, (100 * (right - x)) / (results.length - 1));
    const ids = chosen ?? [];
    for (const o of ids) s.chosen.set(o, (s.chosen.get(o) ?? 0) + 1);
    // Ordering answers differ by order alone: the key keeps it.
    const key = ids.map((i) => `|${i}`).join('');
    const answer = s.byAnswer.get(key);
    if (answer) answer.n++;
    else s.byAnswer.set(key, { ids, n: 1 });
  }
}

type QuestionDoc = { type?: string; objective?: string; stem?: Text; options?: RawOption[] };
type RawOption = { id: string; text: Text; correct?: boolean };

function itemStat(qid: string, s: Sums, q: QuestionDoc | undefined): ItemStat {
  const type = q?.type ?? 'single';
  const raw = q?.options ?? [];
  const k = groupSize(s.rest.n);
  const d = discrimination(s, k);
  return {
    qid,
    objective: q?.objective ?? s.objective,
    type,
    ...(type === 'ordering' ? { steps: positionErrors(raw, [...s.byAnswer.values()]) } : {}),
    stem: q?.stem ?? { en: qid, mn: qid },
    n: s.n,
    facility: s.c / s.n,
    groupN: k,
    discrimination: d,
    rough: d !== null && k < MIN_GROUP,
    // Under 4 answers (no groups) a correlation is as empty: 2 points always lie on a line.
    pointBiserial: k ? pointBiserial(s.rest) : null,
    options:
      type === 'ordering'
        ? []
        : raw.map((o) => {
            const n = s.chosen.get(o.id) ?? 0;
            return { id: o.id, text: o.text, correct: !!o.correct, chosen: n, share: (100 * n) / s.n };
          }),
  };
}

/**
 * Facility, discrimination, point-biserial and option shares for every question of a quiz, from each
 * trainee's first submitted attempt in scope (see items-source.ts), folded here: the embedded server
 * unwinds and groups hundreds of thousands of results slowly; a real MongoDB sends the same rows as
 * fast as it would have grouped them.
 */
export async function itemAnalysis(ctx: AppContext, f: ItemFilters) {
  const attempts = await firstAttemptResults(ctx, f);
  const sums = new Map<string, Sums>();
  for (const results of attempts) addAttempt(sums, results);
  const questions = await col(ctx.db, 'questions')
    .find(
      { courseId: f.courseId, qid: { $in: [...sums.keys()] } },
      { projection: { qid: 1, objective: 1, type: 1, stem: 1, options: 1 } },
    )
    .toArray();
  const byQid = new Map(questions.map((q) => [q.qid as string, q as QuestionDoc]));
  const items = [...sums.entries()].map(([qid, s]) => itemStat(qid, s, byQid.get(qid)));
  items.sort((a, b) => a.qid.localeCompare(b.qid));
  return {
    total: attempts.length,
    minGroup: MIN_GROUP,
    minRanked: MIN_RANKED,
    items,
    misconceptions: await misconceptions(ctx, f.courseId, items),
  };
}

export async function listQuizzes(ctx: AppContext, courseId: Types.ObjectId) {
  return col(ctx.db, 'quizzes')
    .find({ courseId }, { projection: { key: 1, kind: 1, title: 1 } })
    .sort({ kind: 1, key: 1 })
    .toArray();
}
