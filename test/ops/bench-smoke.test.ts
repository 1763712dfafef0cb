import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { benchTargets, prepareDataSet } from '../../bench/targets';
import { buildTestApp } from '../support/app';

/**
 * `npm run bench` is not part of CI (it takes many minutes), so this keeps it working: the data set
 * builds with every declared index, and each measured page answers as it does for a real user (a page
 * that failed would otherwise be measured as a fast error page).
 */
test('the benchmark data set builds and every measured page answers for real', async () => {
  const t = await buildTestApp({ config: { env: 'production', baseUrl: 'http://127.0.0.1' } });
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await prepareDataSet(t.ctx, { scale: 0.001 });
    const targets = await benchTargets(t.ctx, url, { submits: 10 });
    assert.ok(targets.length >= 5);
    for (const target of targets) {
      const request = target.requests?.[0]?.setupRequest?.({}) ?? target;
      const res = await fetch(url + (request.path ?? target.path), {
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
      });
      const body = await res.text();
      assert.equal(
        res.status,
        request.method === 'POST' ? 303 : 200,
        `${target.name}: ${body.slice(0, 200)}`,
      );
      if (target.verify) assert.match(await target.verify(), /^1\/10 /, target.name);
    }
  } finally {
    server.close();
    await t.close();
  }
});
