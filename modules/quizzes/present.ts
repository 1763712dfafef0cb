import type { Locale } from '../../server/types';
import type {
  Answers,
  Attempt,
  AttemptItem,
  AttemptSurveyItem,
  Question,
  QuestionOption,
  Quiz,
  Text,
} from './model';
import type { SurveyItem } from './survey-model';

/** What the quiz views may see: text in the reader's language, never the `correct` flags while taking. */
const pick = (text: Text | undefined, lang: Locale) => (text ? text[lang] || text.en : undefined);

export function presentQuiz(quiz: Quiz, lang: Locale) {
  return {
    id: String(quiz._id),
    key: quiz.key,
    kind: quiz.kind,
    title: pick(quiz.title, lang)!,
    questionCount: Math.min(quiz.draw, quiz.questionIds.length),
    passingScore: quiz.passingScore,
    maxAttempts: quiz.maxAttempts,
    timeLimitMinutes: quiz.timeLimitMinutes,
  };
}

function ordered(options: QuestionOption[], order: string[] | undefined) {
  const byId = new Map(options.map((o) => [o.id, o]));
  return (order ?? options.map((o) => o.id)).map((id) => byId.get(id)).filter((o) => !!o);
}

/** One question as the answer sheet shows it, with the answers saved so far. */
export function presentSheetItem(item: AttemptItem, q: Question, answers: Answers, n: number, lang: Locale) {
  const chosen = answers[item.qid] ?? [];
  const options = ordered(q.options, item.optionOrder).map((o) => ({
    id: o.id,
    text: pick(o.text, lang)!,
    checked: item.type === 'case' ? chosen[0] === o.id : chosen.includes(o.id),
    position: item.type === 'ordering' && chosen.includes(o.id) ? chosen.indexOf(o.id) + 1 : undefined,
  }));
  const elements = ordered(q.elements ?? [], item.elementOrder).map((o) => ({
    id: o.id,
    text: pick(o.text, lang)!,
    checked: chosen[1] === o.id,
  }));
  return {
    n,
    qid: item.qid,
    type: item.type,
    stem: pick(q.stem, lang)!,
    excerpt: pick(q.excerpt, lang),
    caseText: pick(q.case, lang),
    options,
    elements,
  };
}
export type SheetItem = ReturnType<typeof presentSheetItem>;

/**
 * One attitude or practice item of the answer sheet: its statement or scenario and its choices in
 * this attempt's order. Scale points carry no text here (the view labels them from the locale files);
 * practice options carry their action, never their level.
 */
export function presentSurveyItem(
  item: AttemptSurveyItem,
  def: SurveyItem,
  chosen: string | undefined,
  n: number,
  lang: Locale,
) {
  const actions = new Map((def.options ?? []).map((o) => [o.id, o]));
  return {
    n,
    sid: item.sid,
    kind: item.kind,
    scale: item.scale,
    text: pick(def.text, lang)!,
    options: item.optionOrder.map((id) => ({
      id,
      text: item.scale === 'choice' ? pick(actions.get(id)?.text, lang) : undefined,
      checked: chosen === id,
    })),
  };
}
export type SurveySheetItem = ReturnType<typeof presentSurveyItem>;

const withFeedback = (o: QuestionOption, lang: Locale) => ({
  id: o.id,
  text: pick(o.text, lang)!,
  feedback: pick(o.feedback, lang)!,
  correct: o.correct === true,
});

/** One graded question: what was chosen with its feedback, and the right answer with its feedback. */
export function presentResultItem(item: AttemptItem, q: Question, attempt: Attempt, n: number, lang: Locale) {
  const result = attempt.results?.find((r) => r.qid === item.qid);
  const chosenIds = result?.chosen ?? attempt.answers?.[item.qid] ?? [];
  const byId = new Map(q.options.map((o) => [o.id, o]));
  const elById = new Map((q.elements ?? []).map((o) => [o.id, o]));
  const found = (map: Map<string, QuestionOption>, id: string | undefined) =>
    id && map.get(id) ? [withFeedback(map.get(id)!, lang)] : [];
  let chosen;
  let right;
  let chosenElement: ReturnType<typeof withFeedback>[] = [];
  let rightElement: ReturnType<typeof withFeedback>[] = [];
  if (item.type === 'case') {
    chosen = found(byId, chosenIds[0]);
    chosenElement = found(elById, chosenIds[1]);
    right = q.options.filter((o) => o.correct).map((o) => withFeedback(o, lang));
    rightElement = (q.elements ?? []).filter((o) => o.correct).map((o) => withFeedback(o, lang));
  } else if (item.type === 'ordering') {
    chosen = chosenIds.flatMap((id) => found(byId, id));
    right = q.options.map((o) => withFeedback(o, lang));
  } else {
    chosen = ordered(q.options, item.optionOrder)
      .filter((o) => chosenIds.includes(o.id))
      .map((o) => withFeedback(o, lang));
    right = q.options.filter((o) => o.correct).map((o) => withFeedback(o, lang));
  }
  return {
    n,
    qid: item.qid,
    type: item.type,
    stem: pick(q.stem, lang)!,
    excerpt: pick(q.excerpt, lang),
    caseText: pick(q.case, lang),
    explanation: pick(q.explanation, lang),
    correct: !!result?.correct,
    answered: chosenIds.some(Boolean),
    chosen,
    right,
    chosenElement,
    rightElement,
  };
}
export type ResultItem = ReturnType<typeof presentResultItem>;

/** A course as far as the result page needs it: objectives with labels, lessons with theirs. */
interface CourseLike {
  slug: string;
  objectives: Array<{ id: string; label: Text }>;
  lessons: Array<{ slug: string; title: Text; objectives: string[] }>;
}

/**
 * An attempt's results per objective (right of total, in the course's order of objectives), with
 * the lessons that teach each one: what a pre-test and a failed post-test show instead of the key.
 */
export function objectiveSummary(attempt: Attempt, course: CourseLike | undefined, lang: Locale) {
  const tally = new Map<string, { right: number; total: number }>();
  for (const r of attempt.results ?? []) {
    const t = tally.get(r.objective) ?? { right: 0, total: 0 };
    t.total++;
    if (r.correct) t.right++;
    tally.set(r.objective, t);
  }
  const order = (course?.objectives ?? []).map((o) => o.id);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...tally.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .map(([id, t]) => ({
      id,
      label: pick(course?.objectives.find((o) => o.id === id)?.label, lang) ?? id,
      right: t.right,
      total: t.total,
      lessons: (course?.lessons ?? [])
        .filter((l) => l.objectives.includes(id))
        .map((l) => ({ href: `/learn/${course!.slug}/${l.slug}`, title: pick(l.title, lang)! })),
    }));
}
export type ObjectiveResult = ReturnType<typeof objectiveSummary>[number];
