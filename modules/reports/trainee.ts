import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { cohortScope, col, type Doc } from './data';
import { oid } from '../../server/db/ids';

type Text = { en: string; mn: string };

export interface AnswerView {
  qid: string;
  objective: string;
  correct: boolean;
  stem?: Text;
  chosen: Array<{ id: string; text?: Text; correct?: boolean }>;
}

/**
 * One trainee's enrolments and every attempt with every answer. A trainer sees only trainees enrolled
 * in a cohort they teach (anything else is a 404); the view is written to the audit log.
 */
export async function viewTrainee(ctx: AppContext, viewer: Pick<SessionUser, 'id' | 'role'>, userId: string) {
  const uid = oid(userId);
  const scope = await cohortScope(ctx, viewer);
  const enrolMatch: Doc = { userId: uid };
  if (scope) enrolMatch.cohortId = { $in: scope };
  const enrolments = await col(ctx.db, 'enrolments').find(enrolMatch).sort({ startedAt: 1 }).toArray();
  if (scope && !enrolments.length) throw new NotFound();
  const user = await col(ctx.db, 'users').findOne(
    { _id: uid },
    { projection: { name: 1, email: 1, region: 1, outlet: 1, locale: 1, role: 1 } },
  );
  if (!user) throw new NotFound();
  const courseIds = enrolments.map((e) => e.courseId as Types.ObjectId);
  const attemptMatch: Doc = { userId: uid };
  if (scope) attemptMatch.courseId = { $in: courseIds };
  const attempts = await col(ctx.db, 'attempts')
    .find(attemptMatch, {
      projection: {
        courseId: 1,
        quizKey: 1,
        attemptNo: 1,
        status: 1,
        submittedAt: 1,
        score: 1,
        passed: 1,
        results: 1,
      },
    })
    .sort({ startedAt: 1, _id: 1 })
    .limit(500)
    .toArray();
  const qids = [
    ...new Set(attempts.flatMap((a) => ((a.results as Doc[]) ?? []).map((r) => r.qid as string))),
  ];
  const allCourses = [...new Set(attempts.map((a) => String(a.courseId)).concat(courseIds.map(String)))].map(
    oid,
  );
  const [questions, courses] = await Promise.all([
    col(ctx.db, 'questions')
      .find(
        { courseId: { $in: allCourses }, qid: { $in: qids } },
        { projection: { courseId: 1, qid: 1, stem: 1, options: 1 } },
      )
      .toArray(),
    col(ctx.db, 'courses')
      .find({ _id: { $in: allCourses } }, { projection: { slug: 1, title: 1 } })
      .toArray(),
  ]);
  const qmap = new Map(questions.map((q) => [`${String(q.courseId)}:${q.qid as string}`, q]));
  const view = attempts.map((a) => ({
    ...a,
    answers: ((a.results as Doc[]) ?? []).map((r): AnswerView => {
      const q = qmap.get(`${String(a.courseId)}:${r.qid as string}`);
      const opts = (q?.options as Array<{ id: string; text: Text; correct?: boolean }>) ?? [];
      return {
        qid: r.qid as string,
        objective: r.objective as string,
        correct: !!r.correct,
        stem: q?.stem as Text | undefined,
        chosen: ((r.chosen as string[]) ?? []).map((id) => {
          const o = opts.find((x) => x.id === id);
          return { id, text: o?.text, correct: o?.correct };
        }),
      };
    }),
  }));
  await recordAudit(ctx, viewer, 'trainee.viewed', { type: 'user', id: userId });
  return { user, enrolments, attempts: view, courses: new Map(courses.map((c) => [String(c._id), c])) };
}
