// The account pages in a real browser (Debian chromium, axe-core on every state):
//   1. "wachtwoord vergeten": the form, the mailed one-time link, a weak password refused on the
//      page, a strong one set, the link refused a second time, and logging in with it;
//   2. changing one's own password: a wrong current password refused, then changed;
//   3. an admin deactivates a clerk: the clerk's open page loses its session at once and the
//      login refuses; reactivated, the clerk logs in again;
//   4. the admin's audit page lists who deactivated whom.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, mailsTo, h1,
} from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

async function pageAs(email, password) {
  const cookie = await apiLogin(email, password);
  const { context, page } = await newPage();
  await context.addCookies([browserCookie(cookie)]);
  return { context, page };
}

async function submit(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name }).click(),
  ]);
  return response.status();
}

async function loginStatus(email, password) {
  const resp = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'voorbeeld', email, password }),
  });
  return resp.status;
}

/** The one-time password link in the newest mail to `address`. */
function passwordLinkIn(address) {
  const mails = mailsTo(address);
  assert.ok(mails.length > 0, `no mail to ${address}`);
  const link = mails.at(-1).match(/https?:\/\/\S+\/medewerker\/wachtwoord\/[A-Za-z0-9_-]+/)?.[0];
  assert.ok(link, `no password link in the mail:\n${mails.at(-1)}`);
  // The mail names the platform's public address; the test server listens elsewhere.
  return base + new URL(link).pathname;
}

test('forgot password: mailed link, weak password refused, strong one set, link used once', async () => {
  const { context, page } = await newPage();
  await page.goto(`${base}/voorbeeld/medewerker/wachtwoord-vergeten`);
  assert.equal(await h1(page), 'Wachtwoord vergeten');
  await expectAccessible(page, 'accounts-forgot');
  const before = mailsTo('anna@voorbeeld.nl').length;
  await page.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  assert.equal(await submit(page, 'Stuur mij een link'), 200);
  await expectAccessible(page, 'accounts-forgot-sent');
  assert.equal(mailsTo('anna@voorbeeld.nl').length, before + 1, 'one mail with the link');

  const link = passwordLinkIn('anna@voorbeeld.nl');
  await page.goto(link);
  assert.equal(await h1(page), 'Wachtwoord kiezen');
  await expectAccessible(page, 'accounts-choose');
  await page.getByLabel('Nieuw wachtwoord').fill('welkom');
  assert.equal(await submit(page, 'Wachtwoord instellen'), 422);
  const summary = await page.locator('.error-summary').innerText();
  assert.match(summary, /wachtwoord/i, summary);
  await expectAccessible(page, 'accounts-choose-weak');

  const strong = 'Paarse-olifant-fietst-naar-Zwolle-41';
  await page.getByLabel('Nieuw wachtwoord').fill(strong);
  assert.equal(await submit(page, 'Wachtwoord instellen'), 200);
  assert.match(await page.locator('main').innerText(), /Uw wachtwoord is ingesteld\./);
  await expectAccessible(page, 'accounts-choose-done');

  // The link works once.
  await page.goto(link);
  assert.equal(await h1(page), 'Link werkt niet meer');
  await expectAccessible(page, 'accounts-link-used');

  assert.equal(await loginStatus('anna@voorbeeld.nl', 'welkom-anna'), 401, 'the old password is gone');
  assert.equal(await loginStatus('anna@voorbeeld.nl', strong), 200);
  await context.close();

  // Changing one's own password: the current one must be right.
  const { context: own, page: mine } = await pageAs('anna@voorbeeld.nl', strong);
  await mine.goto(`${base}/medewerker/wachtwoord`);
  assert.equal(await h1(mine), 'Wachtwoord wijzigen');
  await expectAccessible(mine, 'accounts-change');
  await mine.getByLabel('Huidig wachtwoord').fill('not-my-password-at-all');
  await mine.getByLabel('Nieuw wachtwoord').fill('Groene-giraf-zwemt-in-Almere-77');
  assert.equal(await submit(mine, 'Wachtwoord wijzigen'), 422);
  await expectAccessible(mine, 'accounts-change-wrong');
  await mine.getByLabel('Huidig wachtwoord').fill(strong);
  await mine.getByLabel('Nieuw wachtwoord').fill('Groene-giraf-zwemt-in-Almere-77');
  assert.equal(await submit(mine, 'Wachtwoord wijzigen'), 200);
  await expectAccessible(mine, 'accounts-change-done');
  assert.equal(await loginStatus('anna@voorbeeld.nl', 'Groene-giraf-zwemt-in-Almere-77'), 200);
  await own.close();
});

test('deactivating a clerk ends their session at once; reactivated they log in; the audit page says who', async () => {
  const clerk = await pageAs('anna@voorbeeld.nl', 'Groene-giraf-zwemt-in-Almere-77');
  await clerk.page.goto(`${base}/medewerker/vandaag`);
  assert.doesNotMatch(clerk.page.url(), /\/medewerker$/, 'the clerk is in');

  const admin = await pageAs('bram@voorbeeld.nl', 'welkom-bram');
  await admin.page.goto(`${base}/beheer/medewerkers`);
  await expectAccessible(admin.page, 'accounts-clerks');
  assert.equal(await submit(admin.page, /Deactiveren Anna/), 200);
  assert.match(await admin.page.locator('main').innerText(), /Gedeactiveerd: deze medewerker is meteen uitgelogd/);
  await expectAccessible(admin.page, 'accounts-clerk-deactivated');

  // The clerk's next page goes to the login: the session ended with the deactivation.
  await clerk.page.goto(`${base}/medewerker/vandaag`);
  assert.match(clerk.page.url(), /\/medewerker(\?|$)/, clerk.page.url());
  assert.equal(await loginStatus('anna@voorbeeld.nl', 'Groene-giraf-zwemt-in-Almere-77'), 401);

  assert.equal(await submit(admin.page, /Weer activeren Anna/), 200);
  assert.match(await admin.page.locator('main').innerText(), /Weer actief/);
  await expectAccessible(admin.page, 'accounts-clerk-reactivated');
  assert.equal(await loginStatus('anna@voorbeeld.nl', 'Groene-giraf-zwemt-in-Almere-77'), 200);

  await admin.page.goto(`${base}/beheer/logboek`);
  await expectAccessible(admin.page, 'accounts-audit');
  const log = await admin.page.locator('main').innerText();
  assert.match(log, /Bram/, log);
  assert.match(log, /Anna/, log);
  assert.match(log, /gedeactiveerd/i, log);
  await clerk.context.close();
  await admin.context.close();
});
