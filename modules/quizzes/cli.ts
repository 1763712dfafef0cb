import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { getOutlineBySlug } from '../learning';
import { rebuildTestRecords } from './test-records';

/**
 * `npm run cli -- rebuild-test-records <course-slug>`: recomputes every trainee's test record of a
 * course from their attempts — a repair, safe while the app runs (a record is only ever replaced by
 * one that counts at least as many attempts).
 */
export async function rebuildTestRecordsCommand(ctx: AppContext, args: string[]): Promise<void> {
  const slug = args[0];
  if (!slug) throw new Error('Usage: rebuild-test-records <course-slug>');
  const course = await getOutlineBySlug(ctx, slug);
  if (!course) throw new Error(`No course "${slug}".`);
  const n = await rebuildTestRecords(ctx, new Types.ObjectId(course.id));
  console.log(`Rebuilt ${n} test records of ${slug}.`);
}
