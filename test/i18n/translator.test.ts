import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../server/i18n';

// translator() remembers what t() returned; with options the values are part of what it remembers.
test('remembered translations with options keep each value apart, in each language', () => {
  const en = translator('en');
  const mn = translator('mn');
  assert.equal(en('common.home.welcome', { name: 'Saraa' }), 'Welcome, Saraa');
  assert.equal(en('common.home.welcome', { name: 'Bold' }), 'Welcome, Bold');
  assert.equal(en('common.home.welcome', { name: 'Saraa' }), 'Welcome, Saraa');
  // A number and the same digits as text are different options, but give the same text here.
  assert.equal(en('learning.lesson.minutes', { count: 5 }), 'About 5 minutes');
  assert.equal(en('learning.lesson.minutes', { count: '7' }), 'About 7 minutes');
  assert.equal(mn('learning.lesson.minutes', { count: 5 }), 'Ойролцоогоор 5 минут');
  assert.equal(en('learning.lesson.minutes', { count: 5 }), 'About 5 minutes');
});

test('options that are not plain values are passed through, not remembered', () => {
  const en = translator('en');
  assert.equal(en('common.home.welcome', { name: 'A', nested: { x: 1 } } as never), 'Welcome, A');
  assert.equal(en('common.home.welcome', { name: 'B', nested: { x: 1 } } as never), 'Welcome, B');
  // A missing key comes back as the key, and is never remembered as a translation.
  assert.equal(en('common.no.such.key', { name: 'A' }), 'common.no.such.key');
});
