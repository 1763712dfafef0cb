import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { Conflict } from '../../server/http/errors';
import { parse, parseParams } from '../../server/http/validate';
import { answerForm, attemptParams, pageParams, quizParams, sheetFlags, startForm } from './schemas';
import { resumePage, sheetPages } from './pages';
import { presentSheetPage, type SheetState } from './present-sheet';
import { quizzesPolicy as policy } from './policy';
import { objectiveSummary, presentQuiz, presentResultItem } from './present';
import * as quizzes from './service';
import { signedInUser } from '../../server/auth/policy';

/** Route ids that are not ids at all are simply not found. */
const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/** Splits the posted body into the answer fields and the flags the sheet's buttons may add. */
function readBody(req: Request) {
  const { confirmBlank, page, go, ...rest } = (req.body ?? {}) as Record<string, unknown>;
  const given = Object.entries({ confirmBlank, page, go }).filter(([, v]) => v !== undefined);
  const flags = parse(sheetFlags, Object.fromEntries(given));
  return {
    form: parse(answerForm, rest),
    confirmBlank: flags.confirmBlank === 'on',
    page: flags.page,
    go: flags.go,
  };
}

/** One page of the answer sheet, with a failed submit's answers and errors if there are any. */
async function renderSheet(
  ctx: AppContext,
  req: Request,
  res: Response,
  attemptId: string,
  page: number,
  extra: SheetState & { saved?: boolean; status?: number; moved?: boolean } = {},
) {
  const sheet = await quizzes.attemptSheet(ctx, signedInUser(req).id, attemptId);
  const sheetUrl = res.locals.url(`/quizzes/attempts/${attemptId}`);
  res.status(extra.status ?? 200).render('quizzes/attempt', {
    ...presentSheetPage(sheet, page, res.locals.lang as Locale, sheetUrl, extra),
    saved: extra.saved ?? false,
    // Arrived by Previous/Next or a page link: the script moves focus to the page's first question.
    moved: extra.moved ?? false,
  });
}

