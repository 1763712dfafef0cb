import { allow } from '../../server/auth/policy';

/** Route-level access; per-record rules (own assignment, no conflict) sit inside the service queries. */
export const reviewsPolicy = {
  reviewer: allow.roles('reviewer'),
  staff: allow.roles('admin'),
};
