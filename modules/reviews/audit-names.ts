import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { AuditNamer } from '../audit';
import { pitchesByIds } from './grants-port';
import { assignmentModel, reviewModel } from './model';
import { usersById } from './users';

const $in = (values: unknown[]) => mongoose.trusted({ $in: values });

/** Reviews and assignments in the audit log: the pitch's title and the reviewer's name (staff only). */
export const reviewAuditNames: AuditNamer = {
  types: ['review', 'assignment'],
  async names(ctx: AppContext, type: string, ids: string[]) {
    const oids = ids.map((id) => new mongoose.Types.ObjectId(id));
    const rows =
      type === 'review'
        ? await reviewModel(ctx.db)
            .find({ _id: $in(oids) }, { pitchId: 1, reviewerId: 1 })
            .lean()
        : await assignmentModel(ctx.db)
            .find({ _id: $in(oids) }, { pitchId: 1, reviewerId: 1 })
            .lean();
    const pitches = new Map(
      (
        await pitchesByIds(
          ctx,
          rows.map((r) => r.pitchId),
        )
      ).map((p) => [String(p._id), p.title]),
    );
    const people = await usersById(
      ctx,
      rows.map((r) => r.reviewerId),
    );
    return new Map(
      rows.map((r) => {
        const title = pitches.get(String(r.pitchId)) ?? '';
        const who = people.get(String(r.reviewerId))?.name;
        return [String(r._id), who ? `${title} (${who})` : title] as const;
      }),
    );
  },
};
