import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export interface Bilingual {
  en: string;
  mn: string;
}
const bilingual = { en: { type: String, default: '' }, mn: { type: String, default: '' } };

export const BLOCK_TYPES = ['markdown', 'callout', 'image', 'video', 'audio', 'file'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

export interface Block {
  /** Stable within a lesson: the anchor that keeps the reader's place across languages. */
  id: string;
  type: BlockType;
  variant?: string;
  en: string;
  mn: string;
  src?: string;
  alt?: Bilingual;
}

const blockSchema = new Schema<Block>(
  {
    id: { type: String, required: true, maxlength: 40 },
    type: { type: String, enum: BLOCK_TYPES, required: true },
    variant: { type: String, maxlength: 40 },
    en: { type: String, default: '', maxlength: 20000 },
    mn: { type: String, default: '', maxlength: 20000 },
    src: { type: String, maxlength: 500 },
    alt: { type: bilingual, default: undefined },
  },
  { _id: false },
);

export interface CompletionRules {
  lessons: boolean;
  lessonQuizzes: boolean;
  postTest: boolean;
}

/**
 * The order the course asks for. preTest 'before-lessons': the pre-test closes once submitted or once
 * the trainee reads a lesson (a score after reading is no baseline); 'until-post-test': it stays open
 * until the post-test is taken. postTest 'after-lessons': it opens when every lesson step the
 * completion rules count is done (read, and its quiz passed when lesson quizzes count); 'anytime'.
 */
export interface CourseSequence {
  preTest: 'before-lessons' | 'until-post-test';
  postTest: 'after-lessons' | 'anytime';
}
export const DEFAULT_SEQUENCE: CourseSequence = { preTest: 'before-lessons', postTest: 'after-lessons' };

export interface Course {
  _id: Types.ObjectId;
  slug: string;
  title: Bilingual;
  summary: Bilingual;
  objectives: Array<{ id: string; label: Bilingual }>;
  lessonIds: Types.ObjectId[];
  mnDraft: boolean;
  status: 'draft' | 'published';
  completionRules: CompletionRules;
  hasPreTest: boolean;
  hasPostTest: boolean;
  sequence?: CourseSequence;
  /** Self-registered trainees join this cohort when they enrol (set by staff; none: "unassigned"). */
  defaultCohortId?: Types.ObjectId;
  /** Hash of the imported file: re-importing unchanged content is a no-op. */
  contentHash?: string;
  createdAt: Date;
  updatedAt: Date;
}

const courseSchema = new Schema<Course>(
  {
    slug: { type: String, required: true, maxlength: 80 },
    title: bilingual,
    summary: bilingual,
    objectives: [{ _id: false, id: { type: String, maxlength: 60 }, label: bilingual }],
    lessonIds: [{ type: Schema.Types.ObjectId, ref: 'Lesson' }],
    mnDraft: { type: Boolean, default: true },
    status: { type: String, enum: ['draft', 'published'], default: 'draft' },
    completionRules: {
      lessons: { type: Boolean, default: true },
      lessonQuizzes: { type: Boolean, default: true },
      postTest: { type: Boolean, default: true },
    },
    hasPreTest: { type: Boolean, default: false },
    hasPostTest: { type: Boolean, default: false },
    sequence: {
      type: new Schema(
        {
          preTest: { type: String, enum: ['before-lessons', 'until-post-test'], default: 'before-lessons' },
          postTest: { type: String, enum: ['after-lessons', 'anytime'], default: 'after-lessons' },
        },
        { _id: false },
      ),
      default: undefined,
    },
    defaultCohortId: { type: Schema.Types.ObjectId, ref: 'Cohort' },
    contentHash: { type: String },
  },
  { timestamps: true },
);
courseSchema.index({ slug: 1 }, { unique: true });

export interface LessonContent {
  title: Bilingual;
  objectives: string[];
  minutes: number;
  blocks: Block[];
}

export interface Lesson extends LessonContent {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  slug: string;
  status: 'draft' | 'published';
  /** Published version; 0 until the first publish. */
  version: number;
  publishedAt?: Date;
  hasQuiz: boolean;
  contentHash?: string;
  /** The trainer's working copy; trainees never see it. */
  draft?: LessonContent & { updatedAt: Date; updatedBy?: Types.ObjectId };
  /** Optimistic concurrency for the draft: every save must quote the revision it started from. */
  draftRev: number;
}

const contentFields = {
  title: bilingual,
  objectives: [{ type: String, maxlength: 60 }],
  minutes: { type: Number, min: 0, max: 600, default: 10 },
  blocks: [blockSchema],
};

const lessonSchema = new Schema<Lesson>(
  {
    courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
    slug: { type: String, required: true, maxlength: 80 },
    ...contentFields,
    status: { type: String, enum: ['draft', 'published'], default: 'draft' },
    version: { type: Number, default: 0 },
    publishedAt: { type: Date },
    hasQuiz: { type: Boolean, default: false },
    contentHash: { type: String },
    draft: {
      type: new Schema(
        {
          ...contentFields,
          updatedAt: Date,
          updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
        },
        { _id: false },
      ),
      default: undefined,
    },
    draftRev: { type: Number, default: 0 },
  },
  { timestamps: true },
);
lessonSchema.index({ courseId: 1, slug: 1 }, { unique: true });

export interface LessonVersion extends LessonContent {
  _id: Types.ObjectId;
  lessonId: Types.ObjectId;
  courseId: Types.ObjectId;
  version: number;
  publishedAt: Date;
  publishedBy?: Types.ObjectId;
}

const lessonVersionSchema = new Schema<LessonVersion>({
  lessonId: { type: Schema.Types.ObjectId, ref: 'Lesson', required: true },
  courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  version: { type: Number, required: true },
  ...contentFields,
  publishedAt: { type: Date, required: true },
  publishedBy: { type: Schema.Types.ObjectId, ref: 'User' },
});
lessonVersionSchema.index({ lessonId: 1, version: 1 }, { unique: true });

export type EnrolmentStatus = 'enrolled' | 'in_progress' | 'completed';

export interface Enrolment {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  status: EnrolmentStatus;
  lessonsViewed: Array<{ lessonId: Types.ObjectId; version: number; at: Date }>;
  /** `<lessonId>:<version>` for each entry of lessonsViewed: makes "record once" one atomic update. */
  viewedKeys: string[];
  quizzesPassed: string[];
  /** Every quiz with a graded attempt, passed or not (the dashboard needs no attempts read). */
  quizzesTaken?: string[];
  enrolledAt: Date;
  startedAt?: Date;
  lastActivityAt?: Date;
  completedAt?: Date;
  lastReminderAt?: Date;
}

const enrolmentSchema = new Schema<Enrolment>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
    cohortId: { type: Schema.Types.ObjectId, ref: 'Cohort' },
    status: { type: String, enum: ['enrolled', 'in_progress', 'completed'], default: 'enrolled' },
    lessonsViewed: [{ _id: false, lessonId: { type: Schema.Types.ObjectId }, version: Number, at: Date }],
    viewedKeys: [{ type: String }],
    quizzesPassed: [{ type: String, maxlength: 120 }],
    quizzesTaken: [{ type: String, maxlength: 120 }],
    enrolledAt: { type: Date },
    startedAt: { type: Date },
    lastActivityAt: { type: Date },
    completedAt: { type: Date },
    lastReminderAt: { type: Date },
  },
  { timestamps: true },
);
enrolmentSchema.index({ userId: 1, courseId: 1 }, { unique: true });
enrolmentSchema.index({ cohortId: 1 });
enrolmentSchema.index({ courseId: 1, status: 1 });
enrolmentSchema.index({ courseId: 1, cohortId: 1, userId: 1 });

export interface Cohort {
  _id: Types.ObjectId;
  name: string;
  courseId: Types.ObjectId;
  trainerIds: Types.ObjectId[];
  region?: string;
  createdAt: Date;
}

const cohortSchema = new Schema<Cohort>(
  {
    name: { type: String, required: true, maxlength: 120 },
    courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
    trainerIds: [{ type: Schema.Types.ObjectId, ref: 'User' }],
    region: { type: String, maxlength: 80 },
  },
  { timestamps: true },
);
cohortSchema.index({ trainerIds: 1 });

export const courseModel = (db: Connection) => modelOn<Course>(db, 'Course', courseSchema);
export const lessonModel = (db: Connection) => modelOn<Lesson>(db, 'Lesson', lessonSchema);
export const lessonVersionModel = (db: Connection) =>
  modelOn<LessonVersion>(db, 'LessonVersion', lessonVersionSchema);
export const enrolmentModel = (db: Connection) => modelOn<Enrolment>(db, 'Enrolment', enrolmentSchema);
export const cohortModel = (db: Connection) => modelOn<Cohort>(db, 'Cohort', cohortSchema);
