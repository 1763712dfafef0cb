/**
 * Names and Role Provisioning Services 2.0: the learners on an LMS course's roster get an account
 * here (linked to their LMS identity, as a launch would make it) and are enrolled in the course the
 * LMS links to, before they ever launch — so trainers see the whole cohort from day one.
 */
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import { enrolFromRoster } from '../../learning';
import { NRPS_SCOPE, isLearner } from './claims';
import { accessToken, forgetToken, SendError } from './ags';
import { ltiContextModel, ltiPlatformModel, type LtiPlatform } from './model';
import { findOrCreateLearner } from './learners';

/** A roster is read again after this long (and at once after a launch records a new course link). */
const RESYNC_MS = 12 * 3600_000;
const LEASE_MS = 10 * 60_000;
/** Pages of members followed per sync (Link rel="next"); a larger course continues next time. */
const MAX_PAGES = 50;
const MEMBERS_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

export const nrpsClaim = z
  .object({ context_memberships_url: z.string().url().max(1000) })
  .passthrough()
  .optional();

/** Remembers where an LMS course's roster is, for the course a launch resolved to. */
export async function rememberRoster(
  ctx: AppContext,
  platform: LtiPlatform,
  contextId: string | undefined,
  membershipsUrl: string | undefined,
  courseId: string | undefined,
) {
  if (!contextId || !membershipsUrl || !courseId) return;
  const trusted = [platform.issuer, platform.accessTokenUrl].some(
    (u) => new URL(u).origin === new URL(membershipsUrl).origin,
  );
  if (!trusted) return; // never send our token to an address the platform does not serve
  await ltiContextModel(ctx.db).updateOne(
    { platformId: platform._id, contextId, courseId: new Types.ObjectId(courseId) },
    { $set: { membershipsUrl }, $setOnInsert: { platformId: platform._id, contextId } },
    { upsert: true },
  );
}

const member = z
  .object({
    user_id: z.string().min(1).max(255),
    status: z.string().max(40).optional(),
    roles: z.array(z.string().max(300)).max(100).default([]),
    name: z.string().max(300).optional(),
    given_name: z.string().max(150).optional(),
    family_name: z.string().max(150).optional(),
    email: z.string().max(254).optional(),
  })
  .passthrough();
const container = z.object({ members: z.array(z.unknown()).max(10_000) });

/** RFC 8288: the `next` target of a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of header?.split(',') ?? []) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2]!)) return m[1];
  }
  return undefined;
}

async function fetchPage(ctx: AppContext, platform: LtiPlatform, url: string) {
  const token = await accessToken(ctx, platform, NRPS_SCOPE);
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: MEMBERS_TYPE },
    redirect: 'error',
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status === 401) forgetToken(ctx, platform, NRPS_SCOPE);
  if (!res.ok) throw new SendError(`memberships ${res.status}`);
  const body = container.safeParse(await res.json().catch(() => undefined));
  if (!body.success) throw new SendError('memberships: not a membership container');
  return { members: body.data.members, next: nextLink(res.headers.get('link')) };
}

/** Reads one roster: every active learner gets a linked account and an enrolment. */
async function syncOne(ctx: AppContext, platform: LtiPlatform, membershipsUrl: string, courseId: string) {
  let enrolled = 0;
  let url: string | undefined = membershipsUrl;
  const origin = new URL(membershipsUrl).origin;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const { members, next } = await fetchPage(ctx, platform, url);
    for (const raw of members) {
      const m = member.safeParse(raw);
      if (!m.success || !isLearner(m.data.roles)) continue;
      if (m.data.status && m.data.status !== 'Active') continue; // inactive or deleted: leave as is
      const user = await findOrCreateLearner(ctx, platform, { ...m.data, sub: m.data.user_id });
      if (!user || user.status !== 'active' || user.role !== 'journalist') continue;
      await enrolFromRoster(ctx, String(user._id), courseId);
      enrolled++;
    }
    url = next && new URL(next).origin === origin ? next : undefined;
  }
  return enrolled;
}

/** Due rosters, each claimed with a lease so two processes never read the same one at once. */
export async function syncRosters(ctx: AppContext, limit = 20): Promise<number> {
  const Contexts = ltiContextModel(ctx.db);
  let done = 0;
  for (let i = 0; i < limit; i++) {
    const now = ctx.clock.now();
    const stale = new Date(now.getTime() - RESYNC_MS);
    const job = await Contexts.findOneAndUpdate(
      {
        $or: [
          { syncedAt: mongoose.trusted({ $exists: false }) },
          { syncedAt: mongoose.trusted({ $lt: stale }) },
        ],
        $and: [
          {
            $or: [
              { syncingUntil: mongoose.trusted({ $exists: false }) },
              { syncingUntil: mongoose.trusted({ $lt: now }) },
            ],
          },
        ],
      },
      { $set: { syncingUntil: new Date(now.getTime() + LEASE_MS) } },
      { new: true },
    ).lean();
    if (!job) break;
    const platform = await ltiPlatformModel(ctx.db).findById(job.platformId).lean();
    try {
      if (!platform) throw new SendError('platform removed');
      const enrolled = await syncOne(ctx, platform, job.membershipsUrl, String(job.courseId));
      await Contexts.updateOne(
        { _id: job._id },
        { $set: { syncedAt: ctx.clock.now(), enrolled }, $unset: { lastError: 1, syncingUntil: 1 } },
      );
      done++;
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      ctx.log.warn({ context: String(job._id), error: message }, 'LTI roster not read');
      // Tried now: the next try waits for the usual interval, with the reason kept for the admin.
      await Contexts.updateOne(
        { _id: job._id },
        { $set: { syncedAt: ctx.clock.now(), lastError: message }, $unset: { syncingUntil: 1 } },
      );
    }
  }
  return done;
}
