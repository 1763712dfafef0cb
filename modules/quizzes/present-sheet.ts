import type { Locale } from '../../server/types';
import { NotFound } from '../../server/http/errors';
import type { Answers, Attempt, Question } from './model';
import type { SurveyItem } from './survey-model';
import { presentQuiz, presentSheetItem, presentSurveyItem, type SheetItem } from './present';
import { pageOfQuestion, pagesWithUnanswered, sheetPages } from './pages';
import type { attemptSheet } from './service';

/** What a page of the sheet shows beyond the stored attempt: a failed submit's answers and errors. */
export interface SheetState {
  answers?: Answers;
  survey?: Record<string, string>;
  errors?: Record<string, string>;
}

/** The id of a question's first input (what an error summary link moves to). */
const firstField = (it: SheetItem) =>
  `f-${it.qid}${it.type === 'case' ? '-c-' : it.type === 'ordering' ? '-o-' : '-'}${it.options[0]?.id ?? ''}`;

/** The survey items of one page, numbered per kind across the sheet ("Statement 1…", "Situation 1…"). */
function surveyOfPage(
  attempt: Attempt,
  defs: Map<string, SurveyItem>,
  sids: Set<string>,
  chosen: Record<string, string>,
  lang: Locale,
) {
  return (attempt.surveyItems ?? [])
    .filter((s) => defs.has(s.sid))
    .map((s, i, list) => {
      const n = list.slice(0, i + 1).filter((x) => x.kind === s.kind).length;
      return presentSurveyItem(s, defs.get(s.sid)!, chosen[s.sid], n, lang);
    })
    .filter((s) => sids.has(s.sid));
}

/**
 * One page of an open attempt's answer sheet, as the view needs it: its questions (numbered across
 * the whole sheet, "Question 7 of 22" on page 2), its survey items, the page indicator (which pages
 * still have unanswered questions) and the error summary, whose links lead to the question's page.
 * `sheetUrl` is the sheet's mounted address. A page the sheet does not have is not found.
 */
export function presentSheetPage(
  sheet: Awaited<ReturnType<typeof attemptSheet>>,
  n: number,
  lang: Locale,
  sheetUrl: string,
  state: SheetState = {},
) {
  const { attempt, quiz, questions } = sheet;
  const pages = sheetPages(attempt);
  const here = pages[n - 1];
  if (!here) throw new NotFound();
  const answers = state.answers ?? attempt.answers ?? {};
  const all = attempt.items
    .filter((item) => questions.has(item.qid))
    .map((item, i) => presentSheetItem(item, questions.get(item.qid) as Question, answers, i + 1, lang));
  const onPage = new Set(here.items.map((i) => i.qid));
  const pageOf = pageOfQuestion(pages);
  const errors = state.errors ?? {};
  const sids = new Set(here.surveyItems.map((s) => s.sid));
  return {
    title: presentQuiz(quiz, lang).title,
    quiz: presentQuiz(quiz, lang),
    attempt: { id: String(attempt._id), deadlineAt: attempt.deadlineAt },
    page: {
      n,
      count: pages.length,
      firstSurvey: here.surveyItems.length > 0 && !pages[n - 2]?.surveyItems.length,
      unanswered: pagesWithUnanswered(pages, attempt, answers),
    },
    items: all.filter((it) => onPage.has(it.qid)),
    total: all.length,
    survey: surveyOfPage(attempt, sheet.survey, sids, state.survey ?? attempt.survey ?? {}, lang),
    problems: all
      .filter((it) => errors[it.qid])
      .map((it) => ({
        n: it.n,
        key: errors[it.qid]!,
        href: `${onPage.has(it.qid) ? '' : `${sheetUrl}/pages/${pageOf.get(it.qid)}`}#${firstField(it)}`,
      })),
    errors,
  };
}
