import { Router } from 'express';
import { translator } from '../../server/i18n';
import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import { parse, parseParams } from '../../server/http/validate';
import type { Locale, SessionUser } from '../../server/types';
import { learningPolicy as policy } from './policy';
import { courseParams, lessonParams, lessonQuery } from './schemas';
import * as learning from './service';
import {
  getCourseOutline,
  linkMedia,
  publishedCourses,
  renderBlocks,
  requirePublishedOutline,
} from './outline';
import { lessonQuizKey, progressOf, stepsFor } from './progress';
import { coursePanels, quizSummaries } from './extensions';
import { signedInUser } from '../../server/auth/policy';

const isTrainee = (user: SessionUser) => user.role === 'journalist';

/** Trainee pages: dashboard, course outline, lesson reader. */
export function learnRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/learn', policy.learner, async (req, res) => {
    const userId = signedInUser(req).id;
    const [enrolments, published] = await Promise.all([
      learning.enrolmentsOfUser(ctx, userId),
      publishedCourses(ctx),
    ]);
    const enrolledIds = new Set(enrolments.map((e) => String(e.courseId)));
    const courses = [];
    for (const e of enrolments) {
      const course = await getCourseOutline(ctx, e.courseId);
      if (!course || course.status !== 'published') continue;
      // Progress needs no scores: the quiz definitions (cached) and the enrolment are enough.
      const steps = stepsFor(course, e, await quizSummaries(ctx, course.id));
      courses.push({ course, enrolment: e, progress: progressOf(steps) });
    }
    const available = published.filter((c) => !enrolledIds.has(String(c._id)));
    res.render('learning/dashboard', { courses, available });
  });

  router.get('/learn/:courseSlug', policy.learner, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const course = await requirePublishedOutline(ctx, courseSlug);
    const userId = signedInUser(req).id;
    // Trainees are enrolled on their first visit; staff browse without becoming trainees.
    const enrolment = isTrainee(signedInUser(req))
      ? await learning.visitEnrolment(ctx, userId, course.id)
      : await learning.enrolmentFor(ctx, userId, course.id);
    const steps = stepsFor(course, enrolment, await quizSummaries(ctx, course.id, userId));
    const panels = await coursePanels(ctx, course, signedInUser(req), res.locals.lang);
    res.render('learning/course', { course, enrolment, steps, progress: progressOf(steps), panels });
  });

  router.get('/learn/:courseSlug/:lessonSlug', policy.learner, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { lang: asked } = parse(lessonQuery, req.query);
    const course = await requirePublishedOutline(ctx, courseSlug);
    const index = course.lessons.findIndex((l) => l.slug === lessonSlug);
    const lesson = course.lessons[index];
    if (!lesson) throw new NotFound();
    if (isTrainee(signedInUser(req)))
      await learning.recordLessonView(ctx, signedInUser(req).id, course, lesson);
    const lang: Locale = asked ?? res.locals.lang;
    const other: Locale = lang === 'en' ? 'mn' : 'en';
    res.render('learning/lesson', {
      course,
      lesson,
      contentLang: lang,
      otherLang: other,
      tOther: translator(other),
      asked,
      blocks: linkMedia(
        renderBlocks(lesson.blocks, lang, `${lesson.id}:${lesson.version}`),
        course.media,
        res.locals.url(`/learn/${course.slug}/media`),
      ),
      prev: course.lessons[index - 1],
      next: course.lessons[index + 1],
      title: lesson.title[lang],
      recorded: isTrainee(signedInUser(req)),
    });
  });

  router.post('/learn/:courseSlug/:lessonSlug/viewed', policy.learner, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const course = await requirePublishedOutline(ctx, courseSlug);
    const lesson = course.lessons.find((l) => l.slug === lessonSlug);
    if (!lesson) throw new NotFound();
    if (isTrainee(signedInUser(req)))
      await learning.recordLessonView(ctx, signedInUser(req).id, course, lesson);
    res.redirect(303, res.locals.url(`/learn/${course.slug}`));
  });

  /** The lesson page links here so it needs no quiz lookup of its own. */
  router.get('/learn/:courseSlug/:lessonSlug/quiz', policy.learner, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const course = await requirePublishedOutline(ctx, courseSlug);
    const lesson = course.lessons.find((l) => l.slug === lessonSlug);
    if (!lesson?.hasQuiz) throw new NotFound();
    const quiz = (await quizSummaries(ctx, course.id)).find((q) => q.key === lessonQuizKey(lesson.slug));
    if (!quiz) throw new NotFound();
    res.redirect(303, res.locals.url(`/quizzes/${quiz.quizId}`));
  });

  return router;
}
