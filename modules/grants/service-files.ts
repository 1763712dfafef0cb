import type { Readable } from 'node:stream';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { trusted } from '../../server/db/ids';
import { editableStatuses, pitchModel, storedFileModel, type FileKind, type StoredFileRecord } from './model';
import { getCall } from './service-calls';
import { editability, myPitch } from './service-pitches';
import { MAX_FILES_PER_PITCH } from './defaults';
import { attachmentHeader } from '../../server/http/attachment';
import {
  checkUploadOrRefuse,
  type UploadedFile,
  type AcceptedType,
} from '../../server/storage/checked-upload';
import { checkZip, DOCX_LIMITS, ZipRefused } from '../../server/storage/zip';

type Actor = Pick<SessionUser, 'id' | 'role'>;

/** Declared extension → the type file-type must detect from the bytes. */
const ALLOWED: Record<string, AcceptedType> = {
  pdf: { ext: 'pdf', mime: 'application/pdf' },
  docx: { ext: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  jpg: { ext: 'jpg', mime: 'image/jpeg' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  png: { ext: 'png', mime: 'image/png' },
};

/**
 * A DOCX is a zip: count what it really inflates to (streaming, stopping at the cap) before it is
 * stored, so a zip bomb never reaches reviewers, whose downloads unpack it to strip metadata.
 */
async function assertReadableDocx(bytes: Buffer): Promise<void> {
  try {
    await checkZip(bytes, DOCX_LIMITS);
  } catch (err) {
    if (!(err instanceof ZipRefused)) throw err;
    const key = err.problem === 'size' || err.problem === 'entries' ? 'archiveTooLarge' : 'archiveBroken';
    throw new Invalid(`grants.files.errors.${key}`);
  }
}

/**
 * Checks the bytes against the allowlist, re-encodes images without metadata, stores them under a
 * random key and records them. Whatever fails after the bytes are stored removes them again.
 */
export async function uploadPitchFile(
  ctx: AppContext,
  user: Actor,
  pitchId: string,
  kind: FileKind,
  file: UploadedFile,
): Promise<StoredFileRecord> {
  const pitch = await myPitch(ctx, user.id, pitchId);
  const call = await getCall(ctx, String(pitch.callId));
  const can = editability(call, pitch, ctx.clock.now());
  if (!can.editable) throw new Conflict(can.reason);
  if (pitch.fileIds.length >= MAX_FILES_PER_PITCH) throw new Conflict('grants.files.errors.tooMany');

  const { bytes, mime, ext, originalName } = await checkUploadOrRefuse(file, ALLOWED, 'grants.files.errors.');
  if (ext === 'docx') await assertReadableDocx(bytes);

  const stored = await ctx.storage.put(bytes);
  let record: StoredFileRecord | undefined;
  try {
    const created = await storedFileModel(ctx.db).create({
      ownerId: pitch.applicantId,
      pitchId: pitch._id,
      kind,
      storageKey: stored.key,
      sha256: stored.sha256,
      size: stored.size,
      mime,
      ext,
      originalName,
      createdAt: ctx.clock.now(),
    });
    record = created.toObject();
    // Attach atomically, capped, and only while the pitch is still editable.
    const attached = await pitchModel(ctx.db).updateOne(
      {
        _id: pitch._id,
        applicantId: user.id,
        status: trusted({ $in: editableStatuses(call) }),
        [`fileIds.${MAX_FILES_PER_PITCH - 1}`]: trusted({ $exists: false }),
      },
      { $push: { fileIds: record._id }, $set: { editedAt: ctx.clock.now() }, $inc: { __v: 1 } },
    );
    if (attached.modifiedCount !== 1) throw new Conflict('grants.files.errors.tooMany');
  } catch (err) {
    if (record)
      await storedFileModel(ctx.db)
        .deleteOne({ _id: record._id })
        .catch(() => undefined);
    await ctx.storage.remove(stored.key).catch(() => undefined);
    throw err;
  }
  await recordAudit(ctx, user, 'file.uploaded', { type: 'file', id: record._id }, { pitchId, kind });
  return record;
}

/** Detaches the file from the pitch (only while editable), deletes the record, then the bytes. */
export async function removePitchFile(ctx: AppContext, user: Actor, pitchId: string, fileId: string) {
  const pitch = await myPitch(ctx, user.id, pitchId);
  const call = await getCall(ctx, String(pitch.callId));
  const can = editability(call, pitch, ctx.clock.now());
  if (!can.editable) throw new Conflict(can.reason);
  const file = await storedFileModel(ctx.db)
    .findOne({ _id: fileId, pitchId: pitch._id, ownerId: user.id })
    .lean();
  if (!file) throw new NotFound();
  await pitchModel(ctx.db).updateOne(
    { _id: pitch._id, applicantId: user.id },
    { $pull: { fileIds: file._id }, $set: { editedAt: ctx.clock.now() }, $inc: { __v: 1 } },
  );
  const deleted = await storedFileModel(ctx.db).deleteOne({ _id: file._id });
  if (deleted.deletedCount === 1) await ctx.storage.remove(file.storageKey);
  await recordAudit(ctx, user, 'file.removed', { type: 'file', id: fileId }, { pitchId });
}

export async function storedFilesOfPitch(ctx: AppContext, pitchId: string | Types.ObjectId) {
  return (await storedFileModel(ctx.db)
    .find({ pitchId })
    .sort({ createdAt: 1 })
    .lean()) as StoredFileRecord[];
}

/**
 * Bytes of a stored file, streamed from whichever storage holds them. No authorisation here: callers
 * authorise first. Missing bytes are a NotFound before any header is set (verify-files reports them).
 */
export async function streamStoredFile(
  ctx: AppContext,
  fileId: string | Types.ObjectId,
): Promise<{ file: StoredFileRecord; stream: Readable }> {
  const file = await storedFileModel(ctx.db).findById(fileId).lean();
  if (!file || !(await ctx.storage.exists(file.storageKey))) throw new NotFound();
  return { file: file as StoredFileRecord, stream: ctx.storage.stream(file.storageKey) };
}

/** The owner or an admin may download; anyone else gets a 404. */
export async function fileForDownload(ctx: AppContext, user: Actor, fileId: string) {
  const filter: Record<string, unknown> = { _id: fileId };
  if (user.role !== 'admin') filter.ownerId = user.id;
  const file = await storedFileModel(ctx.db).findOne(filter).lean();
  if (!file) throw new NotFound();
  return file as StoredFileRecord;
}

export { attachmentHeader };
