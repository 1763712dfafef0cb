import { z } from 'zod';
import { BLOCK_TYPES } from './model';

/** The shipped course files (content/courses/<slug>/). Every text is bilingual and neither side empty. */
const nonEmpty = z.string().trim().min(1, 'must not be empty');
export const bilingualText = z.object({ en: nonEmpty, mn: nonEmpty });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'must be lower-case letters, digits and dashes');

const quizRef = z.object({
  title: bilingualText.optional(),
  /** Optional when the course lists `testForms` (the pre- and post-test then draw from those). */
  questions: z.array(z.string().min(1)).min(1).optional(),
  passingScore: z.number().min(0).max(100),
  /** No timer unless the course sets one. */
  timeLimitMinutes: z.number().int().min(1).max(600).optional(),
});

export const courseFile = z.object({
  slug,
  title: bilingualText,
  summary: bilingualText,
  mnDraft: z.boolean().default(true),
  objectives: z.array(z.object({ id: slug, label: bilingualText })).default([]),
  lessons: z.array(slug).min(1),
  preTest: quizRef.optional(),
  postTest: quizRef.optional(),
  completionRules: z
    .object({ lessons: z.boolean(), lessonQuizzes: z.boolean(), postTest: z.boolean() })
    .partial()
    .optional(),
  /** When the pre- and post-test are open (see CourseSequence in model.ts). */
  sequence: z
    .object({
      preTest: z.enum(['before-lessons', 'until-post-test']),
      postTest: z.enum(['after-lessons', 'anytime']),
    })
    .partial()
    .optional(),
});
export type CourseFile = z.infer<typeof courseFile>;

export const blockFile = z
  .object({
    type: z.enum(BLOCK_TYPES),
    variant: z.string().max(40).optional(),
    en: nonEmpty,
    mn: nonEmpty,
    src: z.string().max(500).optional(),
    alt: bilingualText.optional(),
  })
  .refine((b) => !['image', 'video', 'audio', 'file'].includes(b.type) || !!b.src, {
    message: 'media blocks need src',
    path: ['src'],
  })
  .refine((b) => b.type !== 'image' || !!b.alt, { message: 'image blocks need alt text', path: ['alt'] });

export const lessonFile = z.object({
  slug,
  title: bilingualText,
  objectives: z.array(z.string()).default([]),
  minutes: z.number().int().min(1).max(600),
  blocks: z.array(blockFile).min(1),
  quiz: z
    .object({
      questions: z.array(z.string().min(1)).min(1),
      draw: z.number().int().min(1),
      passingScore: z.number().min(0).max(100),
    })
    .optional(),
});
export type LessonFile = z.infer<typeof lessonFile>;

/** "lessons/02.yaml: blocks.3.mn: must not be empty" — one line per problem. */
export function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `${file}: ${i.path.join('.') || '(file)'}: ${i.message}`);
  return lines.join('\n');
}
