import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from '../reviews/factories';
import { awardModel } from '../../modules/awards/model';
import type { TestApp } from '../support/app';

/**
 * A funded pitch whose decision is released (the award offered), both parties signed in (admin through
 * TOTP — a code works once, so a second sign-in of the same admin within 30 s is refused; use another
 * admin in a browser).
 */
export async function releasedAward(t: TestApp) {
  const journalist = await buildUser(t.ctx, { name: 'Oyunaa Bat', outlet: 'Ikon.mn' });
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, journalist, {
    status: 'under_review',
    budgetTotal: 1_000,
    outlet: 'Ikon.mn',
  });
  const adminUser = await buildUser(t.ctx, { role: 'admin', name: 'Saraa Staff' });
  const admin = await signIn(t.app, adminUser);
  const adminToken = csrfFrom((await admin.get('/account').expect(200)).text);
  await admin
    .post(`/admin/calls/${call._id}/pitches/${pitch._id}/decision`)
    .type('form')
    .send({ _csrf: adminToken, outcome: 'funded', amount: '1000' })
    .expect(303);
  // The applicant sees the award only once the call's decisions are released.
  await admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: adminToken }).expect(303);
  const award = (await awardModel(t.ctx.db).findOne({ pitchId: pitch._id }).lean())!;
  const agent = await signIn(t.app, journalist);
  const token = csrfFrom((await agent.get(`/awards/${award._id}`).expect(200)).text);
  return { journalist, call, pitch, award, admin, adminToken, adminUser, agent, token };
}

/** The same award accepted by the journalist and a draft handed in. */
export async function acceptedAwardWithDraft(t: TestApp) {
  const { award, admin, adminToken, agent, token, journalist, adminUser } = await releasedAward(t);
  const id = String(award._id);
  await agent.post(`/awards/${id}/accept`).type('form').send({ _csrf: token }).expect(303);
  await agent
    .post(`/awards/${id}/draft`)
    .type('form')
    .send({ _csrf: token, link: 'https://docs.example.org/d' })
    .expect(303);
  return { id, admin, adminToken, agent, token, journalist, adminUser };
}
