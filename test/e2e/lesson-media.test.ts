/**
 * Lesson media in a real browser: a trainer uploads a picture through the library form (keyboard
 * only), and a trainee's lesson shows it — decoded by the browser under the page's security policy —
 * with a player for sound that takes up room on a phone. Both pages pass axe.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { buildUser } from '../factories';
import { checkA11y, describeViolations, startBrowserApp, type BrowserApp } from '../support/browser';
import { signInAs } from './support-grants/browser-helpers';
import { importCourses } from '../../modules/learning';
import { courseWithMedia } from '../support/media-course';

let b: BrowserApp;
let dir: string;
before(async () => {
  b = await startBrowserApp();
  dir = await courseWithMedia();
  await importCourses(b.ctx, dir);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await b?.closeAll();
});

test('a trainer uploads a picture by keyboard; a trainee on a phone sees the lesson picture and a sound player', async () => {
  const photo = path.join(dir, 'Газрын зураг.jpg');
  writeFileSync(
    photo,
    await sharp({ create: { width: 300, height: 150, channels: 3, background: { r: 200, g: 120, b: 30 } } })
      .jpeg()
      .toBuffer(),
  );
  const trainer = await buildUser(b.ctx, { role: 'trainer', locale: 'mn' });
  const desk = await b.newPage({ width: 1280, height: 900, locale: 'mn' });
  await signInAs(desk, trainer, '/trainer/courses/media-course/media');
  await desk.setInputFiles('#f-file', photo);
  await desk.focus('#f-file');
  await desk.keyboard.press('Tab'); // past the file field to the upload button
  await Promise.all([desk.waitForURL(/saved=uploaded&name=gazryn-zurag\.jpg/), desk.keyboard.press('Enter')]);
  assert.match(await desk.locator('[role=status]').innerText(), /gazryn-zurag\.jpg/);
  assert.equal(await desk.locator('#media-gazryn-zurag\\.jpg').count(), 1);
  assert.deepEqual(describeViolations(await checkA11y(desk)), '');

  const trainee = await buildUser(b.ctx, { locale: 'mn' });
  const phone = await b.newPage({ width: 360, height: 800, locale: 'mn' });
  await signInAs(phone, trainee, '/learn/media-course/01-what-is-trafficking');
  const picture = phone.locator('img[src*="/media/routes-map.png?v="]');
  await picture.scrollIntoViewIfNeeded();
  const width = await picture.evaluate(
    (img: HTMLImageElement) =>
      new Promise<number>((resolve) =>
        img.complete
          ? resolve(img.naturalWidth)
          : img.addEventListener('load', () => resolve(img.naturalWidth)),
      ),
  );
  assert.equal(width, 20, 'the browser decoded the picture from the library');
  assert.equal(await picture.getAttribute('alt'), 'Замуудын газрын зураг');
  const player = await phone.locator('audio').boundingBox();
  assert.ok(
    player && player.height > 20 && player.width > 250,
    `the player is visible: ${JSON.stringify(player)}`,
  );
  assert.deepEqual(describeViolations(await checkA11y(phone)), '');
});
