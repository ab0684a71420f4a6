// Several people in one appointment (issue 16 item 8) in a real browser: an admin lets the
// passport service take up to two people with ten extra minutes for the second; a resident
// books for two, naming the second person and the interpreter they need; the clerk sees both
// names and the need beside the call.
// axe-core on every new state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, h1, passportService } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

test('a resident books for two people and the clerk sees both names', async () => {
  const passport = await passportService();
  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await admin.addCookies([browserCookie(await apiLogin('bram@voorbeeld.nl', 'welkom-bram'))]);
  const page = await admin.newPage();
  await page.goto(`${base}/beheer/onderwerpen/${passport.id}`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Aantal personen instellen' }).click()]);
  assert.match(await h1(page), /^Personen per afspraak: Paspoort/);
  await expectAccessible(page, 'party-01-admin');
  // A mistake is refused in words, nothing saved.
  await page.getByLabel('Voor hoeveel personen (hoogstens)').fill('12');
  const [refused] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.equal(refused.status(), 422);
  assert.match(await page.locator('.error-summary').innerText(), /Kies 1 tot en met 8 personen/);
  await expectAccessible(page, 'party-02-admin-refused');
  await page.getByLabel('Voor hoeveel personen (hoogstens)').fill('2');
  await page.getByLabel('Extra minuten per extra persoon').fill('10');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /Het aantal personen is opgeslagen/);
  // Residents may check in two hours ahead, so the clerk can call them in this morning.
  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, check_in_minutes: 120 }),
  });
  assert.equal(put.status, 200, await put.text());
  await admin.close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const resident = await context.newPage();
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  assert.equal(await h1(resident), 'Voor hoeveel personen?');
  await expectAccessible(resident, 'party-03-how-many');
  // Continuing without a choice: asked again, with the error.
  const [missing] = await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Verder' }).click()]);
  assert.equal(missing.status(), 422);
  assert.match(await resident.locator('.error-summary').innerText(), /Kies voor hoeveel personen de afspraak is/);
  await expectAccessible(resident, 'party-03b-how-many-error');
  await resident.getByLabel('2 personen').check();
  await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Verder' }).click()]);
  assert.equal(await h1(resident), 'Kies een dag');
  assert.match(resident.url(), /personen=2/);
  await Promise.all([resident.waitForNavigation(), resident.click('text=Maandag 30 november')]);
  await expectAccessible(resident, 'party-04-times');
  await resident.check('text=09:00');
  await Promise.all([resident.waitForNavigation(), resident.click('text=Verder')]);
  assert.match(await resident.locator('main').innerText(), /Voor 2 personen/);
  await resident.fill('#name', 'Els Bakker');
  await resident.fill('#email', 'els@example.nl');
  // Issue 21: a language need longer than one short line is refused at its field.
  await resident.getByLabel('Taal of tolk nodig? (niet verplicht)').fill('Nederlandse Gebarentaal '.repeat(4));
  // The second person's name is required.
  const [unnamed] = await Promise.all([resident.waitForNavigation(), resident.click('text=Afspraak maken')]);
  assert.equal(unnamed.status(), 422);
  assert.match(await resident.locator('.error-summary').innerText(), /Vul de naam van persoon 2 in/);
  assert.match(await resident.locator('#language-error').innerText(), /hoogstens 80 tekens/);
  assert.equal(await resident.getAttribute('#language', 'aria-invalid'), 'true');
  await expectAccessible(resident, 'party-05-details-error');
  await resident.getByLabel('Taal of tolk nodig? (niet verplicht)').fill('Gebarentaal (NGT), tolk nodig');
  await resident.getByLabel('Naam van persoon 2').fill('Sam Bakker');
  await Promise.all([resident.waitForNavigation(), resident.click('text=Afspraak maken')]);
  assert.equal(await resident.locator('#when').innerText(), 'Maandag 30 november 2026 om 09:00');
  await expectAccessible(resident, 'party-06-confirmation');
  const token = resident.url().match(/\/a\/([^/]+)\/bevestiging/)[1];
  assert.equal((await fetch(`${base}/api/v1/personal/${token}/check-in`, { method: 'POST' })).status, 200);
  await context.close();

  const clerk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await clerk.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const desk = await clerk.newPage();
  await desk.goto(`${base}/medewerker/wachtrij`);
  await Promise.all([desk.waitForURL(/\/medewerker\/gesprek\//), desk.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  assert.equal(await h1(desk), 'Gesprek met Els Bakker');
  const details = await desk.locator('.call-details').innerText();
  assert.match(details, /Naam\s+Els Bakker/);
  assert.match(details, /Ook in deze afspraak\s+Sam Bakker/);
  assert.match(details, /Taal of tolk\s+Gebarentaal \(NGT\), tolk nodig/);
  await expectAccessible(desk, 'party-07-clerk');
  await clerk.close();
});
