import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { fieldErrors, issueMessages } from '../../server/http/validate';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';

test("field errors are i18n keys: the schema's own, else ours for the kind of issue, never zod's English", () => {
  const schema = z
    .object({
      title: z.string().max(3),
      code: z.string().min(2, 'grants.errors.required'),
      mode: z.enum(['fixed', 'rolling']),
      count: z.number().min(1),
    })
    .strict();
  const result = schema.safeParse({ title: 'long', code: '', mode: 'other', count: 0, extra: 1 });
  assert.ok(!result.success);
  assert.deepEqual(fieldErrors(result.error), {
    title: 'errors.field.tooBig',
    code: 'grants.errors.required',
    mode: 'errors.field.invalid',
    count: 'errors.field.tooSmall',
    _form: 'errors.field.unexpected',
  });
  // API clients keep each problem named, for the developer reading the refusal.
  assert.match(issueMessages(result.error)._form!, /extra/);
  assert.equal(issueMessages(result.error).code, 'grants.errors.required');
});

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('a form value no browser would send is explained in the reader’s language', async () => {
  for (const [lang, words] of [
    ['en', 'This value is not valid.'],
    ['mn', 'Энэ утга буруу байна.'],
  ] as const) {
    const agent = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: lang }));
    const token = await tokenFor(agent, '/admin/calls/new');
    const res = await agent
      .post('/admin/calls')
      .set('Accept-Language', lang)
      .type('form')
      .send({ _csrf: token, blind: 'yes', deadlineMode: 'sometimes' })
      .expect(400);
    assert.ok(res.text.includes(words), `${lang}: ${words}`);
    assert.doesNotMatch(res.text, /Invalid input|expected/);
  }
});
