import { readFile, writeFile } from 'node:fs/promises';
import type { AppContext } from '../../../server/context';
import { exportCourseArchive, importCourseArchive, MAX_ARCHIVE_BYTES } from './archive';

/** `npm run cli -- export-course <slug> <file.zip>` */
export async function exportCourseCommand(ctx: AppContext, args: string[]): Promise<void> {
  const [slug, file] = args;
  if (!slug || !file) throw new Error('Usage: export-course <course-slug> <file.zip>');
  const { zip } = await exportCourseArchive(ctx, slug);
  await writeFile(file, zip, { flag: 'wx' });
  console.log(`Exported ${slug} to ${file} (${zip.length} bytes).`);
}

/** `npm run cli -- import-course-archive <file.zip>` */
export async function importCourseArchiveCommand(ctx: AppContext, args: string[]): Promise<void> {
  const [file] = args;
  if (!file) throw new Error('Usage: import-course-archive <file.zip>');
  const data = await readFile(file);
  if (data.length > MAX_ARCHIVE_BYTES) throw new Error(`${file}: larger than ${MAX_ARCHIVE_BYTES} bytes`);
  try {
    const results = await importCourseArchive(ctx, data);
    for (const r of results) console.log(`Imported ${r.slug}: ${r.lessons} lessons.`);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
