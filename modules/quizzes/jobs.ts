import type { BackgroundJob } from '../../server/module';
import { closeExpiredAttempts } from './service';
import { packOlderResults } from './packed-results';

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
