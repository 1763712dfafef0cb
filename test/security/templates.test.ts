import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { viewsDir } from '../../server/paths';

/**
 * SECURITY.md rule 4: templates print with `<%=` (escaped); the raw `<%-` is only for `include`, or for
 * an include rendered once and reused (`once(owner, key, function () { return include(…); })`, see
 * server/http/fragments.ts): its output is still nothing but the include's.
 */
const RAW_ALLOWED = [
  /^\s*include\(/,
  /^\s*once\([^]*?,\s*function \(\) \{ return include\('[^']+'(?:, \{[^{}]*\})?\); \}\)\s*$/,
];
function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return templates(p);
    return e.name.endsWith('.ejs') ? [p] : [];
  });
}

test('no template prints raw output except an include', () => {
  const files = templates(viewsDir);
  assert.ok(files.length > 50, 'found the templates');
  const offenders: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/<%-(.*?)%>/gs)) {
      if (!RAW_ALLOWED.some((re) => re.test(m[1]!)))
        offenders.push(`${path.relative(viewsDir, file)}: <%-${m[1]}%>`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('a reused include is the only other raw output: anything else inside once() is refused', () => {
  const allowed = (raw: string) => RAW_ALLOWED.some((re) => re.test(raw));
  assert.ok(allowed(" once(lesson, L, function () { return include('_blocks', { a: 1 }); }) "));
  assert.ok(!allowed(' once(lesson, L, function () { return lesson.title; }) '));
  assert.ok(!allowed(" once(lesson, L, function () { return include('_x') + user.name; }) "));
  assert.ok(!allowed(" once(lesson, L, function () { return include('_x') + f(); }) "));
  assert.ok(!allowed(' user.bio '));
});
