import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { bumpContentVersion, ContentCache } from '../../server/cache';
import { NotFound } from '../../server/http/errors';
import {
  courseModel,
  DEFAULT_SEQUENCE,
  lessonModel,
  type Bilingual,
  type Block,
  type Course,
  type CourseSequence,
} from './model';
import { markdownToNodes, safeHref, type SafeNode } from './markdown';
import { blockStates, reviewsOfLessons } from './mn-review-model';
import { mediaIndexOf, type MediaIndex } from './media-model';
import { mediaRef } from './media-files';

/**
 * Published course content, cached in process: hot pages (dashboard, lesson) read it without touching
 * the database. Publishing, reordering or importing drops the course's entry in this process and bumps
 * the database's content version, so every other process drops its copy within a second.
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
  /** Blocks whose Mongolian no native-speaking trainer has signed off (for this very text). */
  mnDraftBlocks: string[];
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
  sequence: CourseSequence;
  hasPreTest: boolean;
  hasPostTest: boolean;
  /** The cohort self-registered trainees join (none: they stay unassigned until a trainer claims them). */
  defaultCohortId?: string;
  /** Published lessons in course order. */
  lessons: OutlineLesson[];
  /** The course's media library, for linking blocks' `media/<name>`. */
  media: MediaIndex;
}

const CACHE_MS = 60_000;
const outlines = new ContentCache<CourseOutline | null>(CACHE_MS);
const slugs = new ContentCache<string | null>(CACHE_MS);
const publishedLists = new ContentCache<PublishedCourse[]>(CACHE_MS);

const key = (ctx: AppContext, id: string) => `${ctx.db.name}|${id}`;

/** A published course as the dashboard lists it. */
export interface PublishedCourse {
  _id: Types.ObjectId;
  slug: string;
  title: Bilingual;
  summary: Bilingual;
  mnDraft: boolean;
}

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
  const reviews = await reviewsOfLessons(
    ctx,
    lessons.map((l) => l._id),
  );
  return {
    id: String(course._id),
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    objectives: course.objectives ?? [],
    mnDraft: course.mnDraft,
    status: course.status,
    completionRules: course.completionRules,
    sequence: { ...DEFAULT_SEQUENCE, ...course.sequence },
    hasPreTest: course.hasPreTest,
    hasPostTest: course.hasPostTest,
    defaultCohortId: course.defaultCohortId ? String(course.defaultCohortId) : undefined,
    media: await mediaIndexOf(ctx.db, course._id),
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
        mnDraftBlocks: blockStates(l.blocks, reviews.get(String(l._id)) ?? [])
          .filter((s) => s.state !== 'reviewed')
          .map((s) => s.block.id),
      })),
  };
}

export function getCourseOutline(
  ctx: AppContext,
  courseId: string | Types.ObjectId,
): Promise<CourseOutline | null> {
  const id = String(courseId);
  if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
  return outlines.current(ctx.db, key(ctx, id), ctx.clock.now().getTime(), () => loadOutline(ctx, id));
}

export async function getOutlineBySlug(ctx: AppContext, slug: string): Promise<CourseOutline | null> {
  const k = key(ctx, `slug:${slug}`);
  const id = await slugs.current(ctx.db, k, ctx.clock.now().getTime(), async () => {
    const course = await courseModel(ctx.db).findOne({ slug }, { _id: 1 }).lean();
    return course ? String(course._id) : null;
  });
  if (!id) {
    slugs.drop(k); // not remembered: a course imported under this slug is found at once
    return null;
  }
  return getCourseOutline(ctx, id);
}

/** A course's outline by slug, only while it is published (null otherwise). */
export async function publishedOutlineBySlug(ctx: AppContext, slug: string): Promise<CourseOutline | null> {
  const outline = await getOutlineBySlug(ctx, slug);
  return outline?.status === 'published' ? outline : null;
}

/** As publishedOutlineBySlug, for pages and API resources: an unknown or unpublished course is a 404. */
export async function requirePublishedOutline(ctx: AppContext, slug: string): Promise<CourseOutline> {
  const outline = await publishedOutlineBySlug(ctx, slug);
  if (!outline) throw new NotFound();
  return outline;
}

/** Published courses, oldest first. */
export function publishedCourses(ctx: AppContext): Promise<PublishedCourse[]> {
  return publishedLists.current(ctx.db, key(ctx, 'published'), ctx.clock.now().getTime(), () =>
    courseModel(ctx.db)
      .find({ status: 'published' }, { slug: 1, title: 1, summary: 1, mnDraft: 1 })
      .sort({ createdAt: 1 })
      .lean<PublishedCourse[]>(),
  );
}

export async function invalidateCourse(ctx: AppContext, courseId: string | Types.ObjectId): Promise<void> {
  outlines.drop(key(ctx, String(courseId)));
  publishedLists.drop(key(ctx, 'published'));
  slugs.dropPrefix(key(ctx, 'slug:'));
  await bumpContentVersion(ctx.db);
}

export interface RenderedBlock {
  id: string;
  type: Block['type'];
  variant?: string;
  src?: string;
  alt?: string;
  /** Bytes of a library file, so readers on a slow link know what a download costs. */
  size?: number;
  nodes: SafeNode[];
}

const CALLOUTS = new Set(['source', 'helpline', 'tip', 'warning']);

/** Parsed once per (lesson, version, language) when a cache key is given: a version never changes. */
const rendered = new Map<string, RenderedBlock[]>();
const MAX_RENDERED = 1000;

/** Blocks as safe node trees for the templates. */
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

/**
 * Blocks with their library files (`media/<name>`) as the addresses that serve them; the file's version
 * is in the address, so a browser may keep it for good. A file no longer in the library shows nothing.
 * `base` is the course's media address (under the app's mount path).
 */
export function linkMedia(blocks: RenderedBlock[], media: MediaIndex, base: string): RenderedBlock[] {
  return blocks.map((b) => {
    const name = mediaRef(b.src);
    if (name === undefined) return b;
    const file = Object.hasOwn(media, name) ? media[name] : undefined;
    return { ...b, src: file && `${base}/${name}?v=${file.v}`, size: file?.size };
  });
}
