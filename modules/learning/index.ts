import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { learnRoutes } from './routes-learn';
import { authorRoutes } from './routes-author';
import { cohortRoutes } from './routes-cohorts';

export function learningRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(learnRoutes(ctx), authorRoutes(ctx), cohortRoutes(ctx));
  return router;
}

export {
  getCourseBySlug,
  hasCompletedCourse,
  recordQuizOutcome,
  trainerCohortIds,
  enrolmentsForCourse,
  enrolmentsPage,
  type QuizOutcome,
} from './service';
export {
  getCourseOutline,
  getOutlineBySlug,
  publishedCourses,
  publishedOutlineBySlug,
  requirePublishedOutline,
  type CourseOutline,
  type OutlineLesson,
} from './outline';
export { sendReminders } from './reminders';
export { importCourses, ContentError } from './importer';
export {
  courseModel,
  lessonModel,
  lessonVersionModel,
  enrolmentModel,
  cohortModel,
  type Course,
  type Lesson,
  type LessonVersion,
  type Enrolment,
  type Cohort,
  type Bilingual,
  type Block,
} from './model';
export { reminderJob, seedCourses } from './jobs';
