import mongoose, { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid } from '../../server/db/ids';
import type { SessionUser } from '../../server/types';
import { AppError, Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import {
  getCourseOutline,
  nextStepFor,
  quizGateFor,
  recordQuizOutcome,
  type CourseOutline,
  type Gate,
  type Step,
} from '../learning';
import { attemptModel, type Answers, type Attempt, type Question, type Quiz } from './model';
import { drawCovering, itemFor, shuffle } from './draw';
import { chooseForm } from './forms';
import { questionsOfCourse, quizById } from './definitions';
import { grade } from './grading';
import { packResults } from './packed-results';
import { isTestKey, tryRefreshTestRecord } from './test-records';
import { canReviewAttempts } from './policy';
import { answersFromForm, duplicatePositions, unanswered } from './answers';
import type { AnswerForm } from './schemas';
import { formScope, mergeAnswers, mergeSurvey } from './pages';
import { checkSurvey, scoreSurvey, surveyFromForm, surveyItemsFor, surveyOfCourse } from './survey';
import { asShown } from './editor';

/** Asked for the result of an attempt that is still open. */
export class StillOpen extends Error {}

/** Answers that arrive this long after the deadline still count (network, slow phones). */
export const GRACE_MS = 30_000;

/** Trainees only reach quizzes of published courses. */
async function coursePublished(ctx: AppContext, courseId: Types.ObjectId): Promise<boolean> {
  return (await getCourseOutline(ctx, courseId))?.status === 'published';
}

export async function findQuiz(ctx: AppContext, quizId: string | Types.ObjectId): Promise<Quiz> {
  const quiz = await quizById(ctx, oid(quizId));
  if (!quiz || !(await coursePublished(ctx, quiz.courseId))) throw new NotFound();
  return quiz;
}

export interface QuizIntro {
  quiz: Quiz;
  attemptsUsed: number;
  attemptsLeft: number;
  inProgress?: Attempt;
  submitted: Attempt[];
  /** Whether a new attempt may start now (the course's order of pre-test, lessons, post-test). */
  gate: Gate;
  /** The course's outline path, for the way back. */
  courseSlug?: string;
}

export async function quizIntro(ctx: AppContext, userId: string, quizId: string): Promise<QuizIntro> {
  const quiz = await findQuiz(ctx, quizId);
  const attempts = await attemptModel(ctx.db)
    .find({ quizId: quiz._id, userId: oid(userId) }, { items: 0, answers: 0, results: 0 })
    .sort({ attemptNo: 1 })
    .lean<Attempt[]>();
  const [gate, outline] = await Promise.all([
    quizGateFor(ctx, userId, quiz.courseId, quiz.key),
    getCourseOutline(ctx, quiz.courseId),
  ]);
  return {
    quiz,
    attemptsUsed: attempts.length,
    attemptsLeft: Math.max(0, quiz.maxAttempts - attempts.length),
    inProgress: attempts.find((a) => a.status === 'started'),
    submitted: attempts.filter((a) => a.status === 'submitted'),
    gate,
    courseSlug: outline?.slug,
  };
}

/** The named questions of a course that exist, by qid, from the content cache. */
async function questionsFor(ctx: AppContext, courseId: Types.ObjectId, qids: string[]) {
  const all = await questionsOfCourse(ctx, courseId);
  const picked = new Map<string, Question>();
  for (const qid of qids) {
    const q = all.get(qid);
    if (q) picked.set(qid, q);
  }
  return picked;
}

/**
 * Starts an attempt, or returns the one already started. Two parallel starts race for the same
 * attemptNo; the unique index lets one win and the other returns the winner's attempt.
 */
export async function startAttempt(ctx: AppContext, userId: string, quizId: string): Promise<Attempt> {
  const quiz = await findQuiz(ctx, quizId);
  const Attempts = attemptModel(ctx.db);
  await Attempts.init();
  const user = oid(userId);
  for (let tries = 0; tries < 5; tries++) {
    // Count first, then look for an open attempt: one created after the count takes attemptNo used+1
    // too, so the create below collides with it instead of opening a second attempt.
    const used = await Attempts.countDocuments({ quizId: quiz._id, userId: user });
    const open = await Attempts.findOne({
      quizId: quiz._id,
      userId: user,
      status: 'started',
    }).lean<Attempt>();
    if (open) return open;
    if (used >= quiz.maxAttempts) throw new Conflict('quizzes.errors.noAttemptsLeft');
    // The course's order: the pre-test before the lessons, the post-test after them.
    const gate = await quizGateFor(ctx, user, quiz.courseId, quiz.key);
    if (!gate.open) throw new Conflict(`quizzes.gate.${gate.reason}`);
    const pool = await questionsFor(ctx, quiz.courseId, [
      ...quiz.questionIds,
      ...(quiz.forms ?? []).flatMap((f) => f.questionIds),
    ]);
    // A test takes one whole form (parallel forms: chosen per trainee); a lesson quiz draws from its
    // pool, one question per objective first.
    const form = await chooseForm(ctx, quiz, user);
    const drawn = form
      ? shuffle(form.questionIds.filter((id) => pool.has(id)))
      : drawCovering(
          quiz.questionIds.filter((id) => pool.has(id)).map((id) => pool.get(id)!),
          quiz.draw,
        ).map((q) => q.qid);
    // Attitude and practice items: in a test's first attempt only (a retake measures knowledge again,
    // the survey's "after" is the first post-test).
    const surveyItems = used === 0 ? await surveyItemsFor(ctx, quiz.courseId, quiz.survey) : [];
    const now = ctx.clock.now();
    try {
      const created = await Attempts.create({
        quizId: quiz._id,
        quizKey: quiz.key,
        courseId: quiz.courseId,
        userId: user,
        attemptNo: used + 1,
        ...(form ? { form: form.id } : {}),
        status: 'started',
        startedAt: now,
        deadlineAt: quiz.timeLimitMinutes
          ? new Date(now.getTime() + quiz.timeLimitMinutes * 60_000)
          : undefined,
        items: drawn.map((qid) => itemFor(pool.get(qid)!)),
        answers: {},
        ...(surveyItems.length ? { surveyItems, survey: {} } : {}),
      });
      if (isTestKey(quiz.key)) await tryRefreshTestRecord(ctx, user, quiz.courseId);
      return created.toObject();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // Someone else (a double click) created this attemptNo first: go round and return theirs.
    }
  }
  throw new Conflict();
}

/** An attempt of its owner's; anyone else's id is a 404. */
export async function ownAttempt(ctx: AppContext, userId: string, attemptId: string): Promise<Attempt> {
  const attempt = await attemptModel(ctx.db)
    .findOne({ _id: oid(attemptId), userId: oid(userId) })
    .lean<Attempt>();
  if (!attempt) throw new NotFound();
  return attempt;
}

export const isLate = (attempt: Pick<Attempt, 'deadlineAt'>, now: Date) =>
  !!attempt.deadlineAt && now.getTime() > attempt.deadlineAt.getTime() + GRACE_MS;

/** Checks answers against the attempt's own items and options; anything else is a 400. */
export function checkAnswers(attempt: Pick<Attempt, 'items'>, answers: Answers): Answers {
  const out: Answers = {};
  for (const [qid, chosen] of Object.entries(answers)) {
    const item = attempt.items.find((i) => i.qid === qid);
    if (!item) throw new Invalid('quizzes.errors.unknownQuestion');
    const valid =
      item.type === 'case'
        ? chosen.length <= 2 &&
          (!chosen[0] || item.optionOrder.includes(chosen[0])) &&
          (!chosen[1] || (item.elementOrder ?? []).includes(chosen[1]))
        : chosen.every((id) => item.optionOrder.includes(id)) && new Set(chosen).size === chosen.length;
    const single = item.type === 'single' || item.type === 'true-false';
    if (!valid || (single && chosen.length > 1)) throw new Invalid('quizzes.errors.badAnswer');
    if (chosen.length) out[qid] = chosen;
  }
  return out;
}

/** Saves the whole answer sheet while the attempt is open and its time has not run out. */
export async function saveAnswers(ctx: AppContext, userId: string, attemptId: string, answers: Answers) {
  const attempt = await ownAttempt(ctx, userId, attemptId);
  return storeAnswers(ctx, attempt, { items: attempt.items }, answers);
}

/**
 * Saves the posted answer form of one page of the sheet (or, without a page, of the whole sheet),
 * checked against that page's items: a stray field is a 400. Answers on other pages stay as stored.
 */
export async function saveAnswerForm(
  ctx: AppContext,
  userId: string,
  attemptId: string,
  form: AnswerForm,
  page?: number,
) {
  const attempt = await ownAttempt(ctx, userId, attemptId);
  const scope = formScope(attempt, page);
  return storeAnswers(ctx, attempt, scope, answersFromForm(scope, form), surveyFromForm(scope, form));
}

/**
 * Stores the answers of the scope's questions (and survey items) only, each by its own field in one
 * conditional update: two tabs saving different pages both keep theirs; on the same page the last
 * save wins, as it always has. A submitted or timed-out attempt is a 409.
 */
async function storeAnswers(
  ctx: AppContext,
  attempt: Attempt,
  scope: Pick<Attempt, 'items' | 'surveyItems'>,
  answers: Answers,
  survey?: Record<string, string>,
) {
  if (attempt.status !== 'started') throw new Conflict('quizzes.errors.alreadySubmitted');
  const now = ctx.clock.now();
  if (isLate(attempt, now)) throw new Conflict('quizzes.errors.timeUp');
  const clean = checkAnswers({ items: scope.items }, answers);
  const filter: Record<string, unknown> = { _id: attempt._id, userId: attempt.userId, status: 'started' };
  if (attempt.deadlineAt) filter.deadlineAt = mongoose.trusted({ $gte: new Date(now.getTime() - GRACE_MS) });
  const set: Record<string, unknown> = { savedAt: now };
  const unset: Record<string, 1> = {};
  for (const { qid } of scope.items) {
    if (clean[qid]) set[`answers.${qid}`] = clean[qid];
    else unset[`answers.${qid}`] = 1;
  }
  if (survey && attempt.surveyItems?.length) {
    const checked = checkSurvey(scope, survey);
    for (const { sid } of scope.surveyItems ?? []) {
      if (checked[sid]) set[`survey.${sid}`] = checked[sid];
      else unset[`survey.${sid}`] = 1;
    }
  }
  const update = Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set };
  const saved = await attemptModel(ctx.db).updateOne(filter, update);
  if (saved.matchedCount === 0) throw new Conflict('quizzes.errors.alreadySubmitted');
  return { savedAt: now };
}

