import { allow } from '../../server/auth/policy';

/** Funded journalists see their own awards (inside the query); staff manage all; anyone sees published work. */
export const awardsPolicy = {
  journalist: allow.roles('journalist'),
  staff: allow.roles('admin'),
  public: allow.anyone,
};
