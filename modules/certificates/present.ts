import type { Locale } from '../../server/types';
import type { Certificate } from './model';

const titleIn = (cert: Certificate, lang: Locale) => cert.courseTitle[lang] || cert.courseTitle.en;

/** What the holder sees in their own list. */
export function forHolder(cert: Certificate, lang: Locale) {
  return {
    id: String(cert._id),
    code: cert.code,
    courseTitle: titleIn(cert, lang),
    issuedAt: cert.issuedAt,
    showName: cert.showName,
    revokedAt: cert.revokedAt,
  };
}

/** The public verification page: status, course, date, and the name only with the holder's consent. */
export function forPublic(cert: Certificate, lang: Locale) {
  return {
    code: cert.code,
    courseTitle: titleIn(cert, lang),
    issuedAt: cert.issuedAt,
    revokedAt: cert.revokedAt,
    holderName: cert.showName ? cert.holderName : undefined,
  };
}

/** Trainers' and admins' list of issued certificates. */
export function forStaff(cert: Certificate, lang: Locale) {
  return {
    id: String(cert._id),
    code: cert.code,
    holderName: cert.holderName,
    courseTitle: titleIn(cert, lang),
    issuedAt: cert.issuedAt,
    revokedAt: cert.revokedAt,
    revokeReason: cert.revokeReason,
  };
}
