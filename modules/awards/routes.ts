import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { parse, parseParams } from '../../server/http/validate';
import { AppError } from '../../server/http/errors';
import { awardsPolicy as policy } from './policy';
import {
  awardPageQuery,
  awardParams,
  confirmPublicationForm,
  csrfOnly,
  draftForm,
  ethicsForm,
  payForm,
  publishedForm,
  listingForm,
  trancheParams,
} from './schemas';
import * as awards from './service';
import { callsByIds } from '../grants';
import { requireRecentAuth, usersByIds } from '../accounts';
import type { Award } from './model';
import { signedInUser } from '../../server/auth/policy';
import { awardPanels, publicPiecesOf } from './extension';

/** Names of everyone an award page mentions (the applicant, who recorded a step or a payment). */
async function namesOf(ctx: AppContext, list: Award[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const a of list) {
    ids.add(String(a.applicantId));
    for (const m of a.milestones) ids.add(String(m.by));
    for (const t of a.tranches) if (t.paidBy) ids.add(String(t.paidBy));
  }
  const users = await usersByIds(ctx, [...ids]);
  return new Map(users.map((u) => [String(u._id), u.name]));
}

const view = (a: Award, names: Map<string, string> = new Map()) => {
  const ethicsPassed = a.milestones.some((m) => m.key === 'ethics');
  const name = (id?: unknown) => (id ? (names.get(String(id)) ?? '') : '');
  return {
    id: String(a._id),
    title: a.title,
    outlet: a.outlet ?? '',
    applicant: name(a.applicantId),
    amount: a.amount,
    status: a.status,
    milestones: a.milestones.map((m) => ({
      key: m.key,
      at: m.at,
      by: name(m.by),
      link: m.link ?? '',
      note: m.note ?? '',
    })),
    tranches: a.tranches.map((t) => ({
      key: t.key,
      share: t.share,
      amount: t.amount,
      paidAt: t.paidAt,
      paidBy: name(t.paidBy),
      reference: t.reference ?? '',
      // Paid only after staff's ethics and safety check: the page says so instead of offering the button.
      waitsForEthics: !t.paidAt && !ethicsPassed && awards.ETHICS_FIRST.includes(t.key),
    })),
    publishedUrl: a.publishedUrl ?? '',
    publishedAt: a.publishedAt,
    listPublicly: !!a.listPublicly,
    ethicsPassed,
    ethicsDue: !ethicsPassed && ['accepted', 'draft_received', 'published'].includes(a.status),
    publicationConfirmed: !!a.publicationConfirmedAt,
  };
};