/** What submitting the answer form led to: graded, or the sheet again with an error per question. */
export type SubmitOutcome =
  | { status: 'submitted'; attempt: Attempt }
  | {
      status: 'incomplete';
      answers: Answers;
      survey: Record<string, string>;
      errors: Record<string, string>;
    };

/**
 * Submits the posted answer form of the user's own attempt: the last page of the sheet (`page`), or
 * the whole sheet. In time, an ordering position given twice on that page, or a question left
 * unanswered on any page without `confirmBlank`, keeps the answers so far (saved unless the attempt
 * closed meanwhile) and returns them with an error per question instead of grading. Late, the attempt
 * is graded on what was saved in time; an attempt already submitted returns as it is.
 */
export async function submitAnswerForm(
  ctx: AppContext,
  userId: string,
  attemptId: string,
  form: AnswerForm,
  confirmBlank: boolean,
  page?: number,
): Promise<SubmitOutcome> {
  const attempt = await ownAttempt(ctx, userId, attemptId);
  const scope = formScope(attempt, page);
  if (attempt.status === 'submitted') return { status: 'submitted', attempt };
  const posted = answersFromForm(scope, form);
  // Survey answers are optional: a blank one never holds the submit up.
  const postedSurvey = surveyFromForm(scope, form);
  const answers = mergeAnswers(attempt.answers ?? {}, scope, posted);
  const survey = mergeSurvey(attempt.survey, scope, postedSurvey);
  const late = isLate(attempt, ctx.clock.now());
  const missing = late ? [] : unanswered(attempt, answers);
  const twice = late ? [] : duplicatePositions(scope, form);
  if (twice.length || (missing.length && !confirmBlank)) {
    await storeAnswers(ctx, attempt, scope, posted, postedSurvey).catch((err: unknown) => {
      if (!(err instanceof AppError && err.status === 409)) throw err;
    });
    const errors: Record<string, string> = {};
    for (const qid of missing) errors[qid] = 'quizzes.errors.unanswered';
    for (const qid of twice) errors[qid] = 'quizzes.errors.positionTwice';
    return { status: 'incomplete', answers, survey, errors };
  }
  return { status: 'submitted', attempt: await submitAttempt(ctx, attempt, answers, survey) };
}

