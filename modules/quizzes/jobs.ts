import type { BackgroundJob } from '../../server/module';
import { closeExpiredAttempts } from './service';
import { packOlderResults } from './packed-results';
import { buildMissingTestRecords } from './test-records';

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
 * At start and hourly: build the test records of courses that have test attempts and no records (a
 * database from before records existed; the hooks keep the others current).
 */
export const missingTestRecordsJob: BackgroundJob = {
  name: 'quizzes.buildMissingTestRecords',
  intervalMs: 3_600_000,
  run: (ctx) => buildMissingTestRecords(ctx),
};
