import { allow } from '../../server/auth/policy';

/** Who may reach each certificates route; a holder's own records are scoped inside the queries. */
export const certificatesPolicy = {
  holder: allow.signedIn,
  verify: allow.anyone,
  manage: allow.roles('trainer', 'admin'),
};
