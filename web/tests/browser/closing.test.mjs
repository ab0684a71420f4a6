// Closing days (/beheer/sluitingsdagen) and the resident's day picker in a real browser
// (Debian chromium through playwright-core), without JavaScript on the pages:
//   1. the public holidays are preloaded: Christmas Day is on the admin's list and the resident
//      sees no times on it; the day picker reaches to the end of the booking horizon (60 days
//      in the demo), grouped per week;
//   2. adding a closing day with mistakes shows them all and saves nothing; adding one on a
//      day with a booking names that appointment; its slots are gone and a direct booking is
//      refused; a part day keeps the other part of the day; the admin messages the booked
//      resident once (the mail says the appointment cannot go ahead);
//   3. removing a closing day (a preloaded holiday too) offers its slots again, and the holiday
//      stays removed.
// axe-core runs on every page state. Fixed clock: Monday 30 November 2026 08:00 Amsterdam.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, mailsTo } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

const api = (p) => `${base}/api/v1${p}`;

async function asAdmin() {
  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(cookie)]);
  return { page: await context.newPage(), context, cookie };
}

async function submit(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name }).click(),
  ]);
  return response.status();
}

async function passport() {
  const services = await (await fetch(api('/tenants/voorbeeld/services'))).json();
  return services.find((s) => s.name.startsWith('Paspoort'));
}

async function slots(service, day) {
  const resp = await fetch(api(`/tenants/voorbeeld/services/${service.id}/slots?from=${day}&to=${day}`));
  assert.equal(resp.status, 200);
  return resp.json();
}

function book(service, start, name) {
  return fetch(api('/tenants/voorbeeld/appointments'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: service.id, start, name, email: 'sluiting@example.nl' }),
  });
}

test('public holidays are preloaded; the day picker runs to the horizon, per week', async () => {
  const service = await passport();
  assert.deepEqual(await slots(service, '2026-12-25'), [], 'no times on Christmas Day');
  assert.ok((await slots(service, '2026-12-24')).length > 0, 'Christmas Eve is open');

  const { page, context } = await asAdmin();
  await page.goto(`${base}/beheer/sluitingsdagen`);
  assert.equal(await page.locator('h1').innerText(), 'Sluitingsdagen');
  const christmas = page.locator('tr', { hasText: 'Eerste Kerstdag' }).first();
  assert.match(await christmas.innerText(), /Vrijdag 25 december 2026/);
  assert.match(await christmas.innerText(), /Hele dag/);
  assert.equal(await page.locator('tr', { hasText: 'Koningsdag' }).count(), 2, '2027 and 2028; 2026 is past');
  assert.equal(
    await page.locator('.staff-nav a[aria-current="page"]').innerText(),
    'Sluitingsdagen',
  );
  await expectAccessible(page, 'closing-01-list');
  await context.close();

  // A clerk may not change closing days.
  const anna = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  const clerkContext = await browser.newContext();
  await clerkContext.addCookies([browserCookie(anna)]);
  const clerkPage = await clerkContext.newPage();
  assert.equal((await clerkPage.goto(`${base}/beheer/sluitingsdagen`)).status(), 403);
  await clerkContext.close();
  assert.equal((await fetch(api('/admin/closing-days'), { headers: { cookie: anna } })).status, 403);

  const resident = await browser.newPage();
  await resident.goto(`${base}/voorbeeld/${service.id}`);
  assert.equal(await resident.locator('h1').innerText(), 'Kies een dag');
  assert.equal(await resident.getByRole('link', { name: /^Vrijdag 25 december/ }).count(), 0);
  assert.equal(await resident.getByRole('link', { name: /^Donderdag 24 december/ }).count(), 1);
  // Beyond the old four weeks, up to the 60-day horizon.
  assert.equal(await resident.getByRole('link', { name: /^Maandag 11 januari/ }).count(), 1);
  assert.equal(await resident.getByRole('link', { name: /^Maandag 1 februari/ }).count(), 0);
  const week = resident.locator('section.week', { has: resident.getByRole('heading', { name: 'Week 52' }) });
  assert.match(await week.innerText(), /Maandag 21 december/);
  assert.match(await week.innerText(), /Donderdag 24 december/);
  await expectAccessible(resident, 'closing-02-days-per-week');
  await resident.close();
});

