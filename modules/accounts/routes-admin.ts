import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../server/context';
import { ROLES } from '../../server/types';
import { fieldErrors, idParams, parse, parseParams } from '../../server/http/validate';
import { Conflict, Invalid } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { inviteForm, userUpdateForm } from './schemas';
import { accountsPolicy as policy } from './policy';
import * as accounts from './service';
import { getUserForAdmin } from './service-admin';
import { requireRecentAuth } from './step-up';
import { signedInUser } from '../../server/auth/policy';

const listQuery = z.strictObject({
  role: z
    .enum(ROLES)
    .optional()
    .or(z.literal('').transform(() => undefined)),
});
const detailQuery = z.strictObject({
  saved: z.literal('1').optional(),
  invited: z.literal('1').optional(),
  withdrawn: z.literal('1').optional(),
});

/** Admin user management: list, invite, change role, disable (or withdraw an invitation). */
export function adminUserRoutes(ctx: AppContext): Router {
  const router = Router();
  // Access changes need a fresh password or TOTP code, not just the session.
  const stepUp = requireRecentAuth(ctx);

  router.get('/admin/users', policy.manageUsers, async (req, res) => {
    const { role } = parse(listQuery, req.query);
    const users = await accounts.listUsers(ctx, { role });
    res.render('accounts/admin-users', { users, role: role ?? '', roles: ROLES });
  });

  router.get('/admin/invite', policy.manageUsers, (_req, res) => {
    res.render('accounts/admin-invite', { roles: ROLES, values: { role: 'journalist' } });
  });

  router.post('/admin/invite', policy.manageUsers, ...stepUp, async (req, res) => {
    const parsed = inviteForm.safeParse(req.body ?? {});
    const values = {
      email: typeof req.body?.email === 'string' ? req.body.email : '',
      name: typeof req.body?.name === 'string' ? req.body.name : '',
      role: typeof req.body?.role === 'string' ? req.body.role : 'journalist',
    };
    if (!parsed.success)
      return res
        .status(400)
        .render('accounts/admin-invite', { roles: ROLES, values, errors: fieldErrors(parsed.error) });
    try {
      const user = await accounts.inviteUser(ctx, signedInUser(req), parsed.data);
      await recordAudit(ctx, req.user, 'user.invited', { type: 'user', id: user._id }, { role: user.role });
      res.redirect(303, res.locals.url(`/admin/users/${String(user._id)}?invited=1`));
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      res.status(409).render('accounts/admin-invite', { roles: ROLES, values, errors: { email: err.key } });
    }
  });

  router.get('/admin/users/:id', policy.manageUsers, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const flags = parse(detailQuery, req.query);
    const target = await getUserForAdmin(ctx, id);
    res.render('accounts/admin-user', {
      target,
      roles: ROLES,
      self: id === signedInUser(req).id,
      saved: !!flags.saved,
      invited: !!flags.invited,
      withdrawn: !!flags.withdrawn,
    });
  });

  router.post('/admin/users/:id', policy.manageUsers, ...stepUp, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const parsed = userUpdateForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const target = await getUserForAdmin(ctx, id);
      return res.status(400).render('accounts/admin-user', {
        target,
        roles: ROLES,
        self: id === signedInUser(req).id,
        errors: fieldErrors(parsed.error),
      });
    }
    try {
      const before = await getUserForAdmin(ctx, id);
      const user = await accounts.updateUserAccess(ctx, signedInUser(req), id, parsed.data);
      await recordAudit(
        ctx,
        req.user,
        'user.access_changed',
        { type: 'user', id },
        { from: { role: before.role, status: before.status }, to: { role: user.role, status: user.status } },
      );
      // Disabling an invitation withdraws it (its links stop working): say so rather than "saved".
      const flag = before.status === 'invited' ? 'withdrawn' : 'saved';
      res.redirect(303, res.locals.url(`/admin/users/${id}?${flag}=1`));
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const target = await getUserForAdmin(ctx, id);
      res.status(400).render('accounts/admin-user', {
        target,
        roles: ROLES,
        self: id === signedInUser(req).id,
        errors: { _form: err.key },
      });
    }
  });

  return router;
}
