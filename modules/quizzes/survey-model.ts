import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import type { Text } from './model';

/**
 * Attitude and practice items (the A and P of a KAP survey) shown in a course's pre- and post-test.
 * They are never graded: an attempt stores the answer and its value beside, not inside, its results.
 *
 * - attitude: a statement rated on a 1–5 agreement scale. `reversed` marks statements agreeing with
 *   which is the attitude the course works against (e.g. blaming victims); their keyed value is 6 − x.
 * - practice, scale 'choice': "what would you do" with options, each mapped to a practice level
 *   (1 = least safe … up to 5 = safest).
 * - practice, scale 'frequency': "how often would you …" on a 1–5 scale (never … always);
 *   `reversed` when doing it often is the unsafe practice.
 */
export const SURVEY_KINDS = ['attitude', 'practice'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];
export const SURVEY_SCALES = ['agreement', 'choice', 'frequency'] as const;
export type SurveyScale = (typeof SURVEY_SCALES)[number];
/** The points of the agreement and frequency scales, as stored option ids. */
export const SCALE_POINTS = ['1', '2', '3', '4', '5'];

export interface SurveyOption {
  id: string;
  text: Text;
  level: number;
}

export interface SurveyItem {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  sid: string;
  kind: SurveyKind;
  scale: SurveyScale;
  /** The campaign dimension it measures (an id of the survey's `dimensions`), and its label. */
  dimension: string;
  dimensionLabel: Text;
  reversed: boolean;
  /** The statement (attitude) or the scenario and question (practice). */
  text: Text;
  options?: SurveyOption[];
  /** Place in the survey (items are shown in the file's order, the same before and after). */
  position: number;
  version: number;
  contentHash: string;
}

const text = { en: { type: String, required: true }, mn: { type: String, required: true } };
const surveyItemSchema = new Schema<SurveyItem>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    sid: { type: String, required: true },
    kind: { type: String, enum: SURVEY_KINDS, required: true },
    scale: { type: String, enum: SURVEY_SCALES, required: true },
    dimension: { type: String, required: true },
    dimensionLabel: text,
    reversed: { type: Boolean, required: true },
    text,
    options: {
      type: [
        new Schema<SurveyOption>(
          {
            id: { type: String, required: true },
            text,
            level: { type: Number, required: true, min: 1, max: 5 },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    position: { type: Number, required: true },
    version: { type: Number, required: true, default: 1 },
    contentHash: { type: String, required: true },
  },
  { timestamps: true },
);
surveyItemSchema.index({ courseId: 1, sid: 1 }, { unique: true });

export const surveyItemModel = (db: Connection) => modelOn<SurveyItem>(db, 'SurveyItem', surveyItemSchema);

/** The highest value an item's answers can take (the top of its scale). */
export const topLevel = (item: Pick<SurveyItem, 'scale' | 'options'>) =>
  item.scale === 'choice' ? Math.max(...(item.options ?? []).map((o) => o.level)) : 5;
