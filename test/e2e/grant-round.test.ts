/**
 * The "Grants" issue's done-when, in a real browser: an admin creates and opens a call; three trained
 * journalists draft and submit pitches with files; an untrained one is refused with the reason; the
 * admin auto-assigns reviewers; two reviewers declare (one conflict) and score blind; the admin reads
 * raw and normalised scores on the board, funds within the pool (exceeding it is refused), releases
 * decisions; receipts and decisions arrive over SMTP; a funded journalist accepts, sends a draft and
 * records publication; the admin pays the publication tranche; the story shows on /published.
 * Each screenshotted page is also checked with axe (zero violations).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildUser, PASSWORD } from '../factories';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { importCourses } from '../../modules/learning';
import { sendDueEmails } from '../../modules/notifications';
import { translator } from '../../server/i18n';
import {
  PDF_BYTES,
  markTrained,
  pathOf,
  pngBytes,
  signInAs,
  submitVia,
} from './support-grants/browser-helpers';

const t = translator('en');
let b: BrowserApp;
let smtp: TestSmtp;
/** Saves a screenshot and checks the page with axe (zero violations). */
const shoot = async (page: Page, name: string) => {
  const violations = await checkA11y(page);
  await screenshot(page, name);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name} (${page.url()}):\n${describeViolations(violations)}`,
  );
};

/** The same page at 1,366 px and at 360 px (a phone), each screenshotted and checked with axe. */
const shootBoth = async (page: Page, name: string) => {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1366, height: 900 });
  await shoot(page, `${name}-1366`);
  await page.setViewportSize({ width: 360, height: 740 });
  await shoot(page, `${name}-360`);
  if (size) await page.setViewportSize(size);
};

before(async () => {
  smtp = await startTestSmtp();
  b = await startBrowserApp({}, { mailTransport: smtp.transport() });
  const [course] = await importCourses(b.ctx);
  assert.equal(course?.slug, 'tip-reporting');
});
after(async () => {
  await b?.closeAll();
  await smtp?.close();
});

type Person = Awaited<ReturnType<typeof buildUser>>;

interface PitchSpec {
  title: string;
  amount: string;
  requested: number;
}

/** A journalist opens the call, starts a pitch, fills it, saves, attaches a PDF and a PNG, submits. */
async function draftAndSubmit(page: Page, callId: string, spec: PitchSpec, shot: string): Promise<string> {
  await page.goto('/grants');
  await page.locator(`main a[href="/grants/${callId}"]`).first().click();
  await page.waitForURL((u) => u.pathname === `/grants/${callId}`);
  await submitVia(page, page.locator(`form[action="/grants/${callId}/pitches"] button[type=submit]`));
  assert.match(pathOf(page), /^\/grants\/pitches\/[0-9a-f]{24}$/);
  const pitchId = pathOf(page).split('/').pop()!;

  await page.fill('#f-title', spec.title);
  await page.fill('#f-angle', `How recruiters lure young women abroad: ${spec.title}.`);
  await page.fill('#f-audience', 'Women 18–27 and their parents in Ulaanbaatar and the aimags.');
  await page.fill('#f-format', 'Long-form article with a short video');
  await page.locator('#f-themes input[type=checkbox]').first().check();
  await page.fill('#f-ethicsPlan', 'Informed consent, no identifying details, trauma-informed interviews.');
  await page.fill('#b-item-0', 'Travel and interviews');
  await page.fill('#b-amount-0', spec.amount);
  await page.fill('#f-timeline', 'Research in May, publication in June.');
  // Let autosave settle so the Save button posts the current version.
  await page.waitForFunction(
    (saved) => document.getElementById('autosave-status')?.textContent === saved,
    t('grants.autosave.saved'),
    { timeout: 15_000 },
  );
  let res = await submitVia(page, page.locator('#pitch-form button[type=submit]'));
  if (res.status() === 409) res = await submitVia(page, page.locator('#pitch-form button[type=submit]'));
  assert.equal(res.status(), 303, 'the pitch is saved');
  assert.equal(await page.inputValue('#f-title'), spec.title);

  const files = [
    { name: 'writing-sample.pdf', mimeType: 'application/pdf', buffer: PDF_BYTES, kind: 'sample' },
    { name: 'outlet-photo.png', mimeType: 'image/png', buffer: await pngBytes(), kind: 'other' },
  ];
  for (const f of files) {
    await page.setInputFiles('#f-file', { name: f.name, mimeType: f.mimeType, buffer: f.buffer });
    await page.selectOption('#f-kind', f.kind);
    const up = await submitVia(page, page.locator('#files form[enctype] button[type=submit]'));
    assert.equal(up.status(), 303, `${f.name} uploads`);
    await page.locator('#files a[download]', { hasText: f.name }).waitFor();
  }
  await shoot(page, `${shot}-pitch-draft`);
  const sub = await submitVia(page, page.locator(`form[action="/grants/pitches/${pitchId}/submit"] button`));
  assert.equal(sub.status(), 303, 'the pitch is submitted');
  await page.getByText(t('grants.pitch.submittedNotice')).waitFor();
  assert.ok((await page.textContent('main'))!.includes(t('grants.pitchStatus.submitted')));
  return pitchId;
}

test('a whole grant round, from call to published story', { timeout: 240_000 }, async () => {
  const admin = await buildUser(b.ctx, { role: 'admin', name: 'Programme Manager' });
  const reviewers = [
    await buildUser(b.ctx, { role: 'reviewer', name: 'Reviewer Ganaa', outlet: 'Review Desk A' }),
    await buildUser(b.ctx, { role: 'reviewer', name: 'Reviewer Saraa', outlet: 'Review Desk B' }),
  ] as const;
  const specs: Array<{ name: string; outlet: string } & PitchSpec> = [
    {
      name: 'Oyunaa Batbold',
      outlet: 'Daily News',
      title: 'Jobs abroad that were not',
      amount: '3 500 000',
      requested: 3_500_000,
    },
    {
      name: 'Tuya Erdene',
      outlet: 'Eagle TV',
      title: 'The border bus',
      amount: '3,500,000',
      requested: 3_500_000,
    },
    {
      name: 'Bold Tsetseg',
      outlet: 'UB Post',
      title: 'Marriage brokers online',
      amount: '3500000',
      requested: 3_500_000,
    },
  ];
  const journalists: Person[] = [];
  for (const s of specs) {
    const j = await buildUser(b.ctx, { name: s.name, outlet: s.outlet, region: 'Ulaanbaatar' });
    await markTrained(b.ctx, j._id);
    journalists.push(j);
  }
  const untrained = await buildUser(b.ctx, { name: 'Not Yet Trained', outlet: 'Small FM' });

  // 1. The admin creates the call through the admin UI and opens it.
  const adminPage = await b.newPage();
  await signInAs(adminPage, admin, '/admin/calls');
  assert.equal(pathOf(adminPage), '/admin/calls');
  await adminPage.click(`main a[href="/admin/calls/new"]`);
  await adminPage.waitForURL((u) => u.pathname === '/admin/calls/new');
  await adminPage.fill('#f-titleEn', 'Stories that protect dreams');
  await adminPage.fill('#f-titleMn', 'Мөрөөдлийг хамгаалах нийтлэл');
  await adminPage.fill('#f-budgetPool', '10 000 000');
  await adminPage.fill('#f-maxAward', '4 000 000');
  assert.equal(await adminPage.inputValue('#f-courseSlug'), 'tip-reporting');
  const created = await submitVia(adminPage, adminPage.locator('form.stack > button[type=submit]'));
  assert.equal(created.status(), 303, 'the call is created');
  const callId = pathOf(adminPage).split('/').pop()!;
  assert.match(callId, /^[0-9a-f]{24}$/);
  await submitVia(adminPage, adminPage.locator(`form[action="/admin/calls/${callId}/open"] button`));
  assert.ok((await adminPage.textContent('#status-h'))!.includes(t('grants.callStatus.open')));
  await shoot(adminPage, 'grant-round-admin-call-open');

  // 2. An untrained journalist sees the call but is refused, with the reason and a way to the course.
  const outsider = await b.newPage();
  await signInAs(outsider, untrained, `/grants/${callId}`);
  const refusal = outsider.locator('[role=alert]');
  assert.ok((await refusal.textContent())!.includes(t('grants.eligibility.notTrained')));
  assert.equal(await outsider.locator(`form[action="/grants/${callId}/pitches"]`).count(), 0);
  assert.equal(await refusal.locator('a[href="/learn/tip-reporting"]').count(), 1);
  await shoot(outsider, 'grant-round-untrained-refused');

  // 3. Three trained journalists draft and submit, each with a PDF and a PNG.
  const pages: Page[] = [];
  const pitchIds: string[] = [];
  for (const [i, j] of journalists.entries()) {
    const page = await b.newPage();
    await signInAs(page, j, '/grants');
    pitchIds.push(await draftAndSubmit(page, callId, specs[i]!, `grant-round-j${i + 1}`));
    pages.push(page);
  }

  // Receipts go out over SMTP.
  await sendDueEmails(b.ctx);
  for (const [i, j] of journalists.entries()) {
    const receipt = smtp.received.find(
      (m) => m.envelopeTo.includes(j.email) && m.parsed.subject === `Pitch received: ${specs[i]!.title}`,
    );
    assert.ok(
      receipt,
      `receipt for ${j.email}; got ${smtp.received.map((m) => m.parsed.subject).join(', ')}`,
    );
  }

  // 4. The admin auto-assigns two reviewers per pitch.
  await adminPage.goto(`/admin/calls/${callId}`);
  await adminPage.click(`a[href="/admin/calls/${callId}/assignments"]`);
  await adminPage.waitForURL((u) => u.pathname === `/admin/calls/${callId}/assignments`);
  await submitVia(adminPage, adminPage.locator(`form[action$="/assignments/auto"] button[type=submit]`));
  assert.ok(
    (await adminPage.textContent('[role=status]'))!.includes(
      t('reviews.assign.result', { created: 6, unfilled: 0 }),
    ),
  );
  // Assigned a month before the deadline: the admin is told what that means…
  const early = t('reviews.assign.early', { at: '§' }).split('§')[1]!.slice(2, 60);
  assert.ok((await adminPage.textContent('#assign-early'))!.includes(early), 'the admin is told');
  await shoot(adminPage, 'grant-round-assignments');
  // …and the pitches stay editable and withdrawable: a journalist changes her angle after assignment.
  const editor = pages[1]!;
  await editor.goto(`/grants/pitches/${pitchIds[1]}`);
  assert.ok((await editor.textContent('main'))!.includes(t('grants.pitchStatus.submitted')));
  assert.equal(
    await editor.locator(`form[action="/grants/pitches/${pitchIds[1]}/withdraw"] button`).count(),
    1,
  );
  await editor.fill('#f-angle', 'A sharper angle, written after the reviewers were assigned.');
  await editor.waitForFunction(
    (saved) => document.getElementById('autosave-status')?.textContent === saved,
    t('grants.autosave.saved'),
    { timeout: 15_000 },
  );
  await shoot(editor, 'grant-round-editable-after-assignment');

  // 4b. Reviewers read the version on file at the deadline: assigned early, they wait until the call
  // closes. The admin closes it now (pitches stay editable until then).
  await adminPage.goto(`/admin/calls/${callId}`);
  await submitVia(adminPage, adminPage.locator(`form[action$="/admin/calls/${callId}/close"] button`));

  // 5. Reviewers declare and score blind. Saraa declares a conflict on the third pitch.
  const secrets = [...specs.map((s) => s.name), ...specs.map((s) => s.outlet)];
  for (const [ri, reviewer] of reviewers.entries()) {
    const page = await b.newPage();
    await signInAs(page, reviewer, '/reviews');
    assert.equal(await page.locator('main tbody tr').count(), 3, 'three assignments');
    for (const [pi, spec] of specs.entries()) {
      await page.goto('/reviews');
      await page.locator('main tbody a', { hasText: spec.title }).click();
      await page.waitForURL(/\/reviews\/[0-9a-f]{24}$/);
      const conflict = ri === 1 && pi === 2;
      await page.check(`input[name=answer][value=${conflict ? 'conflict' : 'none'}]`);
      if (conflict) await page.fill('#f-reason', 'I edited this applicant’s work last year.');
      await submitVia(page, page.locator('form[action$="/declare"] button[type=submit]'));
      if (conflict) {
        assert.equal(pathOf(page), '/reviews');
        continue;
      }
      // The blind page: the pitch, no applicant name or outlet.
      const text = (await page.textContent('main'))!;
      assert.ok(text.includes(spec.title));
      for (const s of secrets) assert.ok(!text.includes(s), `blind page leaks "${s}"`);
      assert.equal(await page.locator('main a[href^="/reviews/files/"]').count(), 2, 'both files, blind');
      if (ri === 0 && pi === 0) await shoot(page, 'grant-round-blind-review');
      const inputs = page.locator('input[name^=score_]');
      const n = await inputs.count();
      assert.ok(n >= 1);
      if (ri === 0 && pi === 0) {
        // A 7 and a 3.5 in 0–5 boxes: the form comes back with every value and note kept, the bad
        // fields marked and explained.
        for (let k = 0; k < n; k++) await inputs.nth(k).fill(k === 0 ? '7' : k === 1 ? '3.5' : '4');
        await page.selectOption('#f-recommendation', 'fund');
        await page.fill('#f-privateComment', 'My private note, typed before the mistake.');
        const bad = await submitVia(page, page.locator('button[name=action][value=save]'));
        assert.equal(bad.status(), 400, 'a bad score is refused on the form');
        assert.equal(await inputs.nth(0).inputValue(), '7');
        assert.equal(await inputs.nth(1).inputValue(), '3.5');
        assert.equal(await inputs.nth(2).inputValue(), '4');
        assert.equal(
          await page.inputValue('#f-privateComment'),
          'My private note, typed before the mistake.',
        );
        assert.equal(await page.locator('input[name^=score_][aria-invalid=true]').count(), 2);
        assert.equal(await page.locator('#error-summary a').count(), 2);
        await shootBoth(page, 'grant-round-bad-score');
      }
      // Ganaa scores generously, Saraa strictly; the pitches rank 1 > 2 > 3 for both.
      for (let k = 0; k < n; k++) await inputs.nth(k).fill(String(Math.max(0, (ri === 0 ? 5 : 4) - pi)));
      await page.selectOption('#f-recommendation', pi === 2 ? 'maybe' : 'fund');
      await page.fill('#f-commentToApplicant', `Strong angle on ${spec.title.toLowerCase()}.`);
      await page.fill('#f-privateComment', 'Check the budget for the video.');
      if (ri === 0 && pi === 0) await shootBoth(page, 'grant-round-reviewer-form');
      const res = await submitVia(page, page.locator('button[name=action][value=submit]'));
      assert.equal(res.status(), 303, 'review submitted');
      await page.getByText(t('reviews.form.submittedNoteComment')).first().waitFor();
    }
  }

  // 6. The board shows raw and normalised scores.
  await adminPage.goto(`/admin/calls/${callId}/review-board`);
  const heads = await adminPage.locator('main thead th').allTextContents();
  assert.ok(heads.includes(t('reviews.board.raw')) && heads.includes(t('reviews.board.normalised')));
  const rows = adminPage.locator('main tbody tr');
  assert.equal(await rows.count(), 3);
  const rawCol = heads.indexOf(t('reviews.board.raw'));
  const normCol = heads.indexOf(t('reviews.board.normalised'));
  for (let i = 0; i < 3; i++) {
    const cells = await rows.nth(i).locator('td').allTextContents();
    assert.match(cells[rawCol]!.trim(), /^\d+\.\d$/, `raw score in row ${i + 1}`);
    assert.match(cells[normCol]!.trim(), /^-?\d+\.\d$/, `normalised score in row ${i + 1}`);
  }
  assert.ok((await rows.first().textContent())!.includes(specs[0]!.title), 'the best pitch ranks first');
  await shoot(adminPage, 'grant-round-board');
  await shootBoth(adminPage, 'grant-round-board');

  // 7. Fund the first two (7,000,000 of 10,000,000); the third would exceed the pool and is refused.
  const decide = async (pitchIdx: number, outcome: string) => {
    await adminPage.goto(`/admin/calls/${callId}/review-board`);
    await adminPage.locator('main tbody a', { hasText: specs[pitchIdx]!.title }).click();
    await adminPage.waitForURL((u) => u.pathname.endsWith(`/pitches/${pitchIds[pitchIdx]}/reviews`));
    await adminPage.check(`input[name=outcome][value=${outcome}]`);
    return submitVia(adminPage, adminPage.locator('form[action$="/decision"] button[type=submit]'));
  };
  assert.equal((await decide(0, 'funded')).status(), 303);
  assert.equal((await decide(1, 'funded')).status(), 303);
  const over = await decide(2, 'funded');
  assert.equal(over.status(), 409, 'funding beyond the pool is refused');
  // The refusal names what is left of the pool; its first sentence is enough to recognise it.
  const overBudget = t('reviews.errors.overBudget').split(' (')[0]!;
  assert.ok((await adminPage.textContent('main'))!.includes(overBudget), 'over-budget refusal shown');
  await shoot(adminPage, 'grant-round-over-budget');
  assert.equal((await decide(2, 'declined')).status(), 303);
  assert.ok(
    (await adminPage.textContent('main'))!.includes(
      t('reviews.board.budget', {
        pool: '10,000,000',
        awarded: '7,000,000',
        remaining: '3,000,000',
        currency: 'MNT',
        max: '4,000,000',
      }),
    ),
  );

  // 7b. Before the release the applicants see "Under review" and nothing else: no outcome, no award.
  const waiting = pages[0]!;
  await waiting.goto(`/grants/pitches/${pitchIds[0]}`);
  const before = (await waiting.textContent('main'))!;
  assert.ok(before.includes(t('grants.pitchStatus.under_review')), 'under review before release');
  assert.ok(!before.includes(t('grants.pitchStatus.funded')), 'no outcome before release');
  assert.equal(await waiting.locator('#decision-h').count(), 0);
  await waiting.goto('/awards');
  assert.ok((await waiting.textContent('main'))!.includes(t('awards.list.empty')), 'no award before release');
  await pages[2]!.goto('/grants');
  assert.ok(!(await pages[2]!.textContent('main'))!.includes(t('grants.pitchStatus.declined')));
  await shoot(waiting, 'grant-round-awards-before-release');
  // The admin's home says what needs doing: the decisions wait to be released.
  await adminPage.goto('/');
  assert.ok(
    (await adminPage.textContent('#todo'))!.includes(
      t('reviews.home.release', { count: 3, call: 'Stories that protect dreams' }),
    ),
    'the admin home lists the decisions to release',
  );
  await shootBoth(adminPage, 'grant-round-admin-home');
  await adminPage.goto(`/admin/calls/${callId}/review-board`);

  // 8. Release decisions; decision e-mails go out over SMTP.
  // Release asks for confirmation on a page that shows who gets what.
  await adminPage.click(`a[href="/admin/calls/${callId}/release"]`);
  await adminPage.waitForURL((u) => u.pathname === `/admin/calls/${callId}/release`);
  await shoot(adminPage, 'grant-round-release-confirm');
  await submitVia(adminPage, adminPage.locator(`form[action="/admin/calls/${callId}/release"] button`));
  await adminPage.getByText(t('reviews.board.releasedNote')).waitFor();
  await sendDueEmails(b.ctx);
  for (const [i, j] of journalists.entries()) {
    const decision = smtp.received.find(
      (m) =>
        m.envelopeTo.includes(j.email) && m.parsed.subject === `Decision on your pitch: ${specs[i]!.title}`,
    );
    assert.ok(decision, `decision e-mail for ${j.email}`);
  }
  const funded = pages[0]!;
  await funded.goto(`/grants/pitches/${pitchIds[0]}`);
  assert.ok((await funded.textContent('#decision-h + p'))!.includes(t('grants.pitchStatus.funded')));

  // 9. The funded journalist accepts, sends the draft, records publication with a link and date.
  await funded.click('a[href="/awards"]');
  await funded.waitForURL((u) => u.pathname === '/awards');
  await funded.locator('main tbody a', { hasText: specs[0]!.title }).click();
  await funded.waitForURL(/\/awards\/[0-9a-f]{24}$/);
  const awardId = pathOf(funded).split('/').pop()!;
  await submitVia(funded, funded.locator('form[action$="/accept"] button'));
  await funded.fill('#f-link', 'https://docs.example.org/draft-jobs-abroad');
  await submitVia(funded, funded.locator('form[action$="/draft"] button'));
  const storyUrl = 'https://news.example.mn/2026/jobs-abroad-that-were-not';
  await funded.fill('#f-url', storyUrl);
  await funded.fill('#f-date', '2026-11-20');
  await funded.check('#f-listPublicly');
  const pub = await submitVia(funded, funded.locator('form[action$="/published"] button'));
  assert.equal(pub.status(), 303, 'publication recorded');
  assert.ok((await funded.textContent('main'))!.includes(t('awards.status.published')));
  await shoot(funded, 'grant-round-award-published');

  // 10. The admin pays the publication tranche.
  await adminPage.goto('/admin/awards');
  await adminPage.locator(`main a[href="/admin/awards/${awardId}"]`).click();
  await adminPage.waitForURL((u) => u.pathname === `/admin/awards/${awardId}`);
  // The publication tranche waits for staff's ethics and safety check: the page says so; record it first.
  assert.equal(await adminPage.locator('#ref-publication').count(), 0);
  assert.ok((await adminPage.textContent('main tbody'))!.includes(t('awards.tranches.waitsForEthics')));
  await adminPage.fill('#f-note', 'Consent forms seen; no faces or names.');
  const ethics = await submitVia(
    adminPage,
    adminPage.locator(`form[action="/admin/awards/${awardId}/ethics"] button`),
  );
  assert.equal(ethics.status(), 303, 'ethics check recorded');
  await adminPage.fill('#ref-publication', 'BANK-2026-0042');
  // Paying asks the admin to confirm who they are (step-up), keeping the reference typed.
  const asked = await submitVia(
    adminPage,
    adminPage.locator(`form[action="/admin/awards/${awardId}/tranches/publication/pay"] button`),
  );
  assert.equal(asked.status(), 403, 'step-up asked before money leaves');
  await adminPage.fill('#f-stepUpSecret', PASSWORD);
  const paid = await submitVia(adminPage, adminPage.locator('main form button[type=submit]'));
  assert.equal(paid.status(), 303, 'tranche paid');
  assert.equal(await adminPage.locator('#ref-publication').count(), 0);
  assert.ok((await adminPage.textContent('main tbody'))!.includes('BANK-2026-0042'));
  await shoot(adminPage, 'grant-round-tranche-paid');

  // 10b. Staff confirm the publication (link opened, date not in the future) before it is listed.
  await adminPage.check('#f-linkChecked');
  await submitVia(
    adminPage,
    adminPage.locator(`form[action="/admin/awards/${awardId}/confirm-publication"] button`),
  );

  // 11. Anyone sees the story on /published.
  const visitor = await b.newPage();
  await visitor.goto('/published');
  const link = visitor.locator(`main a[href="${storyUrl}"]`);
  assert.equal((await link.textContent())!.trim(), specs[0]!.title);
  assert.ok((await visitor.textContent('main'))!.includes('2026-11-20'));
  await shoot(visitor, 'grant-round-published');
});