/**
 * Grades on the server, once. The caller has loaded the attempt as its owner's (ownAttempt). The
 * conditional update on status 'started' lets one of any number of parallel submits win; the others
 * (and later replays) get the first result. After the deadline plus grace, what was saved in time is
 * graded and the late answers are ignored.
 */
export async function submitAttempt(
  ctx: AppContext,
  attempt: Attempt,
  answers: Answers | undefined,
  survey?: Record<string, string>,
): Promise<Attempt> {
  if (attempt.status === 'submitted') return attempt;
  const now = ctx.clock.now();
  const late = isLate(attempt, now);
  const final = !late && answers ? checkAnswers(attempt, answers) : (attempt.answers ?? {});
  // The survey is stored beside the graded results and never passed to `grade`.
  const surveyItems = attempt.surveyItems ?? [];
  const surveyFinal = surveyItems.length
    ? !late && survey
      ? checkSurvey(attempt, survey)
      : (attempt.survey ?? {})
    : undefined;
  const surveyResults = surveyFinal
    ? scoreSurvey(surveyItems, await surveyOfCourse(ctx, attempt.courseId), surveyFinal)
    : undefined;
  const quiz = await quizById(ctx, attempt.quizId);
  if (!quiz) throw new NotFound();
  const questions = await asShown(
    ctx,
    attempt.items,
    await questionsFor(
      ctx,
      attempt.courseId,
      attempt.items.map((i) => i.qid),
    ),
  );
  const { score, results } = grade(attempt.items, questions, final);
  const passed = score >= quiz.passingScore;
  const graded = {
    status: 'submitted' as const,
    submittedAt: now,
    answers: final,
    score,
    passed,
    results,
    ...(surveyFinal ? { survey: surveyFinal, surveyResults } : {}),
  };
  // Not findOneAndUpdate: the attempt is known here, and sending it back whole was most of the
  // database's work for a submit.
  const won = await attemptModel(ctx.db).updateOne(
    { _id: attempt._id, userId: attempt.userId, status: 'started' },
    { $set: { ...graded, resultsPacked: packResults(results) } },
  );
  if (won.modifiedCount !== 1) return ownAttempt(ctx, String(attempt.userId), String(attempt._id));
  const updated: Attempt = { ...attempt, ...graded };
  await recordQuizOutcome(ctx, {
    userId: String(updated.userId),
    courseId: String(updated.courseId),
    quizKey: updated.quizKey,
    passed,
  });
  if (isTestKey(updated.quizKey)) await tryRefreshTestRecord(ctx, updated.userId, updated.courseId);
  return updated;
}

