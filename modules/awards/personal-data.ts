import type { PersonalDataHook } from '../../server/context';
import { myAwards } from './service';

/** A journalist's released awards (milestones, tranches paid), for their data export; staff ids left out. */
export const awardsPersonalData: PersonalDataHook = {
  key: 'awards',
  async export(ctx, userId) {
    return (await myAwards(ctx, userId)).map((a) => ({
      title: a.title,
      outlet: a.outlet ?? null,
      amount: a.amount,
      status: a.status,
      acceptedAt: a.acceptedAt ?? null,
      milestones: a.milestones.map((m) => ({
        key: m.key,
        at: m.at,
        link: m.link ?? null,
        note: m.note ?? null,
      })),
      tranches: a.tranches.map((t) => ({ key: t.key, amount: t.amount, paidAt: t.paidAt ?? null })),
      publishedUrl: a.publishedUrl ?? null,
      publishedAt: a.publishedAt ?? null,
      createdAt: a.createdAt,
    }));
  },
};
