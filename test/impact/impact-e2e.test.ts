import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { signInAs } from '../e2e/support-grants/browser-helpers';
import { impactSettings } from '../../modules/impact';
import { publishedAwardOn } from './helpers';
import { buildUser } from '../factories';
import { userModel } from '../../modules/accounts/model';
import sharp from 'sharp';

let b: BrowserApp;
let story: http.Server;
let storyUrl: string;
before(async () => {
  b = await startBrowserApp();
  story = http.createServer((_req, res) => res.end('story'));
  await new Promise<void>((r) => story.listen(0, '127.0.0.1', r));
  storyUrl = `http://127.0.0.1:${(story.address() as AddressInfo).port}/tv-segment`;
  impactSettings.allowPrivate = true;
});
after(async () => {
  impactSettings.allowPrivate = false;
  story.closeAllConnections();
  await new Promise((r) => story.close(r));
  await b.closeAll();
});

test('a funded journalist records a TV segment and its views; staff verify them', async () => {
  const { id, journalist } = await publishedAwardOn(b);
  // The journalist, on a phone, in Mongolian.
  // Her profile reads Mongolian (the language switch has its own tests).
  await userModel(b.ctx.db).updateOne({ _id: journalist._id }, { $set: { locale: 'mn' } });
  const phone = await b.newPage({ width: 360, height: 800, locale: 'mn' });
  await signInAs(phone, journalist, `/awards/${id}`);
  assert.equal(await phone.getAttribute('html', 'lang'), 'mn');
  await phone.click(`a[href="/impact/awards/${id}"]`);
  await phone.fill('#f-outlet', 'TV9');
  await phone.fill('#f-url', storyUrl);
  await phone.fill('#f-publishedOn', '2024-01-03');
  await phone.selectOption('#f-format', 'tv');
  await phone.check('#f-listPublicly');
  await Promise.all([phone.waitForURL(/done=1/), phone.click('form[action$="/pieces"] button[type=submit]')]);
  assert.match((await phone.textContent('main')) ?? '', /Нээгдэж байна/);
  await phone.click('main details summary');
  await phone.selectOption('select[name=metric]', 'views');
  await phone.fill('input[name=value]', '5400');
  await phone.fill('input[name=asOf]', '2024-01-20');
  await phone.fill('input[name=source]', 'TV9 YouTube');
  const shot = await sharp({ create: { width: 360, height: 200, channels: 3, background: '#ddd' } })
    .png()
    .toBuffer();
  await phone.setInputFiles('input[name=evidence]', {
    name: 'дэлгэц.png',
    mimeType: 'image/png',
    buffer: shot,
  });
  await Promise.all([phone.waitForURL(/done=1/), phone.click('form[action$="/reach"] button[type=submit]')]);
  assert.match((await phone.textContent('main')) ?? '', /Ажилтны шалгалт хүлээж байна/);
  const vphone = await checkA11y(phone);
  assert.equal(vphone.length, 0, describeViolations(vphone));
  await screenshot(phone, 'impact-journalist-360-mn');

  const desk = await b.newPage({ width: 1280, height: 900, locale: 'en' });
  // Another admin than the one the fixture signed in: a TOTP code is accepted once, so the same admin
  // signing in again within its 30 s step would be refused.
  const staff = await buildUser(b.ctx, { role: 'admin', name: 'Tsetseg Staff' });
  await signInAs(desk, staff, `/impact/awards/${id}`);
  await Promise.all([desk.waitForURL(/done=1/), desk.click('form[action$="/verify"] button')]);
  const text = (await desk.textContent('main')) ?? '';
  assert.match(text, /5,400/);
  assert.match(text, /Verified by staff/);
  // Staff check the figure against the journalist's screenshot.
  const evidence = desk.getByRole('link', { name: /Open the evidence/ });
  const download = await desk.request.get(`${b.baseUrl}${await evidence.getAttribute('href')}`);
  assert.equal(download.status(), 200);
  assert.equal(download.headers()['content-type'], 'image/png');
  const vdesk = await checkA11y(desk);
  assert.equal(vdesk.length, 0, describeViolations(vdesk));
  await screenshot(desk, 'impact-staff-1280-en');

  // The programme report for the year counts the verified figure and lists the piece behind it.
  await desk.goto('/programme?from=2024-01-01&to=2024-12-31');
  const report = (await desk.textContent('main')) ?? '';
  assert.match(report, /Verified reach: Views\s*5,400/);
  assert.match(report, /TV segments\s*1/);
  const rows = await desk.request.get(
    `${b.baseUrl}/programme/rows/publications?from=2024-01-01&to=2024-12-31`,
  );
  assert.equal(rows.status(), 200);
  assert.match(
    await rows.text(),
    /TV9,http:\/\/127\.0\.0\.1:\d+\/tv-segment,2024-01-03.*TV segments.*,5400,/,
  );
  const vreport = await checkA11y(desk);
  assert.equal(vreport.length, 0, describeViolations(vreport));
  await screenshot(desk, 'programme-staff-1280-en');
});
