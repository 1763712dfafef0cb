import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12;
const VALID = /^[0-9A-HJKMNP-TV-Z]{12}$/;

const group = (raw: string) => `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;

/** 12 symbols × 5 bits = 60 bits from the CSPRNG (256 is a multiple of 32, so no modulo bias). */
export function newCertificateCode(): string {
  const bytes = randomBytes(LENGTH);
  let raw = '';
  for (const b of bytes) raw += ALPHABET[b & 31];
  return group(raw);
}

/**
 * A typed code in its stored form, or undefined when it cannot be one. Forgiving the way Crockford
 * intends: case, spaces and dashes do not matter; O reads as 0, I and L as 1.
 */
export function normalizeCode(input: string): string | undefined {
  const raw = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return VALID.test(raw) ? group(raw) : undefined;
}
