import { allow } from '../../server/auth/policy';
import type { SessionUser } from '../../server/types';

/** Who may reach each quizzes route; attempts are further limited to their owner inside the queries. */
export const quizzesPolicy = {
  take: allow.signedIn,
  /** Results: the owner, or staff read-only (decided per record in the service). */
  result: allow.signedIn,
  /** The question editor: trainers and admins, like the lesson editor. */
  author: allow.roles('trainer', 'admin'),
};

/** Trainers and admins may read any trainee's submitted attempt (audited). */
export const canReviewAttempts = (user: Pick<SessionUser, 'role'>) =>
  user.role === 'trainer' || user.role === 'admin';
