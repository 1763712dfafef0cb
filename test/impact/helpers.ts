import { acceptedAwardWithDraft } from '../awards/factories';
import type { TestApp } from '../support/app';

/** A funded award whose publication the journalist has reported (its final milestone). */
export async function publishedAwardOn(t: TestApp) {
  const award = await acceptedAwardWithDraft(t);
  const { id, agent, token } = award;
  await agent
    .post(`/awards/${id}/published`)
    .type('form')
    .send({ _csrf: token, url: 'https://ikon.mn/a/1', date: '2024-01-02' })
    .expect(303);
  return award;
}
