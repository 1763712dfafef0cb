import type { UmbrellaModule } from '../../server/module';
import { extendLearning } from '../learning';
import { quizzesRouter } from './routes';
import { questionEditorRoutes } from './routes-editor';
import { importQuizzes } from './import';
import { quizSummariesForCourse } from './summaries';
import { expiredAttemptsJob } from './jobs';
import { quizzesPersonalData } from './personal-data';

extendLearning({ quizSummaries: quizSummariesForCourse, importQuizzes });

export const quizzesModule: UmbrellaModule = {
  name: 'quizzes',
  routes: [
    { path: '/', router: quizzesRouter },
    { path: '/', router: questionEditorRoutes },
  ],
  jobs: [expiredAttemptsJob],
  personalData: [quizzesPersonalData],
};

export { importQuizzes, loadQuestionBank, type CourseDefinition, type ImportInput } from './import';
export { closeExpiredAttempts } from './service';
export { attemptsSubmittedIn, attemptsOfUserSince, submittedAttemptsPage, courseQuizBank } from './reads';
export { quizSummariesForCourse, type QuizSummary } from './summaries';
export { surveyOfCourse } from './survey';
export type { Question, QuestionOption, Quiz, Attempt } from './model';
