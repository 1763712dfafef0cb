import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { ContentCache } from '../../server/cache';
import { Invalid } from '../../server/http/errors';
import type { Attempt, AttemptSurveyItem, SurveyResult } from './model';
import { SCALE_POINTS, surveyItemModel, topLevel, type SurveyItem } from './survey-model';
import { shuffle } from './draw';
import type { AnswerForm } from './schemas';

/**
 * The attitude and practice items of a pre- or post-test: what an attempt shows, how the posted form
 * becomes the stored answers (`s.<sid>` fields, optional) and what a submit stores beside the results.
 * None of it reaches `grade`: the score, pass/fail and the knowledge reports never see a survey answer.
 */
const byCourse = new ContentCache<Map<string, SurveyItem>>(60_000);

export function surveyOfCourse(ctx: AppContext, courseId: Types.ObjectId): Promise<Map<string, SurveyItem>> {
  return byCourse.current(
    ctx.db,
    `${ctx.db.name}|${String(courseId)}`,
    ctx.clock.now().getTime(),
    async () => {
      const list = await surveyItemModel(ctx.db)
        .find({ courseId })
        .sort({ position: 1 })
        .lean<SurveyItem[]>();
      return new Map(list.map((s) => [s.sid, s]));
    },
  );
}

export function forgetSurveys(ctx: AppContext): void {
  byCourse.dropPrefix(`${ctx.db.name}|`);
}

/** The survey items a new attempt shows, in the survey's order (the same before and after). */
export async function surveyItemsFor(
  ctx: AppContext,
  courseId: Types.ObjectId,
  sids: string[] | undefined,
): Promise<AttemptSurveyItem[]> {
  if (!sids?.length) return [];
  const all = await surveyOfCourse(ctx, courseId);
  return sids
    .map((sid) => all.get(sid))
    .filter((s) => !!s)
    .map((s) => ({
      sid: s.sid,
      kind: s.kind,
      scale: s.scale,
      version: s.version,
      // Scales keep their order; a choice of actions is shuffled (the safest one is not always first).
      optionOrder: s.scale === 'choice' ? shuffle((s.options ?? []).map((o) => o.id)) : [...SCALE_POINTS],
    }));
}

/** The survey answers of a posted form: one allowed value per `s.<sid>`, all optional. */
export function surveyFromForm(
  attempt: Pick<Attempt, 'surveyItems'>,
  form: AnswerForm,
): Record<string, string> {
  const items = new Map((attempt.surveyItems ?? []).map((s) => [s.sid, s]));
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(form)) {
    if (!key.startsWith('s.')) continue;
    const item = items.get(key.slice(2));
    if (!item) throw new Invalid('quizzes.errors.unknownQuestion');
    const values = (Array.isArray(raw) ? raw : [raw]).filter(Boolean);
    if (values.length > 1 || (values[0] && !item.optionOrder.includes(values[0])))
      throw new Invalid('quizzes.errors.badAnswer');
    if (values[0]) out[item.sid] = values[0];
  }
  return out;
}

/** Checks stored-format survey answers against the attempt (for answers that did not come from a form). */
export function checkSurvey(attempt: Pick<Attempt, 'surveyItems'>, survey: Record<string, string>) {
  const form: AnswerForm = {};
  for (const [sid, v] of Object.entries(survey)) form[`s.${sid}`] = v;
  return surveyFromForm(attempt, form);
}

/** What a submit stores per answered survey item (see SurveyResult); unanswered items are left out. */
export function scoreSurvey(
  items: AttemptSurveyItem[],
  definitions: Map<string, SurveyItem>,
  survey: Record<string, string>,
): SurveyResult[] {
  const out: SurveyResult[] = [];
  for (const item of items) {
    const def = definitions.get(item.sid);
    const choice = survey[item.sid];
    if (!def || !choice) continue;
    const value =
      def.scale === 'choice'
        ? def.options?.find((o) => o.id === choice)?.level
        : Number(SCALE_POINTS.indexOf(choice) + 1);
    if (!value) continue;
    const keyed = def.reversed ? 6 - value : value;
    const high =
      def.kind === 'attitude' ? value >= 4 : def.scale === 'choice' ? keyed === topLevel(def) : keyed >= 4;
    out.push({ sid: item.sid, kind: def.kind, choice, value, keyed, high });
  }
  return out;
}
