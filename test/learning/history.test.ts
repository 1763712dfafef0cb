import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, signIn } from '../factories';
import { lessonVersionModel } from '../../modules/learning/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** The cells of the history table's header and of its rows, tags stripped. */
function table(html: string) {
  const cells = (row: string) =>
    [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return { head: cells(head), rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1]!)) };
}

test('lesson history: a real "Version" header and each title in its own language column (en and mn)', async () => {
  const { course, lessons } = await buildCourse(t.ctx);
  const lesson = lessons[0]!;
  await lessonVersionModel(t.ctx.db).create({
    lessonId: lesson._id,
    courseId: course._id,
    version: 2,
    title: { en: 'Trafficking defined', mn: 'Хүн худалдаалахын тодорхойлолт' },
    objectives: [],
    minutes: 5,
    blocks: [],
    publishedAt: new Date(Date.UTC(2026, 0, 5)),
  });
  const url = `/trainer/courses/${course.slug}/lessons/${lesson.slug}/history`;

  for (const lang of ['mn', 'en'] as const) {
    const staff = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer', locale: lang }));
    const page = await staff.get(url).expect(200);
    const { head, rows } = table(page.text);
    // Before: the header read "-р хувилбар" (the number left out of "{{version}}-р хувилбар").
    assert.ok(
      head.every((h) => !/^-|\{\{/.test(h)),
      `a header cell is a broken template: ${head.join(' | ')}`,
    );
    const expected =
      lang === 'mn'
        ? ['Хувилбар', 'Англи гарчиг', 'Монгол гарчиг', 'Нийтэлсэн']
        : ['Version', 'Title in English', 'Title in Mongolian', 'Published'];
    assert.deepEqual(head, expected);
    const v2 = rows.find((r) => r[0] === '2');
    assert.ok(v2, `version 2 listed: ${JSON.stringify(rows)}`);
    // Before: the English column showed the title in the page language (Mongolian on an mn page).
    assert.equal(v2[1], 'Trafficking defined');
    assert.equal(v2[2], 'Хүн худалдаалахын тодорхойлолт');
  }
});