test('a closing day with mistakes is refused; one on a booked day names the booking', async () => {
  const service = await passport();
  const free = await slots(service, '2026-12-08');
  assert.ok(free.length > 2);
  const made = await book(service, free[1].start, 'Sara Sluiting');
  assert.equal(made.status, 201);

  const { page, context, cookie } = await asAdmin();
  await page.goto(`${base}/beheer/sluitingsdagen`);
  await page.getByLabel('Datum').fill('2026-12-08');
  await page.getByLabel('Gesloten vanaf (niet verplicht)').fill('14:00');
  await page.getByLabel('Gesloten tot (niet verplicht)').fill('13:00');
  assert.equal(await submit(page, 'Sluitingsdag toevoegen'), 422);
  const summary = await page.locator('.error-summary').innerText();
  assert.match(summary, /Er is niets opgeslagen/);
  assert.match(summary, /De eindtijd moet na de begintijd liggen/);
  assert.match(summary, /Vul een naam in/);
  assert.equal(await page.getAttribute('#closing-to', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#closing-from'), '14:00', 'what was typed stays');
  await expectAccessible(page, 'closing-03-mistakes');
  assert.ok((await slots(service, '2026-12-08')).length > 0, 'nothing was saved');

  await page.getByLabel('Gesloten vanaf (niet verplicht)').fill('');
  await page.getByLabel('Gesloten tot (niet verplicht)').fill('');
  await page.getByLabel('Naam').fill('Studiedag');
  assert.equal(await submit(page, 'Sluitingsdag toevoegen'), 200);
  assert.match(await page.locator('.notice').first().innerText(), /Er staat al 1 afspraak op/);
  const booked = await page.locator('table', { hasText: 'Sara Sluiting' }).innerText();
  assert.match(booked, /Studiedag/);
  assert.match(booked, /sluiting@example\.nl/);
  await expectAccessible(page, 'closing-04-added-with-booking');

  // The admin messages the resident once: the button goes, the row says "Verstuurd".
  const mailsBefore = mailsTo('sluiting@example.nl').length;
  assert.equal(await submit(page, /Stuur bericht aan 1 bewoners/), 200);
  assert.match(await page.locator('.notice').first().innerText(), /Bericht verstuurd aan 1 bewoners/);
  assert.match(await page.locator('table', { hasText: 'Sara Sluiting' }).innerText(), /Verstuurd/);
  assert.equal(await page.getByRole('button', { name: /Stuur bericht/ }).count(), 0);
  await expectAccessible(page, 'closing-04b-residents-messaged');
  const mails = mailsTo('sluiting@example.nl');
  assert.equal(mails.length, mailsBefore + 1);
  assert.match(mails.at(-1), /kan niet doorgaan: de gemeente is dan gesloten/);

  assert.deepEqual(await slots(service, '2026-12-08'), [], 'the day is closed');
  const direct = await book(service, free[2].start, 'Direct Proberen');
  assert.equal(direct.status, 422, 'a closed time is not bookable');

  // A part day: closed from 12:00, the morning stays.
  const added = await fetch(api('/admin/closing-days'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ date: '2026-12-09', from: '12:00', to: '24:00', name: 'Middag dicht' }),
  });
  assert.equal(added.status, 201);
  const afternoon = await slots(service, '2026-12-09');
  assert.ok(afternoon.length > 0, 'the morning is open');
  assert.ok(afternoon.every((s) => s.start.slice(11, 16) < '12:00'), JSON.stringify(afternoon));
  await context.close();
});

test('removing a closing day offers its times again; a removed holiday stays removed', async () => {
  const service = await passport();
  const { page, context, cookie } = await asAdmin();
  await page.goto(`${base}/beheer/sluitingsdagen`);
  await page.getByRole('button', { name: /Verwijderen \(Eerste Kerstdag, Vrijdag 25 december 2026\)/ }).click();
  await page.waitForURL(/verwijderd=1/);
  assert.match(await page.locator('.notice').first().innerText(), /De sluitingsdag is verwijderd/);
  await expectAccessible(page, 'closing-05-removed');
  assert.ok((await slots(service, '2026-12-25')).length > 0, 'Christmas Day is open now');
  await page.reload();
  assert.equal(await page.getByText('Vrijdag 25 december 2026').count(), 0, 'not preloaded again');

  const list = await (await fetch(api('/admin/closing-days'), { headers: { cookie } })).json();
  const studiedag = list.find((d) => d.name === 'Studiedag');
  assert.equal(studiedag.appointments.length, 1);
  const removed = await fetch(api(`/admin/closing-days/${studiedag.id}`), { method: 'DELETE', headers: { cookie } });
  assert.equal(removed.status, 204);
  assert.ok((await slots(service, '2026-12-08')).length > 0);
  const again = await fetch(api(`/admin/closing-days/${studiedag.id}`), { method: 'DELETE', headers: { cookie } });
  assert.equal(again.status, 404);
  await context.close();
});
