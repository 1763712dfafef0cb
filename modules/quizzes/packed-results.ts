import type { AppContext } from '../../server/context';
import { attemptModel, type AttemptResult } from './model';

/**
 * An attempt's results once more, as one string (`resultsPacked`), written in the same update as
 * `results`. Reports read the answers of every attempt in scope (100,000 at the programme's large
 * scale); a database sends one string per attempt several times faster than ten sub-documents
 * (29,000 post-tests: ~0.3 s against ~1.2 s on the embedded server). The format is JSON of
 * [qid, objective, 1|0, chosen ids] per question: unambiguous whatever an id contains.
 */
type PackedRow = [string, string, 0 | 1, string[]];

export function packResults(results: AttemptResult[]): string {
  return JSON.stringify(
    results.map((r): PackedRow => [r.qid, r.objective, r.correct ? 1 : 0, r.chosen ?? []]),
  );
}

/**
 * Results from either shape a report's read may return (`$ifNull: ['$resultsPacked', '$results']`):
 * the packed string, or the sub-documents of an attempt not packed yet.
 */
export function unpackResults(stored: unknown): AttemptResult[] {
  if (typeof stored === 'string') {
    return (JSON.parse(stored) as PackedRow[]).map(([qid, objective, correct, chosen]) => ({
      qid,
      objective,
      correct: correct === 1,
      chosen,
    }));
  }
  if (!Array.isArray(stored)) return [];
  return (stored as Array<Partial<AttemptResult>>).map((r) => ({
    qid: String(r.qid),
    objective: String(r.objective ?? ''),
    correct: r.correct === true,
    chosen: r.chosen ?? [],
  }));
}

const BATCH = 500;
const packedEverything = new WeakSet<AppContext['db']>();

/** How long one run of the job packs before it lets the next run (a minute later) go on. */
const RUN_BUDGET_MS = 5_000;

/**
 * Packs the results of attempts graded before `resultsPacked` existed, batch after batch for a few
 * seconds per run, until a run finds none; from then on this process stops looking (every new
 * submission is packed as it is graded). Reports are right either way: they read the sub-documents
 * of an attempt not packed yet. Returns how many it packed.
 */
export async function packOlderResults(ctx: AppContext): Promise<number> {
  const started = performance.now();
  let packed = 0;
  for (let n = await packBatch(ctx); n; n = await packBatch(ctx)) {
    packed += n;
    if (performance.now() - started > RUN_BUDGET_MS) break;
  }
  return packed;
}

async function packBatch(ctx: AppContext): Promise<number> {
  if (packedEverything.has(ctx.db)) return 0;
  // The driver's collection: the model's filters refuse query operators (sanitizeFilter).
  const attempts = attemptModel(ctx.db).collection;
  const older = await attempts
    .find(
      { status: 'submitted', results: { $exists: true }, resultsPacked: { $exists: false } },
      { projection: { results: 1 }, limit: BATCH },
    )
    .toArray();
  if (!older.length) {
    packedEverything.add(ctx.db);
    return 0;
  }
  // Conditional on the field still missing: a second process packing the same attempt changes nothing.
  await attempts.bulkWrite(
    older.map((a) => ({
      updateOne: {
        filter: { _id: a._id, resultsPacked: { $exists: false } },
        update: { $set: { resultsPacked: packResults((a.results as AttemptResult[] | undefined) ?? []) } },
      },
    })),
    { ordered: false },
  );
  return older.length;
}
