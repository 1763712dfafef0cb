import { z } from 'zod';
import { text } from '../../server/http/validate';

/** A record id from the path; anything that cannot be one is simply not found. */
export const showNameForm = z.strictObject({ showName: z.enum(['true', 'false']) });

/** Anything typed is looked up (and answered the same way when malformed); only size is capped. */
export const verifyQuery = z.strictObject({ code: z.string().max(64).optional() });
export const codeParams = z.strictObject({ code: z.string().max(64) });

export const revokeForm = z.strictObject({
  reason: text(500).min(3, 'certificates.errors.reason'),
});
