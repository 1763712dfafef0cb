import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import { storedUploadSchemaFields, type StoredUploadFields } from '../../server/storage/checked-upload';

/**
 * A file in a course's media library: its bytes live in the file storage under `storageKey`; lesson
 * blocks refer to it by `name` (`media/<name>`), unique within the course.
 */
export interface LessonMedia extends StoredUploadFields {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  name: string;
  /** SHA-256 of the bytes as they arrived (images are re-encoded): importing the same file again is a no-op. */
  sourceSha256: string;
  createdAt: Date;
  updatedAt: Date;
}

const lessonMediaSchema = new Schema<LessonMedia>(
  {
    courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
    name: { type: String, required: true, maxlength: 70 },
    ...storedUploadSchemaFields,
    sourceSha256: { type: String, required: true, maxlength: 64 },
  },
  { timestamps: true, collection: 'lessonmedia' },
);
lessonMediaSchema.index({ courseId: 1, name: 1 }, { unique: true });

export const lessonMediaModel = (db: Connection) =>
  modelOn<LessonMedia>(db, 'LessonMedia', lessonMediaSchema);

/** Name → version (the start of its SHA-256) and size: what a page needs to link a course's files. */
export type MediaIndex = Record<string, { v: string; size: number }>;

export async function mediaIndexOf(db: Connection, courseId: Types.ObjectId | string): Promise<MediaIndex> {
  const rows = await lessonMediaModel(db).find({ courseId }, { name: 1, sha256: 1, size: 1 }).lean();
  return Object.fromEntries(rows.map((m) => [m.name, { v: m.sha256.slice(0, 12), size: m.size }]));
}
