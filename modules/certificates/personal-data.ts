import type { PersonalDataHook } from '../../server/context';
import { certificatesOf } from './service';

/** The certificates someone holds, for their data export (codes included: they are the holder's). */
export const certificatesPersonalData: PersonalDataHook = {
  key: 'certificates',
  async export(ctx, userId) {
    return (await certificatesOf(ctx, userId)).map((c) => ({
      code: c.code,
      course: c.courseTitle,
      holderName: c.holderName,
      issuedAt: c.issuedAt,
      nameShownOnVerification: c.showName,
      revokedAt: c.revokedAt ?? null,
    }));
  },
};
