import { allow } from '../../server/auth/policy';

/** Who may reach each accounts route; per-record checks sit in service queries (own id only). */
export const accountsPolicy = {
  public: allow.anyone,
  self: allow.signedIn,
  manageUsers: allow.roles('admin'),
  /** Staff accounts are closed by an admin, so the last admin cannot delete themselves. */
  deleteSelf: allow.roles('journalist'),
};
