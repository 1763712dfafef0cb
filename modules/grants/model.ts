import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import { storedUploadSchemaFields, type StoredUploadFields } from '../../server/storage/checked-upload';

export interface Bilingual {
  en: string;
  mn: string;
}

export type CallStatus = 'draft' | 'open' | 'closed' | 'decided';
export const CALL_STATUSES: readonly CallStatus[] = ['draft', 'open', 'closed', 'decided'];
export type DeadlineMode = 'fixed' | 'rolling';

export interface Theme {
  id: string;
  label: Bilingual;
}

export interface RubricCriterion {
  id: string;
  label: Bilingual;
  guidance: Bilingual;
  scaleMax: number;
  weight: number;
}

export interface Call {
  _id: Types.ObjectId;
  title: Bilingual;
  description: Bilingual;
  themes: Theme[];
  /** UTC instants derived from local date-times entered in `timeZone`. */
  opensAt: Date;
  closesAt: Date;
  timeZone: string;
  currency: 'MNT';
  budgetPool: number;
  maxAward: number;
  /** Incremented atomically by the reviews module when a pitch is funded. */
  awardedTotal: number;
  eligibility: { courseSlug?: string };
  rubric: RubricCriterion[];
  reviewersPerPitch: number;
  blind: boolean;
  deadlineMode: DeadlineMode;
  allowMultiplePitches: boolean;
  status: CallStatus;
  decisionsReleasedAt?: Date;
  /** Last receipt number given out (pitch references DU27-0001, DU27-0002, … count from it). */
  receiptSeq?: number;
  createdBy?: Types.ObjectId;
  __v: number;
  createdAt: Date;
  updatedAt: Date;
}

const bilingual = (max: number, required = true) => ({
  en: { type: String, required, maxlength: max, default: '' },
  mn: { type: String, required, maxlength: max, default: '' },
});

const callSchema = new Schema<Call>(
  {
    title: bilingual(200),
    description: bilingual(8000, false),
    themes: [
      new Schema<Theme>(
        { id: { type: String, required: true, maxlength: 40 }, label: bilingual(120) },
        { _id: false },
      ),
    ],
    opensAt: { type: Date, required: true },
    closesAt: { type: Date, required: true },
    timeZone: { type: String, required: true, default: 'Asia/Ulaanbaatar', maxlength: 64 },
    currency: { type: String, enum: ['MNT'], default: 'MNT', required: true },
    budgetPool: { type: Number, required: true, min: 0 },
    maxAward: { type: Number, required: true, min: 0 },
    awardedTotal: { type: Number, required: true, default: 0 },
    eligibility: { courseSlug: { type: String, maxlength: 80 } },
    rubric: [
      new Schema<RubricCriterion>(
        {
          id: { type: String, required: true, maxlength: 40 },
          label: bilingual(120),
          guidance: bilingual(1000, false),
          scaleMax: { type: Number, required: true, default: 5, min: 1, max: 10 },
          weight: { type: Number, required: true, default: 1, min: 0, max: 10 },
        },
        { _id: false },
      ),
    ],
    reviewersPerPitch: { type: Number, required: true, default: 2, min: 1, max: 10 },
    blind: { type: Boolean, required: true, default: true },
    deadlineMode: { type: String, enum: ['fixed', 'rolling'], required: true, default: 'fixed' },
    allowMultiplePitches: { type: Boolean, required: true, default: false },
    status: { type: String, enum: CALL_STATUSES, required: true, default: 'draft' },
    decisionsReleasedAt: { type: Date },
    receiptSeq: { type: Number, min: 0 },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true, optimisticConcurrency: true },
);
callSchema.index({ status: 1, closesAt: 1 });

export const callModel = (db: Connection) => modelOn<Call>(db, 'Call', callSchema);

export type PitchStatus =
  'draft' | 'submitted' | 'withdrawn' | 'under_review' | 'shortlisted' | 'funded' | 'declined' | 'waitlisted';
export const PITCH_STATUSES: readonly PitchStatus[] = [
  'draft',
  'submitted',
  'withdrawn',
  'under_review',
  'shortlisted',
  'funded',
  'declined',
  'waitlisted',
];

/** Statuses that carry a decision (shortlisting is a step before one). */
export const DECIDED_STATUSES: readonly PitchStatus[] = ['funded', 'waitlisted', 'declined'];

/**
 * Statuses in which the applicant may still change a pitch while its call is open: drafts always;
 * submitted pitches too for a fixed deadline (a rolling call reviews each pitch once it is submitted).
 */
export const editableStatuses = (call: Pick<Call, 'deadlineMode'>): PitchStatus[] =>
  call.deadlineMode === 'fixed' ? ['draft', 'submitted'] : ['draft'];

export interface BudgetLine {
  item: string;
  amount: number;
}

