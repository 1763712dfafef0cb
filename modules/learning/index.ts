import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { learnRoutes } from './routes-learn';
import { authorRoutes } from './routes-author';
import { cohortRoutes } from './routes-cohorts';
import { mediaRoutes } from './routes-media';
import { reminderJob, seedCourses } from './jobs';
import { importCourseCommand } from './cli';
import { learningPersonalData } from './personal-data';

function learningRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(mediaRoutes(ctx), learnRoutes(ctx), authorRoutes(ctx), cohortRoutes(ctx));
  return router;
}

export const learningModule: UmbrellaModule = {
  name: 'learning',
  routes: [{ path: '/', router: learningRouter }],
  nav: [
    { href: '/learn', label: 'learning.nav.learn', roles: ['journalist'] },
    { href: '/trainer/courses', label: 'learning.nav.courses', roles: ['trainer', 'admin'] },
    { href: '/trainer/cohorts', label: 'learning.nav.cohorts', roles: ['trainer', 'admin'] },
  ],
  jobs: [reminderJob],
  seed: [seedCourses],
  cli: { 'import-course': importCourseCommand },
  personalData: [learningPersonalData],
};

export {
  courseLabel,
  lessonLabel,
  enrolmentsActiveIn,
  completionSince,
  completionCounts,
  courseWithPublishedLessons,
  trainerCourseIds,
} from './reads';
export { enrolmentsInPeriod, type PeriodEnrolment } from './period-reads';
export {
  extendLearning,
  type LearningExtension,
  type CoursePanel,
  type CourseQuizImport,
  type LessonQuizImport,
} from './extensions';

export {
  getCourseBySlug,
  hasCompletedCourse,
  recheckCompletion,
  recordQuizOutcome,
  quizGateFor,
  nextStepFor,
  trainerCohortIds,
  enrolmentsForCourse,
  enrolmentsPage,
  enrolFromRoster,
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
export { enrolJournalist } from './cohorts';
export { importCourses, ContentError } from './importer';
export { listMedia as courseMedia } from './media';
export { MAX_MEDIA_MB, MEDIA_NAME, MEDIA_PREFIX, mediaRef } from './media-files';
export type { Gate, GateReason, Step } from './progress';
export type { Course, Lesson, LessonVersion, Enrolment, Cohort, Bilingual, Block } from './model';
