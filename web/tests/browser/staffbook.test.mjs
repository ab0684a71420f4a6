// Issue 16 in a real browser: a clerk books for a caller who has no e-mail address (phone
// only), reads the booking code from the page; the resident then finds the appointment with
// the code and the phone number on "Afspraak zoeken" and reaches the personal page with the
// link to the call. A wrong phone number gets the same plain message as an unknown code.
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

test('a clerk books for a caller without e-mail; the caller finds it with code and phone', async () => {
  const clerk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await clerk.goto(`${base}/voorbeeld/medewerker`);
  await clerk.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await clerk.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'Inloggen' }).click()]);

  // From the staff navigation to "Afspraak maken of zoeken".
  await Promise.all([clerk.waitForNavigation(), clerk.getByRole('link', { name: 'Afspraak maken of zoeken' }).click()]);
  assert.equal(new URL(clerk.url()).pathname, '/medewerker/afspraken');
  await expectAccessible(clerk, 'staffbook-01-book-or-find');

  // A service, a day, a time and the caller's details: name and phone, no e-mail.
  await Promise.all([clerk.waitForNavigation(), clerk.locator('ul.choice-list a.choice').first().click()]);
  await expectAccessible(clerk, 'staffbook-02-days');
  await Promise.all([clerk.waitForNavigation(), clerk.locator('main a[href*="?day="]').first().click()]);
  await expectAccessible(clerk, 'staffbook-03-details');
  await clerk.locator('input[name="start"]').first().check();
  await clerk.getByLabel('Naam van de beller').fill('Mevrouw Zonder Mail');
  await clerk.getByLabel('Telefoonnummer').fill('06 12345678');
  // Issue 21: the caller's language or interpreter need, shown again after booking.
  await clerk.getByLabel('Taal of tolk nodig? (niet verplicht)').fill('Turks, tolk nodig');
  let [resp] = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'Afspraak maken' }).click()]);
  assert.equal(resp.status(), 200);
  const code = (await clerk.locator('#booking-code').innerText()).trim();
  assert.match(code, /^[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{2}$/);
  assert.match(await clerk.locator('main').innerText(), /geen e-mailadres/i);
  assert.match(await clerk.locator('dl.summary').innerText(), /Taal of tolk\s+Turks, tolk nodig/);
  await expectAccessible(clerk, 'staffbook-04-booked');

  // The clerk finds it again by phone number.
  await clerk.goto(`${base}/medewerker/afspraken?q=0612345678`);
  assert.match(await clerk.locator('#search-results').innerText(), /Mevrouw Zonder Mail/);
  await expectAccessible(clerk, 'staffbook-05-search');

  // The resident: "Afspraak zoeken" from the municipality's page.
  const resident = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await resident.goto(`${base}/voorbeeld`);
  await Promise.all([resident.waitForNavigation(), resident.getByRole('link', { name: /Zoek uw afspraak/ }).click()]);
  assert.equal(new URL(resident.url()).pathname, '/voorbeeld/afspraak-zoeken');
  await expectAccessible(resident, 'staffbook-06-find');

  // A wrong phone number: the one plain message, at the code field.
  await resident.getByLabel('Afspraakcode').fill(code);
  await resident.getByLabel('Telefoonnummer').fill('06 99999999');
  [resp] = await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Afspraak zoeken' }).click()]);
  assert.equal(resp.status(), 404);
  assert.match(await resident.locator('.error-summary').innerText(), /geen afspraak met deze gegevens/);
  await expectAccessible(resident, 'staffbook-07-find-no-match');

  // The right one, typed differently: the personal page with the code and the call link.
  await resident.getByLabel('Afspraakcode').fill(code.toLowerCase().replaceAll('-', ' '));
  await resident.getByLabel('Telefoonnummer').fill('+31 6 1234 5678');
  await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Afspraak zoeken' }).click()]);
  assert.match(new URL(resident.url()).pathname, /^\/a\/[A-Za-z0-9_-]{43}$/);
  assert.equal((await resident.locator('#booking-code').innerText()).trim(), code);
  const video = resident.getByRole('link', { name: 'Naar het videogesprek' });
  assert.match(await video.getAttribute('href'), /\/video$/);
  await expectAccessible(resident, 'staffbook-08-personal');
});
