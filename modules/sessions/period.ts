import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { liveSessionModel, type Bilingual, type SessionKind } from './model';
import { rulesFor } from './service-manage';

/** A held (not cancelled) session of a period, with who signed up and who attended (ids only). */
export interface PeriodSession {
  _id: Types.ObjectId;
  kind: SessionKind;
  title: Bilingual;
  startsAt: Date;
  capacity: number;
  registeredIds: Types.ObjectId[];
  attendedIds: Types.ObjectId[];
}

/** A course's scheduled sessions starting in [from, to), in time order. */
export async function sessionsInPeriod(
  ctx: AppContext,
  courseId: Types.ObjectId,
  from: Date,
  to: Date,
): Promise<PeriodSession[]> {
  return liveSessionModel(ctx.db)
    .find(
      { courseId, status: 'scheduled', startsAt: trusted({ $gte: from, $lt: to }) },
      { kind: 1, title: 1, startsAt: 1, capacity: 1, registeredIds: 1, attendedIds: 1 },
    )
    .sort({ startsAt: 1, _id: 1 })
    .limit(5000)
    .lean<PeriodSession[]>();
}

/** The zone a course's sessions (and so its programme periods) are set in. */
export async function courseTimeZone(ctx: AppContext, courseId: Types.ObjectId): Promise<string> {
  return (await rulesFor(ctx, courseId)).timeZone;
}
