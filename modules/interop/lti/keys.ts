import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { AppContext } from '../../../server/context';
import { ltiKeyModel } from './model';

interface ToolKey {
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

const cache = new Map<string, Promise<ToolKey>>();

async function loadOrCreate(ctx: AppContext): Promise<ToolKey> {
  const Keys = ltiKeyModel(ctx.db);
  let doc = await Keys.findOne({ use: 'tool' }).lean();
  if (!doc) {
    const { publicKey, privateKey } = await generateKeyPair('RS256', {
      modulusLength: 2048,
      extractable: true,
    });
    const kid = randomBytes(12).toString('base64url');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
    // Two processes starting at once: the unique index on `use` keeps the first key, both use it.
    doc = await Keys.findOneAndUpdate(
      { use: 'tool' },
      { $setOnInsert: { use: 'tool', kid, publicJwk, privateJwk } },
      { upsert: true, new: true },
    )
      .lean()
      .catch(async (err: { code?: number }) => {
        if (err.code !== 11000) throw err;
        return Keys.findOne({ use: 'tool' }).lean();
      });
    if (!doc) throw new Error('LTI tool key could not be created');
  }
  const privateKey = (await importJWK(doc.privateJwk as JWK, 'RS256')) as CryptoKey;
  return { kid: doc.kid, publicJwk: doc.publicJwk as JWK, privateKey };
}

/** The tool key of this installation (database `ctx.db`), cached per process. */
export function toolKey(ctx: AppContext): Promise<ToolKey> {
  const k = ctx.db.name;
  let hit = cache.get(k);
  if (!hit) {
    hit = loadOrCreate(ctx);
    cache.set(k, hit);
    hit.catch(() => cache.delete(k));
  }
  return hit;
}

/** The public key set platforms fetch from /lti/jwks. */
export async function toolJwks(ctx: AppContext): Promise<{ keys: JWK[] }> {
  const { publicJwk } = await toolKey(ctx);
  return { keys: [publicJwk] };
}

/** A JWT signed with the tool key, `kid` in the header. */
export async function signWithToolKey(ctx: AppContext, payload: JWTPayload, lifetimeSeconds = 300) {
  const { kid, privateKey } = await toolKey(ctx);
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(privateKey);
}
