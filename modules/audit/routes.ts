import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { parse } from '../../server/http/validate';
import { auditPolicy as policy } from './policy';
import { auditQuery } from './schemas';
import { presentAudit } from './present';
import { listAudit } from './service';
import { auditNames } from './names';

export const AUDIT_PAGE_SIZE = 50;

/** Mounted at /admin/audit: the log, filtered by record type and action, paged by time. */
export function auditRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', policy.readLog, async (req, res) => {
    const filter = parse(auditQuery, req.query);
    const events = await listAudit(ctx, { ...filter, limit: AUDIT_PAGE_SIZE + 1 });
    const page = events.slice(0, AUDIT_PAGE_SIZE);
    const rows = presentAudit(page, await auditNames(ctx, page));
    const last = rows.at(-1);
    const older =
      events.length > AUDIT_PAGE_SIZE && last
        ? `/admin/audit?${new URLSearchParams({
            ...(filter.targetType ? { targetType: filter.targetType } : {}),
            ...(filter.action ? { action: filter.action } : {}),
            before: new Date(last.at).toISOString(),
            beforeId: last.id,
          }).toString()}`
        : undefined;
    res.render('audit/log', {
      rows,
      older,
      values: { targetType: filter.targetType ?? '', action: filter.action ?? '' },
    });
  });
  return router;
}
