import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { attemptModel, type Attempt, type Quiz, type QuizForm } from './model';

/**
 * Which form of a pre- or post-test a new attempt takes.
 *
 * One form: that one. Parallel forms (counterbalanced): a form the trainee has not taken yet in this
 * course's pre- and post-test, the least used one for this quiz among the trainees' first attempts
 * (ties at random) — so each trainee takes one form before and another after, and across the cohort
 * every order is about equally common, which cancels form difficulty out of the mean gain. A retake,
 * once every form has been seen, takes the one seen longest ago, never the one just taken.
 */
export async function chooseForm(
  ctx: AppContext,
  quiz: Pick<Quiz, '_id' | 'courseId' | 'forms' | 'counterbalance'>,
  userId: Types.ObjectId,
): Promise<QuizForm | undefined> {
  const forms = quiz.forms ?? [];
  if (forms.length <= 1) return forms[0];
  const Attempts = attemptModel(ctx.db);
  const mine = await Attempts.find(
    {
      courseId: quiz.courseId,
      userId,
      quizKey: trusted({ $in: ['pre', 'post'] }),
      form: trusted({ $exists: true }),
    },
    { form: 1 },
  )
    .sort({ startedAt: 1, _id: 1 })
    .lean<Array<Pick<Attempt, 'form'>>>();
  const seen = mine.map((a) => a.form!);
  const last = seen.at(-1);
  const candidates = forms.filter((f) => f.id !== last);
  const unseen = candidates.filter((f) => !seen.includes(f.id));
  if (!unseen.length) {
    // Every other form seen already: the one seen longest ago.
    return [...candidates].sort((a, b) => seen.lastIndexOf(a.id) - seen.lastIndexOf(b.id))[0];
  }
  if (unseen.length === 1) return unseen[0];
  const used = await Promise.all(
    unseen.map((f) => Attempts.countDocuments({ quizId: quiz._id, attemptNo: 1, form: f.id })),
  );
  const least = Math.min(...used);
  const tied = unseen.filter((_, i) => used[i] === least);
  return tied[randomInt(tied.length)];
}
