import { allow } from '../../server/auth/policy';

/** The journalist works on their own awards (scoped inside the query); staff on all; only staff verify. */
export const impactPolicy = {
  owner: allow.roles('journalist', 'admin'),
  staff: allow.roles('admin'),
};
