import type { RequestHandler } from 'express';
import type { Request } from 'express';
import type { Role, SessionUser } from '../types';
import { Forbidden, Unauthenticated } from '../http/errors';

/**
 * Route-level authorisation. Every route starts with one of these; a test walks the router and fails
 * for any route without one. Per-record rules live in each module's policy.ts and inside its queries.
 */
export type Policy = RequestHandler & { policy: string };

function named(name: string, handler: RequestHandler): Policy {
  return Object.assign(handler, { policy: name });
}

export const allow = {
  /** Public pages: login, register, certificate verification, health. */
  anyone: named('anyone', (_req, _res, next) => next()),
  signedIn: named('signedIn', (req, _res, next) => next(req.user ? undefined : new Unauthenticated())),
  roles: (...roles: Role[]): Policy =>
    named(`roles:${roles.join(',')}`, (req, _res, next) => {
      if (!req.user) return next(new Unauthenticated());
      next(roles.includes(req.user.role) ? undefined : new Forbidden());
    }),
};

export const isPolicy = (fn: unknown): fn is Policy => typeof fn === 'function' && 'policy' in fn;

/**
 * The signed-in user of a route whose policy requires one (`allow.signedIn`, `allow.roles`). Throws
 * 401 rather than trusting a non-null assertion, should a route ever be registered without its policy.
 */
export function signedInUser(req: Request): SessionUser {
  if (!req.user) throw new Unauthenticated();
  return req.user;
}
