/**
 * The reviewer read model. It is built field by field from an allowlist, so nothing that identifies
 * the applicant (name, e-mail, applicant id, file names, outlet on a blind call) can reach a view.
 */
import type { Locale } from '../../server/types';
import { fileSize } from '../../server/i18n';
import {
  DECIDED_STATUSES,
  formatInZone,
  pitchesFinal,
  type CallDoc,
  type PitchDoc,
  type StoredFileDoc,
} from './grants-port';
import type { Assignment, Review } from './model';

export interface BlindFile {
  index: number;
  label: string;
  kind: string;
  ext: string;
  sizeLabel: string;
}

export interface BlindPitch {
  title: string;
  angle: string;
  audience: string;
  format: string;
  themes: string[];
  ethicsPlan: string;
  budgetLines: Array<{ item: string; amount: number }>;
  budgetTotal: number;
  timeline: string;
  /** Only when the call is not blind. */
  outlet?: string;
  files: BlindFile[];
}

/** A neutral, safe extension: letters and digits only, from the stored (verified) type. */
export const safeExt = (ext: string) => (/^[a-z0-9]{1,8}$/i.test(ext) ? ext.toLowerCase() : 'bin');

export function blindFiles(files: StoredFileDoc[], lang: Locale): BlindFile[] {
  return files.map((f, i) => ({
    index: i + 1,
    label: `${i + 1}`,
    // What it is (work sample, outlet letter…): the applicant's own choice from a fixed list, never a name.
    kind: ['sample', 'outlet-letter', 'other'].includes(f.kind) ? f.kind : 'other',
    ext: safeExt(f.ext).toUpperCase(),
    sizeLabel: fileSize(f.size, lang),
  }));
}

export function themeLabels(call: CallDoc, ids: string[] = [], lang: Locale): string[] {
  return ids.map((id) => {
    const theme = call.themes?.find((t) => t.id === id);
    if (!theme) return id;
    return typeof theme.label === 'string' ? theme.label : theme.label[lang] || theme.label.en;
  });
}

export function blindPitch(call: CallDoc, pitch: PitchDoc, files: StoredFileDoc[], lang: Locale): BlindPitch {
  return {
    title: pitch.title ?? '',
    angle: pitch.angle ?? '',
    audience: pitch.audience ?? '',
    format: pitch.format ?? '',
    themes: themeLabels(call, pitch.themes, lang),
    ethicsPlan: pitch.ethicsPlan ?? '',
    budgetLines: (pitch.budgetLines ?? []).map((l) => ({ item: l.item, amount: l.amount })),
    budgetTotal: pitch.budgetTotal ?? 0,
    timeline: pitch.timeline ?? '',
    ...(call.blind ? {} : { outlet: pitch.outlet ?? '' }),
    files: blindFiles(files, lang),
  };
}

export interface RubricView {
  id: string;
  label: string;
  guidance: string;
  scaleMax: number;
  weight: number;
  /** What a low, middle and top score look like: i18n keys `reviews.anchors.<set>.low|mid|high`. */
  anchors: Array<{ score: number; key: string }>;
}

/** Criteria of the default rubric with their own level descriptors; any other criterion gets generic ones. */
const ANCHORED = new Set([
  'comprehension',
  'appeal',
  'acceptability',
  'relevance',
  'persuasion',
  'ethics-victim-safety',
  'feasibility',
]);

export const rubricView = (call: CallDoc, lang: Locale): RubricView[] =>
  call.rubric.map((c) => {
    const set = ANCHORED.has(c.id) ? c.id : 'generic';
    const points = [...new Set([1, Math.ceil(c.scaleMax / 2), c.scaleMax])].filter((n) => n >= 1);
    const levels =
      points.length === 3 ? ['low', 'mid', 'high'] : points.length === 2 ? ['low', 'high'] : ['high'];
    return {
      id: c.id,
      label: c.label?.[lang] || c.label?.en || c.id,
      guidance: c.guidance?.[lang] || c.guidance?.en || '',
      scaleMax: c.scaleMax,
      weight: c.weight,
      anchors: points.map((score, i) => ({ score, key: `reviews.anchors.${set}.${levels[i]}` })),
    };
  });

/** The weighted total the board uses (0–100), for what has been scored so far. */
export function runningTotal(rubric: RubricView[], scores: Record<string, number | string | undefined>) {
  const weight = rubric.reduce((s, c) => s + c.weight, 0);
  let sum = 0;
  let scored = 0;
  for (const c of rubric) {
    const raw = scores[c.id];
    const n = typeof raw === 'number' ? raw : /^\d{1,2}$/.test(String(raw ?? '').trim()) ? Number(raw) : NaN;
    if (!(n >= 0 && n <= c.scaleMax)) continue;
    sum += (c.weight * n) / c.scaleMax;
    scored++;
  }
  return { value: weight > 0 ? Math.round((sum / weight) * 1000) / 10 : 0, scored, of: rubric.length };
}

export const callTitle = (call: CallDoc, lang: Locale) => call.title?.[lang] || call.title?.en || '';

/** The reviewer's own review as a form sees it. */
export function ownReviewView(review: Review | null) {
  return {
    version: review?.version ?? 0,
    status: review?.status ?? 'draft',
    scores: Object.fromEntries((review?.scores ?? []).map((s) => [s.criterionId, s.score])),
    commentToApplicant: review?.commentToApplicant ?? '',
    privateComment: review?.privateComment ?? '',
    recommendation: review?.recommendation ?? '',
    submittedAt: review?.submittedAt,
  };
}

/** Other reviewers' submitted reviews, for a reviewer who has submitted: no names, no private notes. */
export function peerReviewView(reviews: Review[]) {
  return reviews.map((r, i) => ({
    label: i + 1,
    scores: Object.fromEntries(r.scores.map((s) => [s.criterionId, s.score])),
    commentToApplicant: r.commentToApplicant,
    recommendation: r.recommendation ?? '',
  }));
}

/** A due date in the call's own zone, named, so a reviewer abroad sees the day the admin picked. */
export function dueLabel(dueAt: Date | undefined, call: Pick<CallDoc, 'timeZone'> | undefined, lang: Locale) {
  return dueAt ? formatInZone(dueAt, call?.timeZone ?? 'Asia/Ulaanbaatar', lang) : '';
}

export function assignmentListItem(
  a: Assignment,
  pitch: Pick<PitchDoc, 'title' | 'status'> | undefined,
  call: CallDoc | undefined,
  lang: Locale,
  now: Date,
) {
  // Accepted before a fixed deadline: the pitch opens for reading at the deadline.
  const waiting = a.status === 'accepted' && !!call && !pitchesFinal(call, now);
  // Decided before this reviewer submitted: the review is no longer needed.
  const decided = a.status !== 'submitted' && !!pitch && DECIDED_STATUSES.includes(pitch.status);
  return {
    id: String(a._id),
    status: decided ? ('decided' as const) : waiting ? ('waiting' as const) : a.status,
    due: dueLabel(a.dueAt, call, lang),
    // The title is shown before the declaration so a reviewer can recognise a conflict.
    title: pitch?.title ?? '',
    callTitle: call ? callTitle(call, lang) : '',
  };
}
