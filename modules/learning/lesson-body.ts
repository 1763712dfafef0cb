import type { Response } from 'express';
import type { Locale } from '../../server/types';
import type { CourseOutline, OutlineLesson } from './outline';
import { renderBlocks } from './outline';

/**
 * A published lesson version never changes, so its blocks are rendered to HTML once per content
 * language, interface language and mount point, and reused: the lesson page then costs one template,
 * not one include per block. (Escaping happens in the templates as always; this keeps their output.)
 */
const MAX_ENTRIES = 500;
const bodies = new Map<string, Promise<string>>();

export interface LessonBodyInput {
  course: CourseOutline;
  lesson: OutlineLesson;
  contentLang: Locale;
  otherLang: Locale;
  /** Link to the same lesson in the other language; each block links to its own place there. */
  switchHref: string;
  tOther: (key: string) => string;
}

export function lessonBodyHtml(res: Response, o: LessonBodyInput): Promise<string> {
  const key = [o.lesson.id, o.lesson.version, o.contentLang, res.locals.lang as string, o.switchHref].join(
    '\u0000',
  );
  const hit = bodies.get(key);
  if (hit) return hit;
  if (bodies.size >= MAX_ENTRIES) bodies.clear();
  const html = new Promise<string>((resolve, reject) => {
    res.render(
      'learning/_lesson-blocks',
      {
        blocks: renderBlocks(o.lesson.blocks, o.contentLang),
        contentLang: o.contentLang,
        otherLang: o.otherLang,
        switchHref: o.switchHref,
        tOther: o.tOther,
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
  bodies.set(key, html);
  html.catch(() => bodies.delete(key));
  return html;
}
