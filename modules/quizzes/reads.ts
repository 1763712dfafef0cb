import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { attemptModel, questionModel, quizModel, type Attempt, type Question, type Quiz } from './model';
import { trusted } from '../../server/db/ids';

/** What other modules (the API, LTI, xAPI, course archives) may read about quizzes and attempts. */

type Id = Types.ObjectId | string;
export interface TimeWindow {
  /** Exclusive. */
  after: Date;
  /** Inclusive. */
  until: Date;
}

/**
 * Submitted attempts in a time window, for statements sent to an LRS: `limit` at a time in _id order,
 * after the `cursor` attempt (the last of the previous page).
 */
export async function attemptsSubmittedIn(
  ctx: AppContext,
  window: TimeWindow,
  limit: number,
  cursor?: Types.ObjectId,
): Promise<Attempt[]> {
  return attemptModel(ctx.db)
    .find({
      status: 'submitted',
      submittedAt: trusted({ $gt: window.after, $lte: window.until }),
      ...(cursor ? { _id: trusted({ $gt: cursor }) } : {}),
    })
    .sort({ _id: 1 })
    .limit(limit)
    .lean<Attempt[]>();
}

/** One user's submitted attempts at one quiz since a moment (for LMS grade passback). */
export async function attemptsOfUserSince(
  ctx: AppContext,
  q: { userId: Id; courseId: Id; quizKey: string; since: Date },
): Promise<Attempt[]> {
  return attemptModel(ctx.db)
    .find({
      userId: q.userId,
      courseId: q.courseId,
      quizKey: q.quizKey,
      status: 'submitted',
      submittedAt: trusted({ $gte: q.since }),
    })
    .lean<Attempt[]>();
}

/** A course's submitted attempts in _id order, `limit` at a time after `cursor`. */
export async function submittedAttemptsPage(
  ctx: AppContext,
  courseId: Id,
  limit: number,
  cursor?: Types.ObjectId,
): Promise<Attempt[]> {
  return attemptModel(ctx.db)
    .find({ courseId, status: 'submitted', ...(cursor ? { _id: trusted({ $gt: cursor }) } : {}) })
    .sort({ _id: 1 })
    .limit(limit)
    .lean<Attempt[]>();
}

/** A course's quizzes and question bank (questions by id), as stored. */
export async function courseQuizBank(
  ctx: AppContext,
  courseId: Id,
): Promise<{ quizzes: Quiz[]; questions: Question[] }> {
  const [quizzes, questions] = await Promise.all([
    quizModel(ctx.db).find({ courseId }).lean<Quiz[]>(),
    questionModel(ctx.db).find({ courseId }).sort({ qid: 1 }).lean<Question[]>(),
  ]);
  return { quizzes, questions };
}