export interface ResultView {
  attempt: Attempt;
  quiz: Quiz;
  questions: Map<string, Question>;
  ownerView: boolean;
  /**
   * What the trainee sees: 'full' (every answer with feedback and the key), 'completed' (a pre-test:
   * results by objective, no key — its questions come back as another trainee's post-test form),
   * 'revisit' (a failed post-test: the objectives to go over, no key, so the retake still measures).
   * Staff reading a trainee's result always see it in full.
   */
  mode: 'full' | 'completed' | 'revisit';
  course?: CourseOutline;
  /** The trainee's next step in the course (for "Continue"). */
  next?: Step;
  attemptsLeft: number;
}

/** The owner's result, or read-only for trainers and admins (their viewing is audited). */
export async function attemptResult(
  ctx: AppContext,
  viewer: SessionUser,
  attemptId: string,
): Promise<ResultView> {
  const id = oid(attemptId);
  const staff = canReviewAttempts(viewer);
  const filter = staff ? { _id: id } : { _id: id, userId: oid(viewer.id) };
  const attempt = await attemptModel(ctx.db).findOne(filter).lean<Attempt>();
  if (!attempt) throw new NotFound();
  if (attempt.status !== 'submitted') {
    // Still open: its owner goes back to the answer sheet; nobody else sees unsubmitted answers.
    if (String(attempt.userId) === viewer.id) throw new StillOpen();
    throw new NotFound();
  }
  const quiz = await quizById(ctx, attempt.quizId);
  if (!quiz) throw new NotFound();
  const ownerView = String(attempt.userId) === viewer.id;
  if (!ownerView)
    await recordAudit(
      ctx,
      viewer,
      'attempt.viewed',
      { type: 'attempt', id: attempt._id },
      {
        traineeId: String(attempt.userId),
        quizKey: attempt.quizKey,
      },
    );
  const questions = await questionsFor(
    ctx,
    attempt.courseId,
    attempt.items.map((i) => i.qid),
  );
  const mode: ResultView['mode'] = !ownerView
    ? 'full'
    : quiz.kind === 'pre'
      ? 'completed'
      : quiz.kind === 'post' && !attempt.passed
        ? 'revisit'
        : 'full';
  const journey = ownerView ? await nextStepFor(ctx, viewer.id, attempt.courseId) : undefined;
  const used = ownerView
    ? await attemptModel(ctx.db).countDocuments({ quizId: quiz._id, userId: attempt.userId })
    : quiz.maxAttempts;
  return {
    attempt,
    quiz,
    questions,
    ownerView,
    mode,
    course: journey?.course ?? (await getCourseOutline(ctx, attempt.courseId)) ?? undefined,
    next: journey?.next,
    attemptsLeft: Math.max(0, quiz.maxAttempts - used),
  };
}

/** The questions an open attempt shows, in its order. */
export async function attemptSheet(ctx: AppContext, userId: string, attemptId: string) {
  const attempt = await ownAttempt(ctx, userId, attemptId);
  const quiz = await quizById(ctx, attempt.quizId);
  if (!quiz) throw new NotFound();
  const questions = await questionsFor(
    ctx,
    attempt.courseId,
    attempt.items.map((i) => i.qid),
  );
  const survey = attempt.surveyItems?.length ? await surveyOfCourse(ctx, attempt.courseId) : new Map();
  return { attempt, quiz, questions, survey };
}

/**
 * Grades attempts whose time ran out without a submit, with the answers saved in time, so a
 * trainee who closed the tab still gets a result (and learning hears about it).
 */
export async function closeExpiredAttempts(ctx: AppContext, limit = 200): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - GRACE_MS);
  const expired = await attemptModel(ctx.db)
    .find({ status: 'started', deadlineAt: mongoose.trusted({ $lt: cutoff }) })
    .limit(limit)
    .lean<Attempt[]>();
  for (const a of expired) await submitAttempt(ctx, a, undefined);
  return expired.length;
}
