import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { col, scopedTraineeIds, type Doc } from './data';

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

export interface ItemStat {
  qid: string;
  objective: string;
  stem: Text;
  n: number;
  /** Share correct, 0–1. */
  facility: number;
  /** Upper 27 % facility − lower 27 % facility; null without enough attempts. */
  discrimination: number | null;
  /** Point-biserial correlation of item score with attempt score; null when undefined. */
  pointBiserial: number | null;
  options: OptionStat[];
}

export interface Misconception {
  qid: string;
  objective: string;
  stem: Text;
  option: Text;
  share: number;
  lessons: Array<{ slug: string; title: Text }>;
}

interface RawStat {
  _id: string;
  objective: string;
  n: number;
  c: number;
  sx: number;
  sxx: number;
  sxc: number;
}

const perItem = (extra: Doc[] = []): Doc[] => [
  ...extra,
  { $unwind: '$results' },
  { $group: { _id: '$results.qid', n: { $sum: 1 }, c: { $sum: { $cond: ['$results.correct', 1, 0] } } } },
];

/** Kelley's 27 % groups: how many attempts go in each of the upper and lower groups. */
export const groupSize = (n: number) => (n >= 4 ? Math.max(1, Math.round(0.27 * n)) : 0);

function pointBiserial(s: RawStat): number | null {
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

/** Facility, discrimination, point-biserial and option shares for every question of a quiz. */
export async function itemAnalysis(ctx: AppContext, f: ItemFilters) {
  const ids = await scopedTraineeIds(ctx, f.courseId, f.cohortId, f.scope);
  const match: Doc = { quizId: f.quizId, status: 'submitted' };
  if (ids) match.userId = { $in: ids };
  const attempts = col(ctx.db, 'attempts');
  const total = await attempts.countDocuments(match);
  const k = groupSize(total);
  const [facet] = await attempts
    .aggregate<{
      stats: RawStat[];
      options: Array<{ _id: { q: string; o: string }; n: number }>;
      upper: Array<{ _id: string; n: number; c: number }>;
      lower: Array<{ _id: string; n: number; c: number }>;
    }>(
      [
        { $match: match },
        { $project: { score: 1, results: 1 } },
        {
          $facet: {
            stats: [
              { $unwind: '$results' },
              {
                $group: {
                  _id: '$results.qid',
                  objective: { $first: '$results.objective' },
                  n: { $sum: 1 },
                  c: { $sum: { $cond: ['$results.correct', 1, 0] } },
                  sx: { $sum: '$score' },
                  sxx: { $sum: { $multiply: ['$score', '$score'] } },
                  sxc: { $sum: { $cond: ['$results.correct', '$score', 0] } },
                },
              },
            ],
            options: [
              { $unwind: '$results' },
              { $unwind: '$results.chosen' },
              { $group: { _id: { q: '$results.qid', o: '$results.chosen' }, n: { $sum: 1 } } },
            ],
            upper: k ? perItem([{ $sort: { score: -1, _id: 1 } }, { $limit: k }]) : [{ $limit: 0 }],
            lower: k ? perItem([{ $sort: { score: 1, _id: 1 } }, { $limit: k }]) : [{ $limit: 0 }],
          },
        },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  const stats = facet?.stats ?? [];
  const questions = await col(ctx.db, 'questions')
    .find(
      { courseId: f.courseId, qid: { $in: stats.map((s) => s._id) } },
      { projection: { qid: 1, objective: 1, stem: 1, options: 1 } },
    )
    .toArray();
  const byQid = new Map(questions.map((q) => [q.qid as string, q]));
  const chosen = new Map((facet?.options ?? []).map((o) => [`${o._id.q}\u0000${o._id.o}`, o.n]));
  const upper = new Map((facet?.upper ?? []).map((g) => [g._id, g.c / g.n]));
  const lower = new Map((facet?.lower ?? []).map((g) => [g._id, g.c / g.n]));
  const items: ItemStat[] = stats.map((s) => {
    const q = byQid.get(s._id);
    const options = ((q?.options as Array<{ id: string; text: Text; correct?: boolean }>) ?? []).map((o) => {
      const n = chosen.get(`${s._id}\u0000${o.id}`) ?? 0;
      return { id: o.id, text: o.text, correct: !!o.correct, chosen: n, share: (100 * n) / s.n };
    });
    return {
      qid: s._id,
      objective: (q?.objective as string) ?? s.objective,
      stem: (q?.stem as Text) ?? { en: s._id, mn: s._id },
      n: s.n,
      facility: s.c / s.n,
      discrimination: k ? (upper.get(s._id) ?? 0) - (lower.get(s._id) ?? 0) : null,
      pointBiserial: pointBiserial(s),
      options,
    };
  });
  items.sort((a, b) => a.qid.localeCompare(b.qid));
  return { total, groupSize: k, items, misconceptions: await misconceptions(ctx, f.courseId, items) };
}

/** The most-chosen wrong options, each with the lessons that teach the question's objective. */
async function misconceptions(ctx: AppContext, courseId: Types.ObjectId, items: ItemStat[], top = 10) {
  const wrong = items
    .flatMap((i) => i.options.filter((o) => !o.correct && o.chosen > 0).map((o) => ({ i, o })))
    .sort((a, b) => b.o.share - a.o.share || a.i.qid.localeCompare(b.i.qid))
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
  return wrong.map(({ i, o }): Misconception => ({
    qid: i.qid,
    objective: i.objective,
    stem: i.stem,
    option: o.text,
    share: o.share,
    lessons: lessons
      .filter((l) => ((l.objectives as string[]) ?? []).includes(i.objective))
      .map((l) => ({ slug: l.slug as string, title: l.title as Text })),
  }));
}

export async function listQuizzes(ctx: AppContext, courseId: Types.ObjectId) {
  return col(ctx.db, 'quizzes')
    .find({ courseId }, { projection: { key: 1, kind: 1, title: 1 } })
    .sort({ kind: 1, key: 1 })
    .toArray();
}
