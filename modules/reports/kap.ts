import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { surveyItemsOfCourse, testRecordSource } from './data';
import { pairedInterval } from './stats';

/**
 * Attitudes and practices (the A and P of KAP): per survey item, the paired shift from each trainee's
 * first pre-test to first post-test attempt, like the knowledge gain per objective.
 *
 * Values are keyed in the course's direction (a reversed statement counts 6 − agreement), so a
 * positive shift is always a move towards what the course teaches. "High" is the share agreeing with
 * the statement as worded (attitudes: 4 or 5) or choosing the safest practice (practices).
 */
export interface KapFilters {
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

type Text = { en: string; mn: string };

export interface KapShift {
  sid: string;
  kind: 'attitude' | 'practice';
  scale: 'agreement' | 'choice' | 'frequency';
  dimension: string;
  dimensionLabel: Text;
  text: Text;
  reversed: boolean;
  /** Trainees who answered the item in both their first pre-test and first post-test. */
  n: number;
  /** Mean keyed value before and after (1–5; practice choices 1 to their top level); null when n = 0. */
  preMean: number | null;
  postMean: number | null;
  /** Mean paired change of the keyed value. */
  shift: number | null;
  /** 95 % paired t-interval of the mean change; null below two trainees. */
  ci: [number, number] | null;
  /** Percent agreeing (attitudes) or choosing the safest practice, before and after. */
  preHigh: number | null;
  postHigh: number | null;
  /** false when the interval includes zero (or there is none): the shift is not shown to be real. */
  shown: boolean;
}

const tagged = (field: string, k: string) => ({
  $map: {
    input: { $ifNull: [field, []] },
    as: 'x',
    in: { s: '$$x.sid', v: '$$x.keyed', h: { $cond: ['$$x.high', 1, 0] }, k },
  },
});
const when = (k: string, value: unknown) => ({ $sum: { $cond: [{ $eq: ['$x.k', k] }, value, 0] } });

interface Sums {
  _id: string;
  n: number;
  sumPre: number;
  sumPost: number;
  sumD: number;
  sumD2: number;
  highPre: number;
  highPost: number;
}

/**
 * Every survey item of the course with its paired shift (items nobody answered twice: n = 0), from
 * each trainee's test record: the survey answers of their first submitted pre- and post-test, the
 * least (attemptNo, submittedAt, _id) of each (see quizzes' test-records.ts).
 */
export async function kapShifts(ctx: AppContext, f: KapFilters): Promise<KapShift[]> {
  const { collection, prefix } = await testRecordSource(ctx, f.courseId, f.cohortId, f.scope);
  const [definitions, sums] = await Promise.all([
    surveyItemsOfCourse(ctx, f.courseId),
    collection
      .aggregate<Sums>(
        [
          ...prefix,
          { $match: { 'pre.first.score': { $exists: true }, 'post.first.score': { $exists: true } } },
          {
            $project: {
              _id: '$userId',
              x: {
                $concatArrays: [tagged('$pre.first.survey', 'pre'), tagged('$post.first.survey', 'post')],
              },
            },
          },
          { $unwind: '$x' },
          {
            $group: {
              _id: { u: '$_id', s: '$x.s' },
              preN: when('pre', 1),
              pre: when('pre', '$x.v'),
              preH: when('pre', '$x.h'),
              postN: when('post', 1),
              post: when('post', '$x.v'),
              postH: when('post', '$x.h'),
            },
          },
          { $match: { preN: 1, postN: 1 } },
          { $addFields: { d: { $subtract: ['$post', '$pre'] } } },
          {
            $group: {
              _id: '$_id.s',
              n: { $sum: 1 },
              sumPre: { $sum: '$pre' },
              sumPost: { $sum: '$post' },
              sumD: { $sum: '$d' },
              sumD2: { $sum: { $multiply: ['$d', '$d'] } },
              highPre: { $sum: '$preH' },
              highPost: { $sum: '$postH' },
            },
          },
        ],
        { allowDiskUse: true },
      )
      .toArray(),
  ]);
  const bySid = new Map(sums.map((s) => [s._id, s]));
  return definitions.map((d): KapShift => {
    const s = bySid.get(d.sid as string);
    const n = s?.n ?? 0;
    const ci = s ? pairedInterval(n, s.sumD, s.sumD2) : null;
    return {
      sid: d.sid as string,
      kind: d.kind as KapShift['kind'],
      scale: d.scale as KapShift['scale'],
      dimension: d.dimension as string,
      dimensionLabel: d.dimensionLabel as Text,
      text: d.text as Text,
      reversed: d.reversed === true,
      n,
      preMean: n ? s!.sumPre / n : null,
      postMean: n ? s!.sumPost / n : null,
      shift: n ? s!.sumD / n : null,
      ci,
      preHigh: n ? (100 * s!.highPre) / n : null,
      postHigh: n ? (100 * s!.highPost) / n : null,
      shown: !!ci && (ci[0] > 0 || ci[1] < 0),
    };
  });
}