export function awardsRouter(ctx: AppContext): Router {
  const router = Router();

  /** Runs one step; a bad form re-renders the award page with the errors (400), nothing stored. */
  const step =
    (staff: boolean, fn: (req: Request, id: string) => Promise<unknown>) =>
    async (req: Request, res: Response) => {
      const { id } = parseParams(awardParams, { id: req.params.id });
      try {
        await fn(req, id);
      } catch (err) {
        // Bad input or a step out of order (a tranche before its milestone): the reason on the page.
        if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
        const award = staff
          ? await awards.anyAward(ctx, id)
          : await awards.myAward(ctx, signedInUser(req).id, id);
        return res.status(err.status).render('awards/show', {
          award: view(award, await namesOf(ctx, [award])),
          staff,
          errors: { _form: err.key, ...err.details },
          values: req.body ?? {},
        });
      }
      res.redirect(303, res.locals.url(`${staff ? '/admin/awards' : '/awards'}/${id}?done=1`));
    };

  router.get('/awards', policy.journalist, async (req, res) => {
    const list = await awards.myAwards(ctx, signedInUser(req).id);
    res.render('awards/index', { awards: list.map((a) => view(a)), staff: false });
  });
  router.get('/awards/:id', policy.journalist, async (req, res) => {
    const { id } = parseParams(awardParams, req.params);
    const q = parse(awardPageQuery, req.query);
    const award = await awards.myAward(ctx, signedInUser(req).id, id);
    res.render('awards/show', {
      award: view(award, await namesOf(ctx, [award])),
      staff: false,
      done: !!q.done,
      panels: await awardPanels(ctx, id),
    });
  });
  router.post(
    '/awards/:id/accept',
    policy.journalist,
    step(false, (req, id) => (parse(csrfOnly, req.body), awards.acceptAward(ctx, signedInUser(req), id))),
  );
  router.post(
    '/awards/:id/draft',
    policy.journalist,
    step(false, (req, id) => awards.submitDraft(ctx, signedInUser(req), id, parse(draftForm, req.body))),
  );
  router.post(
    '/awards/:id/published',
    policy.journalist,
    step(false, (req, id) =>
      awards.submitPublished(ctx, signedInUser(req), id, parse(publishedForm, req.body)),
    ),
  );

  router.post(
    '/awards/:id/listing',
    policy.journalist,
    step(false, (req, id) =>
      awards.setListing(ctx, signedInUser(req), id, parse(listingForm, req.body).listPublicly === 'yes'),
    ),
  );

  router.get('/admin/awards', policy.staff, async (_req, res) => {
    const list = await awards.listAwards(ctx);
    const names = await namesOf(ctx, list);
    res.render('awards/index', { awards: list.map((a) => view(a, names)), staff: true });
  });
  router.get('/admin/awards/:id', policy.staff, async (req, res) => {
    const { id } = parseParams(awardParams, req.params);
    const q = parse(awardPageQuery, req.query);
    const award = await awards.anyAward(ctx, id);
    res.render('awards/show', {
      award: view(award, await namesOf(ctx, [award])),
      staff: true,
      done: !!q.done,
      panels: await awardPanels(ctx, id),
    });
  });
  router.post(
    '/admin/awards/:id/ethics',
    policy.staff,
    step(true, (req, id) =>
      awards.recordEthicsCheck(ctx, signedInUser(req), id, parse(ethicsForm, req.body).note),
    ),
  );
  router.post(
    '/admin/awards/:id/confirm-publication',
    policy.staff,
    step(
      true,
      (req, id) => (
        parse(confirmPublicationForm, req.body),
        awards.confirmPublication(ctx, signedInUser(req), id)
      ),
    ),
  );
  // Money leaves the programme: the session alone is not enough (a fresh password or TOTP code).
  router.post('/admin/awards/:id/tranches/:key/pay', policy.staff, ...requireRecentAuth(ctx), (req, res) => {
    const { key } = parseParams(trancheParams, req.params);
    return step(true, (r, id) =>
      awards.payTranche(ctx, signedInUser(r), id, key, parse(payForm, r.body).reference),
    )(req, res);
  });
  router.post(
    '/admin/awards/:id/close',
    policy.staff,
    step(true, (req, id) => (parse(csrfOnly, req.body), awards.closeAward(ctx, signedInUser(req), id))),
  );

  router.get('/published', policy.public, async (_req, res) => {
    const lang = res.locals.lang as Locale;
    const list = await awards.publishedAwards(ctx);
    const calls = new Map(
      (
        await callsByIds(
          ctx,
          list.map((a) => a.callId),
        )
      ).map((c) => [String(c._id), c]),
    );
    // Further pieces (TV segment, social post) only where their journalist agreed to list them.
    const pieces = await publicPiecesOf(
      ctx,
      list.map((a) => String(a._id)),
    );
    const groups = new Map<string, { title: string; items: Array<Record<string, unknown>> }>();
    for (const a of list) {
      // Shown only where the journalist agreed: the main link, or at least one further piece.
      const extra = pieces.get(String(a._id)) ?? [];
      if (!a.listPublicly && !extra.length) continue;
      const key = String(a.callId);
      const call = calls.get(key);
      const title = call ? call.title?.[lang] || call.title?.en || '' : '';
      if (!groups.has(key)) groups.set(key, { title, items: [] });
      groups.get(key)!.items.push({
        title: a.title,
        outlet: a.outlet ?? '',
        url: a.listPublicly ? a.publishedUrl : undefined,
        date: a.listPublicly ? a.publishedAt : undefined,
        pieces: extra,
      });
    }
    res.render('awards/published', { groups: [...groups.values()] });
  });

  return router;
}
