import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { parse, parseParams } from '../../server/http/validate';
import { recordAudit } from '../audit';
import { notificationsPolicy as policy } from './policy';
import { emptyForm, idParams } from './schemas';
import { presentOutbox } from './present';
import { mayShowBody } from './retention';
import * as outbox from './service';
import { signedInUser } from '../../server/auth/policy';

/** Mounted at /admin/outbox: recent messages, retry of dead letters, a test message. */
export function notificationsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/', policy.manageOutbox, async (req, res) => {
    const devMode = ctx.mailer.kind === 'dev';
    // No SMTP is not proof of a developer's machine: only a development configuration shows bodies.
    const rows = presentOutbox(await outbox.listOutbox(ctx), (m) => mayShowBody(ctx, m));
    const done = req.query.done;
    const notice = done === 'test' || done === 'retry' ? done : undefined;
    res.render('notifications/outbox', { rows, devMode, notice });
  });

  router.post('/test', policy.manageOutbox, async (req, res) => {
    parse(emptyForm, req.body);
    await outbox.sendTestEmail(ctx, signedInUser(req).email, res.locals.lang);
    res.redirect(303, res.locals.url('/admin/outbox?done=test'));
  });

  router.post('/:id/retry', policy.manageOutbox, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    await outbox.retryDeadEmail(ctx, id);
    await recordAudit(ctx, req.user, 'email.retried', { type: 'outbox', id });
    res.redirect(303, res.locals.url('/admin/outbox?done=retry'));
  });

  return router;
}
