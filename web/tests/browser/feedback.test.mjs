// The resident's rating page in a real browser (Debian chromium) on the test server (clock
// Monday 30 November 2026 08:00 Amsterdam):
//   1. before the call: the page says when rating opens, and the personal link offers none;
//   2. once a clerk called the resident (checked in early), the form opens; in English and
//      with the keyboard alone the resident files a complaint with a comment;
//   3. the municipality's complaints list has it.
// axe-core runs on every page state and must report zero violations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function apiLogin(email, password) {
  const resp = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'voorbeeld', email, password }),
  });
  assert.equal(resp.status, 200);
  return resp.headers.get('set-cookie').split(';')[0];
}

async function focusedText(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const label = el && el.labels && el.labels[0] ? el.labels[0].innerText : '';
    return (label || (el && (el.innerText || el.value)) || '').replace(/\s+/g, ' ').trim();
  });
}

async function tabTo(page, pattern, max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const text = await focusedText(page);
    seen.push(text);
    if (pattern.test(text)) return;
  }
  assert.fail(`Tab never reached ${pattern}; focus went through: ${seen.join(' | ')}`);
}

test('rating opens once a clerk called; a complaint in English with the keyboard', async () => {
  // Check-in opens two hours ahead, so a 09:00 appointment can check in at 08:00.
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie: admin } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, check_in_minutes: 120 }),
  });
  assert.equal(put.status, 200, await put.text());
  const services = await (await fetch(`${base}/api/v1/tenants/voorbeeld/services`)).json();
  const passport = services.find((s) => s.name.startsWith('Paspoort'));
  const resp = await fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: passport.id, start: '2026-11-30T09:00:00+01:00', name: 'Kees Boer', email: 'kees@example.nl' }),
  });
  assert.equal(resp.status, 201);
  const { token } = await resp.json();

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
  assert.equal(await focusedText(page), '3');
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

  // The personal link now thanks instead of asking.
  await page.goto(`${base}/a/${token}?lang=nl`);
  assert.match(await page.locator('main').innerText(), /Bedankt voor uw mening over het gesprek\./);
  await expectAccessible(page, 'feedback-04-personal-after');
  await context.close();
});
