// The municipality's admin pages (/beheer) in a real browser (Debian chromium through
// playwright-core), without JavaScript on the pages:
//   1. access: no session goes to the login, a clerk gets a 403 page in words;
//   2. settings: a colour without AA contrast is refused with the reason and nothing changes;
//      a valid colour is saved; tone "je" makes the resident pages say "je", then back to "u";
//      a wrong phone number is refused; phone, opening hours and introduction show on the
//      resident pages (the number as a tel: link in the footer);
//   3. services: add one (after a mistake), give it two information sources and results, and
//      see it offered on /voorbeeld;
//   4. clerks: add one (after a mistake), set weekly hours (after a mistake) and an absence,
//      and see the hours in the offered slots;
//   5. complaints: a resident files one after the call; the admin marks it handled;
//   6. dashboard: table, charts and the CSV download, with the service filter;
//   7. a service is no longer offered (residents cannot book it, the appointment made stays)
//      and offered again; an absence is removed;
//   8. case system: a delivery to a closed port fails, is shown with its error and next
//      attempt, retried one by one and, after the settings are put right, all at once.
// axe-core runs on every page state, error states included.
//
// The shared test server (fixed clock Monday 30 November 2026 08:00 Amsterdam) moves its clock
// with `POST /test/clock/advance?minutes=N`: a complaint can only be given once the call has
// started, and a booking must lie in the future.

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

/** A browser page with a session of `email`. */
async function pageAs(email, password) {
  const cookie = await apiLogin(email, password);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(cookie)]);
  const page = await context.newPage();
  return { page, context, cookie };
}

const asAdmin = () => pageAs('bram@voorbeeld.nl', 'welkom-bram');

/** Clicks a submit button and waits for the page that answers; returns its status. */
async function submit(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name }).click(),
  ]);
  // After a redirect, the response is the final page's.
  return response.status();
}

async function tenant() {
  return (await fetch(api('/tenants/voorbeeld'))).json();
}

