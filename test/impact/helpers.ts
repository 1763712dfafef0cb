import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from '../reviews/factories';
import { awardModel } from '../../modules/awards/model';
import type { TestApp } from '../support/app';

/** A funded award whose publication the journalist has reported (its final milestone). */
export async function publishedAwardOn(t: TestApp) {
  const journalist = await buildUser(t.ctx, { name: 'Oyunaa Bat', outlet: 'Ikon.mn' });
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, journalist, { status: 'under_review', budgetTotal: 1_000 });
  const adminUser = await buildUser(t.ctx, { role: 'admin', name: 'Saraa Staff' });
  const admin = await signIn(t.app, adminUser);
  const adminToken = csrfFrom((await admin.get('/account').expect(200)).text);
  await admin
    .post(`/admin/calls/${call._id}/pitches/${pitch._id}/decision`)
    .type('form')
    .send({ _csrf: adminToken, outcome: 'funded', amount: '1000' })
    .expect(303);
  await admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: adminToken }).expect(303);
  const award = (await awardModel(t.ctx.db).findOne({ pitchId: pitch._id }).lean())!;
  const id = String(award._id);
  const agent = await signIn(t.app, journalist);
  const token = csrfFrom((await agent.get(`/awards/${id}`).expect(200)).text);
  await agent.post(`/awards/${id}/accept`).type('form').send({ _csrf: token }).expect(303);
  await agent
    .post(`/awards/${id}/draft`)
    .type('form')
    .send({ _csrf: token, link: 'https://d.example.org/d' });
  await agent
    .post(`/awards/${id}/published`)
    .type('form')
    .send({ _csrf: token, url: 'https://ikon.mn/a/1', date: '2024-01-02' })
    .expect(303);
  return { id, admin, adminToken, agent, token, journalist, adminUser };
}
