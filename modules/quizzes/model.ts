import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export interface Text {
  en: string;
  mn: string;
}

export const QUESTION_TYPES = ['single', 'multiple', 'true-false', 'ordering', 'case', 'spot-harm'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface QuestionOption {
  id: string;
  text: Text;
  correct?: boolean;
  feedback: Text;
}

export interface Question {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  qid: string;
  objective: string;
  type: QuestionType;
  stem: Text;
  explanation?: Text;
  excerpt?: Text;
  case?: Text;
  options: QuestionOption[];
  elements?: QuestionOption[];
  /** Bumped whenever the imported content changes; attempts record the version they showed. */
  version: number;
  contentHash: string;
}

const text = { en: { type: String, required: true }, mn: { type: String, required: true } };
const optionSchema = new Schema<QuestionOption>(
  { id: { type: String, required: true }, text, correct: { type: Boolean }, feedback: text },
  { _id: false },
);

const questionSchema = new Schema<Question>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    qid: { type: String, required: true },
    objective: { type: String, required: true },
    type: { type: String, enum: QUESTION_TYPES, required: true },
    stem: text,
    explanation: { type: new Schema(text, { _id: false }), required: false },
    excerpt: { type: new Schema(text, { _id: false }), required: false },
    case: { type: new Schema(text, { _id: false }), required: false },
    options: { type: [optionSchema], required: true },
    elements: { type: [optionSchema], default: undefined },
    version: { type: Number, required: true, default: 1 },
    contentHash: { type: String, required: true },
  },
  { timestamps: true },
);
questionSchema.index({ courseId: 1, qid: 1 }, { unique: true });

export const questionModel = (db: Connection) => modelOn<Question>(db, 'Question', questionSchema);

export type QuizKind = 'pre' | 'post' | 'lesson';

/** One fixed set of questions of a pre- or post-test (parallel forms measure the same objectives). */
export interface QuizForm {
  id: string;
  questionIds: string[];
}

export interface Quiz {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  /** 'pre' | 'post' | 'lesson:<slug>' — unique per course */
  key: string;
  kind: QuizKind;
  lessonId?: Types.ObjectId;
  title: Text;
  /** The quiz's questions: a lesson quiz's pool, a test's own form (see `forms` for all it may show). */
  questionIds: string[];
  /**
   * Pre- and post-tests: the forms an attempt takes one of, whole. Parallel forms are shared by the
   * pre- and post-test and `counterbalance` is set: each trainee gets one form before and another
   * after, assigned at random and balanced; a post-test retake takes a form other than the last.
   */
  forms?: QuizForm[];
  counterbalance?: boolean;
  /** Pre- and post-test: the course's attitude and practice items (sids), shown after the questions. */
  survey?: string[];
  draw: number;
  passingScore: number;
  maxAttempts: number;
  timeLimitMinutes?: number;
  feedbackMode: 'after-submit';
}

const formSchema = new Schema<QuizForm>(
  { id: { type: String, required: true }, questionIds: { type: [String], required: true } },
  { _id: false },
);

const quizSchema = new Schema<Quiz>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    kind: { type: String, enum: ['pre', 'post', 'lesson'], required: true },
    lessonId: { type: Schema.Types.ObjectId },
    title: text,
    questionIds: { type: [String], required: true },
    forms: { type: [formSchema], default: undefined },
    counterbalance: { type: Boolean },
    survey: { type: [String], default: undefined },
    draw: { type: Number, required: true, min: 1 },
    passingScore: { type: Number, required: true, min: 0, max: 100 },
    maxAttempts: { type: Number, required: true, min: 1 },
    timeLimitMinutes: { type: Number, min: 1 },
    feedbackMode: { type: String, enum: ['after-submit'], default: 'after-submit' },
  },
  { timestamps: true },
);
quizSchema.index({ courseId: 1, key: 1 }, { unique: true });

export const quizModel = (db: Connection) => modelOn<Quiz>(db, 'Quiz', quizSchema);

export interface AttemptItem {
  qid: string;
  objective: string;
  type: QuestionType;
  questionVersion: number;
  optionOrder: string[];
  elementOrder?: string[];
}

export interface AttemptResult {
  qid: string;
  objective: string;
  correct: boolean;
  chosen: string[];
}

export type Answers = Record<string, string[]>;

/** A survey item (attitude or practice) as one attempt shows it: never graded. */
export interface AttemptSurveyItem {
  sid: string;
  kind: 'attitude' | 'practice';
  scale: 'agreement' | 'choice' | 'frequency';
  version: number;
  optionOrder: string[];
}

/**
 * One survey answer as submitted: `value` the raw point (agreement or frequency 1–5, or the chosen
 * option's practice level), `keyed` the value in the course's direction (reversed items: 6 − value),
 * `high` agreeing (attitudes: 4 or 5) or the safest practice (practices: the top level; "often" or
 * "always" the safe way on a frequency scale).
 */
