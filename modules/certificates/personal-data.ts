import type { PersonalDataHook } from '../../server/context';
import { certificatesOf, eraseHolder } from './service';

/**
 * The certificates someone holds, for their data export (codes included: they are the holder's). On
 * erasure the name goes and the certificate stays verifiable by code, course and date, so a publisher
 * can still check a certificate it was shown was real.
 */
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
  erase: eraseHolder,
};
