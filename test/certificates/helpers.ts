import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';

/** A course document as the learning module stores it (only what certificates read). */
export async function buildCourse(
  ctx: AppContext,
  title = { en: 'Reporting on trafficking', mn: 'Хүний наймааны тухай мэдээлэх' },
) {
  const _id = new Types.ObjectId();
  await ctx.db.collection('courses').insertOne({ _id, slug: `course-${randomUUID().slice(0, 8)}`, title });
  return { _id, title };
}

/** A page's HTML without what differs per response (CSP nonce, CSRF token). */
export const stable = (html: string) => html.replace(/nonce-[^'"]+|value="[^"]*"/g, '');
