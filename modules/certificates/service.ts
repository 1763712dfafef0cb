import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, NotFound } from '../../server/http/errors';
import { DELETED_NAME, findActiveUser } from '../accounts';
import { recordAudit } from '../audit';
import { certificateModel, type Bilingual, type Certificate } from './model';
import { newCertificateCode, normalizeCode } from './code';

type Id = string | Types.ObjectId;

function toObjectId(id: Id): Types.ObjectId {
  if (id instanceof Types.ObjectId) return id;
  if (!Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) throw new NotFound();
  return new Types.ObjectId(id);
}

/** Hosts may map their own users in; keep the actor only when it is one of ours. */
const actorId = (id: string) => (/^[a-f0-9]{24}$/i.test(id) ? new Types.ObjectId(id) : undefined);

const isDuplicateKey = (err: unknown) => (err as { code?: number } | undefined)?.code === 11000;

/** The course's bilingual title, read-only from the learning module's collection. */
async function courseTitle(ctx: AppContext, courseId: Types.ObjectId): Promise<Bilingual> {
  const course = await ctx.db
    .collection<{ _id: Types.ObjectId; title?: Partial<Bilingual> }>('courses')
    .findOne({ _id: courseId }, { projection: { title: 1 } });
  if (!course) throw new NotFound();
  const en = course.title?.en ?? course.title?.mn ?? '';
  const mn = course.title?.mn ?? course.title?.en ?? '';
  return { en: en.slice(0, 300), mn: mn.slice(0, 300) };
}

/** Certificates go to active accounts only (a disabled account gets a 404). */
async function holderName(ctx: AppContext, userId: Types.ObjectId): Promise<string> {
  const user = await findActiveUser(ctx, String(userId));
  return user.name;
}

/**
 * Issues the certificate for a completed course, once: a repeated or concurrent call returns the one
 * already issued (the unique (userId, courseId) index decides the race). The holder's name and the
 * course title are copied now, so the certificate reads the same later.
 */
export async function issueCertificate(ctx: AppContext, userId: Id, courseId: Id): Promise<Certificate> {
  const certificates = certificateModel(ctx.db);
  const key = { userId: toObjectId(userId), courseId: toObjectId(courseId) };
  const existing = await certificates.findOne(key).lean();
  if (existing) return existing;
  const [name, title] = await Promise.all([holderName(ctx, key.userId), courseTitle(ctx, key.courseId)]);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const doc = await certificates
        .findOneAndUpdate(
          key,
          {
            $setOnInsert: {
              code: newCertificateCode(),
              holderName: name,
              courseTitle: title,
              issuedAt: ctx.clock.now(),
              showName: false,
            },
          },
          { upsert: true, new: true },
        )
        .lean();
      if (doc) return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Either a parallel call won (return its certificate) or the code collided (try a new one).
    }
    const winner = await certificates.findOne(key).lean();
    if (winner) return winner;
  }
  throw new Conflict();
}

/** The holder's certificates, newest first. */
export async function certificatesOf(ctx: AppContext, userId: Id): Promise<Certificate[]> {
  return certificateModel(ctx.db)
    .find({ userId: toObjectId(userId) })
    .sort({ issuedAt: -1 })
    .lean();
}

/** One of the holder's own certificates; anyone else's is a 404. */
export async function ownCertificate(ctx: AppContext, userId: Id, id: string): Promise<Certificate> {
  const cert = await certificateModel(ctx.db)
    .findOne({ _id: toObjectId(id), userId: toObjectId(userId) })
    .lean();
  if (!cert) throw new NotFound();
  return cert;
}

/** The holder decides whether the public verification page shows their name. */
export async function setShowName(ctx: AppContext, userId: Id, id: string, showName: boolean): Promise<void> {
  const res = await certificateModel(ctx.db).updateOne(
    { _id: toObjectId(id), userId: toObjectId(userId) },
    { $set: { showName } },
  );
  if (res.matchedCount === 0) throw new NotFound();
}

/** A revoked certificate stays listed and verifiable as revoked, but is no longer handed out as a PDF. */
export async function downloadableCertificate(
  ctx: AppContext,
  user: Pick<SessionUser, 'id' | 'role'>,
  id: string,
): Promise<Certificate> {
  const cert = await ownCertificate(ctx, user.id, id);
  if (cert.revokedAt) throw new Conflict('certificates.errors.revoked');
  await recordAudit(ctx, user, 'certificate.downloaded', { type: 'certificate', id: cert._id });
  return cert;
}

/**
 * Public lookup. Malformed input still costs one indexed read, so a malformed and an unknown code
 * cannot be told apart by timing either.
 */
export async function certificateByCode(ctx: AppContext, input: string): Promise<Certificate | undefined> {
  const code = normalizeCode(input) ?? '-';
  const cert = await certificateModel(ctx.db).findOne({ code }).lean();
  return cert ?? undefined;
}

/**
 * Account deletion: the holder's name leaves every certificate and none shows a name again. Code,
 * course, date and revocation stay, so the certificate still verifies as issued.
 */
export async function eraseHolder(ctx: AppContext, userId: Id): Promise<void> {
  await certificateModel(ctx.db).updateMany(
    { userId: toObjectId(userId) },
    // The accounts module's name for a deleted user, so staff lists read the same everywhere.
    { $set: { holderName: DELETED_NAME, showName: false } },
  );
}

/** Issued certificates for trainers and admins, newest first. */
export async function listIssued(ctx: AppContext, limit = 500): Promise<Certificate[]> {
  return certificateModel(ctx.db).find({}).sort({ issuedAt: -1 }).limit(limit).lean();
}

/** Revokes once: the conditional update lets only the first of two revocations through. */
export async function revokeCertificate(
  ctx: AppContext,
  actor: Pick<SessionUser, 'id' | 'role'>,
  id: string,
  reason: string,
): Promise<Certificate> {
  const certificates = certificateModel(ctx.db);
  const _id = toObjectId(id);
  const revoked = await certificates
    .findOneAndUpdate(
      // `null` matches a missing field without a query operator (filters are sanitised).
      { _id, revokedAt: null },
      { $set: { revokedAt: ctx.clock.now(), revokedBy: actorId(actor.id), revokeReason: reason } },
      { new: true },
    )
    .lean();
  if (!revoked) {
    if (await certificates.exists({ _id })) throw new Conflict('certificates.errors.alreadyRevoked');
    throw new NotFound();
  }
  await recordAudit(ctx, actor, 'certificate.revoked', { type: 'certificate', id: _id }, { reason });
  return revoked;
}
