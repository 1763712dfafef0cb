import { createHash, randomBytes } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import type { Locale, SessionUser } from '../../../server/types';
import { Forbidden, NotFound } from '../../../server/http/errors';
import { toSessionUser, userById } from '../../accounts';
import { ltiTicketModel } from './model';

/**
 * The launch → new tab hand-off. A learner's launch happens in the LMS's frame, where our session
 * cookie cannot be set; the frame links to /lti/continue/<ticket> in a new tab. The ticket alone must
 * not sign anyone in (login CSRF: a learner could send their own ticket to a victim), so:
 * - opening it only shows "Continue as <name>": a victim sent someone else's link sees a stranger's
 *   name and is never signed in by the link alone;
 * - a POST with the CSRF token uses it up and signs in; it works once and for ten minutes.
 * It is not bound to the launching browser by a cookie: browsers that keep an LMS frame's cookies
 * apart from top-level tabs (Safari, Firefox) would never pass one on, and their learners would be
 * locked out.
 */
/** Long enough to open the tab, read whose account it is and press Continue on a slow phone. */
export const HANDOFF_TTL_MS = 10 * 60 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface HandoffStart {
  userId: Types.ObjectId;
  path: string;
  lang?: Locale;
  now: Date;
}

export async function createHandoff(ctx: AppContext, start: HandoffStart): Promise<string> {
  const ticket = randomBytes(32).toString('base64url');
  await ltiTicketModel(ctx.db).create({
    purpose: 'handoff',
    tokenHash: sha256(ticket),
    userId: start.userId,
    path: start.path,
    lang: start.lang,
    expiresAt: new Date(start.now.getTime() + HANDOFF_TTL_MS),
  });
  return ticket;
}

export interface Handoff {
  user: SessionUser;
  path: string;
  lang?: Locale;
}

const openTicket = (raw: string, now: Date) => ({
  purpose: 'handoff',
  tokenHash: sha256(raw),
  usedAt: mongoose.trusted({ $exists: false }),
  expiresAt: mongoose.trusted({ $gt: now }),
});

/** Whose hand-off this is, without using it up. Refused when it is unknown, used or expired. */
export async function peekHandoff(ctx: AppContext, raw: string): Promise<Handoff> {
  const ticket = await ltiTicketModel(ctx.db).findOne(openTicket(raw, ctx.clock.now())).lean();
  if (!ticket?.userId) throw new NotFound('interop.lti.errors.handoff');
  const user = await userById(ctx, ticket.userId);
  if (!user || user.status !== 'active' || user.role !== 'journalist')
    throw new Forbidden('interop.lti.errors.disabled');
  return { user: toSessionUser(user), path: ticket.path ?? '/learn', lang: ticket.lang };
}

/** Uses the hand-off up (once): the learner to sign in, and where to go. */
export async function redeemHandoff(ctx: AppContext, raw: string): Promise<Handoff> {
  const handoff = await peekHandoff(ctx, raw);
  const now = ctx.clock.now();
  const used = await ltiTicketModel(ctx.db).findOneAndUpdate(openTicket(raw, now), { $set: { usedAt: now } });
  // Two submits at once: one wins.
  if (!used) throw new NotFound('interop.lti.errors.handoff');
  return handoff;
}
