// Questions before booking (issue 16 item 7) in a real browser: the demo's debt service asks
// whether something urgent is about to happen; "yes" sends the resident to the phone, "no" on
// to the days; the clerk reads the answer beside the call. An admin adds a question whose
// answer sends residents to the counter, and removes it again. axe-core on every new state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, h1, passportService } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

const URGENT = /Wordt binnen een week uw gas, water of licht afgesloten/;

/** Gives the demo municipality a phone number through the admin API. */
async function setPhone(phone) {
  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const headers = { 'content-type': 'application/json', cookie };
  const s = await (await fetch(`${base}/api/v1/admin/settings`, { headers })).json();
  const body = {
    name: s.name, tone: s.tone, primary_colour: s.primary_colour, secondary_colour: s.secondary_colour,
    walk_ins_allowed: s.walk_ins_allowed, lead_time_minutes: s.lead_time_minutes, horizon_days: s.horizon_days,
    retention_days: s.retention_days, contact_email: s.contact_email, check_in_minutes: s.check_in_minutes,
    no_show_grace_minutes: s.no_show_grace_minutes, ...s.resident_info, phone,
  };
  const put = await fetch(`${base}/api/v1/admin/settings`, { method: 'PUT', headers, body: JSON.stringify(body) });
  assert.equal(put.status, 200, await put.text());
}

test('a resident answers the question before booking: urgent goes to the phone, otherwise on to the days', async () => {
  await setPhone('14 030');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/voorbeeld`);
  await Promise.all([page.waitForNavigation(), page.click('text=Hulp bij geldzaken')]);
  assert.equal(await h1(page), 'Vragen vooraf');
  assert.match(await page.locator('legend').first().innerText(), URGENT);
  await expectAccessible(page, 'triage-01-question');

  // Continuing without an answer: the question again, with the error linked to it.
  const [missing] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verder' }).click()]);
  assert.equal(missing.status(), 422);
  assert.match(await page.locator('.error-summary').innerText(), /Kies een antwoord bij: Wordt binnen een week/);
  assert.match(await page.title(), /^Fout: /);
  await expectAccessible(page, 'triage-02-unanswered');

  // "Yes": no video call; the municipality's number is on the page.
  await page.getByLabel('Ja').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verder' }).click()]);
  assert.equal(await h1(page), 'Dit kan niet met een videogesprek');
  assert.match(await page.locator('main').innerText(), /Bel ons/);
  assert.equal(await page.locator('main a[href="tel:14030"]').innerText(), '14 030');
  await expectAccessible(page, 'triage-03-call-us');

  // Answering again: "no" goes on to the days, and the answer travels with each step.
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'De vragen opnieuw beantwoorden' }).click()]);
  await page.getByLabel('Nee').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verder' }).click()]);
  assert.equal(await h1(page), 'Kies een dag');
  assert.match(page.url(), /triage=0/);
  await Promise.all([page.waitForNavigation(), page.click('text=Woensdag 2 december')]);
  await page.check('text=11:00');
  await Promise.all([page.waitForNavigation(), page.click('text=Verder')]);
  assert.equal(await page.locator('input[name=triage]').getAttribute('value'), '0');
  await page.fill('#name', 'Els Bakker');
  await page.fill('#email', 'els@example.nl');
  await Promise.all([page.waitForNavigation(), page.click('text=Afspraak maken')]);
  assert.equal(await page.locator('#when').innerText(), 'Woensdag 2 december 2026 om 11:00');

  // An address with an answer that is not on offer asks the question again.
  const services = await (await fetch(`${base}/api/v1/tenants/voorbeeld/services`)).json();
  const debts = services.find((s) => s.name.startsWith('Hulp bij geldzaken'));
  await page.goto(`${base}/voorbeeld/${debts.id}?triage=5`);
  assert.equal(await h1(page), 'Vragen vooraf');
  await context.close();
});

test('the clerk reads the answer beside the call', async () => {
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie: admin } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, check_in_minutes: 120 }),
  });
  assert.equal(put.status, 200, await put.text());
  const services = await (await fetch(`${base}/api/v1/tenants/voorbeeld/services`)).json();
  const debts = services.find((s) => s.name.startsWith('Hulp bij geldzaken'));
  const resp = await fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: debts.id, start: '2026-11-30T09:00:00+01:00', name: 'Piet Smit', email: 'piet@example.nl', triage: '0' }),
  });
  assert.equal(resp.status, 201, await resp.clone().text());
  const booked = await resp.json();
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const page = await context.newPage();
  await page.goto(`${base}/medewerker/wachtrij`);
  await Promise.all([page.waitForURL(/\/medewerker\/gesprek\//), page.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  assert.equal(await h1(page), 'Gesprek met Piet Smit');
  const details = await page.locator('.call-details').innerText();
  assert.match(details, /Wordt binnen een week uw gas, water of licht afgesloten, of moet u uw huis uit\?\s+Nee/);
  await expectAccessible(page, 'triage-04-clerk');
  await context.close();
});

test('an admin adds a question that sends residents to the counter, and removes it', async () => {
  const passport = await passportService();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(await apiLogin('bram@voorbeeld.nl', 'welkom-bram'))]);
  const page = await context.newPage();
  await page.goto(`${base}/beheer/onderwerpen/${passport.id}`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Vragen vooraf instellen' }).click()]);
  assert.match(await h1(page), /^Vragen vooraf: Paspoort/);
  assert.match(await page.locator('main').innerText(), /Dit onderwerp heeft geen vragen vooraf\./);
  await expectAccessible(page, 'triage-05-admin-empty');

  // One answer only: refused in words, nothing saved.
  await page.getByLabel('Vraag', { exact: true }).fill('Woont u in het buitenland?');
  await page.locator('#label0').fill('Ja');
  const [refused] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vraag toevoegen' }).click()]);
  assert.equal(refused.status(), 422);
  assert.match(await page.locator('.error-summary').innerText(), /Er is niets opgeslagen[\s\S]*Geef een vraag 2 tot 5 antwoorden/);
  await expectAccessible(page, 'triage-06-admin-refused');

  await page.locator('#verdict0').selectOption('counter');
  await page.locator('#text0').fill('Kom naar het stadhuis, balie 3. Neem uw oude paspoort mee.');
  await page.locator('#label1').fill('Nee');
  await page.locator('#verdict1').selectOption('continue');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vraag toevoegen' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /De vraag is toegevoegd/);
  assert.match(await page.locator('.question-list').innerText(), /Woont u in het buitenland\?[\s\S]*Ja → naar de balie: Kom naar het stadhuis/);
  await expectAccessible(page, 'triage-07-admin-added');

  // The resident answering "yes" is sent to the counter, with the place.
  const resident = await context.newPage();
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  await resident.getByLabel('Ja').check();
  await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Verder' }).click()]);
  assert.match(await resident.locator('main').innerText(), /Kom hiervoor naar de balie:\s+Kom naar het stadhuis, balie 3/);
  await expectAccessible(resident, 'triage-08-counter');

  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /Verwijderen: Woont u in het buitenland/ }).click()]);
  assert.match(await page.getByRole('status').innerText(), /De vraag is verwijderd/);
  // Without questions the service starts at the days again.
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  assert.equal(await h1(resident), 'Kies een dag');
  await context.close();
});
