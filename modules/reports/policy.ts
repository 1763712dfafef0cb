import { allow } from '../../server/auth/policy';

/**
 * Who may open reports. Trainers see only trainees in cohorts they teach: that rule is applied inside
 * each report's first $match (see data.ts cohortScope), so an out-of-scope trainee is a 404.
 */
export const reportsPolicy = {
  training: allow.roles('trainer', 'admin'),
  grants: allow.roles('admin'),
};
