import { readFile, writeFile } from 'node:fs/promises';
import type { AppContext } from '../../../server/context';
import { InterchangeError } from './model';
import { confirmImport, exportQuestions, MAX_QUESTION_FILE_BYTES, previewImport } from './service';

/** `npm run cli -- export-questions <slug> <xml|gift> <file>` */
export async function exportQuestionsCommand(ctx: AppContext, args: string[]): Promise<void> {
  const [slug, format, file] = args;
  if (!slug || (format !== 'xml' && format !== 'gift') || !file)
    throw new Error('Usage: export-questions <course-slug> <xml|gift> <file>');
  const out = await exportQuestions(ctx, slug, format === 'xml' ? 'moodle-xml' : 'gift');
  await writeFile(file, out.body, { flag: 'wx' });
  console.log(`Exported the questions of ${slug} to ${file}.`);
  if (out.left.length) console.log(`Not in GIFT (ordering, case): ${out.left.join(', ')}`);
}

/** `npm run cli -- import-questions <slug> <file> [objective] [--apply]`: previews, and applies with --apply. */
export async function importQuestionsCommand(ctx: AppContext, args: string[]): Promise<void> {
  const apply = args.includes('--apply');
  const [slug, file, objective] = args.filter((a) => a !== '--apply');
  if (!slug || !file) throw new Error('Usage: import-questions <course-slug> <file> [objective] [--apply]');
  const data = await readFile(file);
  if (data.length > MAX_QUESTION_FILE_BYTES)
    throw new Error(`${file}: larger than ${MAX_QUESTION_FILE_BYTES} bytes`);
  try {
    const preview = await previewImport(ctx, undefined, slug, file, data.toString('utf8'), objective);
    for (const r of preview.rows)
      console.log(
        `${r.state.padEnd(6)} ${r.question.qid} (${r.question.type})${r.reasons.length ? ` missing ${r.reasons.join(', ')}` : ''}`,
      );
    if (!apply) return console.log('Preview only: run again with --apply to import.');
    const done = await confirmImport(ctx, undefined, slug, preview.id);
    console.log(
      `Added ${done.added.length}, drafts ${done.drafts.length}, left unchanged ${done.existing.length}.`,
    );
  } catch (err) {
    if (err instanceof InterchangeError)
      throw new Error(`${file}:\n${err.problems.join('\n')}`, { cause: err });
    throw err;
  }
}
