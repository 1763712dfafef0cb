import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlight } from '../../server/in-flight';

/** A computation the test finishes by hand, counting how often it was started. */
function gate<V>() {
  let release!: (v: V) => void;
  let fail!: (e: Error) => void;
  let starts = 0;
  const compute = () => {
    starts++;
    return new Promise<V>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
  };
  return { compute, release: (v: V) => release(v), fail: (e: Error) => fail(e), starts: () => starts };
}

test('identical requests in flight share one computation; a later one computes afresh', async () => {
  const shared = new InFlight<string>();
  const g = gate<string>();
  const calls = [shared.run('a', g.compute), shared.run('a', g.compute), shared.run('a', g.compute)];
  assert.equal(g.starts(), 1);
  g.release('first');
  assert.deepEqual(await Promise.all(calls), ['first', 'first', 'first']);

  const again = shared.run('a', g.compute);
  assert.equal(g.starts(), 2, 'nothing is kept once settled');
  g.release('second');
  assert.equal(await again, 'second');
});

test('different keys never share, and a failure reaches every waiter and is forgotten', async () => {
  const shared = new InFlight<string>();
  const a = gate<string>();
  const b = gate<string>();
  const first = shared.run('a', a.compute);
  const other = shared.run('b', b.compute);
  const second = shared.run('a', a.compute);
  assert.equal(a.starts() + b.starts(), 2);
  a.fail(new Error('database gone'));
  b.release('b');
  await assert.rejects(first, /database gone/);
  await assert.rejects(second, /database gone/);
  assert.equal(await other, 'b');
  const retry = shared.run('a', a.compute);
  a.release('back');
  assert.equal(await retry, 'back');
});
