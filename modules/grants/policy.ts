import { allow } from '../../server/auth/policy';

/** Who may reach each grants route; per-record rules live in the service queries (own pitches only). */
export const grantsPolicy = {
  manageCalls: allow.roles('admin'),
  browse: allow.signedIn,
  pitch: allow.roles('journalist'),
  /** Owner or admin, checked in the query. */
  download: allow.roles('journalist', 'admin'),
};
