import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { getCourseOutline, type PeriodEnrolment } from '../learning';
import { statsProfiles, OUTLET_TYPES, GENDERS, type StatsProfile } from '../accounts';
import { sessionsInPeriod, type PeriodSession } from '../sessions';
import { kapShifts, learningGain } from '../reports';
import { cell, column, type Cell, type Count } from './suppress';
import type { Period } from './period';

type Text = { en: string; mn: string };

export interface Group {
  /** '' = not stated (or, for outlet type and gender, not agreed to be counted) */
  key: string;
  enrolled: Cell;
  completed: Cell;
}

export interface TrainingFigures {
  enrolled: Cell;
  completed: Cell;
  groups: { region: Group[]; outletType: Group[]; gender: Group[] };
}

export interface SessionRow {
  title: Text;
  kind: string;
  startsAt: Date;
  capacity: number;
  signedUp: Cell;
  attended: Cell;
}

export interface AttendanceFigures {
  held: number;
  signedUp: Cell;
  attendances: Cell;
  attendees: Cell;
  /** attendances ÷ sign-ups, percent */
  rate: Cell;
  sessions: SessionRow[];
}

export interface ObjectiveRow {
  id: string;
  label: Text;
  n: Cell;
  preShare: number | null;
  postShare: number | null;
  gain: number | null;
  ci: [number, number] | null;
  shown: boolean;
  suppressed: boolean;
}

export interface KapRow {
  sid: string;
  text: Text;
  kind: string;
  n: Cell;
  preMean: number | null;
  postMean: number | null;
  shift: number | null;
  ci: [number, number] | null;
  shown: boolean;
  suppressed: boolean;
}

/** One breakdown of the population by a profile field: each group's enrolled and completed counts. */
function breakdown(
  people: PeriodEnrolment[],
  keyOf: (e: PeriodEnrolment) => string,
  order: readonly string[] | undefined,
  min: number,
): Group[] {
  const tally = new Map<string, { enrolled: number; completed: number }>();
  for (const k of order ?? []) tally.set(k, { enrolled: 0, completed: 0 });
  for (const e of people) {
    const k = keyOf(e);
    const t = tally.get(k) ?? { enrolled: 0, completed: 0 };
    t.enrolled += 1;
    if (e.completedAt) t.completed += 1;
    tally.set(k, t);
  }
  if (!tally.has('')) tally.set('', { enrolled: 0, completed: 0 });
  const keys = [...tally.keys()].filter((k) => k !== '');
  if (!order) keys.sort((a, b) => a.localeCompare(b));
  keys.push('');
  const rows = keys.map((k) => tally.get(k)!);
  const enrolled = column(
    rows.map((r) => ({ value: r.enrolled, people: r.enrolled })),
    min,
  );
  const completed = column(
    rows.map((r) => ({ value: r.completed, people: r.completed })),
    min,
    enrolled.map((c) => c.suppressed),
  );
  return keys.map((key, i) => ({ key, enrolled: enrolled[i]!, completed: completed[i]! }));
}

export async function trainingFigures(
  ctx: AppContext,
  people: PeriodEnrolment[],
  min: number,
): Promise<TrainingFigures> {
  const profiles = new Map<string, StatsProfile>(
    (
      await statsProfiles(
        ctx,
        people.map((e) => e.userId),
      )
    ).map((p) => [String(p._id), p]),
  );
  const of = (e: PeriodEnrolment) => profiles.get(String(e.userId));
  const completed = people.filter((e) => e.completedAt).length;
  return {
    enrolled: cell({ value: people.length, people: people.length }, min),
    completed: cell({ value: completed, people: completed }, min),
    groups: {
      region: breakdown(people, (e) => of(e)?.region ?? '', undefined, min),
      outletType: breakdown(people, (e) => of(e)?.outletType ?? '', OUTLET_TYPES, min),
      gender: breakdown(people, (e) => of(e)?.gender ?? '', GENDERS, min),
    },
  };
}