export interface PitchDecision {
  outcome: string;
  amount: number;
  decidedAt: Date;
  decidedBy?: Types.ObjectId;
  /** Reviewers' comments to the applicant, written by the reviews module when the decision goes out. */
  commentsToApplicant?: string[];
}

export interface Pitch {
  _id: Types.ObjectId;
  callId: Types.ObjectId;
  applicantId: Types.ObjectId;
  /** 0 unless the call allows several pitches per journalist; with the unique index: one per call. */
  slot: number;
  status: PitchStatus;
  title: string;
  angle: string;
  audience: string;
  outlet: string;
  format: string;
  themes: string[];
  ethicsPlan: string;
  budgetLines: BudgetLine[];
  budgetTotal: number;
  timeline: string;
  fileIds: Types.ObjectId[];
  submittedAt?: Date;
  withdrawnAt?: Date;
  receiptKey?: string;
  /** The short human reference on the receipt, e.g. DU27-0042 (unique within the call). */
  reference?: string;
  decision?: PitchDecision;
  /**
   * The applicant's own last change (form, files, submission). Their editor shows this, never
   * updatedAt: staff moves (shortlist, decision) touch updatedAt and must not show before release.
   */
  editedAt?: Date;
  /** Bumped by the applicant's own changes only, for the same reason (their editor holds it). */
  __v: number;
  createdAt: Date;
  updatedAt: Date;
}

const pitchSchema = new Schema<Pitch>(
  {
    callId: { type: Schema.Types.ObjectId, ref: 'Call', required: true },
    applicantId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    slot: { type: Number, required: true, default: 0 },
    status: { type: String, enum: PITCH_STATUSES, required: true, default: 'draft' },
    title: { type: String, default: '', maxlength: 200 },
    angle: { type: String, default: '', maxlength: 4000 },
    audience: { type: String, default: '', maxlength: 1000 },
    outlet: { type: String, default: '', maxlength: 200 },
    format: { type: String, default: '', maxlength: 200 },
    themes: [{ type: String, maxlength: 40 }],
    ethicsPlan: { type: String, default: '', maxlength: 4000 },
    budgetLines: [
      new Schema<BudgetLine>(
        {
          item: { type: String, required: true, maxlength: 200 },
          amount: { type: Number, required: true, min: 0 },
        },
        { _id: false },
      ),
    ],
    budgetTotal: { type: Number, required: true, default: 0 },
    timeline: { type: String, default: '', maxlength: 2000 },
    fileIds: [{ type: Schema.Types.ObjectId, ref: 'StoredFile' }],
    submittedAt: { type: Date },
    withdrawnAt: { type: Date },
    receiptKey: { type: String, maxlength: 100 },
    reference: { type: String, maxlength: 20 },
    editedAt: { type: Date },
    decision: {
      type: new Schema<PitchDecision>(
        {
          outcome: { type: String, required: true, maxlength: 40 },
          amount: { type: Number, required: true, min: 0 },
          decidedAt: { type: Date, required: true },
          decidedBy: { type: Schema.Types.ObjectId, ref: 'User' },
          commentsToApplicant: { type: [{ type: String, maxlength: 4000 }], default: undefined },
        },
        { _id: false },
      ),
      required: false,
    },
  },
  { timestamps: true, optimisticConcurrency: true },
);
pitchSchema.index({ callId: 1, applicantId: 1, slot: 1 }, { unique: true });
pitchSchema.index({ callId: 1, status: 1 });
pitchSchema.index({ applicantId: 1, createdAt: -1 });

export const pitchModel = (db: Connection) => modelOn<Pitch>(db, 'Pitch', pitchSchema);

export type FileKind = 'sample' | 'outlet-letter' | 'other';
export const FILE_KINDS: readonly FileKind[] = ['sample', 'outlet-letter', 'other'];

/** A pitch attachment. Its original name is shown to the owner and staff only, never to blind reviewers. */
export interface StoredFileRecord extends StoredUploadFields {
  _id: Types.ObjectId;
  ownerId: Types.ObjectId;
  pitchId: Types.ObjectId;
  kind: FileKind;
  createdAt: Date;
}

const storedFileSchema = new Schema<StoredFileRecord>(
  {
    ownerId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    pitchId: { type: Schema.Types.ObjectId, ref: 'Pitch', required: true },
    kind: { type: String, enum: FILE_KINDS, required: true },
    ...storedUploadSchemaFields,
    createdAt: { type: Date, required: true },
  },
  { collection: 'storedfiles' },
);
storedFileSchema.index({ pitchId: 1, createdAt: 1 });
storedFileSchema.index({ storageKey: 1 }, { unique: true });

export const storedFileModel = (db: Connection) =>
  modelOn<StoredFileRecord>(db, 'StoredFile', storedFileSchema);
