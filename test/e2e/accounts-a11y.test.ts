import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { generateSync } from 'otplib';
import { buildUser, PASSWORD } from '../factories';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';

let b: BrowserApp;
before(async () => {
  b = await startBrowserApp();
});
after(() => b?.closeAll());

const WIDTHS = [360, 1280] as const;
const LOCALES = ['en', 'mn'] as const;

async function signInWith(page: Page, email: string, next = '/account') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.press('#f-password', 'Enter'),
  ]);
}

async function expectAccessible(page: Page, name: string) {
  const violations = await checkA11y(page);
  await screenshot(page, name);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name}:\n${describeViolations(violations)}`,
  );
}

for (const locale of LOCALES) {
  for (const width of WIDTHS) {
    test(`login, register and forgot pages have no axe violations (${locale}, ${width}px)`, async () => {
      const page = await b.newPage({ width, locale });
      for (const path of ['/login', '/register', '/forgot']) {
        const res = await page.goto(path);
        assert.equal(res?.status(), 200);
        assert.equal(await page.getAttribute('html', 'lang'), locale);
        await expectAccessible(page, `accounts${path.replace(/\//g, '-')}-${locale}-${width}`);
      }
    });

    test(`register with errors and the profile page have no axe violations (${locale}, ${width}px)`, async () => {
      const page = await b.newPage({ width, locale });
      await page.goto('/register');
      await page.fill('#f-name', 'Test');
      await page.fill('#f-email', 'not-an-email');
      await page.click('form.stack button[type=submit]');
      await page.waitForSelector('[aria-invalid="true"]');
      await expectAccessible(page, `accounts-register-errors-${locale}-${width}`);

      const user = await buildUser(b.ctx, { locale, outlet: 'Daily News', region: 'Ulaanbaatar' });
      await signInWith(page, user.email);
      assert.equal(new URL(page.url()).pathname, '/account');
      await expectAccessible(page, `accounts-profile-${locale}-${width}`);
    });
  }
}

test('staff pages (two-step setup and entry, admin users, invite) have no axe violations', async () => {
  const fresh = await buildUser(b.ctx, { role: 'admin', totpEnabledAt: undefined, totpSecret: undefined });
  const setup = await b.newPage();
  await setup.goto('/login');
  await setup.fill('#f-email', fresh.email);
  await setup.fill('#f-password', PASSWORD);
  await Promise.all([setup.waitForURL(/\/login\/2fa\/setup$/), setup.press('#f-password', 'Enter')]);
  await expectAccessible(setup, 'accounts-totp-setup-en-1280');

  const other = await buildUser(b.ctx, { outlet: 'Daily News' });
  for (const width of WIDTHS) {
    // One admin per width: a TOTP code is accepted once only.
    const admin = await buildUser(b.ctx, { role: 'admin' });
    const page = await b.newPage({ width });
    await page.goto('/login');
    await page.fill('#f-email', admin.email);
    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForURL(/\/login\/2fa$/), page.press('#f-password', 'Enter')]);
    await expectAccessible(page, `accounts-totp-${width}`);
    await page.fill('#f-code', generateSync({ secret: admin.totpSecret! }));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.press('#f-code', 'Enter'),
    ]);
    for (const path of ['/admin/users', '/admin/invite', `/admin/users/${String(other._id)}`]) {
      assert.equal((await page.goto(path))?.status(), 200, path);
      await expectAccessible(page, `accounts${path.replace(/\//g, '-')}-${width}`.slice(0, 60));
    }
  }
});

test('link-invalid and forgot-done pages have no axe violations', async () => {
  const page = await b.newPage({ width: 360, locale: 'mn' });
  assert.equal((await page.goto(`/reset/${'x'.repeat(43)}`))?.status(), 404);
  await expectAccessible(page, 'accounts-link-invalid-mn-360');
  await page.goto('/forgot');
  await page.fill('#f-email', 'someone@example.org');
  await Promise.all([page.waitForURL(/\/forgot$/), page.press('#f-email', 'Enter')]);
  await page.waitForSelector('h1');
  await expectAccessible(page, 'accounts-forgot-done-mn-360');
});

test('the checker really finds violations (self-test)', async () => {
  const page = await b.newPage();
  await page.goto('/login');
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/assets/none.png';
    document.querySelector('main')!.append(img);
  });
  const ids = (await checkA11y(page)).map((v) => v.id);
  assert.ok(ids.includes('image-alt'), ids.join(','));
});

test('a keyboard-only user can sign in (Tab to the fields, Enter submits)', async () => {
  const user = await buildUser(b.ctx);
  const page = await b.newPage({ width: 360 });
  await page.goto('/login?next=%2Faccount');
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  let steps = 0;
  while ((await focused()) !== 'f-email' && steps++ < 25) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'f-email', 'the e-mail field is reachable with Tab');
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'f-password');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/account'), page.keyboard.press('Enter')]);
  assert.equal(await page.inputValue('#f-name'), user.name);
  await screenshot(page, 'accounts-keyboard-signed-in');
});
