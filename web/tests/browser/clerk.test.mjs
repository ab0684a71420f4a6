// The clerk's pages in a real browser with JavaScript switched off, so everything a clerk
// needs outside the call itself is proven to work on plain HTML forms:
//   1. log in through the form: empty fields and a wrong password are explained on the page,
//      the right password lands on today's appointments (an appointment booked through the
//      API is listed, and the resident's access log says a clerk saw it, once);
//   2. keyboard only through the staff navigation to the callback requests; a request made
//      through the API is marked handled with the keyboard and is gone;
//   3. the queue, "next resident" and the call view with the resident's choices per
//      information source beside it, offering only the allowed sources as consulted;
//   4. log out: the pages ask for a login again;
//   5. with JavaScript, after hanging up, the outcome form records the allowed source as
//      consulted (and the resident's access log says so).
// axe-core runs on every page state and must report zero violations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, tabTo, bookPassport, passportService } from './harness.mjs';

/** A context with JavaScript on, only for running axe-core. */
let checking;

/** The harness's axe check on what a page without JavaScript shows: axe needs JavaScript, so
 * the page's HTML as it stands (scripts left out) is served at the same address in a
 * JavaScript-enabled page, with the real stylesheet, and checked there. */
async function accessible(page, name) {
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
  const url = page.url();
  const checker = await checking.newPage();
  await checker.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await checker.goto(url);
  await expectAccessible(checker, name);
  await checker.close();
}

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
  checking = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});

after(stopPlatform);