async function services() {
  return (await fetch(api('/tenants/voorbeeld/services'))).json();
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

// ---- tests ---------------------------------------------------------------------------------

test('no session goes to the login; a clerk gets a 403 page in words', async () => {
  const context = await browser.newContext();
  const anonymous = await context.newPage();
  await anonymous.goto(`${base}/beheer`);
  assert.equal(new URL(anonymous.url()).pathname, '/medewerker');
  await context.close();

  const { page, context: clerk } = await pageAs('anna@voorbeeld.nl', 'welkom-anna');
  for (const p of ['/beheer', '/beheer/onderwerpen', '/beheer/medewerkers', '/beheer/dashboard', '/beheer/klachten', '/beheer/zaaksysteem']) {
    const res = await page.goto(`${base}${p}`);
    assert.equal(res.status(), 403, p);
    assert.equal(await text(page, 'h1'), 'Geen toegang');
  }
  assert.match(await text(page, 'main'), /alleen voor beheerders/);
  // A form post is refused the same way, and changes nothing.
  const before = await tenant();
  const res = await page.request.post(`${base}/beheer`, {
    form: { name: 'Overgenomen', tone: 'je', primary_colour: '#000000', secondary_colour: '#000000' },
    headers: { origin: base },
    maxRedirects: 0,
  });
  assert.equal(res.status(), 403);
  assert.deepEqual(await tenant(), before);
  await page.goto(`${base}/beheer`);
  await expectAccessible(page, 'admin-403');
  await clerk.close();
});

test('settings: a colour without enough contrast is refused, a good one is saved', async () => {
  const { page, context, cookie } = await asAdmin();
  const settings = async () => (await fetch(api('/admin/settings'), { headers: { cookie } })).json();
  await page.goto(`${base}/beheer`);
  assert.equal(await text(page, 'h1'), 'Instellingen');
  assert.equal(await page.locator('.staff-nav a[aria-current="page"]').innerText(), 'Instellingen');
  assert.equal(await page.inputValue('#primary_colour'), '#154273');
  assert.ok(await page.isChecked('#tone-u'));
  await expectAccessible(page, 'admin-settings');

  const before = await settings();
  await page.fill('#primary_colour', '#ffff00');
  await page.fill('#name', 'Gemeente Geel');
  assert.equal(await submit(page, 'Instellingen opslaan'), 422);
  const summary = await text(page, '.error-summary');
  assert.match(summary, /#ffff00 is te licht/);
  assert.match(summary, /contrast van 1,07:1/);
  assert.match(summary, /minstens 4,5:1/);
  assert.equal(await page.getAttribute('#primary_colour', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#primary_colour', 'aria-describedby'), /primary_colour-error/);
  assert.equal(await page.inputValue('#primary_colour'), '#ffff00', 'the typed value is kept');
  assert.equal(await page.inputValue('#name'), 'Gemeente Geel', 'the other fields too');
  assert.match(await page.title(), /^Fout: /);
  // The summary links to the field.
  await page.locator('.error-summary a').first().click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'primary_colour');
  await expectAccessible(page, 'admin-settings-error');
  assert.deepEqual(await settings(), before, 'nothing was saved');

  // Several mistakes at once are all listed.
  await page.fill('#primary_colour', 'blauw');
  await page.fill('#check_in_minutes', '999');
  await page.fill('#contact_email', 'geen adres');
  assert.equal(await submit(page, 'Instellingen opslaan'), 422);
  assert.equal(await page.locator('.error-summary li').count(), 3);
  await expectAccessible(page, 'admin-settings-errors');

  await page.goto(`${base}/beheer`);
  await page.fill('#primary_colour', '#0B5D1E');
  await page.fill('#check_in_minutes', '20');
  assert.equal(await submit(page, 'Instellingen opslaan'), 200);
  assert.match(page.url(), /\/beheer\?opgeslagen=1$/);
  assert.match(await text(page, '[role="status"]'), /De instellingen zijn opgeslagen/);
  assert.equal(await page.inputValue('#primary_colour'), '#0b5d1e');
  await expectAccessible(page, 'admin-settings-saved');
  const after = await settings();
  assert.equal(after.primary_colour, '#0b5d1e');
  assert.equal(after.check_in_minutes, 20);
  assert.equal(after.name, before.name);
  // The resident pages use the new colour.
  await page.goto(`${base}/voorbeeld`);
  assert.match(await page.getAttribute('body', 'style'), /--primary: #0b5d1e/);

  // In English too, with the reason in English.
  await page.goto(`${base}/beheer?lang=en`);
  assert.equal(await text(page, 'h1'), 'Settings');
  await page.fill('#secondary_colour', '#ffff00');
  assert.equal(await submit(page, 'Save settings'), 422);
  assert.match(await text(page, '.error-summary'), /Colour #ffff00 has contrast 1\.07:1 with white text; at least 4\.5:1 is needed\./);
  await expectAccessible(page, 'admin-settings-error-en');
  await context.close();
});

test('tone "je" makes the resident pages say je; back to "u"', async () => {
  const { page, context } = await asAdmin();
  const passport = (await services()).find((s) => s.name.startsWith('Paspoort'));
  const resident = await context.newPage();

  await resident.goto(`${base}/voorbeeld`);
  assert.equal(await text(resident, 'h1'), 'Kies uw dienst');
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  assert.match(await text(resident, 'main'), /Op welke dag wilt u het gesprek\?/);

  await page.goto(`${base}/beheer`);
  await page.check('#tone-je');
  assert.equal(await submit(page, 'Instellingen opslaan'), 200);
  assert.equal((await tenant()).tone, 'je');

  await resident.goto(`${base}/voorbeeld`);
  assert.equal(await text(resident, 'h1'), 'Kies je dienst');
  assert.match(await text(resident, 'main'), /Waarover wil je met de gemeente praten\?/);
  await expectAccessible(resident, 'admin-tone-je-services');
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  const main = await text(resident, 'main');
  assert.match(main, /Op welke dag wil je het gesprek\? Daarna kies je de tijd\./);
  assert.doesNotMatch(main, /wilt u/);

  await page.goto(`${base}/beheer`);
  await page.check('#tone-u');
  assert.equal(await submit(page, 'Instellingen opslaan'), 200);
  await resident.goto(`${base}/voorbeeld`);
  assert.equal(await text(resident, 'h1'), 'Kies uw dienst');
  await context.close();
});

test('settings: phone number, opening hours and introduction show on the resident pages', async () => {
  const { page, context } = await asAdmin();
  const resident = await context.newPage();
  await page.goto(`${base}/beheer`);
  await page.fill('#phone', 'bel ons');
  assert.equal(await submit(page, 'Instellingen opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /telefoonnummer.*bijvoorbeeld 14 030/);
  assert.equal(await page.getAttribute('#phone', 'aria-invalid'), 'true');
  await expectAccessible(page, 'admin-settings-phone-error');

  await page.fill('#phone', '14 030');
  await page.fill('#opening_hours', 'Maandag tot en met vrijdag 9:00-17:00');
  await page.fill('#intro_nl', 'Welkom bij het videoloket van Gemeente Voorbeeld.');
  await page.fill('#intro_en', 'Welcome to the video counter of Gemeente Voorbeeld.');
  assert.equal(await submit(page, 'Instellingen opslaan'), 200);
  assert.equal(await page.inputValue('#phone'), '14030');

  await resident.goto(`${base}/voorbeeld`);
  assert.match(await text(resident, 'main'), /Welkom bij het videoloket van Gemeente Voorbeeld\./);
  assert.equal(await resident.locator('footer a[href="tel:14030"]').innerText(), '14 030');
  assert.match(await text(resident, 'footer'), /Bel ons: 14 030/);
  assert.match(await text(resident, 'footer'), /Openingstijden: Maandag tot en met vrijdag 9:00-17:00/);
  await expectAccessible(resident, 'resident-contact');
  const passport = (await services()).find((s) => s.name.startsWith('Paspoort'));
  await resident.goto(`${base}/voorbeeld/${passport.id}`);
  assert.equal(await resident.locator('footer a[href="tel:14030"]').count(), 1, 'on every resident page');
  await resident.goto(`${base}/voorbeeld?lang=en`);
  assert.match(await text(resident, 'main'), /Welcome to the video counter/);
  assert.match(await text(resident, 'footer'), /Call us: 14 030/);
  await expectAccessible(resident, 'resident-contact-en');
  // The language is a cookie of this browser, which the admin page shares: back to Dutch.
  await resident.goto(`${base}/voorbeeld?lang=nl`);

  // Back to none, for the other tests.
  await page.goto(`${base}/beheer`);
  for (const id of ['#phone', '#opening_hours', '#intro_nl', '#intro_en']) await page.fill(id, '');
  assert.equal(await submit(page, 'Instellingen opslaan'), 200);
  await resident.goto(`${base}/voorbeeld`);
  // Without a number of its own the page offers the government's general line, 1400.
  assert.equal(await resident.locator('a[href^="tel:14030"]').count(), 0);
  assert.equal(await resident.locator('a[href="tel:1400"]').count(), 1);
  await context.close();
});

test('services: add one with two information sources and results; residents see it', async () => {
  const { page, context } = await asAdmin();
  await page.goto(`${base}/beheer/onderwerpen`);
  assert.match(await text(page, 'table caption'), /Onderwerpen/);
  assert.equal(await page.locator('tbody tr').count(), 3);
  await expectAccessible(page, 'admin-services');

  await page.fill('#name', 'Parkeervergunning aanvragen');
  await page.fill('#description', 'Een vergunning om in uw straat te parkeren.');
  await page.fill('#duration_minutes', '7');
  assert.equal(await submit(page, 'Onderwerp toevoegen'), 422);
  assert.match(await text(page, '.error-summary'), /in stappen van 5/);
  assert.equal(await page.getAttribute('#duration_minutes', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#name'), 'Parkeervergunning aanvragen');
  await expectAccessible(page, 'admin-services-error');
  assert.equal((await services()).length, 3, 'nothing was added');

  await page.fill('#duration_minutes', '30');
  assert.equal(await submit(page, 'Onderwerp toevoegen'), 200);
  assert.match(page.url(), /\/beheer\/onderwerpen\/[0-9a-f-]+\?toegevoegd=1$/);
  assert.equal(await text(page, 'h1'), 'Parkeervergunning aanvragen');
  assert.match(await text(page, '[role="status"]'), /toegevoegd/);
  await expectAccessible(page, 'admin-service');
  const id = page.url().match(/onderwerpen\/([0-9a-f-]+)/)[1];

  // A line without its reason is refused, with the line number.
  await page.fill('#sources', 'brp | Basisregistratie Personen | Om uw adres te controleren.\nkenteken | Kentekenregister');
  assert.equal(await submit(page, 'Bronnen opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /Regel 2/);
  assert.equal(await page.getAttribute('#sources', 'aria-invalid'), 'true');
  await expectAccessible(page, 'admin-service-sources-error');
  assert.deepEqual(await (await fetch(api(`/tenants/voorbeeld/services/${id}/sources`))).json(), []);

  await page.fill(
    '#sources',
    'brp | Basisregistratie Personen | Om uw adres te controleren.\n\nkenteken | Kentekenregister | Om te zien of de auto op uw naam staat.\n',
  );
  assert.equal(await submit(page, 'Bronnen opslaan'), 200);
  assert.match(page.url(), /\?bronnen=1$/);
  assert.match(await text(page, '[role="status"]'), /De bronnen zijn opgeslagen/);
  const sources = await (await fetch(api(`/tenants/voorbeeld/services/${id}/sources`))).json();
  assert.deepEqual(sources.map((s) => [s.code, s.label]), [
    ['brp', 'Basisregistratie Personen'],
    ['kenteken', 'Kentekenregister'],
  ]);
  assert.match(await page.inputValue('#sources'), /kenteken \| Kentekenregister \| Om te zien/);

  await page.fill('#results', 'verleend | Vergunning verleend\nafgewezen | Afgewezen');
  assert.equal(await submit(page, 'Resultaten opslaan'), 200);
  assert.match(await text(page, '[role="status"]'), /De resultaten zijn opgeslagen/);
  assert.equal(await page.inputValue('#results'), 'verleend | Vergunning verleend\nafgewezen | Afgewezen\n');
  await expectAccessible(page, 'admin-service-saved');

  // Name, explanation and duration can be changed; a wrong duration is refused.
  await page.fill('#duration_minutes', '33');
  await page.fill('#description', 'Een vergunning om bij uw huis te parkeren.');
  assert.equal(await submit(page, 'Gegevens opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /in stappen van 5/);
  assert.equal(await page.inputValue('#description'), 'Een vergunning om bij uw huis te parkeren.');
  await expectAccessible(page, 'admin-service-details-error');
  assert.equal((await services()).find((s) => s.id === id).duration_minutes, 30, 'nothing saved');
  await page.fill('#duration_minutes', '45');
  assert.equal(await submit(page, 'Gegevens opslaan'), 200);
  assert.match(await text(page, '[role="status"]'), /De gegevens van het onderwerp zijn opgeslagen/);
  assert.equal(await page.inputValue('#duration_minutes'), '45');

  // Offered to residents.
  const resident = await context.newPage();
  await resident.goto(`${base}/voorbeeld`);
  const choice = resident.getByRole('link', { name: /Parkeervergunning aanvragen/ });
  assert.match(await choice.innerText(), /bij uw huis te parkeren/);
  assert.match(await choice.innerText(), /45 minuten/);
  await context.close();
});

test('clerks: add one, set weekly hours and an absence', async () => {
  const { page, context } = await asAdmin();
  await page.goto(`${base}/beheer/medewerkers`);
  assert.match(await text(page, 'table'), /anna@voorbeeld\.nl/);
  await expectAccessible(page, 'admin-clerks');

  await page.fill('#name', 'Carla Smit');
  await page.fill('#email', 'carla@voorbeeld.nl');
  await page.fill('#password', 'kort');
  await page.getByLabel('Parkeervergunning aanvragen').check();
  assert.equal(await submit(page, 'Medewerker toevoegen'), 422);
  assert.match(await text(page, '.error-summary'), /minstens 12 tekens/);
  assert.equal(await page.inputValue('#email'), 'carla@voorbeeld.nl');
  assert.equal(await page.inputValue('#password'), '', 'a password is never sent back');
  assert.ok(await page.getByLabel('Parkeervergunning aanvragen').isChecked(), 'the chosen services stay chosen');
  await expectAccessible(page, 'admin-clerks-error');

  // An address in use is refused at the field.
  await page.fill('#email', 'anna@voorbeeld.nl');
  await page.fill('#password', 'welkom-carla-123');
  assert.equal(await submit(page, 'Medewerker toevoegen'), 422);
  assert.match(await text(page, '.error-summary'), /al een medewerker met dit e-mailadres/);

  await page.fill('#email', 'carla@voorbeeld.nl');
  await page.fill('#password', 'welkom-carla-123');
  assert.equal(await submit(page, 'Medewerker toevoegen'), 200);
  assert.match(page.url(), /\/beheer\/medewerkers\/[0-9a-f-]+\/tijden\?toegevoegd=1$/);
  assert.equal(await text(page, 'h1'), 'Carla Smit');
  await expectAccessible(page, 'admin-hours');

  // Wednesday ends before it starts: refused, nothing saved.
  await page.fill('#from-1-a', '08:00');
  await page.fill('#until-1-a', '12:00');
  await page.fill('#from-1-b', '13:00');
  await page.fill('#until-1-b', '17:00');
  await page.fill('#from-3-a', '14:00');
  await page.fill('#until-3-a', '10:00');
  assert.equal(await submit(page, 'Werktijden opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /Op woensdag: de eindtijd moet na de begintijd liggen/);
  assert.equal(await page.getAttribute('#until-3-a', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#from-1-b'), '13:00');
  await expectAccessible(page, 'admin-hours-error');

  await page.fill('#from-3-a', '10:00');
  await page.fill('#until-3-a', '14:00');
  assert.equal(await submit(page, 'Werktijden opslaan'), 200);
  assert.match(await text(page, '[role="status"]'), /De werktijden zijn opgeslagen/);
  assert.equal(await page.inputValue('#from-1-a'), '08:00');
  assert.equal(await page.inputValue('#until-3-a'), '14:00');
  assert.equal(await page.inputValue('#from-2-a'), '', 'Tuesday: not working');

  // Carla is the only one for parking: Monday 7 December starts at 08:00, Tuesday has nothing.
  const parking = (await services()).find((s) => s.name.startsWith('Parkeervergunning'));
  const slots = async (day) =>
    (await fetch(api(`/tenants/voorbeeld/services/${parking.id}/slots?from=${day}&to=${day}`))).json();
  assert.equal((await slots('2026-12-07'))[0].start, '2026-12-07T08:00:00+01:00');
  assert.equal((await slots('2026-12-08')).length, 0);
  assert.equal((await slots('2026-12-09'))[0].start, '2026-12-09T10:00:00+01:00');

  // An absence: the end before the start is refused; then Wednesday 9 December is off.
  await page.fill('#absent-from', '2026-12-09T09:00');
  await page.fill('#absent-until', '2026-12-09T08:00');
  assert.equal(await submit(page, 'Afwezigheid toevoegen'), 422);
  assert.match(await text(page, '.error-summary'), /einde van de afwezigheid moet na het begin/);
  await expectAccessible(page, 'admin-absence-error');
  await page.fill('#absent-until', '2026-12-09T18:00');
  await page.fill('#reason', 'Cursus');
  assert.equal(await submit(page, 'Afwezigheid toevoegen'), 200);
  assert.match(await text(page, '[role="status"]'), /De afwezigheid is toegevoegd/);
  assert.match(await text(page, 'main'), /09-12-2026 09:00.*09-12-2026 18:00.*Cursus/);
  assert.equal((await slots('2026-12-09')).length, 0);
  await expectAccessible(page, 'admin-absence-saved');

  // Removed again (a form button per absence): Wednesday is offered again.
  const removeForm = await page.locator('form[action*="/afwezig/"][action$="/verwijderen"]').getAttribute('action');
  assert.equal(await submit(page, /^Verwijderen/), 200);
  assert.match(page.url(), /\?verwijderd=1$/);
  assert.match(await text(page, '[role="status"]'), /De afwezigheid is verwijderd/);
  assert.match(await text(page, 'main'), /Er is geen afwezigheid gepland/);
  assert.equal((await slots('2026-12-09'))[0].start, '2026-12-09T10:00:00+01:00');
  await expectAccessible(page, 'admin-absence-removed');
  // The same form again (a second tab, say): the absence is gone, so "not found".
  const again = await page.request.post(`${base}${removeForm}`, { maxRedirects: 0, headers: { origin: base } });
  assert.equal(again.status(), 404);

  // Three blocks on a Monday (possible through the API) are not silently lost: the page warns.
  const carla = page.url().match(/medewerkers\/([0-9a-f-]+)\/tijden/)[1];
  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const put = await fetch(api(`/admin/clerks/${carla}/hours`), {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ windows: [
      { weekday: 1, start: '08:00', end: '10:00' },
      { weekday: 1, start: '11:00', end: '12:00' },
      { weekday: 1, start: '13:00', end: '17:00' },
    ] }),
  });
  assert.equal(put.status, 204);
  await page.goto(`${base}/beheer/medewerkers/${carla}/tijden`);
  assert.match(await text(page, '.notice'), /alleen de eerste twee blokken op maandag/);
  assert.equal(await page.inputValue('#from-1-b'), '11:00');

  await page.goto(`${base}/beheer/medewerkers`);
  assert.match(await text(page, 'tbody'), /Carla Smit carla@voorbeeld\.nl Medewerker Parkeervergunning aanvragen/);

  // An existing clerk gets the new service; the last admin cannot become a clerk.
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /Anna de Vries/ }).click()]);
  assert.equal(await text(page, 'h1'), 'Anna de Vries');
  assert.ok(await page.isChecked('#role-clerk'));
  assert.ok(!(await page.getByLabel('Parkeervergunning aanvragen').isChecked()));
  await page.fill('#name', '');
  await page.getByLabel('Parkeervergunning aanvragen').check();
  assert.equal(await submit(page, 'Naam, rol en onderwerpen opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /Vul de naam in/);
  assert.ok(await page.getByLabel('Parkeervergunning aanvragen').isChecked(), 'the choice is kept');
  await expectAccessible(page, 'admin-clerk-details-error');
  await page.fill('#name', 'Anna de Vries');
  assert.equal(await submit(page, 'Naam, rol en onderwerpen opslaan'), 200);
  assert.match(await text(page, '[role="status"]'), /Naam, rol en onderwerpen zijn opgeslagen/);
  await page.goto(`${base}/beheer/medewerkers`);
  assert.match(await text(page, 'tbody'), /Anna de Vries anna@voorbeeld\.nl Medewerker .*Parkeervergunning aanvragen/);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /Bram Jansen/ }).click()]);
  await page.check('#role-clerk');
  assert.equal(await submit(page, 'Naam, rol en onderwerpen opslaan'), 422);
  assert.match(await text(page, '.error-summary'), /minstens één beheerder/);
  await expectAccessible(page, 'admin-clerk-last-admin');
  const bramNow = (await (await fetch(api('/admin/clerks'), { headers: { cookie } })).json()).find((c) => c.email === 'bram@voorbeeld.nl');
  assert.equal(bramNow.role, 'admin');
  // Carla can log in with the initial password.
  await apiLogin('carla@voorbeeld.nl', 'welkom-carla-123');
  await context.close();
});

test('complaints: a resident complains after the call, the admin handles it', async () => {
  const passport = (await services()).find((s) => s.name.startsWith('Paspoort'));
  const book = async (start, name) => (
    await fetch(api('/tenants/voorbeeld/appointments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: passport.id, start, name, email: 'els@example.nl' }),
    })
  ).json();
  const booked = await book('2026-11-30T09:00:00+01:00', 'Els Klager');
  const other = await book('2026-11-30T09:30:00+01:00', 'Piet Opmerking');
  const feedback = (body, token = booked.token) =>
    fetch(api(`/personal/${token}/feedback`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const comment = 'De verbinding viel steeds weg en niemand belde terug.';
  assert.equal((await feedback({ rating: 3, comment, complaint: true })).status, 409, 'not before the call');
  // The call starts at 09:00; it is now 09:30.
  const moved = await fetch(`${base}/test/clock/advance?minutes=90`, { method: 'POST' });
  assert.match(await moved.text(), /2026-11-30T08:30:00Z/);
  assert.equal((await feedback({ rating: 3, comment, complaint: true })).status, 201);

  const { page, context, cookie } = await asAdmin();
  await page.goto(`${base}/beheer/klachten`);
  assert.match(await text(page, 'h2'), /Open klachten \(1\)/);
  const open = await text(page, 'article');
  assert.match(open, /30-11-2026 09:30/);
  assert.match(open, /Paspoort of identiteitskaart aanvragen/);
  assert.match(open, /Cijfer 3/);
  assert.match(open, new RegExp(comment));
  assert.match(await text(page, 'main'), /Er zijn nog geen afgehandelde klachten/);
  await expectAccessible(page, 'admin-complaints');

  // Without a note: refused at the field.
  assert.equal(await submit(page, /Markeer als afgehandeld/), 422);
  assert.match(await text(page, '.error-summary'), /hoe de klacht is afgehandeld/);
  assert.equal(await page.locator('textarea[aria-invalid="true"]').count(), 1);
  await expectAccessible(page, 'admin-complaints-error');

  await page.getByLabel('Hoe is de klacht afgehandeld?').fill('Bewoner gebeld, excuses aangeboden en een nieuwe afspraak gemaakt.');
  await page.getByLabel('Antwoord aan de bewoner (niet verplicht)').fill('Het spijt ons. We hebben de verbinding laten nakijken.');
  assert.equal(await submit(page, /Markeer als afgehandeld/), 200);
  assert.match(await text(page, '[role="status"]'), /De klacht is afgehandeld/);
  assert.match(await text(page, 'main'), /Er zijn geen open klachten/);
  assert.match(await text(page, '#afgehandeld'), /Bewoner gebeld, excuses aangeboden/);
  await expectAccessible(page, 'admin-complaints-handled');
  assert.match(await text(page, '#afgehandeld'), /Antwoord aan de bewoner: Het spijt ons/);

  // The resident reads the answer on the personal link page and got it by mail.
  const resident = await browser.newPage();
  await resident.goto(`${base}/a/${booked.token}`);
  assert.match(await text(resident, '.complaint-answer'), /Het spijt ons\. We hebben de verbinding laten nakijken\./);
  await expectAccessible(resident, 'admin-complaint-answer-resident');
  await resident.close();
  assert.ok(mailsTo('els@example.nl').some((m) => /Antwoord op uw klacht/.test(m) && /laten nakijken/.test(m)));

  const openList = await (await fetch(api('/admin/complaints'), { headers: { cookie } })).json();
  assert.deepEqual(openList, []);

  // A comment that was not filed as a complaint can still be followed up as one.
  const remark = 'Het duurde lang voordat ik werd geholpen.';
  assert.equal((await feedback({ rating: 6, comment: remark, complaint: false }, other.token)).status, 201);
  await page.goto(`${base}/beheer/klachten`);
  assert.match(await text(page, '#opmerkingen'), new RegExp(remark));
  assert.match(await text(page, 'main'), /Er zijn geen open klachten/);
  await expectAccessible(page, 'admin-complaints-comments');
  assert.equal(await submit(page, /Als klacht opvolgen/), 200);
  assert.match(await text(page, '[role="status"]'), /staat nu bij de open klachten/);
  assert.match(await text(page, 'h2'), /Open klachten \(1\)/);
  assert.match(await text(page, 'article'), new RegExp(remark));
  assert.match(await text(page, 'main'), /Er zijn geen andere opmerkingen/);
  await context.close();
});

test('dashboard: table, charts and CSV, per service', async () => {
  const { page, context, cookie } = await asAdmin();
  await page.goto(`${base}/beheer/dashboard`);
  assert.equal(await text(page, 'h1'), 'Dashboard');
  assert.equal(await text(page, 'table caption'), 'Cijfers per onderwerp en week');
  const headers = await page.locator('thead th[scope="col"]').allInnerTexts();
  for (const h of ['Gesprekken', 'Gemiddeld cijfer', 'Verdeling cijfers', 'Niet verschenen', 'Gemiste oproepen', 'Open klachten']) {
    assert.ok(headers.some((x) => x.includes(h)), `column ${h}`);
  }
  const passportRow = page.locator('tbody tr', { hasText: 'Paspoort' });
  const row = await passportRow.innerText();
  assert.match(row, /2026-W49/);
  assert.match(row, /4,5 \(2 cijfers\)/, 'the two ratings, 3 and 6');
  assert.match(row, /3: 1×, 6: 1×/);
  // Every chart loaded as an image with words.
  const images = await page.locator('figure.chart img').evaluateAll((imgs) =>
    imgs.map((i) => ({ ok: i.complete && i.naturalWidth > 0, alt: i.alt, src: i.getAttribute('src') })));
  assert.equal(images.length, 4);
  for (const img of images) {
    assert.ok(img.ok, `chart ${img.src} loaded`);
    assert.match(img.alt, /^Grafiek van .* De cijfers staan in de tabel\.$/);
  }
  const chart = await fetch(new URL(images[0].src, base), { headers: { cookie } });
  assert.equal(chart.status, 200);
  assert.match(chart.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(await chart.text(), /<svg/);
  await expectAccessible(page, 'admin-dashboard');

  // The CSV link downloads the same figures.
  const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  const csv = await fetch(new URL(href, base), { headers: { cookie } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = (await csv.text()).trim().split('\r\n');
  assert.match(lines[0], /^service,week,week_start,calls,ratings,average_rating/);
  assert.ok(lines.some((l) => l.startsWith('"Paspoort of identiteitskaart aanvragen",2026-W49')));
  // Only admins: a clerk's session gets 403 from the CSV.
  const clerk = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  assert.equal((await fetch(new URL(href, base), { headers: { cookie: clerk } })).status, 403);

  // Filter on one service: only its rows, and the CSV link follows.
  await page.selectOption('#onderwerp', { label: 'Parkeervergunning aanvragen' });
  await submit(page, 'Toon');
  assert.match(page.url(), /onderwerp=/);
  assert.match(await text(page, 'main'), /nog geen gesprekken/);
  const filtered = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  assert.match(filtered, /service=/);
  const filteredCsv = (await (await fetch(new URL(filtered, base), { headers: { cookie } })).text()).trim().split('\r\n');
  assert.equal(filteredCsv.length, 1, 'only the header');
  await expectAccessible(page, 'admin-dashboard-filtered');

  await page.selectOption('#onderwerp', { label: 'Paspoort of identiteitskaart aanvragen' });
  await submit(page, 'Toon');
  assert.equal(await page.locator('tbody tr').count(), 1);
  // A wrong period is explained, not a crash.
  await page.fill('#van', '2026-12-31');
  await page.fill('#tot', '2026-01-01');
  assert.equal(await submit(page, 'Toon'), 422);
  assert.match(await text(page, '.error-summary'), /periode/);
  await expectAccessible(page, 'admin-dashboard-error');
  await context.close();
});

test('services: stop offering one; residents cannot book it, the appointment made stays; offer it again', async () => {
  const parking = (await services()).find((s) => s.name.startsWith('Parkeervergunning'));
  const slotsUrl = api(`/tenants/voorbeeld/services/${parking.id}/slots?from=2026-12-07&to=2026-12-11`);
  const free = await (await fetch(slotsUrl)).json();
  assert.ok(free.length >= 2, 'parking has times');
  const book = (start) =>
    fetch(api('/tenants/voorbeeld/appointments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: parking.id, start, name: 'Kees Parkeer', email: 'kees@example.nl' }),
    });
  const made = await book(free[0].start);
  assert.equal(made.status, 201);
  const { token } = await made.json();

  const { page, context } = await asAdmin();
  await page.goto(`${base}/beheer/onderwerpen/${parking.id}`);
  assert.match(await text(page, 'main'), /Afspraken die al gemaakt zijn blijven staan/);
  assert.equal(await submit(page, 'Niet meer aanbieden'), 200);
  assert.match(await text(page, '[role="status"]'), /wordt niet meer aangeboden/);
  assert.match(await text(page, 'main'), /Dit onderwerp wordt niet aangeboden/);
  await expectAccessible(page, 'admin-service-stopped');
  await page.goto(`${base}/beheer/onderwerpen`);
  assert.match(await text(page, 'tbody tr:has-text("Parkeervergunning")'), /niet aangeboden/);
  assert.doesNotMatch(await text(page, 'tbody tr:has-text("Paspoort")'), /niet aangeboden/);
  await expectAccessible(page, 'admin-services-stopped');

  // Residents: not listed, the booking page and the slots are not found, booking is refused.
  const resident = await context.newPage();
  await resident.goto(`${base}/voorbeeld`);
  assert.equal(await resident.getByRole('link', { name: /Parkeervergunning/ }).count(), 0);
  assert.ok(await resident.getByRole('link', { name: /Paspoort/ }).count() > 0);
  const gone = await resident.goto(`${base}/voorbeeld/${parking.id}`);
  assert.equal(gone.status(), 404);
  assert.equal(await text(resident, 'h1'), 'Pagina niet gevonden');
  await expectAccessible(resident, 'resident-service-not-offered');
  assert.ok(!(await services()).some((s) => s.id === parking.id));
  assert.equal((await fetch(slotsUrl)).status, 404);
  // A time far from the first appointment, so only the rule can refuse it.
  const later = free[free.length - 1].start;
  const refused = await book(later);
  assert.equal(refused.status, 404);
  assert.match(refused.headers.get('content-type'), /problem\+json|json/);
  // The appointment already made keeps working through its personal link.
  const link = await resident.goto(`${base}/a/${token}`);
  assert.equal(link.status(), 200);
  assert.match(await text(resident, 'main'), /Parkeervergunning/);

  // Offered again.
  await page.goto(`${base}/beheer/onderwerpen/${parking.id}`);
  assert.equal(await submit(page, 'Weer aanbieden'), 200);
  assert.match(await text(page, '[role="status"]'), /wordt weer aangeboden/);
  await expectAccessible(page, 'admin-service-offered-again');
  assert.ok((await services()).some((s) => s.id === parking.id));
  assert.equal((await book(later)).status, 201);
  await context.close();
});

test('case system: a failing delivery is shown with its error, retried one by one and all at once', async () => {
  const admin = await asAdmin();
  const { page, context } = admin;
  let { cookie } = admin;
  const json = { 'content-type': 'application/json', cookie };
  const caseStore = (settings) =>
    fetch(api('/admin/case-store'), { method: 'PUT', headers: json, body: JSON.stringify(settings) });
  // A case system nobody answers at: a closed loopback port.
  const closed = 'http://127.0.0.1:9';
  const zgw = await caseStore({
    kind: 'zgw', zaken_api: `${closed}/api/v1`, client_id: 'videoloket', secret: 'geheim-genoeg',
    zaaktype: `${closed}/zaaktypen/1`, rsin: '002220647', roltype: `${closed}/roltypen/1`,
    end_statustype: `${closed}/statustypen/1`, resultaattypen: { complete: `${closed}/resultaattypen/1` }, user: 'Videoloket',
  });
  assert.equal(zgw.status, 200, await zgw.text());

  // An appointment and its outcome, recorded by the clerk.
  const passport = (await services()).find((s) => s.name.startsWith('Paspoort'));
  const free = await (await fetch(api(`/tenants/voorbeeld/services/${passport.id}/slots?from=2026-12-02&to=2026-12-04`))).json();
  const booked = await (await fetch(api('/tenants/voorbeeld/appointments'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: passport.id, start: free[0].start, name: 'Ria Zaak', email: 'ria@example.nl' }),
  })).json();
  // An outcome follows the call: at the appointment's time Ria checks in and Anna calls her.
  const now = await (await fetch(`${base}/test/clock/advance?minutes=0`, { method: 'POST' })).text();
  const minutes = Math.round((Date.parse(free[0].start) - Date.parse(now)) / 60000);
  await fetch(`${base}/test/clock/advance?minutes=${minutes}`, { method: 'POST' });
  // Logged in at that time: a session cookie counts on the server's clock.
  const anna = await apiLogin('anna@voorbeeld.nl', 'welkom-anna');
  const clerk = { 'content-type': 'application/json', cookie: anna };
  cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  json.cookie = cookie;
  await context.addCookies([browserCookie(cookie)]);
  assert.equal((await fetch(api(`/personal/${booked.token}/check-in`), { method: 'POST' })).status, 200);
  const called = await fetch(api('/staff/queue/call-next'), { method: 'POST', headers: clerk });
  assert.equal(called.status, 200, await called.text());
  const results = await (await fetch(api(`/staff/services/${passport.id}/results`), { headers: clerk })).json();
  const recorded = await fetch(api(`/staff/appointments/${booked.appointment.id}/outcomes`), {
    method: 'POST',
    headers: clerk,
    body: JSON.stringify({ result: results[0].code, notes: '', follow_up: { kind: 'none' }, sources: [] }),
  });
  assert.equal(recorded.status, 201, await recorded.text());

  const failing = async () => (await fetch(api('/admin/deliveries'), { headers: { cookie } })).json();
  const waitFor = async (what, check) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`waited in vain for ${what}`);
  };
  await waitFor('the first attempt to fail', async () => (await failing()).length === 1);
  const [delivery] = await failing();

  await page.goto(`${base}/beheer/zaaksysteem`);
  assert.equal(await text(page, 'h1'), 'Zaaksysteem');
  assert.equal(await page.getByRole('link', { name: 'Zaaksysteem' }).getAttribute('aria-current'), 'page');
  assert.match(await text(page, 'main'), /Niet aangekomen: 1/);
  assert.match(await text(page, 'main'), /Wachten op verzending: 0/);
  assert.equal(await text(page, 'article h3'), 'Uitkomst 1');
  const row = await text(page, 'article');
  assert.ok(row.includes(delivery.last_error.replace(/\s+/g, ' ').slice(0, 20)), row);
  assert.match(row, /Vanzelf opnieuw over \d+ minu(ut|ten), om \d\d:\d\d\./);
  await expectAccessible(page, 'admin-deliveries');

  // One retry: due at once, the worker tries again (and fails again).
  assert.equal(await submit(page, /^Opnieuw proberen/), 200);
  assert.match(await text(page, '[role="status"]'), /De uitkomst wordt opnieuw naar het zaaksysteem gestuurd/);
  await expectAccessible(page, 'admin-deliveries-retried');
  await waitFor('the second attempt', async () => (await failing())[0]?.attempts === 2);

  // A second tab still shows the row; the settings are put right and everything is retried.
  const stale = await context.newPage();
  await stale.goto(`${base}/beheer/zaaksysteem`);
  await page.goto(`${base}/beheer/zaaksysteem`);
  assert.equal(await text(page, 'article dd.attempts'), '2', 'two attempts');
  assert.equal((await caseStore({ kind: 'builtin' })).status, 200);
  assert.equal(await submit(page, 'Alles opnieuw proberen'), 200);
  assert.match(await text(page, '[role="status"]'), /1 uitkomst wordt opnieuw naar het zaaksysteem gestuurd/);
  await waitFor('the delivery', async () =>
    (await (await fetch(api('/admin/deliveries?state=delivered'), { headers: { cookie } })).json()).some((d) => d.id === delivery.id));
  await page.goto(`${base}/beheer/zaaksysteem`);
  assert.match(await text(page, 'main'), /Alle uitkomsten zijn aangekomen/);
  assert.match(await text(page, 'main'), /Niet aangekomen: 0/);
  await expectAccessible(page, 'admin-deliveries-none');

  // The stale tab's button: said on the page, nothing changes.
  assert.equal(await submit(stale, /^Opnieuw proberen/), 422);
  assert.match(await text(stale, '[role="alert"]'), /staat niet meer op de lijst/);
  await expectAccessible(stale, 'admin-deliveries-stale');
  await context.close();
});

test('every admin page fits 360 px without sideways scrolling', async () => {
  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await context.addCookies([browserCookie(cookie)]);
  const page = await context.newPage();
  const clerks = await (await fetch(api('/admin/clerks'), { headers: { cookie } })).json();
  const passport = (await services()).find((s) => s.name.startsWith('Paspoort'));
  for (const p of [
    '/beheer',
    '/beheer/onderwerpen',
    `/beheer/onderwerpen/${passport.id}`,
    '/beheer/medewerkers',
    `/beheer/medewerkers/${clerks[0].id}/tijden`,
    '/beheer/dashboard',
    '/beheer/klachten',
    '/beheer/zaaksysteem',
    '/beheer/sluitingsdagen',
  ]) {
    const res = await page.goto(`${base}${p}`);
    assert.equal(res.status(), 200, p);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${p} is ${overflow}px too wide at 360px`);
  }
  await expectAccessible(page, 'admin-complaints-360');
  await context.close();
});
