import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { attemptSource, col, type Doc } from './data';

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

/** An answer's ids joined in the order given ("|a|b|c"), as a grouping key. */
const orderedKey = {
  input: { $ifNull: ['$results.chosen', []] },
  initialValue: '',
  in: { $concat: ['$$value', '|', '$$this'] },
};

interface RawGroup {
  _id: { q: string; k: string; b: 'U' | 'L' | 'M' };
  ch: string[];
  objective: string;
  n: number;
  c: number;
  sx: number;
  sxx: number;
  sxc: number;
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

/**
 * The k-th attempt in rank order (score, then _id): attempts at or before it form the upper (or lower)
 * group. Ties are broken by _id so each group holds exactly k attempts.
 */
async function cutOff(ctx: AppContext, match: Doc, k: number, dir: 1 | -1) {
  const [row] = await col(ctx.db, 'attempts')
    .find(match, { projection: { score: 1 } })
    .sort({ score: dir, _id: 1 })
    .skip(k - 1)
    .limit(1)
    .toArray();
  return row ? { score: row.score as number, id: row._id } : undefined;
}

const inGroup = (cut: { score: number; id: unknown }, op: '$gt' | '$lt') => ({
  $or: [
    { [op]: ['$score', cut.score] },
    { $and: [{ $eq: ['$score', cut.score] }, { $lte: ['$_id', cut.id] }] },
  ],
});

/**
 * Facility, discrimination, point-biserial and option shares for every question of a quiz, from one
 * pass over the attempts: results are grouped by (question, answer given, upper/lower/middle group).
 */
export async function itemAnalysis(ctx: AppContext, f: ItemFilters) {
  const match: Doc = { quizId: f.quizId, status: 'submitted' };
  const { collection, prefix } = attemptSource(ctx, f.courseId, f.cohortId, f.scope, match);
  const [counted] = await collection.aggregate<{ n: number }>([...prefix, { $count: 'n' }]).toArray();
  const total = counted?.n ?? 0;
  const k = groupSize(total);
  const scoped = !!(f.scope || f.cohortId);
  // Cut-offs by rank are taken over the same attempts; with a cohort restriction they come from the
  // (small) scoped set, without one straight from the score index.
  let upper: { score: number; id: unknown } | undefined;
  let lower: { score: number; id: unknown } | undefined;
  if (k && !scoped) {
    [upper, lower] = await Promise.all([cutOff(ctx, match, k, -1), cutOff(ctx, match, k, 1)]);
  } else if (k) {
    const rank = (dir: 1 | -1) =>
      collection
        .aggregate<{ score: number; _id: unknown }>([
          ...prefix,
          { $project: { score: 1 } },
          { $sort: { score: dir, _id: 1 } },
          { $skip: k - 1 },
          { $limit: 1 },
        ])
        .toArray()
        .then(([r]) => (r ? { score: r.score, id: r._id } : undefined));
    [upper, lower] = await Promise.all([rank(-1), rank(1)]);
  }
  const band = {
    $cond: [
      upper ? inGroup(upper, '$gt') : false,
      'U',
      { $cond: [lower ? inGroup(lower, '$lt') : false, 'L', 'M'] },
    ],
  };
  const groups = await collection
    .aggregate<RawGroup>(
      [
        ...prefix,
        { $project: { score: 1, results: 1, b: band } },
        { $unwind: '$results' },
        {
          $group: {
            // Grouped by the answer as text too: ordering answers differ by order alone, and some
            // servers (the embedded one) group arrays with the same members together.
            _id: { q: '$results.qid', k: { $reduce: orderedKey }, b: '$b' },
            ch: { $first: '$results.chosen' },
            objective: { $first: '$results.objective' },
            n: { $sum: 1 },
            c: { $sum: { $cond: ['$results.correct', 1, 0] } },
            sx: { $sum: '$score' },
            sxx: { $sum: { $multiply: ['$score', '$score'] } },
            sxc: { $sum: { $cond: ['$results.correct', '$score', 0] } },
          },
        },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  // A handful of rows per question (one per distinct answer and group): folded here.
  const sums = new Map<string, Sums>();
  for (const g of groups) {
    const s = sums.get(g._id.q) ?? {
      objective: g.objective,
      n: 0,
      c: 0,
      sx: 0,
      sxx: 0,
      sxc: 0,
      upper: { n: 0, c: 0 },
      lower: { n: 0, c: 0 },
      chosen: new Map<string, number>(),
      answers: [],
    };
    s.n += g.n;
    s.c += g.c;
    s.sx += g.sx;
    s.sxx += g.sxx;
    s.sxc += g.sxc;
    if (g._id.b === 'U') Object.assign(s.upper, { n: s.upper.n + g.n, c: s.upper.c + g.c });
    if (g._id.b === 'L') Object.assign(s.lower, { n: s.lower.n + g.n, c: s.lower.c + g.c });
    for (const o of g.ch ?? []) s.chosen.set(o, (s.chosen.get(o) ?? 0) + g.n);
    s.answers.push({ ids: g.ch ?? [], n: g.n });
    sums.set(g._id.q, s);
  }
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