/** Taking quizzes: intro, start, answer sheet, save, submit, result. */
export function quizzesRouter(ctx: AppContext): Router {
  const router = Router();

  const renderIntro = async (req: Request, res: Response, quizId: string) => {
    const lang = res.locals.lang as Locale;
    const intro = await quizzes.quizIntro(ctx, signedInUser(req).id, quizId);
    res.render('quizzes/intro', {
      title: presentQuiz(intro.quiz, lang).title,
      quiz: presentQuiz(intro.quiz, lang),
      gate: intro.gate,
      courseSlug: intro.courseSlug,
      attemptsUsed: intro.attemptsUsed,
      attemptsLeft: intro.attemptsLeft,
      inProgress: intro.inProgress
        ? { id: String(intro.inProgress._id), deadlineAt: intro.inProgress.deadlineAt }
        : undefined,
      submitted: intro.submitted.map((a) => ({
        id: String(a._id),
        attemptNo: a.attemptNo,
        score: a.score ?? 0,
        passed: !!a.passed,
        submittedAt: a.submittedAt,
      })),
    });
  };

  /** An open attempt's page (by default where it was left), or (submitted or out of time) its result. */
  const showPage = async (req: Request, res: Response, attemptId: string, page?: number) => {
    const attempt = await quizzes.ownAttempt(ctx, signedInUser(req).id, attemptId);
    if (attempt.status === 'started' && quizzes.isLate(attempt, ctx.clock.now()))
      await quizzes.submitAttempt(ctx, attempt, undefined);
    if (attempt.status === 'submitted' || quizzes.isLate(attempt, ctx.clock.now()))
      return res.redirect(303, res.locals.url(`/quizzes/attempts/${attemptId}/result`));
    const saved = req.query.saved === '1';
    await renderSheet(ctx, req, res, attemptId, page ?? resumePage(attempt), {
      saved,
      moved: !saved && 'page' in req.params,
    });
  };

  router.get('/quizzes/attempts/:attemptId', policy.take, async (req, res) => {
    const { attemptId } = parseParams(attemptParams, req.params);
    await showPage(req, res, attemptId);
  });

  router.get('/quizzes/attempts/:attemptId/pages/:page', policy.take, async (req, res) => {
    const { attemptId, page } = parseParams(pageParams, req.params);
    await showPage(req, res, attemptId, page);
  });

  // Save (a button, Previous/Next, a page link, or the script's autosave): the page's answers only.
  router.post('/quizzes/attempts/:attemptId/save', policy.take, async (req, res) => {
    const { attemptId } = parseParams(attemptParams, req.params);
    const { form, page, go } = readBody(req);
    const sheet = `/quizzes/attempts/${attemptId}`;
    try {
      const { savedAt } = await quizzes.saveAnswerForm(ctx, signedInUser(req).id, attemptId, form, page);
      if (wantsJson(req)) return res.json({ saved: true, savedAt });
      if (go !== undefined) return res.redirect(303, res.locals.url(`${sheet}/pages/${go}`));
      res.redirect(303, res.locals.url(`${page ? `${sheet}/pages/${page}` : sheet}?saved=1`));
    } catch (err) {
      // Time is up or already submitted: the answer sheet page shows the (graded) result.
      if (err instanceof Conflict && !wantsJson(req)) return res.redirect(303, res.locals.url(sheet));
      throw err;
    }
  });

  router.post('/quizzes/attempts/:attemptId/submit', policy.take, async (req, res) => {
    const { attemptId } = parseParams(attemptParams, req.params);
    const { form, confirmBlank, page } = readBody(req);
    const userId = signedInUser(req).id;
    const outcome = await quizzes.submitAnswerForm(ctx, userId, attemptId, form, confirmBlank, page);
    // Not graded: the page again (the last one for a whole-sheet post) with an error summary on top.
    if (outcome.status === 'incomplete') {
      const last = page ?? sheetPages(await quizzes.ownAttempt(ctx, userId, attemptId)).length;
      return renderSheet(ctx, req, res, attemptId, last, {
        answers: outcome.answers,
        survey: outcome.survey,
        errors: outcome.errors,
        status: 400,
      });
    }
    res.redirect(303, res.locals.url(`/quizzes/attempts/${attemptId}/result`));
  });

  router.get('/quizzes/attempts/:attemptId/result', policy.result, async (req, res) => {
    const { attemptId } = parseParams(attemptParams, req.params);
    const lang = res.locals.lang as Locale;
    const view = await quizzes.attemptResult(ctx, signedInUser(req), attemptId).catch((err: unknown) => {
      if (err instanceof quizzes.StillOpen) return undefined;
      throw err;
    });
    if (!view) return res.redirect(303, res.locals.url(`/quizzes/attempts/${attemptId}`));
    const { attempt, quiz, questions, ownerView, mode, course, next } = view;
    // Only the full view carries the answers and the key; the others never build them.
    const items =
      mode === 'full'
        ? attempt.items
            .filter((item) => questions.has(item.qid))
            .map((item, i) => presentResultItem(item, questions.get(item.qid)!, attempt, i + 1, lang))
        : [];
    const right = (attempt.results ?? []).filter((r) => r.correct).length;
    const here = `/quizzes/${String(quiz._id)}`;
    res.render('quizzes/result', {
      title: presentQuiz(quiz, lang).title,
      quiz: presentQuiz(quiz, lang),
      attempt: {
        id: String(attempt._id),
        attemptNo: attempt.attemptNo,
        score: attempt.score ?? 0,
        passed: !!attempt.passed,
        submittedAt: attempt.submittedAt,
        right,
        total: attempt.items.length,
      },
      items,
      mode,
      // Survey answers are recorded, never scored: the result only says how many were given.
      survey: attempt.surveyItems?.length
        ? { n: attempt.surveyResults?.length ?? 0, total: attempt.surveyItems.length }
        : undefined,
      objectives: mode === 'full' ? [] : objectiveSummary(attempt, course, lang),
      attemptsLeft: view.attemptsLeft,
      // "Continue" leads to the next step of the course; when that is this quiz again, "Try again".
      next: ownerView
        ? next?.href
          ? { href: next.href, retry: next.href === here, kind: next.kind, title: next.title[lang] }
          : course
            ? { href: `/learn/${course.slug}`, retry: false, toCourse: true }
            : undefined
        : undefined,
      ownerView,
    });
  });

  router.get('/quizzes/:quizId', policy.take, async (req, res) => {
    const { quizId } = parseParams(quizParams, req.params);
    await renderIntro(req, res, quizId);
  });

  router.post('/quizzes/:quizId/attempts', policy.take, async (req, res) => {
    const { quizId } = parseParams(quizParams, req.params);
    parse(startForm, req.body);
    try {
      const attempt = await quizzes.startAttempt(ctx, signedInUser(req).id, quizId);
      res.redirect(303, res.locals.url(`/quizzes/attempts/${String(attempt._id)}`));
    } catch (err) {
      if (err instanceof Conflict && err.key.startsWith('quizzes.gate.')) {
        // Not open now (the pre-test closed, the post-test waits for the lessons): the intro says why.
        res.status(409);
        return renderIntro(req, res, quizId);
      }
      if (!(err instanceof Conflict) || err.key !== 'quizzes.errors.noAttemptsLeft') throw err;
      const quiz = await quizzes.findQuiz(ctx, quizId);
      res.status(409).render('quizzes/no-attempts', {
        title: presentQuiz(quiz, res.locals.lang as Locale).title,
        quiz: presentQuiz(quiz, res.locals.lang as Locale),
      });
    }
  });

  return router;
}
