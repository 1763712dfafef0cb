import type { Types } from 'mongoose';
import { changeShown, kr20, pairedInterval } from './stats';

/** The learning gain report's figures, folded from each trainee's first tests (see gain.ts). */

export interface GainGroup {
  key: string | null;
  n: number;
  meanPre: number;
  meanPost: number;
  meanGain: number;
  /** 95 % paired t-interval of the mean gain; null below two trainees or with no spread. */
  ci: [number, number] | null;
  /** The interval leaves out zero and enough trainees are paired (see changeShown). */
  shown: boolean;
  /**
   * Hake's class-average normalised gain, (meanPost − meanPre) / (100 − meanPre), as per objective;
   * null when the mean pre-test is 100. (Averaging each trainee's own ratio lets one trainee who
   * started at 95 and slipped to 80, a ratio of −3, outweigh two who doubled their way to 75.)
   */
  meanNormGain: number | null;
}

/**
 * Gain on one learning objective, paired: for each trainee with items of the objective in both their
 * first pre-test and first post-test, the share of those items answered correctly before and after.
 */
export interface ObjectiveGain {
  objective: string;
  /** Paired trainees. */
  n: number;
  /** Answers to the objective's items, before and after (over the n trainees). */
  preN: number;
  postN: number;
  /** Mean of the trainees' shares correct, percent. */
  preShare: number;
  postShare: number;
  /** Mean paired change, percentage points (= postShare − preShare). */
  gain: number;
  /** 95 % paired t-interval of the mean change; null below two trainees or with no spread. */
  ci: [number, number] | null;
  /** Hake's class-average normalised gain: (postShare − preShare) / (100 − preShare); null at 100. */
  normGain: number | null;
  /** false when the interval includes zero, there is none, or too few are paired (see changeShown). */
  shown: boolean;
}

/** KR-20 of one form, over every first attempt (pre- or post-test) that took it in scope. */
export interface FormReliability {
  form: string;
  attempts: number;
  items: number;
  kr20: number | null;
}

export interface GainTraineeRow {
  userId: Types.ObjectId;
  name: string;
  region?: string;
  locale?: string;
  pre: number;
  post: number;
  gain: number;
  normGain: number | null;
}

export type Result = { qid: string; objective: string; correct: boolean };

/** A trainee's first submitted attempt at one test: its score, form and (when asked) results. */
export interface FirstTest {
  score: number;
  form: string;
  results?: Result[];
}

export interface FirstTests {
  userId: Types.ObjectId;
  pre: FirstTest | null;
  post: FirstTest | null;
  /** 1 when the trainee's user still exists. */
  users: number;
  name: string;
  region?: string;
  locale?: string;
}

/** A paired trainee's row (users that no longer exist are left out, as the old `$unwind` did). */
export function pairedRow(t: FirstTests): GainTraineeRow | undefined {
  if (!t.pre || !t.post || !t.users) return undefined;
  const pre = t.pre.score;
  const post = t.post.score;
  return {
    userId: t.userId,
    name: t.name,
    region: t.region ?? '',
    locale: t.locale ?? '',
    pre,
    post,
    gain: post - pre,
    normGain: pre < 100 ? (post - pre) / (100 - pre) : null,
  };
}

interface Sums {
  n: number;
  pre: number;
  post: number;
  gain: number;
  gainSquares: number;
}

function groupOf(key: string | null, s: Sums): GainGroup {
  const meanPre = s.pre / s.n;
  const meanPost = s.post / s.n;
  const ci = pairedInterval(s.n, s.gain, s.gainSquares);
  return {
    key,
    n: s.n,
    meanPre,
    meanPost,
    meanGain: s.gain / s.n,
    ci,
    shown: changeShown(s.n, ci),
    meanNormGain: meanPre < 100 ? (meanPost - meanPre) / (100 - meanPre) : null,
  };
}