/** Sign-ups and attendance of the report's trainees at the course's sessions held in the period. */
export async function attendanceFigures(
  ctx: AppContext,
  courseId: Types.ObjectId,
  period: Period,
  people: PeriodEnrolment[],
  min: number,
): Promise<AttendanceFigures> {
  const trainees = new Set(people.map((e) => String(e.userId)));
  const sessions: PeriodSession[] = await sessionsInPeriod(ctx, courseId, period.from, period.to);
  const ours = (ids: Types.ObjectId[]) => ids.map(String).filter((id) => trainees.has(id));
  const per = sessions.map((s) => ({ reg: ours(s.registeredIds), att: ours(s.attendedIds) }));
  const registrants = new Set(per.flatMap((p) => p.reg));
  const attendees = new Set(per.flatMap((p) => p.att));
  const signUps: Count = { value: per.reduce((n, p) => n + p.reg.length, 0), people: registrants.size };
  const attendances: Count = { value: per.reduce((n, p) => n + p.att.length, 0), people: attendees.size };
  const signedUpCol = column(
    per.map((p) => ({ value: p.reg.length, people: p.reg.length })),
    min,
  );
  const attendedCol = column(
    per.map((p) => ({ value: p.att.length, people: p.att.length })),
    min,
    signedUpCol.map((c) => c.suppressed),
  );
  const rateHidden = cell(signUps, min).suppressed || cell(attendances, min).suppressed;
  return {
    held: sessions.length,
    signedUp: cell(signUps, min),
    attendances: cell(attendances, min),
    attendees: cell({ value: attendees.size, people: attendees.size }, min),
    rate:
      rateHidden || signUps.value === 0
        ? { value: null, suppressed: rateHidden }
        : { value: (100 * attendances.value) / signUps.value, suppressed: false },
    sessions: sessions.map((s, i) => ({
      title: s.title,
      kind: s.kind,
      startsAt: s.startsAt,
      capacity: s.capacity,
      signedUp: signedUpCol[i]!,
      attended: attendedCol[i]!,
    })),
  };
}

/** The knowledge section: figures per objective and survey item, and who is left out of them. */
export interface Knowledge {
  objectives: ObjectiveRow[];
  kap: KapRow[];
  outsideCohorts: number;
  /** Trainees with one test only: not in the figures, counted so a reader can judge who finished. */
  unpaired: { preOnly: Cell; postOnly: Cell };
}

/**
 * Knowledge per objective and attitude/practice shifts per survey item, from the reports module's
 * paired computations (first pre-test against first post-test, 95 % paired t-intervals), for the
 * cohorts the period's trainees belong to. A row paired on fewer than `min` trainees is suppressed.
 */
export async function knowledgeFigures(
  ctx: AppContext,
  courseId: Types.ObjectId,
  people: PeriodEnrolment[],
  min: number,
): Promise<Knowledge> {
  const scope = [
    ...new Map(people.flatMap((e) => (e.cohortId ? [[String(e.cohortId), e.cohortId]] : []))).values(),
  ];
  const f = { courseId, scope };
  const [gain, kap, outline] = await Promise.all([
    learningGain(ctx, f, 1, 0),
    kapShifts(ctx, f),
    getCourseOutline(ctx, courseId),
  ]);
  const label = (id: string): Text =>
    outline?.objectives.find((o) => o.id === id)?.label ?? { en: id, mn: id };
  return {
    objectives: gain.objectives.map((o) => {
      const n = cell({ value: o.n, people: o.n }, min);
      return n.suppressed
        ? {
            id: o.objective,
            label: label(o.objective),
            n,
            preShare: null,
            postShare: null,
            gain: null,
            ci: null,
            shown: false,
            suppressed: true,
          }
        : {
            id: o.objective,
            label: label(o.objective),
            n,
            preShare: o.preShare,
            postShare: o.postShare,
            gain: o.gain,
            ci: o.ci,
            shown: o.shown,
            suppressed: false,
          };
    }),
    kap: kap.map((k) => {
      const n = cell({ value: k.n, people: k.n }, min);
      const base = { sid: k.sid, text: k.text, kind: k.kind, n };
      return n.suppressed
        ? { ...base, preMean: null, postMean: null, shift: null, ci: null, shown: false, suppressed: true }
        : {
            ...base,
            preMean: k.preMean,
            postMean: k.postMean,
            shift: k.shift,
            ci: k.ci,
            shown: k.shown,
            suppressed: false,
          };
    }),
    outsideCohorts: people.filter((e) => !e.cohortId).length,
    unpaired: {
      preOnly: cell({ value: gain.unpaired.preOnly, people: gain.unpaired.preOnly }, min),
      postOnly: cell({ value: gain.unpaired.postOnly, people: gain.unpaired.postOnly }, min),
    },
  };
}
