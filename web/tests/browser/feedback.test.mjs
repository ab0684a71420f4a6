// The resident's rating page in a real browser (Debian chromium) on the test server (clock
// Monday 30 November 2026 08:00 Amsterdam):
//   1. before the call: the page says when rating opens, and the personal link offers none;
//   2. once a clerk called the resident (checked in early), the form opens; in English and
//      with the keyboard alone the resident files a complaint with a comment;
//   3. the municipality's complaints list has it.
// axe-core runs on every page state and must report zero violations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, focused, tabTo, bookPassport } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

test('rating opens once a clerk called; a complaint in English with the keyboard', async () => {
  const { token } = await bookPassport('Kees Boer', '09:00', 'kees@example.nl');
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // ---- 1. before the call ----
  await page.goto(`${base}/a/${token}/beoordeling`);
  assert.equal(await page.locator('h1').innerText(), 'Uw mening over het gesprek');
  assert.match(await page.locator('main').innerText(), /U kunt uw mening geven zodra het gesprek is begonnen\./);
  assert.equal(await page.locator('form').count(), 0);
  await expectAccessible(page, 'feedback-01-not-yet');
  await page.goto(`${base}/a/${token}`);
  assert.equal(await page.getByRole('link', { name: 'Geef uw mening over het gesprek' }).count(), 0);
  // Posting anyway changes nothing.
  const early = await fetch(`${base}/api/v1/personal/${token}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rating: 8 }),
  });
  assert.equal(early.status, 409);

  // ---- 2. checked in early and called by a clerk: rating opens ----
  assert.equal((await fetch(`${base}/api/v1/personal/${token}/check-in`, { method: 'POST' })).status, 200);
  const clerk = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  const called = await fetch(`${base}/api/v1/staff/queue/call-next`, { method: 'POST', headers: { cookie: clerk } });
  assert.equal(called.status, 200, await called.text());

  await page.goto(`${base}/a/${token}/beoordeling?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Your opinion of the call');
  assert.equal(await page.locator('legend').innerText(), 'How was the call?');
  await expectAccessible(page, 'feedback-02-form-en');
  // One Tab into the scale, the arrow keys to 3 (choosing as they go).
  await tabTo(page, /^1 = very bad$/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal((await focused(page)).text, '3');
  await tabTo(page, /^Comment \(optional\)$/);
  await page.keyboard.type('I waited twenty minutes without any message.');
  await tabTo(page, /^This is a complaint/);
  await page.keyboard.press('Space');
  await tabTo(page, /^Send my opinion$/);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Thank you for your opinion');
  assert.equal(await page.locator('#given-rating').innerText(), '3 out of 10');
  assert.match(await page.locator('#given').innerText(), /Yes\. The municipality will contact you\./);
  await expectAccessible(page, 'feedback-03-thanks-en');

  const given = await (await fetch(`${base}/api/v1/personal/${token}/feedback`)).json();
  assert.equal(given.rating, 3);
  assert.equal(given.complaint, true);

  // ---- 3. on the municipality's follow-up list ----
  const complaints = await (await fetch(`${base}/api/v1/admin/complaints`, { headers: { cookie: admin } })).json();
  assert.ok(complaints.some((c) => c.comment === 'I waited twenty minutes without any message.'));

  // Anna, who called the resident, sees the rating and the comment without a name.
  const annaContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await annaContext.addCookies([browserCookie(clerk)]);
  const annaPage = await annaContext.newPage();
  await annaPage.goto(`${base}/medewerker/beoordelingen`);
  assert.equal(await annaPage.locator('h1').innerText(), 'Mijn beoordelingen');
  const row = await annaPage.locator('tbody tr').first().innerText();
  assert.match(row, /\b3\b/);
  assert.match(row, /I waited twenty minutes without any message\./);
  assert.doesNotMatch(await annaPage.locator('main').innerText(), /Kees|Boer/);
  await expectAccessible(annaPage, 'feedback-03b-clerk-ratings');
  await annaContext.close();

  // The personal link now thanks instead of asking.
  await page.goto(`${base}/a/${token}?lang=nl`);
  assert.match(await page.locator('main').innerText(), /Bedankt voor uw mening over het gesprek\./);
  await expectAccessible(page, 'feedback-04-personal-after');
  await context.close();
});
