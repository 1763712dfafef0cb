import type { Row } from './measure';
import type { SectionResult } from './section';

/** One target of issue 20, as measured in this run. */
export interface Goal {
  target: string;
  measured: string;
  goal: string;
  pass: boolean;
}

const SHARE_OF_FLOOR: Array<[prefix: string, min: number]> = [
  ['lesson', 0.6],
  ['dashboard', 0.6],
  ['reviewer pitch page', 0.4],
  ['quiz submit', 0.25],
];
const P99_PAGES = ['lesson', 'dashboard', 'reviewer pitch page'];
const P99_MAX_MS = 250;
const REPORT_MAX_MS = 1000;
const EXPORT_HEAP_MAX_MB = 20;

function page(section: SectionResult, prefix: string): Row | undefined {
  return section.pages.find((p) => p.name.startsWith(prefix));
}

/** A page that answered with errors did not pass, however fast it was. */
function clean(row: Row): boolean {
  return row.failed === 0 && row.errors === 0;
}

/**
 * Signed-in pages against the session floor measured in the same section (same run, same database),
 * their p99 at the section's load, every report and export as one request, and the completion export's
 * live heap.
 */
export function evaluateGoals(
  programme: SectionResult | undefined,
  large: SectionResult | undefined,
): Goal[] {
  const goals: Goal[] = [];
  if (programme) {
    const floor = programme.floor.rps;
    for (const [prefix, min] of SHARE_OF_FLOOR) {
      const row = page(programme, prefix);
      if (!row) continue;
      const share = row.rps / floor;
      goals.push({
        target: `${row.name}: share of the session floor`,
        measured: `${Math.round(share * 100)} % (${row.rps} of ${floor} req/s)`,
        goal: `≥ ${min * 100} %`,
        pass: share >= min && clean(row),
      });
    }
    for (const prefix of P99_PAGES) {
      const row = page(programme, prefix);
      if (!row) continue;
      goals.push({
        target: `${row.name}: p99`,
        measured: `${row.p99} ms`,
        goal: `< ${P99_MAX_MS} ms`,
        pass: row.p99 < P99_MAX_MS && clean(row),
      });
    }
  }
  for (const r of large?.requests ?? []) {
    goals.push({
      target: `${r.name}: one request`,
      measured: `${r.firstMs} ms (again: ${r.secondMs} ms), ${r.status}`,
      goal: `< ${REPORT_MAX_MS} ms`,
      pass: r.firstMs < REPORT_MAX_MS && r.status === 200,
    });
  }
  for (const h of large?.exportHeap ?? []) {
    goals.push({
      target: `${h.name} of ${h.rows} rows: live heap + buffers growth`,
      measured: `${h.liveHeapGrowthMb} MB`,
      goal: `< ${EXPORT_HEAP_MAX_MB} MB`,
      pass: h.liveHeapGrowthMb < EXPORT_HEAP_MAX_MB,
    });
  }
  return goals;
}

export function printGoals(goals: Goal[]) {
  console.log('\nTargets (issue 20), all figures from this run:');
  console.table(
    goals.map((g) => ({
      target: g.target,
      measured: g.measured,
      goal: g.goal,
      result: g.pass ? 'pass' : 'FAIL',
    })),
  );
  const failed = goals.filter((g) => !g.pass).length;
  console.log(`${goals.length - failed} of ${goals.length} targets pass`);
}
