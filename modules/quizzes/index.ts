export { quizzesRouter } from './routes';
export { importQuizzes, loadQuestionBank, type CourseDefinition, type ImportInput } from './import';
export { quizSummariesForCourse, closeExpiredAttempts, type QuizSummary } from './service';
export { expiredAttemptsJob } from './jobs';
export {
  attemptModel,
  questionModel,
  quizModel,
  type Attempt,
  type AttemptItem,
  type AttemptResult,
  type Quiz,
  type Question,
} from './model';
