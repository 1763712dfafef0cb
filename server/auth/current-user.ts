import type { Request, RequestHandler } from 'express';
import type { SessionUser } from '../types';

/** How a request's user is found: built-in accounts read the session; a host app maps its own user. */
export type AuthAdapter = (req: Request) => SessionUser | undefined | Promise<SessionUser | undefined>;

export const sessionAuth: AuthAdapter = (req) => req.session?.user;

export function currentUser(adapter: AuthAdapter): RequestHandler {
  return async (req, _res, next) => {
    req.user = await adapter(req);
    next();
  };
}
