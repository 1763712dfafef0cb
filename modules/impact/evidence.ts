import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Invalid, NotFound } from '../../server/http/errors';
import { oid, trusted } from '../../server/db/ids';
import {
  checkUpload,
  UploadRefused,
  type AcceptedType,
  type UploadedFile,
} from '../../server/storage/checked-upload';
import { pieceModel, type Evidence } from './model';

/** Screenshots and documents: what a reach figure's evidence may be. */
const ACCEPTED: Record<string, AcceptedType> = {
  png: { ext: 'png', mime: 'image/png' },
  jpg: { ext: 'jpg', mime: 'image/jpeg' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
  pdf: { ext: 'pdf', mime: 'application/pdf' },
};

export const EVIDENCE_MAX_MB = 10;

/** Checks the file (type from its bytes, images without metadata) and stores it. */
export async function storeEvidence(ctx: AppContext, file: UploadedFile): Promise<Evidence> {
  let checked;
  try {
    checked = await checkUpload(file, ACCEPTED);
  } catch (err) {
    if (!(err instanceof UploadRefused)) throw err;
    const key = `impact.evidence.errors.${err.problem}`;
    throw new Invalid(key, { evidence: key });
  }
  const stored = await ctx.storage.put(checked.bytes);
  return {
    storageKey: stored.key,
    sha256: stored.sha256,
    size: stored.size,
    mime: checked.mime,
    ext: checked.ext,
    originalName: checked.originalName,
  };
}

/** Bytes stored for a figure that was then not recorded (a bad form, a piece not theirs) go again. */
export async function discardEvidence(ctx: AppContext, evidence: Evidence | undefined): Promise<void> {
  if (evidence) await ctx.storage.remove(evidence.storageKey).catch(() => undefined);
}

/** The award's journalist and staff may open a figure's evidence; anyone else gets a 404. */
export async function evidenceForDownload(
  ctx: AppContext,
  user: SessionUser,
  pieceId: string,
  figureId: string,
): Promise<Evidence> {
  const scope = user.role === 'admin' ? {} : { ownerId: oid(user.id) };
  const piece = await pieceModel(ctx.db)
    .findOne({ _id: oid(pieceId), ...scope }, { reach: 1 })
    .lean();
  const evidence = piece?.reach.find((f) => String(f._id) === figureId)?.evidence;
  if (!evidence || !(await ctx.storage.exists(evidence.storageKey))) throw new NotFound();
  return evidence;
}

/** Every evidence file of a journalist's pieces: removed with their account. */
export async function eraseEvidenceOf(ctx: AppContext, userId: string): Promise<number> {
  const pieces = await pieceModel(ctx.db)
    .find({ ownerId: oid(userId), 'reach.evidence': trusted({ $exists: true }) }, { reach: 1 })
    .limit(1000)
    .lean();
  let removed = 0;
  for (const p of pieces) {
    for (const f of p.reach) {
      if (!f.evidence) continue;
      await pieceModel(ctx.db).updateOne(
        { _id: p._id, 'reach._id': f._id },
        { $unset: { 'reach.$.evidence': 1 } },
      );
      await ctx.storage.remove(f.evidence.storageKey).catch(() => undefined);
      removed += 1;
    }
  }
  return removed;
}
