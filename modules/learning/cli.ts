import path from 'node:path';
import type { AppContext } from '../../server/context';
import { importCourses } from './importer';

/** `npm run cli -- import-course [dir]`: a course folder or a folder of them (default content/courses). */
export async function importCourseCommand(ctx: AppContext, args: string[]): Promise<void> {
  const dir = args[0] ? path.resolve(args[0]) : undefined;
  const results = await importCourses(ctx, dir);
  for (const r of results)
    console.log(`Imported ${r.slug}: ${r.lessons} lessons (unchanged content skipped).`);
}
