import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { TooMany } from '../http/errors';

const WINDOW_MS = 15 * 60 * 1000;

function limiter(limit: number, key: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (_req, _res, next) => next(new TooMany()),
  });
}

/**
 * Brute-force brakes for credential forms: per client address, and per account name whether or not
 * the account exists (so the limit itself reveals nothing). In-process counters: behind several
 * processes, put a shared store here.
 */
export function credentialLimits(perIp: number, perAccount: number): RequestHandler[] {
  return [
    limiter(perIp, (req) => ipKeyGenerator(req.ip ?? 'unknown')),
    limiter(perAccount, (req) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string' ? `acct:${email.trim().toLowerCase().slice(0, 254)}` : 'acct:none';
    }),
  ];
}