export interface SurveyResult {
  sid: string;
  kind: 'attitude' | 'practice';
  choice: string;
  value: number;
  keyed: number;
  high: boolean;
}

export interface Attempt {
  _id: Types.ObjectId;
  quizId: Types.ObjectId;
  quizKey: string;
  courseId: Types.ObjectId;
  userId: Types.ObjectId;
  attemptNo: number;
  /** The form of a pre- or post-test this attempt took. */
  form?: string;
  status: 'started' | 'submitted';
  startedAt: Date;
  deadlineAt?: Date;
  submittedAt?: Date;
  /** When the answers were last saved (server clock). */
  savedAt?: Date;
  items: AttemptItem[];
  /** qid → chosen ids; case: [classification, element]; ordering: ids in the chosen order. */
  answers: Answers;
  score?: number;
  passed?: boolean;
  results?: AttemptResult[];
  /** The results again as one string, for reports (see packed-results.ts). */
  resultsPacked?: string;
  /** Attitude and practice items (first attempts of a pre- or post-test with a survey). */
  surveyItems?: AttemptSurveyItem[];
  /** sid → chosen option id (a scale point '1'–'5' or a practice option); optional, never graded. */
  survey?: Record<string, string>;
  surveyResults?: SurveyResult[];
}

const itemSchema = new Schema<AttemptItem>(
  {
    qid: { type: String, required: true },
    objective: { type: String, required: true },
    type: { type: String, enum: QUESTION_TYPES, required: true },
    questionVersion: { type: Number, required: true },
    optionOrder: { type: [String], required: true },
    elementOrder: { type: [String], default: undefined },
  },
  { _id: false },
);
const resultSchema = new Schema<AttemptResult>(
  {
    qid: { type: String, required: true },
    objective: { type: String, required: true },
    correct: { type: Boolean, required: true },
    chosen: { type: [String], default: [] },
  },
  { _id: false },
);

const surveyItemSchema = new Schema<AttemptSurveyItem>(
  {
    sid: { type: String, required: true },
    kind: { type: String, enum: ['attitude', 'practice'], required: true },
    scale: { type: String, enum: ['agreement', 'choice', 'frequency'], required: true },
    version: { type: Number, required: true },
    optionOrder: { type: [String], required: true },
  },
  { _id: false },
);
const surveyResultSchema = new Schema<SurveyResult>(
  {
    sid: { type: String, required: true },
    kind: { type: String, enum: ['attitude', 'practice'], required: true },
    choice: { type: String, required: true },
    value: { type: Number, required: true, min: 1, max: 5 },
    keyed: { type: Number, required: true, min: 1, max: 5 },
    high: { type: Boolean, required: true },
  },
  { _id: false },
);

const attemptSchema = new Schema<Attempt>(
  {
    quizId: { type: Schema.Types.ObjectId, required: true },
    quizKey: { type: String, required: true },
    courseId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    attemptNo: { type: Number, required: true, min: 1 },
    form: { type: String },
    status: { type: String, enum: ['started', 'submitted'], required: true, default: 'started' },
    startedAt: { type: Date, required: true },
    deadlineAt: { type: Date },
    submittedAt: { type: Date },
    savedAt: { type: Date },
    items: { type: [itemSchema], required: true },
    answers: { type: Schema.Types.Mixed, default: () => ({}) },
    score: { type: Number, min: 0, max: 100 },
    passed: { type: Boolean },
    results: { type: [resultSchema], default: undefined },
    // Read by reports only (through the driver): other reads of an attempt leave it out.
    resultsPacked: { type: String, select: false },
    surveyItems: { type: [surveyItemSchema], default: undefined },
    survey: { type: Schema.Types.Mixed, default: undefined },
    surveyResults: { type: [surveyResultSchema], default: undefined },
  },
  { timestamps: true, minimize: false },
);
attemptSchema.index({ quizId: 1, userId: 1, attemptNo: 1 }, { unique: true });
// A trainee's attempts (of a course): userId leads, so a cohort's report, which joins each enrolment to
// its attempts by userId alone, looks each trainee up instead of scanning every attempt per trainee.
attemptSchema.index({ userId: 1, courseId: 1 });
attemptSchema.index({ quizKey: 1, status: 1 });
// Reports: attempts of a course by quiz and status, and per quiz ranked by score.
attemptSchema.index({ courseId: 1, quizKey: 1, status: 1, userId: 1 });
attemptSchema.index({ quizId: 1, status: 1, score: -1 });

export const attemptModel = (db: Connection) => modelOn<Attempt>(db, 'Attempt', attemptSchema);
