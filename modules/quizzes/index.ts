export { quizzesRouter } from './routes';
export { importQuizzes, loadQuestionBank, type CourseDefinition, type ImportInput } from './import';
export { closeExpiredAttempts } from './service';
export { quizSummariesForCourse, type QuizSummary } from './summaries';
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
