import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { viewsDir } from '../../server/paths';

/** SECURITY.md rule 4: templates print with `<%=` (escaped); the raw `<%-` is only for `include`. */
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
      if (!/^\s*include\(/.test(m[1]!)) offenders.push(`${path.relative(viewsDir, file)}: <%-${m[1]}%>`);
    }
  }
  assert.deepEqual(offenders, []);
});
