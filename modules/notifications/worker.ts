import os from 'node:os';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { BackgroundJob } from '../../server/module';
import { UnsendableMail } from '../../server/mail/mailer';
import { outboxModel, type OutboxMessage } from './model';
import { erasure, eraseOnSettle, sweepSettledBodies } from './retention';

/** How long a claim lasts; a worker that crashed mid-send releases its message after this. */
export const LOCK_MS = 2 * 60_000;
/** Waits after the 1st, 2nd, … temporary failure; the 6th failure dead-letters the message. */
export const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;

export interface WorkerOptions {
  /** Names the worker in `lockedBy` (host:pid by default). */
  workerId?: string;
  /** At most this many messages per run. */
  batch?: number;
  /** Jitter source in [0, 1); tests pass `() => 0` for exact times. */
  random?: () => number;
}

export interface WorkerResult {
  sent: number;
  retried: number;
  dead: number;
}

export const defaultWorkerId = () => `${os.hostname()}:${process.pid}`;

/** Claims one due message (or one whose claim expired) for this worker; null when none is due. */
async function claimOne(ctx: AppContext, token: string): Promise<OutboxMessage | null> {
  const now = ctx.clock.now();
  return outboxModel(ctx.db)
    .findOneAndUpdate(
      {
        $or: [
          { status: 'pending', nextAttemptAt: mongoose.trusted({ $lte: now }) },
          { status: 'sending', lockedUntil: mongoose.trusted({ $lt: now }) },
        ],
      },
      { $set: { status: 'sending', lockedBy: token, lockedUntil: new Date(now.getTime() + LOCK_MS) } },
      { sort: { nextAttemptAt: 1 }, new: true },
    )
    .lean<OutboxMessage>();
}

/** SMTP 5xx and messages we refuse to send are permanent; 4xx, refused and timed-out connections are not. */
export function isPermanent(err: unknown): boolean {
  const e = err as { permanent?: boolean; responseCode?: number; code?: string };
  if (e?.permanent) return true;
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500;
  // nodemailer rejects an envelope it cannot build (no valid recipient) before talking to the server
  return e?.code === 'EENVELOPE';
}

/** What we keep of a failure: the SMTP reply or error code, never credentials. */
export function describeError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const parts = [e?.code, e?.responseCode, e?.message ?? String(err)].filter((p) => p !== undefined);
  return parts
    .join(' ')
    .replace(/\/\/[^\s/@]+@/g, '//***@')
    .replace(/(pass(word)?|auth)[=:]\s*\S+/gi, '$1=***')
    .slice(0, 500);
}

function backoff(attempts: number, random: () => number): number {
  const base = BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0]!;
  return Math.round(base * (1 + 0.2 * random()));
}

async function settle(
  ctx: AppContext,
  msg: OutboxMessage,
  token: string,
  outcome: Outcome,
  random: () => number,
): Promise<keyof WorkerResult | undefined> {
  const now = ctx.clock.now();
  const mine = { _id: msg._id, status: 'sending', lockedBy: token };
  const release = { lockedBy: '', lockedUntil: '' };
  let status: 'sent' | 'dead' | 'pending';
  let fields: Record<string, unknown>;
  if ('messageId' in outcome) {
    status = 'sent';
    fields = { sentAt: now, messageId: outcome.messageId };
  } else {
    const attempts = msg.attempts + 1;
    const dead = isPermanent(outcome.error) || attempts >= MAX_ATTEMPTS;
    const lastError = describeError(outcome.error);
    status = dead ? 'dead' : 'pending';
    fields = dead
      ? { attempts, lastError }
      : { attempts, lastError, nextAttemptAt: new Date(now.getTime() + backoff(attempts, random)) };
    ctx.log.warn({ outboxId: String(msg._id), attempts, dead, error: lastError }, 'e-mail not sent');
  }
  // The body goes in the same update that settles the message: until then a retry still has it.
  const erase = status !== 'pending' && eraseOnSettle(ctx, msg, status) ? erasure(now) : undefined;
  const update = {
    $set: { status, ...fields, ...erase?.$set },
    $unset: { ...release, ...erase?.$unset },
  };
  const result: keyof WorkerResult = status === 'pending' ? 'retried' : status;
  // Conditional on our claim: a worker whose lock expired and was taken over cannot overwrite.
  const done = await outboxModel(ctx.db).updateOne(mine, update);
  return done.modifiedCount === 1 ? result : undefined;
}

type Outcome = { messageId: string } | { error: unknown };

/** Hands one claimed message to SMTP (or, in dev mode, to nobody). */
async function deliver(ctx: AppContext, msg: OutboxMessage): Promise<Outcome> {
  const { text, html } = msg;
  // Only a message an admin revived after its body was erased gets here: never send it empty.
  if (!text || !html) return { error: new UnsendableMail('message body erased') };
  if (ctx.mailer.kind === 'dev') return { messageId: 'dev' };
  try {
    const { to, subject, attachments } = msg;
    return await ctx.mailer.send({ to, subject, text, html, attachments });
  } catch (error) {
    return { error };
  }
}

/**
 * Sends due outbox messages one claim at a time, so several workers (processes or machines) can run
 * side by side and each message goes out once. In dev mode nothing leaves the machine: messages are
 * marked sent with messageId 'dev' (in development, those without a secret stay readable on
 * /admin/outbox). A settled message's body is erased as retention.ts decides.
 */
export async function sendDueEmails(ctx: AppContext, options: WorkerOptions = {}): Promise<WorkerResult> {
  const batch = options.batch ?? 20;
  const random = options.random ?? Math.random;
  const workerId = options.workerId ?? defaultWorkerId();
  const totals: WorkerResult = { sent: 0, retried: 0, dead: 0 };
  await sweepSettledBodies(ctx);
  for (let i = 0; i < batch; i++) {
    const token = `${workerId}#${randomBytes(6).toString('hex')}`;
    const msg = await claimOne(ctx, token);
    if (!msg) break;
    const outcome = await deliver(ctx, msg);
    const result = await settle(ctx, msg, token, outcome, random);
    if (result) totals[result]++;
  }
  return totals;
}

/** The background job server/jobs.ts runs every 2 seconds. */
export const outboxJob: BackgroundJob = {
  name: 'outbox',
  intervalMs: 2000,
  run: (ctx) => sendDueEmails(ctx, { batch: 20 }),
};
