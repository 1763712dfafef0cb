import type { AppContext } from './context';
import type { BackgroundJob } from './module';

export interface RunningJobs {
  /** Clears the timers and waits for runs in flight. */
  stop(): Promise<void>;
}

/**
 * Runs each job once at start (work that fell due while nothing ran is done at once), then on its
 * interval, never overlapping itself. The timers do not keep a process alive on their own (a host's
 * server or our listener does), so a forgotten stop() cannot hang a CLI or a test.
 */
export function startBackgroundJobs(ctx: AppContext, jobs: readonly BackgroundJob[]): RunningJobs {
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const timers = jobs.map((job) => {
    let running = false;
    const tick = () => {
      if (running || stopped) return;
      running = true;
      const p = job
        .run(ctx)
        .catch((err: unknown) => ctx.log.error({ err, job: job.name }, 'background job failed'))
        .finally(() => {
          running = false;
          inFlight.delete(p);
        });
      inFlight.add(p);
    };
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, job.intervalMs);
    first.unref();
    timer.unref();
    return [first, timer];
  });
  return {
    async stop() {
      stopped = true;
      timers.flat().forEach((t) => clearTimeout(t));
      await Promise.allSettled([...inFlight]);
    },
  };
}
