import type { AppContext } from '../../../server/context';
import { queueScores, sendDueScores, sweepExpired } from './ags';
import { syncRosters } from './roster';

/** Every 30 s: expired one-time tokens go, grades are queued and sent, due course rosters are read. */
export const ltiJob = {
  name: 'interop.lti',
  intervalMs: 30_000,
  async run(ctx: AppContext) {
    await sweepExpired(ctx);
    await queueScores(ctx);
    const scores = await sendDueScores(ctx);
    const rosters = await syncRosters(ctx);
    return { ...scores, rosters };
  },
};
