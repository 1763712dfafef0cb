import { allow } from '../../server/auth/policy';

/** The outbox holds every address and every link we mail (reset and invite links): admins only. */
export const notificationsPolicy = {
  manageOutbox: allow.roles('admin'),
};
