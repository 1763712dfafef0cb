import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { courseModel, lessonModel, type Bilingual, type Block, type Course } from './model';
import { markdownToNodes, safeHref, type SafeNode } from './markdown';

/**
 * Published course content, cached in process: hot pages (dashboard, lesson) read it without touching
 * the database. Publishing, reordering or importing invalidates the course's entry in this process; other
 * processes pick the change up within CACHE_MS.
 */
export interface OutlineLesson {
  id: string;
  slug: string;
  title: Bilingual;
  objectives: string[];
  minutes: number;
  version: number;
  hasQuiz: boolean;
  blocks: Block[];
}

export interface CourseOutline {
  id: string;
  slug: string;
  title: Bilingual;
  summary: Bilingual;
  objectives: Course['objectives'];
  mnDraft: boolean;
  status: Course['status'];
  completionRules: Course['completionRules'];
  hasPreTest: boolean;
  hasPostTest: boolean;
  /** Published lessons in course order. */
  lessons: OutlineLesson[];
}

const CACHE_MS = 60_000;
const outlines = new Map<string, { at: number; value: Promise<CourseOutline | null> }>();
const slugs = new Map<string, string>();

const key = (ctx: AppContext, id: string) => `${ctx.db.name}|${id}`;

async function loadOutline(ctx: AppContext, courseId: string): Promise<CourseOutline | null> {
  const course = await courseModel(ctx.db).findById(courseId).lean();
  if (!course) return null;
  const lessons = await lessonModel(ctx.db)
    .find(
      { courseId: course._id, status: 'published' },
      { slug: 1, title: 1, objectives: 1, minutes: 1, version: 1, hasQuiz: 1, blocks: 1 },
    )
    .lean();
  const byId = new Map(lessons.map((l) => [String(l._id), l]));
  return {
    id: String(course._id),
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    objectives: course.objectives ?? [],
    mnDraft: course.mnDraft,
    status: course.status,
    completionRules: course.completionRules,
    hasPreTest: course.hasPreTest,
    hasPostTest: course.hasPostTest,
    lessons: course.lessonIds
      .map((id) => byId.get(String(id)))
      .filter((l) => !!l)
      .map((l) => ({
        id: String(l._id),
        slug: l.slug,
        title: l.title,
        objectives: l.objectives ?? [],
        minutes: l.minutes,
        version: l.version,
        hasQuiz: l.hasQuiz,
        blocks: l.blocks,
      })),
  };
}

export function getCourseOutline(
  ctx: AppContext,
  courseId: string | Types.ObjectId,
): Promise<CourseOutline | null> {
  const id = String(courseId);
  if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
  const k = key(ctx, id);
  const now = ctx.clock.now().getTime();
  const hit = outlines.get(k);
  if (hit && Math.abs(now - hit.at) < CACHE_MS) return hit.value;
  const value = loadOutline(ctx, id);
  outlines.set(k, { at: now, value });
  value.catch(() => outlines.delete(k));
  return value;
}

export async function getOutlineBySlug(ctx: AppContext, slug: string): Promise<CourseOutline | null> {
  const k = key(ctx, `slug:${slug}`);
  let id = slugs.get(k);
  if (!id) {
    const course = await courseModel(ctx.db).findOne({ slug }, { _id: 1 }).lean();
    if (!course) return null;
    id = String(course._id);
    slugs.set(k, id);
  }
  return getCourseOutline(ctx, id);
}

export function invalidateCourse(ctx: AppContext, courseId: string | Types.ObjectId): void {
  outlines.delete(key(ctx, String(courseId)));
}

export interface RenderedBlock {
  id: string;
  type: Block['type'];
  variant?: string;
  src?: string;
  alt?: string;
  nodes: SafeNode[];
}

/** Rendered once per (lesson, version, language); a version's content never changes. */
const CALLOUTS = new Set(['source', 'helpline', 'tip', 'warning']);
const rendered = new Map<string, RenderedBlock[]>();
const MAX_RENDERED = 1000;

export function renderBlocks(blocks: Block[], lang: Locale, cacheKey?: string): RenderedBlock[] {
  const k = cacheKey && `${cacheKey}:${lang}`;
  const hit = k ? rendered.get(k) : undefined;
  if (hit) return hit;
  const out = blocks.map((b) => ({
    id: b.id,
    type: b.type,
    variant: CALLOUTS.has(b.variant ?? '') ? b.variant : 'note',
    src: safeHref(b.src),
    alt: b.alt?.[lang],
    nodes: markdownToNodes(b[lang] ?? ''),
  }));
  if (k) {
    if (rendered.size >= MAX_RENDERED) rendered.clear();
    rendered.set(k, out);
  }
  return out;
}
