import type { AppContext, PersonalDataHook } from '../../server/context';
import { oid } from '../../server/db/ids';
import { liveSessionModel, type LiveSession } from './model';

/** A person's sign-ups and attendance, for their data export; erasure takes them off every roster. */
export const sessionsPersonalData: PersonalDataHook = {
  key: 'liveSessions',
  async export(ctx: AppContext, userId: string) {
    const uid = oid(userId);
    const rows = await liveSessionModel(ctx.db)
      .find({ registeredIds: uid }, { title: 1, startsAt: 1, endsAt: 1, registrations: 1, attendance: 1 })
      .lean<LiveSession[]>();
    return rows.map((s) => ({
      title: s.title,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      signedUpAt: s.registrations.find((r) => r.userId.equals(uid))?.at,
      attendedAt: s.attendance.find((a) => a.userId.equals(uid))?.at,
    }));
  },
  async erase(ctx: AppContext, userId: string) {
    const uid = oid(userId);
    const Sessions = liveSessionModel(ctx.db);
    const mine = await Sessions.find({ registeredIds: uid }, { _id: 1 }).lean();
    for (const s of mine)
      await Sessions.updateOne(
        { _id: s._id, registeredIds: uid },
        {
          $inc: { seatsLeft: 1 },
          $pull: {
            registeredIds: uid,
            registrations: { userId: uid },
            attendedIds: uid,
            attendance: { userId: uid },
          },
        },
      );
  },
};
