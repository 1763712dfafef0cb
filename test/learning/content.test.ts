import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../../content/courses');

/** Reads the content files directly: every lesson text exists in English and Mongolian. */
test('every lesson block, title and alt text has non-empty en and mn', () => {
  const problems: string[] = [];
  let blocks = 0;
  for (const course of readdirSync(root)) {
    const dir = path.join(root, course, 'lessons');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const lesson = parse(readFileSync(path.join(dir, file), 'utf8')) as {
        title?: { en?: string; mn?: string };
        blocks?: Array<{ en?: unknown; mn?: unknown; alt?: { en?: string; mn?: string } }>;
      };
      const where = `${course}/lessons/${file}`;
      for (const lang of ['en', 'mn'] as const) {
        if (!lesson.title?.[lang]?.trim()) problems.push(`${where}: title.${lang}`);
        (lesson.blocks ?? []).forEach((b, i) => {
          const text = b[lang];
          if (typeof text !== 'string' || !text.trim()) problems.push(`${where}: blocks.${i}.${lang}`);
          if (b.alt && !b.alt[lang]?.trim()) problems.push(`${where}: blocks.${i}.alt.${lang}`);
        });
      }
      blocks += lesson.blocks?.length ?? 0;
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(blocks > 0, 'no lesson blocks found');
});
