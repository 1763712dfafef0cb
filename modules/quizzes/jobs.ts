import type { BackgroundJob } from '../../server/module';
import { closeExpiredAttempts } from './service';
import { packOlderResults } from './packed-results';
import { buildMissingTestRecords, refreshRecentTestRecords, TEST_RECORDS_INTERVAL_MS } from './test-records';

/** Every minute: grade timed attempts left open past their deadline. */
export const expiredAttemptsJob: BackgroundJob = {
  name: 'quizzes.closeExpiredAttempts',
  intervalMs: 60_000,
  run: (ctx) => closeExpiredAttempts(ctx),
};

/** Every minute until none is left: pack the results of attempts graded before they were packed. */
export const packOlderResultsJob: BackgroundJob = {
  name: 'quizzes.packOlderResults',
  intervalMs: 60_000,
  run: (ctx) => packOlderResults(ctx),
};

/**
 * At start and hourly: build the test records of courses never built (a database from before records
 * existed), and recompute the records of trainees whose test attempts changed since the last sweep (a
 * process that stopped between grading an attempt and recording it is mended within the hour).
 */
export const testRecordsJob: BackgroundJob = {
  name: 'quizzes.testRecords',
  intervalMs: TEST_RECORDS_INTERVAL_MS,
  run: async (ctx) => {
    // A course that cannot be built must not stop the sweep of the others' changes.
    const [built, swept] = await Promise.allSettled([
      buildMissingTestRecords(ctx),
      refreshRecentTestRecords(ctx),
    ]);
    for (const r of [built, swept]) if (r.status === 'rejected') throw r.reason;
  },
};
