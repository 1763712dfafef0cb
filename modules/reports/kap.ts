import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { surveyItemsOfCourse, testRecordSource } from './data';
import { pairedShareChange, type PairedCounts } from './paired-proportions';
import { MIN_PAIRS_SHOWN, changeShown, pairedInterval } from './stats';

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
  /** The same n trainees, by "high" before and after: the pairs the change in shares rests on. */
  highPairs: PairedCounts;
  /** 95 % Wilson intervals of preHigh and postHigh, in percent; null when n = 0. */
  preHighCi: [number, number] | null;
  postHighCi: [number, number] | null;
  /** postHigh − preHigh in percentage points, with its 95 % paired interval (Newcombe, method 10). */
  highChange: number | null;
  highChangeCi: [number, number] | null;
  /** Shown only when six or more trainees changed their answer and the interval leaves out 0. */
  highShown: boolean;
  /** 0 < n < MIN_PAIRS_SHOWN: too few trainees to call any change shown, whatever the numbers. */
  fewPairs: boolean;
  /** A reversed attitude: its share agrees with the statement as worded, so fewer is better. */
  fewerIsBetter: boolean;
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
  highBoth: number;
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
              highBoth: { $sum: { $multiply: ['$preH', '$postH'] } },
            },
          },
        ],
        { allowDiskUse: true },
      )
      .toArray(),
  ]);
  const bySid = new Map(sums.map((s) => [s._id, s]));
  return definitions.map((d) => toShift(d, bySid.get(d.sid as string)));
}

/** The 2×2 table of "high" answers, from the sums (no pairs: all zero). */
function highPairs(s: Sums | undefined): PairedCounts {
  if (!s) return { both: 0, beforeOnly: 0, afterOnly: 0, neither: 0 };
  return {
    both: s.highBoth,
    beforeOnly: s.highPre - s.highBoth,
    afterOnly: s.highPost - s.highBoth,
    neither: s.n - s.highPre - s.highPost + s.highBoth,
  };
}

/** One item's row: its definition and its trainees' sums (none when nobody answered it twice). */
function toShift(d: Record<string, unknown>, s: Sums | undefined): KapShift {
  const n = s?.n ?? 0;
  const ci = s ? pairedInterval(n, s.sumD, s.sumD2) : null;
  const pairs = highPairs(s);
  const high = pairedShareChange(pairs);
  const kind = d.kind as KapShift['kind'];
  const reversed = d.reversed === true;
  return {
    sid: d.sid as string,
    kind,
    scale: d.scale as KapShift['scale'],
    dimension: d.dimension as string,
    dimensionLabel: d.dimensionLabel as Text,
    text: d.text as Text,
    reversed,
    n,
    preMean: n ? s!.sumPre / n : null,
    postMean: n ? s!.sumPost / n : null,
    shift: n ? s!.sumD / n : null,
    ci,
    preHigh: high.before,
    postHigh: high.after,
    shown: changeShown(n, ci),
    highPairs: pairs,
    preHighCi: high.beforeCi,
    postHighCi: high.afterCi,
    highChange: high.change,
    highChangeCi: high.changeCi,
    highShown: high.shown,
    fewPairs: n > 0 && n < MIN_PAIRS_SHOWN,
    // Practices count the safest answer in the course's direction; attitudes count agreement as
    // worded, which for a reversed statement is the attitude the course works against.
    fewerIsBetter: kind === 'attitude' && reversed,
  };
}
