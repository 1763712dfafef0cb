import { allow } from '../../server/auth/policy';

/** Who may reach each learning route; per-record rules (own enrolment, own cohorts) sit in queries. */
export const learningPolicy = {
  public: allow.anyone,
  learner: allow.signedIn,
  author: allow.roles('trainer', 'admin'),
  cohorts: allow.roles('trainer', 'admin'),
};
