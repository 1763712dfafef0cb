import mongoose, { Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import { attemptsOfUserSince } from '../../quizzes';
import { completionSince } from '../../learning';
import { SCORE_SCOPE } from './claims';
import { signWithToolKey } from './keys';
import {
  ltiLaunchModel,
  ltiPlatformModel,
  ltiScoreModel,
  type GradePolicy,
  type LtiLaunch,
  type LtiPlatform,
} from './model';

const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000];
export const MAX_SCORE_ATTEMPTS = BACKOFF_MS.length + 1;
/** Attempts submitted this long before the last scan are looked at again (slow writers); dedupe is by index. */
const OVERLAP_MS = 2 * 60_000;

/**
 * Whether a new score may go to this line item: never below one already queued or sent for the same
 * learner (a retake does not lower the LMS grade), and under the `first` policy only the first.
 */
async function improves(ctx: AppContext, launch: LtiLaunch, policy: GradePolicy, score: number) {
  const earlier = await ltiScoreModel(ctx.db)
    .findOne({ lineitem: launch.lineitem!, userSub: launch.sub, status: mongoose.trusted({ $ne: 'dead' }) })
    .sort({ scoreGiven: -1 })
    .select({ scoreGiven: 1 })
    .lean();
  if (!earlier) return true;
  return policy === 'best' && score > earlier.scoreGiven;
}

async function enqueue(
  ctx: AppContext,
  launch: LtiLaunch,
  policy: GradePolicy,
  sourceKey: string,
  score: number,
  at: Date,
  attemptId?: Types.ObjectId,
) {
  const clamped = Math.max(0, Math.min(100, score));
  if (!(await improves(ctx, launch, policy, clamped))) return false;
  try {
    await ltiScoreModel(ctx.db).updateOne(
      { sourceKey, lineitem: launch.lineitem! },
      {
        $setOnInsert: {
          sourceKey,
          attemptId,
          platformId: launch.platformId,
          lineitem: launch.lineitem!,
          userSub: launch.sub,
          scoreGiven: clamped,
          scoreMaximum: 100,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: at,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: ctx.clock.now(),
        },
      },
      { upsert: true },
    );
    return true;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    return false;
  }
}

/**
 * Outbox filler: for every gradable LTI launch, the quiz attempts submitted (quiz or lesson links) or
 * the course completion (course links) since the last scan become score jobs. No other module changes.
 */
export async function queueScores(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const launches = await ltiLaunchModel(ctx.db)
    .find({
      gradable: true,
      lineitem: mongoose.trusted({ $exists: true }),
      target: mongoose.trusted({ $exists: true }),
    })
    .limit(5000)
    .lean();
  const policies = new Map(
    (await ltiPlatformModel(ctx.db).find({}, { gradePolicy: 1 }).lean()).map((p) => [
      String(p._id),
      p.gradePolicy ?? 'best',
    ]),
  );
  let queued = 0;
  for (const launch of launches) {
    const policy = policies.get(String(launch.platformId));
    if (!policy) continue; // the platform was removed: nowhere to send
    const t = launch.target!;
    const courseId = launch.courseId;
    if (!courseId) continue; // a launch always records its course; an old record without one has nothing to score
    const since = new Date(
      Math.max(launch.firstLaunchedAt.getTime(), (launch.scannedUntil?.getTime() ?? 0) - OVERLAP_MS),
    );
    if (t.kind === 'course') {
      const done = await completionSince(ctx, { userId: launch.userId, courseId, since });
      if (
        done?.completedAt &&
        (await enqueue(ctx, launch, policy, `completion:${String(done._id)}`, 100, done.completedAt))
      )
        queued++;
    } else {
      const quizKey = t.kind === 'quiz' ? t.quizKey! : `lesson:${t.lessonSlug}`;
      const attempts = await attemptsOfUserSince(ctx, {
        userId: launch.userId,
        courseId,
        quizKey,
        since,
      });
      // Oldest first, so `first` keeps the first attempt and `best` sends each improvement in order.
      const inOrder = [...attempts].sort(
        (a, b) => (a.submittedAt?.getTime() ?? 0) - (b.submittedAt?.getTime() ?? 0),
      );
      for (const a of inOrder) {
        const at = a.submittedAt ?? now;
        if (await enqueue(ctx, launch, policy, `attempt:${String(a._id)}`, a.score ?? 0, at, a._id)) queued++;
      }
    }
    await ltiLaunchModel(ctx.db).updateOne({ _id: launch._id }, { $set: { scannedUntil: now } });
  }
  return queued;
}

// ---- Sending ----

const tokens = new Map<string, { token: string; until: number }>();

