import { allow } from '../../server/auth/policy';

/** Who did what to whom: program managers only. */
export const auditPolicy = {
  readLog: allow.roles('admin'),
};
