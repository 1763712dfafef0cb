import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { TooMany } from '../http/errors';
import { MongoRateLimitStore } from '../http/rate-limit-store';
import type { AppContext } from '../context';

const WINDOW_MS = 15 * 60 * 1000;

/** Names the account a credential request is aimed at, or undefined when it names none. */
export type AccountOf = (req: Request) => string | undefined;

/** The account a sign-in, registration or reset request names by its e-mail field. */
export const accountByEmail: AccountOf = (req) => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string') return undefined;
  const normalised = email.trim().toLowerCase().slice(0, 254);
  return normalised ? `email:${normalised}` : undefined;
};

/** The account half-way through signing in (second step, TOTP enrolment): kept in the session. */
export const accountPendingSecondFactor: AccountOf = (req) => {
  const id = req.session?.pending2fa?.userId;
  return id ? `pending:${id}` : undefined;
};

/** The signed-in account (confirming a password for a sensitive change). */
export const accountSignedIn: AccountOf = (req) => (req.user ? `user:${req.user.id}` : undefined);

function limiter(ctx: AppContext, name: string, limit: number, key: AccountOf): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    // Counted in the database: N processes behind a load balancer allow the limit, not N times it.
    store: new MongoRateLimitStore(ctx, name),
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => key(req) ?? '',
    // A request that names no account is counted against no account: there is no shared bucket
    // (such as "no e-mail") whose exhaustion would lock everyone out.
    skip: (req) => key(req) === undefined,
    handler: (_req, _res, next) => next(new TooMany()),
  });
}

/**
 * Brute-force brakes for credential forms: per client address, and per account (whether or not it
 * exists, so the limit itself reveals nothing). `accountOf` says which account a request aims at: by
 * e-mail on the sign-in form, by the pending user on the second step. Mount these after whatever
 * check establishes that account (e.g. that a sign-in is pending), so requests refused there spend
 * nothing. `name` keeps the counts of one form apart from another's; counters live in the database, so
 * every process counts the same hits.
 */
export function credentialLimits(
  ctx: AppContext,
  name: string,
  perIp: number,
  perAccount: number,
  accountOf: AccountOf = accountByEmail,
): RequestHandler[] {
  return [ipLimit(ctx, `${name}-ip`, perIp), accountLimit(ctx, `${name}-account`, perAccount, accountOf)];
}

/** Per client address; share one instance between forms that should share the count. */
export const ipLimit = (ctx: AppContext, name: string, limit: number): RequestHandler =>
  limiter(ctx, name, limit, (req) => ipKeyGenerator(req.ip ?? 'unknown'));

/** Per account, as named by `accountOf`; requests naming none pass uncounted. */
export const accountLimit = (
  ctx: AppContext,
  name: string,
  limit: number,
  accountOf: AccountOf,
): RequestHandler => limiter(ctx, name, limit, accountOf);
