import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AppContext } from './context';
import type { BackgroundJob } from './module';
import { ensureLease, takeLease } from './jobs-lease';

export interface RunningJobs {
  /** Clears the timers and waits for runs in flight (their leases are released). */
  stop(): Promise<void>;
}

/**
 * Runs each job under a lease (server/jobs-lease.ts), so of all the processes that run jobs exactly
 * one runs a given sweep at a time, and the schedule is shared: a job runs `intervalMs` after its last
 * run finished, wherever that was. Each process runs every job once at its start (work that fell due
 * while nothing ran is done at once) as soon as the lease is free. The lease is renewed while the job
 * runs; a process that dies stops renewing, and another takes the job over when the lease expires
 * (the interrupted run counts as unfinished, so it is due at once). Jobs still claim each document
 * with a conditional update: the lease decides who sweeps, the claims decide who sends.
 *
 * The timers do not keep a process alive on their own (a host's server or our listener does), so a
 * forgotten stop() cannot hang a CLI or a test.
 */
export function startBackgroundJobs(ctx: AppContext, jobs: readonly BackgroundJob[]): RunningJobs {
  const holder = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseMs = ctx.config.jobLeaseMs;
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const timers = jobs.map((job) => {
    let running = false;
    let ready = false;
    let ranHere = false;
    const attempt = async () => {
      if (!ready) {
        await ensureLease(ctx, job.name);
        ready = true;
      }
      if (stopped) return;
      const lease = await takeLease(ctx, job.name, holder, {
        leaseMs,
        dueAfterMs: ranHere ? job.intervalMs : undefined,
      });
      if (!lease || stopped) return lease?.release();
      ranHere = true;
      const renewing = setInterval(() => {
        lease
          .renew()
          .then((held) => held || ctx.log.warn({ job: job.name }, 'job lease lost while running'))
          .catch((err: unknown) => ctx.log.warn({ err, job: job.name }, 'job lease not renewed'));
      }, leaseMs / 3);
      renewing.unref();
      try {
        await job.run(ctx);
      } finally {
        clearInterval(renewing);
        await lease.release();
      }
    };
    const tick = () => {
      if (running || stopped) return;
      running = true;
      const p = attempt()
        .catch((err: unknown) => ctx.log.error({ err, job: job.name }, 'background job failed'))
        .finally(() => {
          running = false;
          inFlight.delete(p);
        });
      inFlight.add(p);
    };
    // Polled more often than the interval (the schedule is in the database), and often enough to
    // take over a dead process's job soon after its lease expires.
    const pollMs = Math.min(job.intervalMs, Math.max(250, leaseMs / 4));
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, pollMs);
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
