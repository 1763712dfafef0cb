import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { AppContext } from '../../../server/context';
import type { SessionUser } from '../../../server/types';
import { NotFound, Unauthenticated, Forbidden } from '../../../server/http/errors';
import { recordAudit } from '../../audit';
import { apiTokenModel, type ApiScope } from './token-model';

const notRevoked = () => mongoose.trusted({ $exists: false });
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Creates a token and returns its secret — shown once, never stored. */
export async function createApiToken(ctx: AppContext, actor: SessionUser, name: string, scopes: ApiScope[]) {
  const secret = `umb_${randomBytes(32).toString('base64url')}`;
  const doc = await apiTokenModel(ctx.db).create({
    name,
    scopes,
    prefix: secret.slice(0, 10),
    tokenHash: hash(secret),
    createdBy: actor.id,
    createdAt: ctx.clock.now(),
  });
  await recordAudit(ctx, actor, 'api_token.created', { type: 'api_token', id: doc._id }, { scopes });
  return { secret, token: doc.toObject() };
}

export async function listApiTokens(ctx: AppContext) {
  return apiTokenModel(ctx.db).find({}, { tokenHash: 0 }).sort({ createdAt: -1 }).lean();
}

export async function revokeApiToken(ctx: AppContext, actor: SessionUser, id: string) {
  const token = await apiTokenModel(ctx.db)
    .findOneAndUpdate({ _id: id, revokedAt: notRevoked() }, { $set: { revokedAt: ctx.clock.now() } })
    .lean();
  if (!token) throw new NotFound();
  await recordAudit(ctx, actor, 'api_token.revoked', { type: 'api_token', id });
}

/**
 * Bearer-token check for /api/v1. Sessions are never consulted here, so a browser's cookies cannot
 * be used for cross-site requests against the API.
 */
export function requireScope(ctx: AppContext, scope: ApiScope): RequestHandler {
  return async (req, res, next) => {
    // RFC 7235 §2.1: the scheme name is case-insensitive; RFC 6750 §3: say which scheme and what failed.
    const match = /^(\S+) +(umb_[A-Za-z0-9_-]{20,100}) *$/.exec(req.get('authorization') ?? '');
    const secret = match && match[1]!.toLowerCase() === 'bearer' ? match[2]! : undefined;
    const refuse = (error?: string) => {
      res.set('WWW-Authenticate', `Bearer realm="umbrella"${error ? `, error="${error}"` : ''}`);
      return next(new Unauthenticated('interop.api.errors.token'));
    };
    if (!secret) return refuse(); // no bearer credentials at all: no error code (RFC 6750 §3.1)
    const token = await apiTokenModel(ctx.db)
      .findOneAndUpdate(
        { tokenHash: hash(secret), revokedAt: notRevoked() },
        { $set: { lastUsedAt: ctx.clock.now() } },
        { projection: { scopes: 1, name: 1 } },
      )
      .lean();
    if (!token) return refuse('invalid_token');
    if (!token.scopes.includes(scope)) {
      res.set('WWW-Authenticate', `Bearer realm="umbrella", error="insufficient_scope", scope="${scope}"`);
      return next(new Forbidden('interop.api.errors.scope'));
    }
    res.locals.apiTokenId = String(token._id);
    res.locals.apiToken = { id: String(token._id), name: token.name };
    next();
  };
}
