import { allow } from '../../server/auth/policy';

/** Who may reach each sessions route; whose course or session it is is checked in the queries (access.ts). */
export const sessionsPolicy = {
  view: allow.signedIn,
  attend: allow.roles('journalist'),
  manage: allow.roles('trainer', 'admin'),
};