test('clerk without JavaScript: log in, today, callbacks by keyboard, log out', async () => {
  const booked = await bookPassport('Lotte Jansen', '10:00', 'lotte@example.nl');
  const service = await passportService();
  const callback = await fetch(`${base}/api/v1/tenants/voorbeeld/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: service.id, name: 'Kees Bakker', phone: '06 12345678', part_of_day: 'morning' }),
  });
  assert.equal(callback.status, 201, await callback.text());

  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // Without a session a clerk page sends the clerk to the login, and back afterwards.
  await page.goto(`${base}/medewerker/vandaag`);
  assert.equal(new URL(page.url()).pathname, '/medewerker');
  await accessible(page, 'clerk-01-municipality');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Gemeente Voorbeeld' }).click()]);
  assert.equal(new URL(page.url()).pathname, '/voorbeeld/medewerker');

  // Empty form: both fields explained, the summary links to them.
  let [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Inloggen' }).click()]);
  assert.equal(resp.status(), 422);
  assert.match(await page.locator('.error-summary').innerText(), /Vul uw e-mailadres in\.[\s\S]*Vul uw wachtwoord in\./);
  assert.equal(await page.getByLabel('E-mailadres').getAttribute('aria-invalid'), 'true');
  assert.match(await page.title(), /^Fout: /);
  await accessible(page, 'clerk-02-login-empty');

  // Wrong password: 401, the message, the address kept, the password not.
  await page.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await page.getByLabel('Wachtwoord').fill('niet-goed');
  [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Inloggen' }).click()]);
  assert.equal(resp.status(), 401);
  assert.equal(await page.locator('#login-error').innerText(), 'Het e-mailadres of het wachtwoord klopt niet.');
  assert.equal(await page.getByLabel('E-mailadres').inputValue(), 'anna@voorbeeld.nl');
  assert.equal(await page.getByLabel('Wachtwoord').inputValue(), '');
  assert.equal(await page.getByLabel('Wachtwoord').getAttribute('aria-describedby'), 'password-error');
  await accessible(page, 'clerk-03-login-wrong');

  // The right password: today's appointments, where the clerk wanted to go.
  await page.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([page.waitForURL(`${base}/medewerker/vandaag`), page.getByRole('button', { name: 'Inloggen' }).click()]);
  assert.equal(await page.locator('h1').innerText(), 'Vandaag');
  assert.equal(await page.locator('table caption').innerText(), 'Afspraken op maandag 30 november');
  const row = page.locator('tr', { hasText: 'Lotte Jansen' });
  assert.match(await row.innerText(), /10:00\s+Lotte Jansen\s+Paspoort.*\s+\S.*\s+Geboekt/);
  assert.equal(await page.locator('nav.staff-nav a[aria-current="page"]').innerText(), 'Vandaag');
  await accessible(page, 'clerk-04-today');

  // The resident can read that a clerk saw the appointment in the day's list: once, also
  // after looking again.
  await page.reload();
  const log = await (await fetch(`${base}/api/v1/personal/${booked.token}/access-log`)).json();
  assert.equal(log.length, 1, JSON.stringify(log));
  assert.equal(log[0].action, 'viewed_day_list');
  assert.match(log[0].sentence, /^Op 30 november om 08:00 zag een medewerker van de gemeente uw afspraak in de lijst/);

  // Keyboard only: from the top of the page through the staff navigation.
  await page.locator('body').focus();
  const { path } = await tabTo(page, /^Terugbelverzoeken$/);
  assert.deepEqual(path.slice(-3), ['Vandaag', 'Wachtrij', 'Terugbelverzoeken']);
  await Promise.all([page.waitForURL(`${base}/medewerker/terugbellen`), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Terugbelverzoeken');
  const request = page.locator('tr', { hasText: 'Kees Bakker' });
  // Stored in E.164 (issue 14): the national input 06 12345678 becomes +31612345678.
  assert.equal(await request.getByRole('link', { name: '+31612345678' }).getAttribute('href'), 'tel:+31612345678');
  assert.match(await request.innerText(), /Paspoort[\s\S]*maandag 30 november 2026 om 08:00\s+'s ochtends \(voor 12:00\)\s+Op tijd/);
  await accessible(page, 'clerk-05-callbacks');

  // Marked handled with the keyboard: a message, and the request is gone.
  await tabTo(page, /^Bereikt/);
  // Reached: on to the outcome of the callback (issue 21), which says it is handled.
  await Promise.all([page.waitForURL(/\/medewerker\/terugbellen\/[0-9a-f-]{36}\/uitkomst\?bereikt=1$/), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('.notice').innerText(), 'Bereikt en afgehandeld: het terugbelverzoek van Kees Bakker.');
  await page.goto(`${base}/medewerker/terugbellen`);
  assert.equal(await page.locator('tr', { hasText: 'Kees Bakker' }).count(), 0);
  assert.match(await page.locator('main').innerText(), /Er zijn geen open terugbelverzoeken\./);
  const open = await (await context.request.get(`${base}/api/v1/staff/callbacks`)).json();
  assert.equal(open.length, 0);
  await accessible(page, 'clerk-06-callback-handled');

  // Log out: back to the login; the pages want a login again.
  await Promise.all([page.waitForURL(`${base}/medewerker`), page.getByRole('button', { name: 'Uitloggen' }).click()]);
  await page.goto(`${base}/medewerker/terugbellen`);
  assert.equal(new URL(page.url()).pathname, '/medewerker');
  await accessible(page, 'clerk-07-logged-out');
  await context.close();
});

test('queue and call view without JavaScript: choices beside the call, only allowed sources offered', async () => {
  // Check-in opens two hours ahead, so the 09:00 appointment can check in at 08:00.
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie: admin } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, check_in_minutes: 120 }),
  });
  assert.equal(put.status, 200, await put.text());
  const service = await passportService();
  const sources = await fetch(`${base}/api/v1/admin/services/${service.id}/sources`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({
      sources: [
        { code: 'brp', label: 'BRP', reason: 'Om uw adres te controleren.' },
        { code: 'inkomen', label: 'Inkomen', reason: 'Om de kosten te bepalen.' },
        { code: 'rdw', label: 'RDW', reason: 'Om uw rijbewijs te controleren.' },
      ],
    }),
  });
  assert.equal(sources.status, 200, await sources.text());
  const booked = await bookPassport('Sanne Visser', '09:00', 'lotte@example.nl');
  const chosen = await fetch(`${base}/api/v1/personal/${booked.token}/consent`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ choices: [{ source: 'brp', choice: 'municipality' }, { source: 'inkomen', choice: 'self' }] }),
  });
  assert.equal(chosen.status, 200, await chosen.text());
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);

  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/medewerker/wachtrij`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Gemeente Voorbeeld' }).click()]);
  await page.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await page.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([page.waitForURL(`${base}/medewerker/wachtrij`), page.getByRole('button', { name: 'Inloggen' }).click()]);
  // Without JavaScript the queue is there as it was when the page was opened.
  assert.match(await page.locator('#queue-rows').innerText(), /Sanne Visser\s+Paspoort.*\s+Wacht/);
  await accessible(page, 'clerk-08-queue');
  let log = await (await fetch(`${base}/api/v1/personal/${booked.token}/access-log`)).json();
  assert.deepEqual(log.map((l) => l.action), ['viewed_queue']);
  assert.match(log[0].sentence, /zag een medewerker van de gemeente uw naam in de wachtrij\.$/);

  await Promise.all([page.waitForURL(/\/medewerker\/gesprek\//), page.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  assert.equal(await page.locator('h1').innerText(), 'Gesprek met Sanne Visser');
  const aside = await page.locator('.call-details').innerText();
  assert.match(aside, /Keuzes van de bewoner/);
  assert.match(aside, /BRP\s+Gemeente mag het opvragen/);
  assert.match(aside, /Inkomen\s+Bewoner levert het zelf aan/);
  assert.match(aside, /RDW\s+Nog niet gekozen/);
  // The outcome form (shown after hanging up) offers only what the resident allowed.
  const offered = await page.locator('input[name=sources]').evaluateAll((boxes) => boxes.map((b) => b.value));
  assert.deepEqual(offered, ['BRP']);
  await accessible(page, 'clerk-09-call-view');
  log = await (await fetch(`${base}/api/v1/personal/${booked.token}/access-log`)).json();
  // The test clock stands still, so both lines have the same time and either may come first.
  assert.deepEqual(log.map((l) => l.action).sort(), ['opened_appointment', 'viewed_queue']);

  // Nobody else waits: "next resident" says so on the queue page.
  await page.goto(`${base}/medewerker/wachtrij`);
  await Promise.all([page.waitForURL(/niemand=1/), page.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  assert.match(await page.locator('.notice').innerText(), /Er wacht nu niemand voor uw onderwerpen\./);
  await accessible(page, 'clerk-10-nobody-waiting');
  await context.close();
});

test('after hanging up the outcome records the consulted source the resident allowed', async () => {
  // Same setup as above, for a new resident; the admin settings and sources are still in place.
  const booked = await bookPassport('Ruud Smit', '09:15', 'lotte@example.nl');
  const chosen = await fetch(`${base}/api/v1/personal/${booked.token}/consent`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ choices: [{ source: 'brp', choice: 'municipality' }, { source: 'rdw', choice: 'not_needed' }] }),
  });
  assert.equal(chosen.status, 200, await chosen.text());
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);

  // This time with JavaScript: the clerk's page starts the call (alone in the room), leaves
  // the room, then ends the conversation.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/voorbeeld/medewerker?terug=/medewerker/wachtrij`);
  await page.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await page.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([page.waitForURL(`${base}/medewerker/wachtrij`), page.getByRole('button', { name: 'Inloggen' }).click()]);
  await Promise.all([page.waitForURL(/\/medewerker\/gesprek\//), page.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  assert.equal(await page.locator('h1').innerText(), 'Gesprek met Ruud Smit');
  // Leaving the room is not ending the conversation: "Gesprek beëindigen" is still there.
  await page.getByRole('button', { name: 'Ophangen' }).click();
  await page.getByRole('button', { name: 'Ja, gesprek verlaten' }).click();
  await page.getByRole('button', { name: 'Opnieuw deelnemen' }).waitFor({ state: 'visible' });
  assert.equal(await page.getByRole('button', { name: 'Gesprek beëindigen' }).isVisible(), true);
  await page.getByRole('button', { name: 'Gesprek beëindigen' }).click();
  await page.getByRole('button', { name: 'Ja, gesprek beëindigen' }).click();
  await page.locator('#outcome-form').waitFor({ state: 'visible' });
  const offered = await page.locator('input[name=sources]').evaluateAll((boxes) => boxes.map((b) => b.value));
  assert.deepEqual(offered, ['BRP']);
  await page.locator('input[name=result]').first().check();
  await page.getByRole('checkbox', { name: 'BRP' }).check();
  await page.getByRole('button', { name: 'Uitkomst vastleggen' }).click();
  await page.waitForFunction(() => document.getElementById('outcome-status').textContent === 'De uitkomst is vastgelegd.');
  await expectAccessible(page, 'clerk-11-outcome-with-source');
  const outcomes = await (await context.request.get(`${base}/api/v1/staff/appointments/${booked.appointment.id}/outcomes`)).json();
  assert.deepEqual(outcomes.outcomes[0].sources, ['BRP']);
  const log = await (await fetch(`${base}/api/v1/personal/${booked.token}/access-log`)).json();
  assert.ok(log.some((l) => l.action === 'consulted_source' && l.source === 'BRP'), JSON.stringify(log));
  await context.close();
});
