/**
 * Who an LMS user is here: the account linked to their LMS identity (issuer + sub), made on first
 * sight for learners — from a launch or from the course roster (NRPS).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import {
  createLinkedAccount,
  discardUnlinkedAccount,
  emailInUse,
  followLocale,
  userById,
} from '../../accounts';
import { ltiLinkModel, type LtiPlatform } from './model';

/** What a launch or a roster entry says about a person. */
export interface LmsPerson {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  locale?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const emailShape = z.email().max(254);

function displayName(c: LmsPerson): string {
  const full = c.name?.trim() || [c.given_name, c.family_name].filter(Boolean).join(' ').trim();
  return (full || 'LTI learner').slice(0, 120);
}

/** `mn-MN`, `en_US`, `mn` → a language we speak; anything else → undefined (the usual choice applies). */
export function launchLanguage(locale: string | undefined): 'en' | 'mn' | undefined {
  const lang = locale?.toLowerCase().split(/[-_]/)[0];
  return lang === 'en' || lang === 'mn' ? lang : undefined;
}

/**
 * The linked user, or (learners only) a new journalist account linked to the LMS identity. The LMS's
 * language is followed at every launch: the learner chose it there.
 */
export async function findOrCreateLearner(ctx: AppContext, platform: LtiPlatform, c: LmsPerson) {
  const Links = ltiLinkModel(ctx.db);
  const link = await Links.findOne({ issuer: platform.issuer, sub: c.sub }).lean();
  const lang = launchLanguage(c.locale);
  if (link) {
    if (lang) await followLocale(ctx, link.userId, lang);
    return userById(ctx, link.userId);
  }
  const hash = sha256(`${platform.issuer}|${c.sub}`).slice(0, 24);
  const placeholder = `lti-${hash}@lti.invalid`;
  // An LMS-asserted address that already belongs to an account is never trusted to sign into it.
  const claimed = emailShape.safeParse(c.email?.trim().toLowerCase());
  const free = claimed.success && !(await emailInUse(ctx, claimed.data));
  const user = await createLinkedAccount(ctx, {
    email: free ? claimed.data : placeholder,
    placeholderEmail: placeholder,
    name: displayName(c),
    ...(lang ? { locale: lang } : {}),
  });
  try {
    await Links.create({ issuer: platform.issuer, sub: c.sub, userId: user._id });
    return user;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    await discardUnlinkedAccount(ctx, user._id); // a parallel launch linked first: use its user
    const winner = await Links.findOne({ issuer: platform.issuer, sub: c.sub }).lean();
    return winner ? userById(ctx, winner.userId) : undefined;
  }
}
