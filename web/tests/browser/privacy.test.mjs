// The resident's privacy in a real browser (Debian chromium), on the test server (demo
// municipality, clock Monday 30 November 2026 08:00 Amsterdam):
//   1. books "Verhuizing doorgeven" with the keyboard alone; the form asks for a choice per
//      information source (first sent without choices: errors on the page), then chooses;
//   2. opens "Uw gegevens" from the personal link, sees the choices, changes one and sees the
//      history grow;
//   3. a clerk opens the appointment (JSON API), and the page says so in plain Dutch;
//   4. after cancelling, erases the personal data with a confirmation step; the link is dead
//      and the clerk sees the data gone.
// axe-core runs on every new page state and must report zero violations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, focused, tabTo, pressAndLoad, h1, apiLogin } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function historyLines(page) {
  return (await page.locator('#consent-history li').allInnerTexts()).map((t) => t.trim());
}

test('consent per source while booking, "Uw gegevens", the access log and erasing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // ---- 1. book with the keyboard ----
  await page.goto(`${base}/voorbeeld`);
  await tabTo(page, /^Verhuizing doorgeven/);
  await pressAndLoad(page, 'Enter');
  assert.equal(await h1(page), 'Kies een dag');
  await tabTo(page, /^Maandag 30 november/);
  await pressAndLoad(page, 'Enter');
  assert.equal(await h1(page), 'Kies een tijd');
  // One Tab enters the group of times; the arrow keys walk (and choose) to 10:00.
  await tabTo(page, /^09:00$/);
  for (let i = 0; i < 8 && (await focused(page)).text !== '10:00'; i++) await page.keyboard.press('ArrowRight');
  assert.equal((await focused(page)).text, '10:00');
  await page.keyboard.press('Space');
  await tabTo(page, /^Verder$/);
  await pressAndLoad(page, 'Enter');
  assert.equal(await h1(page), 'Uw gegevens');
  // The sources with their reasons, each a group of three choices.
  const legends = await page.locator('fieldset.consent legend').allInnerTexts();
  assert.deepEqual(legends, ['Basisregistratie Personen (BRP)', 'Huurcontract of koopakte']);
  assert.match(await page.locator('#consent-brp-reason').innerText(), /Waarom\? Om uw huidige adres/);
  assert.equal(await page.locator('fieldset.consent input[type=radio]').count(), 6);
  await expectAccessible(page, 'privacy-01-booking-form');

  await tabTo(page, /^Naam$/);
  await page.keyboard.type('Els Visser');
  await tabTo(page, /^E-mailadres$/);
  await page.keyboard.type('els@example.nl');
  // Sent without choosing: both sources say what is missing, nothing is booked.
  await tabTo(page, /^Afspraak maken$/);
  const [noChoice] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(noChoice.status(), 422);
  assert.match(await page.title(), /^Fout: /);
  const summary = await page.locator('.error-summary').innerText();
  assert.match(summary, /Kies wat er met Basisregistratie Personen \(BRP\) mag gebeuren\./);
  assert.match(summary, /Kies wat er met Huurcontract of koopakte mag gebeuren\./);
  assert.match(await page.locator('#consent-brp-error').innerText(), /Kies wat er met Basisregistratie/);
  assert.equal(await page.getAttribute('#consent-brp-municipality', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#name'), 'Els Visser');
  await expectAccessible(page, 'privacy-02-booking-no-choice');

  // The summary's link leads to the first choice of the source; Space chooses it.
  await tabTo(page, /Basisregistratie Personen \(BRP\) mag gebeuren/);
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'consent-brp-municipality');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#consent-brp-municipality'), true);
  // Tab goes on to the next group; the arrow key moves to (and chooses) the second option.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'consent-woonbewijs-municipality');
  await page.keyboard.press('ArrowDown');
  const self = await focused(page);
  assert.equal(self.id, 'consent-woonbewijs-self');
  assert.equal(self.checked, true);
  await tabTo(page, /^Afspraak maken$/);
  await pressAndLoad(page, 'Enter');
  assert.equal(await h1(page), 'Uw afspraak is gemaakt');
  const personal = await page.locator('.personal-link a').innerText();
  const token = personal.split('/a/')[1];
  const consent = await (await fetch(`${base}/api/v1/personal/${token}/consent`)).json();
  assert.deepEqual(consent.sources.map((s) => [s.code, s.choice, s.history.length]), [
    ['brp', 'municipality', 1],
    ['woonbewijs', 'self', 1],
  ]);
  assert.equal(consent.sources[0].history[0].chosen_at, '2026-11-30T08:00:00+01:00');

  // ---- 2. "Uw gegevens" from the personal link ----
  await page.goto(personal);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Naar uw gegevens' }).click()]);
  assert.equal(new URL(page.url()).pathname, `/a/${token}/privacy`);
  assert.equal(await h1(page), 'Uw gegevens');
  assert.equal(await page.isChecked('#consent-brp-municipality'), true);
  assert.equal(await page.isChecked('#consent-woonbewijs-self'), true);
  assert.deepEqual(await historyLines(page), [
    'Maandag 30 november om 08:00: Basisregistratie Personen (BRP) — De gemeente mag dit opvragen',
    'Maandag 30 november om 08:00: Huurcontract of koopakte — Ik neem het zelf mee of stuur het zelf op',
  ]);
  assert.match(await page.locator('main').innerText(), /Nog niemand van de gemeente heeft uw gegevens bekeken\./);
  // Erasing waits until after the call (or a cancellation).
  assert.match(await page.locator('main').innerText(), /Dit kan na het gesprek, of nadat u de afspraak heeft afgezegd\./);
  await expectAccessible(page, 'privacy-03-uw-gegevens');

  // Change one choice: saved, said so, and the history grows by one.
  await page.getByRole('group', { name: 'Huurcontract of koopakte' }).getByLabel('Niet nodig').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Keuzes opslaan' }).click()]);
  assert.match(page.url(), /gedaan=keuzes/);
  assert.equal(await page.locator('[role=status]').innerText(), 'Uw keuzes zijn opgeslagen.');
  assert.equal(await page.isChecked('#consent-woonbewijs-not_needed'), true);
  const lines = await historyLines(page);
  assert.equal(lines.length, 3);
  assert.equal(lines[2], 'Maandag 30 november om 08:00: Huurcontract of koopakte — Niet nodig');
  await expectAccessible(page, 'privacy-04-choice-changed');
  const changed = await (await fetch(`${base}/api/v1/personal/${token}/consent`)).json();
  assert.deepEqual(changed.sources.map((s) => [s.choice, s.history.length]), [['municipality', 1], ['not_needed', 2]]);

  // ---- 3. a clerk opens the appointment ----
  const appointment = await (await fetch(`${base}/api/v1/personal/${token}`)).json();
  const clerk = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  const opened = await fetch(`${base}/api/v1/staff/appointments/${appointment.id}`, { headers: { cookie: clerk } });
  assert.equal(opened.status, 200);
  await page.reload();
  const log = await page.locator('#access-log li').allInnerTexts();
  assert.deepEqual(log, ['Op 30 november om 08:00 heeft een medewerker van de gemeente uw afspraak bekeken.']);
  await expectAccessible(page, 'privacy-05-access-log');

  // ---- 4. cancel, then erase with a confirmation step ----
  await page.goto(personal);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Afspraak afzeggen' }).click()]);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Ja, afspraak afzeggen' }).click()]);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Naar uw gegevens' }).click()]);
  // After cancelling the choices are read-only, with the reason.
  assert.equal(await page.locator('fieldset.consent').count(), 0);
  assert.match(await page.locator('main').innerText(), /Deze afspraak is afgezegd\. De keuzes kunnen daarom niet meer veranderen\./);
  assert.match(await page.locator('#current-choices').innerText(), /Huurcontract of koopakte\s+Niet nodig/);
  await expectAccessible(page, 'privacy-06-read-only');

  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Mijn gegevens verwijderen' }).click()]);
  assert.equal(await h1(page), 'Wilt u uw gegevens verwijderen?');
  await expectAccessible(page, 'privacy-07-erase-confirm');
  // The confirmation step itself erases nothing.
  assert.equal((await fetch(`${base}/api/v1/personal/${token}`)).status, 200);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Ja, mijn gegevens verwijderen' }).click()]);
  assert.equal(await h1(page), 'Uw gegevens zijn verwijderd');
  assert.match(await page.locator('[role=status]').innerText(), /Uw naam, e-mailadres, telefoonnummer en opmerking zijn verwijderd/);
  assert.match(await page.locator('#kept').innerText(), /Archiefwet/);
  await expectAccessible(page, 'privacy-08-erased');

  // The personal link is dead, and the clerk sees the personal data gone.
  assert.equal((await fetch(`${base}/api/v1/personal/${token}`)).status, 404);
  assert.equal((await page.goto(personal)).status(), 404);
  const after = await (await fetch(`${base}/api/v1/staff/appointments/${appointment.id}`, { headers: { cookie: clerk } })).json();
  assert.equal(after.name, 'Verwijderd');
  assert.equal(after.email, 'verwijderd@videoloket.invalid');
  assert.equal(after.phone, null);
  assert.notEqual(after.name, 'Els Visser');
  await context.close();
});

