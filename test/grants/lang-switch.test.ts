import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { csrfFrom } from '../factories';
import { journalistWithDraft } from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('switching language on a page rendered from a failed POST returns to that page, in the other language', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  // Only a title, then Submit: the editor comes back at the form's POST URL.
  await agent
    .post(`/grants/pitches/${pitchId}/autosave`)
    .set('X-CSRF-Token', token)
    .set('Accept', 'application/json')
    .send({ version: 0, title: 'Only a title' })
    .expect(200);
  const failed = await agent
    .post(`/grants/pitches/${pitchId}/submit`)
    .type('form')
    .send({ _csrf: token })
    .expect(400);
  const next = /name="next" value="([^"]*)"/.exec(failed.text)![1]!;
  const switched = await agent
    .post('/lang')
    .type('form')
    .send({ _csrf: csrfFrom(failed.text), lang: 'mn', next })
    .expect(303);
  assert.equal(switched.headers.location, `/grants/pitches/${pitchId}`);
  const page = await agent.get(switched.headers.location!).expect(200);
  assert.match(page.text, /<html lang="mn">/);
  assert.ok(page.text.includes('Only a title'));

  // A page that is a GET keeps its own address and query.
  const back = await agent
    .post('/lang')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), lang: 'en', next: `/grants/pitches/${pitchId}?saved=1` })
    .expect(303);
  assert.equal(back.headers.location, `/grants/pitches/${pitchId}?saved=1`);
});
