import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fragmentOf } from '../../server/http/fragments';

test('a fragment is rendered once per content object and key; a new object renders afresh', () => {
  let renders = 0;
  const render = (text: string) => () => {
    renders += 1;
    return text;
  };
  const lesson = { version: 1 };
  assert.equal(fragmentOf(lesson, 'mn|mn|/learn/x', render('нэг')), 'нэг');
  assert.equal(fragmentOf(lesson, 'mn|mn|/learn/x', render('changed')), 'нэг', 'kept for the same object');
  assert.equal(fragmentOf(lesson, 'en|mn|/learn/x', render('one')), 'one', 'another language renders');
  const republished = { version: 2 };
  assert.equal(fragmentOf(republished, 'mn|mn|/learn/x', render('хоёр')), 'хоёр', 'new content renders');
  assert.equal(renders, 3);
});