test('once a clerk called the resident the choices are read-only, with the reason', async () => {
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
  const moving = services.find((s) => s.name === 'Verhuizing doorgeven');
  const resp = await fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      service_id: moving.id, start: '2026-11-30T09:00:00+01:00', name: 'Piet Smit', email: 'piet@example.nl',
      consents: [{ source: 'brp', choice: 'municipality' }, { source: 'woonbewijs', choice: 'not_needed' }],
    }),
  });
  assert.equal(resp.status, 201);
  const { token } = await resp.json();
  assert.equal((await fetch(`${base}/api/v1/personal/${token}/check-in`, { method: 'POST' })).status, 200);
  const clerk = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  const called = await fetch(`${base}/api/v1/staff/queue/call-next`, { method: 'POST', headers: { cookie: clerk } });
  const calledBody = await called.text();
  assert.equal(called.status, 200, calledBody);
  assert.equal(JSON.parse(calledBody).resident_name, 'Piet Smit');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/a/${token}/privacy`);
  assert.equal(await page.locator('fieldset.consent').count(), 0, 'no form once the call started');
  assert.match(await page.locator('main').innerText(), /Het gesprek is begonnen of voorbij\. De medewerker gaat uit van deze keuzes/);
  assert.match(await page.locator('#current-choices').innerText(), /Basisregistratie Personen \(BRP\)\s+De gemeente mag dit opvragen/);
  assert.match(await page.locator('#current-choices').innerText(), /Huurcontract of koopakte\s+Niet nodig/);
  assert.equal((await historyLines(page)).length, 2);
  await expectAccessible(page, 'privacy-09-read-only-call-started');
  await context.close();
});
