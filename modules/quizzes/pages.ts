import type { Answers, Attempt, AttemptItem, AttemptSurveyItem } from './model';
import { NotFound } from '../../server/http/errors';
import { unanswered } from './answers';

/**
 * The answer sheet in pages, as Moodle's "questions per page": at most this many questions on one
 * page, so each page stays within the page-weight budget of a phone on a slow mobile network. The
 * attitude and practice items (never scored) follow on their own page(s).
 */
export const QUESTIONS_PER_PAGE = 6;

/** One page of an attempt's sheet: its questions, or its survey items (1-based `n`). */
export interface SheetPage {
  n: number;
  items: AttemptItem[];
  surveyItems: AttemptSurveyItem[];
}

/** Splits a list into the fewest pages of at most `max`, as evenly as possible (22 → 6, 6, 5, 5). */
function balanced<T>(list: T[], max: number): T[][] {
  if (!list.length) return [];
  const count = Math.ceil(list.length / max);
  const out: T[][] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(list.length / count) + (i < list.length % count ? 1 : 0);
    out.push(list.slice(from, from + size));
    from += size;
  }
  return out;
}

/** The pages of an attempt's sheet: questions first, then the survey items. Never empty. */
export function sheetPages(attempt: Pick<Attempt, 'items' | 'surveyItems'>): SheetPage[] {
  const questions = balanced(attempt.items, QUESTIONS_PER_PAGE).map((items) => ({
    items,
    surveyItems: [] as AttemptSurveyItem[],
  }));
  const survey = balanced(attempt.surveyItems ?? [], QUESTIONS_PER_PAGE).map((surveyItems) => ({
    items: [] as AttemptItem[],
    surveyItems,
  }));
  const pages = [...questions, ...survey];
  if (!pages.length) pages.push({ items: [], surveyItems: [] });
  return pages.map((p, i) => ({ n: i + 1, ...p }));
}

/** The page holding each question (qid → page number): where the unanswered summary links. */
export function pageOfQuestion(pages: SheetPage[]): Map<string, number> {
  return new Map(pages.flatMap((p) => p.items.map((i) => [i.qid, p.n] as const)));
}

/** Page numbers with at least one question not fully answered yet (survey pages never count). */
export function pagesWithUnanswered(pages: SheetPage[], attempt: Pick<Attempt, 'items'>, answers: Answers) {
  const at = pageOfQuestion(pages);
  return [...new Set(unanswered(attempt, answers).map((qid) => at.get(qid)!))].sort((a, b) => a - b);
}

/**
 * Where "Resume" opens an attempt: the first page with a question or survey item left open, else the
 * last page (the one that submits).
 */
export function resumePage(attempt: Pick<Attempt, 'items' | 'surveyItems' | 'answers' | 'survey'>): number {
  const pages = sheetPages(attempt);
  const first = pagesWithUnanswered(pages, attempt, attempt.answers ?? {})[0];
  if (first !== undefined) return first;
  const chosen = attempt.survey ?? {};
  return pages.find((p) => p.surveyItems.some((s) => !chosen[s.sid]))?.n ?? pages.length;
}

/**
 * What one posted form covers: the page's questions and survey items, or (no page given: a client
 * posting the whole sheet) all of them. A page number the sheet does not have is not found.
 */
export function formScope(
  attempt: Pick<Attempt, 'items' | 'surveyItems'>,
  page: number | undefined,
): Pick<Attempt, 'items' | 'surveyItems'> {
  if (page === undefined) return { items: attempt.items, surveyItems: attempt.surveyItems ?? [] };
  const found = sheetPages(attempt)[page - 1];
  if (!found) throw new NotFound();
  return { items: found.items, surveyItems: found.surveyItems };
}

/** The stored answers with the scope's questions replaced by the posted ones (others never lost). */
export function mergeAnswers(stored: Answers, scope: Pick<Attempt, 'items'>, posted: Answers): Answers {
  const out: Answers = { ...stored };
  for (const item of scope.items) delete out[item.qid];
  return { ...out, ...posted };
}

/** The same for survey answers. */
export function mergeSurvey(
  stored: Record<string, string> | undefined,
  scope: Pick<Attempt, 'surveyItems'>,
  posted: Record<string, string>,
): Record<string, string> {
  const out = { ...(stored ?? {}) };
  for (const item of scope.surveyItems ?? []) delete out[item.sid];
  return { ...out, ...posted };
}
