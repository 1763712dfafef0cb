export { quizzesRouter } from './routes';
export { importQuizzes, loadQuestionBank, type CourseDefinition, type ImportInput } from './import';
export { quizSummariesForCourse, type QuizSummary } from './service';
export {
  attemptModel,
  type Attempt,
  type AttemptItem,
  type AttemptResult,
  type Quiz,
  type Question,
} from './model';