/** An OAuth2 access token for one LTI service scope at the platform (cached until it expires). */
export async function accessToken(
  ctx: AppContext,
  platform: LtiPlatform,
  scope: string = SCORE_SCOPE,
): Promise<string> {
  const key = `${ctx.db.name}|${String(platform._id)}|${scope}`;
  const now = ctx.clock.now().getTime();
  const hit = tokens.get(key);
  if (hit && hit.until > now) return hit.token;
  // RFC 7523: the client authenticates with a JWT signed by the tool key.
  const assertion = await signWithToolKey(ctx, {
    iss: platform.clientId,
    sub: platform.clientId,
    aud: platform.accessTokenUrl,
  });
  const res = await fetch(platform.accessTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }),
    signal: AbortSignal.timeout(10_000),
    redirect: 'error',
  });
  if (!res.ok)
    throw new SendError(
      `token endpoint ${res.status}`,
      res.status >= 400 && res.status < 500 && res.status !== 429,
    );
  const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string') throw new SendError('token endpoint: no access_token', true);
  const life = typeof body.expires_in === 'number' ? body.expires_in : 300;
  tokens.set(key, { token: body.access_token, until: now + Math.max(0, life - 30) * 1000 });
  return body.access_token;
}

/** A token the platform no longer accepts (401) is dropped, so the next call asks for a new one. */
export function forgetToken(ctx: AppContext, platform: LtiPlatform, scope: string): void {
  tokens.delete(`${ctx.db.name}|${String(platform._id)}|${scope}`);
}

export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** `${lineitem}/scores`, keeping the line item's query string (Moodle puts the type id there). */
export function scoresUrl(lineitem: string): string {
  const u = new URL(lineitem);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

const backoff = (attempts: number) => {
  const base = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
  return base + Math.floor(Math.random() * base * 0.2);
};

/** Sends due score jobs, each claimed atomically (a lease via nextAttemptAt), retried with backoff. */
export async function sendDueScores(ctx: AppContext, limit = 50): Promise<{ sent: number; failed: number }> {
  const Scores = ltiScoreModel(ctx.db);
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < limit; i++) {
    const now = ctx.clock.now();
    const job = await Scores.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: mongoose.trusted({ $lte: now }) },
      { $set: { nextAttemptAt: new Date(now.getTime() + 5 * 60_000) }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, new: true },
    ).lean();
    if (!job) break;
    try {
      const platform = await ltiPlatformModel(ctx.db).findById(job.platformId).lean();
      if (!platform) throw new SendError('platform removed', true);
      const token = await accessToken(ctx, platform);
      const res = await fetch(scoresUrl(job.lineitem), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/vnd.ims.lis.v1.score+json',
        },
        body: JSON.stringify({
          userId: job.userSub,
          scoreGiven: job.scoreGiven,
          scoreMaximum: job.scoreMaximum,
          activityProgress: job.activityProgress,
          gradingProgress: job.gradingProgress,
          timestamp: job.timestamp.toISOString(),
        }),
        signal: AbortSignal.timeout(10_000),
        redirect: 'error',
      });
      if (res.status === 401) forgetToken(ctx, platform, SCORE_SCOPE);
      if (!res.ok)
        throw new SendError(
          `scores ${res.status}`,
          res.status >= 400 && res.status < 500 && ![401, 408, 429].includes(res.status),
        );
      await Scores.updateOne(
        { _id: job._id },
        { $set: { status: 'sent', sentAt: ctx.clock.now() }, $unset: { lastError: 1 } },
      );
      sent++;
    } catch (err) {
      failed++;
      const permanent = err instanceof SendError && err.permanent;
      const dead = permanent || job.attempts >= MAX_SCORE_ATTEMPTS;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      ctx.log.warn({ job: String(job._id), error: message }, 'LTI score not sent');
      await Scores.updateOne(
        { _id: job._id },
        {
          $set: {
            status: dead ? 'dead' : 'pending',
            lastError: message,
            nextAttemptAt: new Date(ctx.clock.now().getTime() + backoff(job.attempts)),
          },
        },
      );
    }
  }
  return { sent, failed };
}

/** Expired one-time states and tickets are deleted by us (the embedded server has no TTL indexes). */
export async function sweepExpired(ctx: AppContext): Promise<void> {
  const { ltiStateModel, ltiTicketModel } = await import('./model');
  const cutoff = mongoose.trusted({ $lt: ctx.clock.now() });
  await ltiStateModel(ctx.db).deleteMany({ expiresAt: cutoff });
  await ltiTicketModel(ctx.db).deleteMany({ expiresAt: cutoff });
}
