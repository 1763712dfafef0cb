import { z } from 'zod';
import { LOCALES, ROLES } from '../../server/types';
import { displayName } from '../../server/http/attachment';
import { GENDERS, OUTLET_TYPES } from './model';

// Strict RFC-ish address check: no spaces, no CR/LF, one @, a dotted domain.
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@<>()[\],;:"\\]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'accounts.errors.email');

export const newPassword = z
  .string()
  .min(8, 'accounts.errors.passwordShort')
  .max(128, 'accounts.errors.passwordLong');
// Names are shown to others (admin lists, reviewer boards, e-mails): no bidi overrides, zero-width or
// control characters that would make one name read as another.
const name = z
  .string()
  .max(400)
  .transform(displayName)
  .pipe(z.string().min(1, 'accounts.errors.required').max(120));
const next = z.string().max(500).optional();
export const loginQuery = z.object({
  next: z.string().max(500).optional().catch(undefined),
  notice: z.enum(['passwordReset', 'accountDeleted']).optional().catch(undefined),
});

export const loginForm = z.strictObject({
  email: z.string().trim().max(254),
  password: z.string().max(128),
  next,
});
export const totpForm = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'accounts.errors.code'),
});

/** A recovery code at the second step; its shape is checked by the service, which calls it wrong. */
export const recoveryCodeForm = z.strictObject({
  recoveryCode: z
    .string()
    .trim()
    .min(1, 'accounts.errors.recoveryWrong')
    .max(64, 'accounts.errors.recoveryWrong'),
});

/** Regenerating recovery codes takes no input besides the step-up secret (taken out before). */
export const regenerateCodesForm = z.strictObject({});
export const registerForm = z.strictObject({
  name,
  email,
  password: newPassword,
  outlet: z.string().trim().max(120).optional(),
  region: z.string().trim().max(80).optional(),
  locale: z.enum(LOCALES).optional(),
});
export const forgotForm = z.strictObject({ email: z.string().trim().max(254) });
export const resetForm = z.strictObject({ password: newPassword });
export const acceptInviteForm = z.strictObject({ name, password: newPassword });
export const profileForm = z.strictObject({
  name,
  outlet: z.string().trim().max(120).optional(),
  region: z.string().trim().max(80).optional(),
  // '' is "not stated" (the select's and the radio group's first choice).
  outletType: z.enum(['', ...OUTLET_TYPES]).optional(),
  gender: z.enum(['', ...GENDERS]).optional(),
  statsConsent: z.literal('on').optional(),
  locale: z.enum(LOCALES),
  timeZone: z.string().trim().max(64).optional(),
  remindersOptOut: z.literal('on').optional(),
});
export const langForm = z.strictObject({ lang: z.enum(LOCALES), next });
export const inviteForm = z.strictObject({ email, name, role: z.enum(ROLES) });
export const userUpdateForm = z.strictObject({ role: z.enum(ROLES), status: z.enum(['active', 'disabled']) });
export const tokenParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
export const deleteAccountForm = z.strictObject({
  password: z.string().min(1, 'accounts.errors.required').max(128),
});
export const changePasswordForm = z.strictObject({
  currentPassword: z.string().min(1, 'accounts.errors.required').max(128, 'accounts.errors.passwordLong'),
  newPassword,
});
