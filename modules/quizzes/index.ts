import type { UmbrellaModule } from '../../server/module';
import { extendLearning } from '../learning';
import { quizzesRouter } from './routes';
import { questionEditorRoutes } from './routes-editor';
import { importQuizzes } from './import';
import { quizSummariesForCourse } from './summaries';
import { expiredAttemptsJob, packOlderResultsJob, testRecordsJob } from './jobs';
import { quizzesPersonalData } from './personal-data';
import { rebuildTestRecordsCommand } from './cli';
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { questionModel, type Question } from './model';
import { forgetQuizDefinitions } from './definitions';

extendLearning({ quizSummaries: quizSummariesForCourse, importQuizzes });

export const quizzesModule: UmbrellaModule = {
  name: 'quizzes',
  routes: [
    { path: '/', router: quizzesRouter },
    { path: '/', router: questionEditorRoutes },
  ],
  jobs: [expiredAttemptsJob, packOlderResultsJob, testRecordsJob],
  cli: { 'rebuild-test-records': rebuildTestRecordsCommand },
  personalData: [quizzesPersonalData],
};

export { importQuizzes, loadQuestionBank, type CourseDefinition, type ImportInput } from './import';
export { closeExpiredAttempts } from './service';
export { attemptsSubmittedIn, attemptsOfUserSince, submittedAttemptsPage, courseQuizBank } from './reads';
export { quizSummariesForCourse, type QuizSummary } from './summaries';
export { surveyOfCourse } from './survey';
export { unpackResults } from './packed-results';
export {
  TEST_RECORDS,
  ensureTestRecords,
  isTestKey,
  type FirstSubmission,
  type TestRecord,
  type TestSummary,
} from './test-records';
export type { Question, QuestionOption, Quiz, Attempt, AttemptResult } from './model';

export type NewQuestion = Omit<Question, '_id' | 'courseId' | 'version' | 'contentHash'>;

/**
 * Adds questions from an imported file to a course's bank, each as version 1. A qid the bank already
 * has is never replaced here (attempts may have shown it; changes go through the question editor):
 * it is returned among `existing`.
 */
export async function addImportedQuestions(
  ctx: AppContext,
  courseId: string,
  questions: NewQuestion[],
): Promise<{ added: string[]; existing: string[] }> {
  const Questions = questionModel(ctx.db);
  await Questions.init();
  const added: string[] = [];
  const existing: string[] = [];
  for (const q of questions) {
    const contentHash = createHash('sha256').update(JSON.stringify(q)).digest('hex');
    try {
      await Questions.create({ ...q, courseId: new Types.ObjectId(courseId), version: 1, contentHash });
      added.push(q.qid);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      existing.push(q.qid);
    }
  }
  if (added.length) await forgetQuizDefinitions(ctx);
  return { added, existing };
}
