import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadResources } from '../../server/i18n';

function keys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

test('English and Mongolian have exactly the same keys, none empty', () => {
  const { en, mn } = loadResources();
  const enKeys = keys(en).sort();
  const mnKeys = keys(mn).sort();
  assert.deepEqual(
    enKeys.filter((k) => !mnKeys.includes(k)),
    [],
    'missing in mn',
  );
  assert.deepEqual(
    mnKeys.filter((k) => !enKeys.includes(k)),
    [],
    'missing in en',
  );
  const empty = (tree: Record<string, unknown>) =>
    keys(tree).filter(
      (k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree) === '',
    );
  assert.deepEqual(empty(en), []);
  assert.deepEqual(empty(mn), []);
});
