// The admin's message page (/beheer/berichten) in a real browser: a booking's confirmation is
// listed as sent by the message outbox, the reminder switches are saved and stay, axe-core on
// every state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, bookPassport } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

test('messages: the confirmation is listed as sent; a reminder is switched off and stays off', async () => {
  await bookPassport('Mira Melding', '11:00', 'mira@example.nl');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(await apiLogin('bram@voorbeeld.nl', 'welkom-bram'))]);
  const page = await context.newPage();

  // The worker sends within a second or so; the page shows the state it finds.
  let table = '';
  for (let i = 0; i < 20; i++) {
    await page.goto(`${base}/beheer/berichten`);
    table = await page.locator('main').innerText();
    if (/Verzonden/.test(table)) break;
    await page.waitForTimeout(500);
  }
  assert.equal(await page.locator('h1').innerText(), 'Berichten');
  assert.match(table, /Verzonden/, table);
  await expectAccessible(page, 'messages-01-list');

  const hour = page.getByLabel('Een uur van tevoren');
  assert.equal(await hour.isChecked(), true);
  await hour.uncheck();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.match(await page.locator('main').innerText(), /De instellingen zijn opgeslagen\./);
  assert.equal(await page.getByLabel('Een uur van tevoren').isChecked(), false);
  assert.equal(await page.getByLabel('Een dag van tevoren').isChecked(), true);
  await expectAccessible(page, 'messages-02-saved');
  await page.reload();
  assert.equal(await page.getByLabel('Een uur van tevoren').isChecked(), false, 'the choice stays');
  await context.close();
});
