import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { col } from './data';

/**
 * What trainees most often get wrong in a quiz, from the item analysis: wrong options chosen and
 * ordering steps put out of place, each with the lessons that teach the question's objective.
 */

type Text = { en: string; mn: string };

/** What the ranking reads of an analysed question (items.ts's ItemStat has this and more). */
interface AnalysedItem {
  qid: string;
  objective: string;
  stem: Text;
  n: number;
  options: Array<{ text: Text; correct: boolean; chosen: number; share: number }>;
  steps?: StepStat[];
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

/** Questions answered fewer times are not ranked among misconceptions: 1 wrong of 2 is not 50 %. */
export const MIN_RANKED = 5;

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
 * chosen, and ordering steps put out of place (a step in its right place is never one). Only
 * questions answered at least MIN_RANKED times are ranked: a share of one or two answers is chance.
 */
export async function misconceptions(
  ctx: AppContext,
  courseId: Types.ObjectId,
  items: AnalysedItem[],
  top = 10,
) {
  type Wrong = { i: AnalysedItem; text: Text; share: number; position?: number; placedAt?: number };
  const wrong = items
    .filter((i) => i.n >= MIN_RANKED)
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
