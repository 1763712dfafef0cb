import type { BackgroundJob } from '../../server/module';
import { closeExpiredAttempts } from './service';

/** Every minute: grade timed attempts left open past their deadline. */
export const expiredAttemptsJob: BackgroundJob = {
  name: 'quizzes.closeExpiredAttempts',
  intervalMs: 60_000,
  run: (ctx) => closeExpiredAttempts(ctx),
};
