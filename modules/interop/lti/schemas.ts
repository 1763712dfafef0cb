import { z } from 'zod';
import { GRADE_POLICIES } from './model';

const url = z
  .string()
  .trim()
  .max(1000)
  .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), 'interop.lti.errors.url');
const text = (max: number, key: string) => z.string().trim().min(1, key).max(max, key);

export const platformForm = z.strictObject({
  name: text(120, 'interop.lti.errors.name'),
  issuer: url,
  clientId: text(255, 'interop.lti.errors.clientId'),
  deploymentIds: z
    .string()
    .max(2000)
    .transform((v) => [...new Set(v.split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string().max(255)).min(1, 'interop.lti.errors.deploymentIds').max(50)),
  authLoginUrl: url,
  accessTokenUrl: url,
  keysetUrl: url,
  gradePolicy: z.enum(GRADE_POLICIES, 'interop.lti.errors.gradePolicy').default('best'),
});
export type PlatformInput = z.infer<typeof platformForm>;

/**
 * OIDC login initiation (GET query or POST form). LMSs add their own parameters (Canvas:
 * canvas_region, lti_storage_target): unknown keys are dropped here rather than refused, so a
 * conforming platform is never locked out; nothing but the listed fields is read.
 */
export const loginInput = z.object({
  iss: z.string().max(500),
  login_hint: z.string().min(1).max(1000),
  target_link_uri: z.string().max(1000),
  lti_message_hint: z.string().max(2000).optional(),
  client_id: z.string().max(255).optional(),
  lti_deployment_id: z.string().max(255).optional(),
});
export type LoginInput = z.infer<typeof loginInput>;

export const launchInput = z.object({
  id_token: z.string().min(1).max(20000),
  state: z.string().min(1).max(200),
});

/** What the LMS adds to the registration link it opens (LTI Dynamic Registration §3.3). */
export const registrationQuery = z.object({
  openid_configuration: z
    .string()
    .max(1000)
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v)),
  registration_token: z.string().max(4000).optional(),
});

export const ticketParams = z.strictObject({ ticket: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

const targetValue = z.string().min(1).max(200);
export const deepLinkForm = z.strictObject({
  ticket: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  // One choice, or several ticked boxes when the platform accepts several items.
  target: z.union([targetValue.transform((v) => [v]), z.array(targetValue).min(1).max(50)]),
});

/** The hand-off's "Continue" button; `switchUser` when the page showed someone else signed in. */
export const continueForm = z.strictObject({ switchUser: z.literal('1').optional() });
