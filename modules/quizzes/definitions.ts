import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { bumpContentVersion, ContentCache } from '../../server/cache';
import { questionModel, quizModel, type Question, type Quiz } from './model';

/**
 * Quiz definitions and questions change only when a course is imported, so the hot paths (dashboard
 * summaries, quiz sheets, grading) read them from this cache. Returned objects are shared: callers
 * must not mutate them.
 */
const CACHE_MS = 60_000;
const byCourse = new ContentCache<Quiz[]>(CACHE_MS);
const byId = new ContentCache<Quiz | null>(CACHE_MS);
const questionsByCourse = new ContentCache<Map<string, Question>>(CACHE_MS);

const prefix = (ctx: AppContext) => `${ctx.db.name}|`;

export function quizzesOfCourse(ctx: AppContext, courseId: Types.ObjectId): Promise<Quiz[]> {
  return byCourse.current(ctx.db, `${prefix(ctx)}${String(courseId)}`, ctx.clock.now().getTime(), () =>
    quizModel(ctx.db).find({ courseId }).lean<Quiz[]>(),
  );
}

export async function quizById(ctx: AppContext, quizId: Types.ObjectId): Promise<Quiz | null> {
  const key = `${prefix(ctx)}${String(quizId)}`;
  const quiz = await byId.current(ctx.db, key, ctx.clock.now().getTime(), () =>
    quizModel(ctx.db).findById(quizId).lean<Quiz>(),
  );
  if (!quiz) byId.drop(key); // an unknown id is not remembered
  return quiz;
}

/** Every question of a course by qid (a course holds tens, not thousands). */
export function questionsOfCourse(ctx: AppContext, courseId: Types.ObjectId): Promise<Map<string, Question>> {
  return questionsByCourse.current(
    ctx.db,
    `${prefix(ctx)}${String(courseId)}`,
    ctx.clock.now().getTime(),
    async () => {
      const list = await questionModel(ctx.db).find({ courseId }).lean<Question[]>();
      return new Map(list.map((q) => [q.qid, q]));
    },
  );
}

/** After an import: this process reads the new definitions at once, every other within a second. */
export async function forgetQuizDefinitions(ctx: AppContext): Promise<void> {
  byCourse.dropPrefix(prefix(ctx));
  byId.dropPrefix(prefix(ctx));
  questionsByCourse.dropPrefix(prefix(ctx));
  await bumpContentVersion(ctx.db);
}
