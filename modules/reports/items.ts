import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { unpackResults, type AttemptResult } from '../quizzes';
import { attemptSource, col, type Doc, PACKED_RESULTS } from './data';

type Text = { en: string; mn: string };

export interface ItemFilters {
  courseId: Types.ObjectId;
  quizId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

export interface OptionStat {
  id: string;
  text: Text;
  correct: boolean;
  chosen: number;
  /** Percentage of attempts answering the question that chose this option. */
  share: number;
}

/**
 * One step of an ordering question: how often it was put anywhere but its place. The whole answer
 * is right or wrong, but the option counts of choice questions mean nothing here (every answer
 * "chooses" every step), so ordering items are analysed by position errors instead.
 */
export interface StepStat {
  id: string;
  text: Text;
  /** 1-based place in the right order. */
  position: number;
  /** Answers that placed this step at all (blank answers place none). */
  placed: number;
  misplaced: number;
  /** Percentage of `placed` that put it elsewhere. */
  share: number;
  /** The wrong position it was most often given (1-based); null when never misplaced. */
  commonPosition: number | null;
}

export interface ItemStat {
  qid: string;
  objective: string;
  type: string;
  stem: Text;
  n: number;
  /** Share correct, 0–1. */
  facility: number;
  /** Upper 27 % facility − lower 27 % facility; null without enough attempts. */
  discrimination: number | null;
  /** Point-biserial correlation of item score with attempt score; null when undefined. */
  pointBiserial: number | null;
  options: OptionStat[];
  /** Ordering questions only: position errors per step, in the right order. */
  steps?: StepStat[];
}

export interface Misconception {
  qid: string;
  objective: string;
  stem: Text;
  /** 'option': a wrong option chosen; 'position': an ordering step put out of place. */
  kind: 'option' | 'position';
  option: Text;
  share: number;
  /** For 'position': the step's right place and the wrong place most often given (1-based). */
  position?: number;
  placedAt?: number;
  lessons: Array<{ slug: string; title: Text }>;
}

/** One attempt as the analysis reads it: score, id, and its results. */
interface Scored {
  _id: Types.ObjectId;
  score?: number | null;
  r: AttemptResult[];
}

interface Sums {
  objective: string;
  n: number;
  c: number;
  sx: number;
  sxx: number;
  sxc: number;
  upper: { n: number; c: number };
  lower: { n: number; c: number };
  chosen: Map<string, number>;
  /** Each distinct answer given (ids in the order chosen) with how many gave it. */
  answers: Array<{ ids: string[]; n: number }>;
}

/** Kelley's 27 % groups: how many attempts go in each of the upper and lower groups. */
export const groupSize = (n: number) => (n >= 4 ? Math.max(1, Math.round(0.27 * n)) : 0);

function pointBiserial(s: Sums): number | null {
  const { n, c, sx, sxx, sxc } = s;
  if (c === 0 || c === n) return null;
  const mean = sx / n;
  const sd = Math.sqrt(Math.max(0, sxx / n - mean * mean));
  if (sd === 0) return null;
  const m1 = sxc / c;
  const m0 = (sx - sxc) / (n - c);
  const p = c / n;
  return ((m1 - m0) / sd) * Math.sqrt(p * (1 - p));
}

type Cut = { score: number; id: string };

/** Rank order: score (null below any number), then `_id` ascending. */
const rankScore = (a: Scored) => (typeof a.score === 'number' ? a.score : -Infinity);

/**
 * The k-th attempt in rank order (score, then _id): attempts at or before it form the upper (or lower)
 * group. Ties are broken by _id so each group holds exactly k attempts.
 */
function cutOff(attempts: Scored[], k: number, dir: 1 | -1): Cut | undefined {
  const ranked = attempts
    .map((a) => ({ score: rankScore(a), id: String(a._id) }))
    .sort((x, y) => dir * (x.score - y.score) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return ranked[k - 1];
}

function bandOf(a: Scored, upper: Cut | undefined, lower: Cut | undefined): 'U' | 'L' | 'M' {
  const score = rankScore(a);
  const id = String(a._id);
  if (upper && (score > upper.score || (score === upper.score && id <= upper.id))) return 'U';
  if (lower && (score < lower.score || (score === lower.score && id <= lower.id))) return 'L';
  return 'M';
}

/** Folds one attempt's results into the per-question sums. */
function addAttempt(
  sums: Map<string, Sums & { byAnswer: Map<string, { ids: string[]; n: number }> }>,
  a: Scored,
  band: string,
) {
  const score = typeof a.score === 'number' ? a.score : 0;
  for (const { qid, correct, chosen, objective } of a.r) {
    let s = sums.get(qid);
    if (!s) {
      s = {
        objective,
        n: 0,
        c: 0,
        sx: 0,
        sxx: 0,
        sxc: 0,
        upper: { n: 0, c: 0 },
        lower: { n: 0, c: 0 },
        chosen: new Map<string, number>(),
        answers: [],
        byAnswer: new Map(),
      };
      sums.set(qid, s);
    }
    const right = correct ? 1 : 0;
    s.n++;
    s.c += right;
    s.sx += score;
    s.sxx += score * score;
    s.sxc += correct ? score : 0;
    if (band === 'U') Object.assign(s.upper, { n: s.upper.n + 1, c: s.upper.c + right });
    if (band === 'L') Object.assign(s.lower, { n: s.lower.n + 1, c: s.lower.c + right });
    const ids = chosen ?? [];
    for (const o of ids) s.chosen.set(o, (s.chosen.get(o) ?? 0) + 1);
    // Ordering answers differ by order alone: the key keeps it.
    const key = ids.map((i) => `|${i}`).join('');
    const answer = s.byAnswer.get(key);
    if (answer) answer.n++;
    else s.byAnswer.set(key, { ids, n: 1 });
  }
}

/**
 * Facility, discrimination, point-biserial and option shares for every question of a quiz, from one
 * read of the quiz's submitted attempts in scope (score and packed results): the upper and lower
 * 27 % groups are ranked and every result folded here. The embedded server unwinds and groups
 * hundreds of thousands of results slowly; a real MongoDB sends the same rows as fast as it would
 * have grouped them.
 */
export async function itemAnalysis(ctx: AppContext, f: ItemFilters) {
  const match: Doc = { quizId: f.quizId, status: 'submitted' };
  const { collection, prefix } = attemptSource(ctx, f.courseId, f.cohortId, f.scope, match);
  const read = await collection
    .aggregate<{ _id: Types.ObjectId; score?: number | null; r: unknown }>(
      [...prefix, { $project: { score: 1, r: PACKED_RESULTS } }],
      { allowDiskUse: true, batchSize: 5000 },
    )
    .toArray();
  const attempts: Scored[] = read.map((a) => ({ ...a, r: unpackResults(a.r) }));
  const total = attempts.length;
  const k = groupSize(total);
  const upper = k ? cutOff(attempts, k, -1) : undefined;
  const lower = k ? cutOff(attempts, k, 1) : undefined;
  const sums = new Map<string, Sums & { byAnswer: Map<string, { ids: string[]; n: number }> }>();
  for (const a of attempts) addAttempt(sums, a, bandOf(a, upper, lower));
  for (const s of sums.values()) s.answers = [...s.byAnswer.values()];
  const questions = await col(ctx.db, 'questions')
    .find(
      { courseId: f.courseId, qid: { $in: [...sums.keys()] } },
      { projection: { qid: 1, objective: 1, type: 1, stem: 1, options: 1 } },
    )
    .toArray();
  const byQid = new Map(questions.map((q) => [q.qid as string, q]));
  const items: ItemStat[] = [...sums.entries()].map(([qid, s]) => {
    const q = byQid.get(qid);
    const type = (q?.type as string) ?? 'single';
    const raw = (q?.options as Array<{ id: string; text: Text; correct?: boolean }>) ?? [];
    const options =
      type === 'ordering'
        ? []
        : raw.map((o) => {
            const n = s.chosen.get(o.id) ?? 0;
            return { id: o.id, text: o.text, correct: !!o.correct, chosen: n, share: (100 * n) / s.n };
          });
    const share = (g: { n: number; c: number }) => (g.n ? g.c / g.n : 0);
    return {
      qid,
      objective: (q?.objective as string) ?? s.objective,
      type,
      ...(type === 'ordering' ? { steps: positionErrors(raw, s.answers) } : {}),
      stem: (q?.stem as Text) ?? { en: qid, mn: qid },
      n: s.n,
      facility: s.c / s.n,
      discrimination: k ? share(s.upper) - share(s.lower) : null,
      pointBiserial: pointBiserial(s),
      options,
    };
  });
  items.sort((a, b) => a.qid.localeCompare(b.qid));
  return { total, groupSize: k, items, misconceptions: await misconceptions(ctx, f.courseId, items) };
}

/**
 * Position errors of an ordering question's steps, from the distinct answers given. The stored
 * options are the steps in the right order; an answer lists step ids in the order chosen.
 */
export function positionErrors(
  steps: Array<{ id: string; text: Text }>,
  answers: Array<{ ids: string[]; n: number }>,
): StepStat[] {
  return steps.map((step, i) => {
    let placed = 0;
    let misplaced = 0;
    const at = new Map<number, number>();
    for (const a of answers) {
      const p = a.ids.indexOf(step.id);
      if (p < 0) continue;
      placed += a.n;
      if (p === i) continue;
      misplaced += a.n;
      at.set(p + 1, (at.get(p + 1) ?? 0) + a.n);
    }
    const common = [...at.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0];
    return {
      id: step.id,
      text: step.text,
      position: i + 1,
      placed,
      misplaced,
      share: placed ? (100 * misplaced) / placed : 0,
      commonPosition: common ? common[0] : null,
    };
  });
}

/**
 * The most frequent errors, each with the lessons that teach the question's objective: wrong options
 * chosen, and ordering steps put out of place (a step in its right place is never one).
 */
async function misconceptions(ctx: AppContext, courseId: Types.ObjectId, items: ItemStat[], top = 10) {
  type Wrong = { i: ItemStat; text: Text; share: number; position?: number; placedAt?: number };
  const wrong = items
    .flatMap((i): Wrong[] =>
      i.steps
        ? i.steps
            .filter((st) => st.misplaced > 0)
            .map((st) => ({
              i,
              text: st.text,
              share: st.share,
              position: st.position,
              placedAt: st.commonPosition ?? undefined,
            }))
        : i.options
            .filter((o) => !o.correct && o.chosen > 0)
            .map((o) => ({ i, text: o.text, share: o.share })),
    )
    .sort(
      (a, b) => b.share - a.share || a.i.qid.localeCompare(b.i.qid) || (a.position ?? 0) - (b.position ?? 0),
    )
    .slice(0, top);
  const objectives = [...new Set(wrong.map((w) => w.i.objective))];
  const lessons = objectives.length
    ? await col(ctx.db, 'lessons')
        .find(
          { courseId, objectives: { $in: objectives } },
          { projection: { slug: 1, title: 1, objectives: 1 } },
        )
        .toArray()
    : [];
  return wrong.map((w): Misconception => ({
    qid: w.i.qid,
    objective: w.i.objective,
    stem: w.i.stem,
    kind: w.position ? 'position' : 'option',
    option: w.text,
    share: w.share,
    ...(w.position ? { position: w.position, placedAt: w.placedAt } : {}),
    lessons: lessons
      .filter((l) => ((l.objectives as string[]) ?? []).includes(w.i.objective))
      .map((l) => ({ slug: l.slug as string, title: l.title as Text })),
  }));
}

export async function listQuizzes(ctx: AppContext, courseId: Types.ObjectId) {
  return col(ctx.db, 'quizzes')
    .find({ courseId }, { projection: { key: 1, kind: 1, title: 1 } })
    .sort({ kind: 1, key: 1 })
    .toArray();
}