/** Summary statistics of paired rows, overall or split by a field (groups sorted by key). */
export function groupStats(rows: GainTraineeRow[], by?: (r: GainTraineeRow) => string): GainGroup[] {
  const groups = new Map<string | null, Sums>();
  for (const r of rows) {
    const key = by ? by(r) : null;
    const s = groups.get(key) ?? { n: 0, pre: 0, post: 0, gain: 0, gainSquares: 0 };
    s.n++;
    s.pre += r.pre;
    s.post += r.post;
    s.gain += r.gain;
    s.gainSquares += r.gain * r.gain;
    groups.set(key, s);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
    .map(([key, s]) => groupOf(key, s));
}

/** Per objective: each paired trainee's share right before and after, as sums for a paired interval. */
export function objectiveGains(paired: FirstTests[]): ObjectiveGain[] {
  type O = {
    n: number;
    preN: number;
    postN: number;
    sumPre: number;
    sumPost: number;
    sumD: number;
    sumD2: number;
  };
  const byObjective = new Map<string, O>();
  for (const t of paired) {
    const mine = new Map<string, { preN: number; preC: number; postN: number; postC: number }>();
    const add = (test: FirstTest | null, pre: boolean) => {
      for (const { objective, correct } of test?.results ?? []) {
        const m = mine.get(objective) ?? { preN: 0, preC: 0, postN: 0, postC: 0 };
        const right = correct ? 1 : 0;
        if (pre) {
          m.preN++;
          m.preC += right;
        } else {
          m.postN++;
          m.postC += right;
        }
        mine.set(objective, m);
      }
    };
    add(t.pre, true);
    add(t.post, false);
    for (const [objective, m] of mine) {
      if (!m.preN || !m.postN) continue;
      const pre = (100 * m.preC) / m.preN;
      const post = (100 * m.postC) / m.postN;
      const d = post - pre;
      const o = byObjective.get(objective) ?? {
        n: 0,
        preN: 0,
        postN: 0,
        sumPre: 0,
        sumPost: 0,
        sumD: 0,
        sumD2: 0,
      };
      o.n++;
      o.preN += m.preN;
      o.postN += m.postN;
      o.sumPre += pre;
      o.sumPost += post;
      o.sumD += d;
      o.sumD2 += d * d;
      byObjective.set(objective, o);
    }
  }
  return [...byObjective.entries()]
    .map(([objective, o]): ObjectiveGain => {
      const preShare = o.sumPre / o.n;
      const postShare = o.sumPost / o.n;
      const ci = pairedInterval(o.n, o.sumD, o.sumD2);
      return {
        objective,
        n: o.n,
        preN: o.preN,
        postN: o.postN,
        preShare,
        postShare,
        gain: o.sumD / o.n,
        ci,
        normGain: preShare < 100 ? (postShare - preShare) / (100 - preShare) : null,
        shown: changeShown(o.n, ci),
      };
    })
    .sort((a, b) => a.objective.localeCompare(b.objective));
}

export const byNameThenId = (a: GainTraineeRow, b: GainTraineeRow) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : String(a.userId) < String(b.userId) ? -1 : 1;

/**
 * KR-20 per form: every trainee's first attempt at the pre-test and at the post-test in scope,
 * grouped by the form it took (attempts from before forms existed count as the form 'pre' or
 * 'post'). Items are the form's questions seen in those attempts; an unanswered one counts wrong.
 */
export function reliabilityOf(firsts: FirstTests[]): FormReliability[] {
  const byForm = new Map<string, Result[][]>();
  for (const t of firsts)
    for (const a of [t.pre, t.post]) {
      if (!a) continue;
      const attempts = byForm.get(a.form) ?? [];
      attempts.push(a.results ?? []);
      byForm.set(a.form, attempts);
    }
  return [...byForm.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([form, attempts]) => {
      const items = [...new Set(attempts.flatMap((a) => a.map((r) => r.qid)))].sort();
      const rows = attempts.map((a) => {
        const right = new Set(a.filter((r) => r.correct).map((r) => r.qid));
        return items.map((q) => (right.has(q) ? 1 : 0));
      });
      return { form, attempts: attempts.length, items: items.length, kr20: kr20(rows) };
    });
}
