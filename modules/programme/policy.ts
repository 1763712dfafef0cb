import { allow } from '../../server/auth/policy';

/**
 * Staff open the programme report; trainers see the training figures of the cohorts they teach
 * (scoped inside each read), never the grant or publication figures, which are admin business.
 */
export const programmePolicy = {
  view: allow.roles('trainer', 'admin'),
};

export const seesGrants = (role: string) => role === 'admin';
