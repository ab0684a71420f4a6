// The resident pages in a real browser (Debian chromium through playwright-core).
//
// Starts `cargo run -p videoloket --example test_server` (demo municipality, fixed clock: Monday
// 30 November 2026 08:00 Amsterdam), then:
//   1. books with the keyboard alone (Tab / Enter / Space), including a form with mistakes,
//      checks the confirmation's time in words and calendar link, opens the personal link and
//      cancels with the confirmation step;
//   2. shows "this time was just taken" when another booking wins the chosen time;
//   3. repeats booking, rescheduling and cancelling at 360 px wide, without sideways scrolling,
//      and switches to English.
// axe-core runs on every page and must report zero violations. Screenshots go to
// test-artifacts/ (gitignored).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, focused, tabTo, pressAndLoad, h1 } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function serviceIds() {
  const res = await fetch(`${base}/api/v1/tenants/voorbeeld/services`);
  const services = await res.json();
  return Object.fromEntries(services.map((s) => [s.name.split(' ')[0], s.id]));
}

async function bookViaApi(serviceId, start, name) {
  return fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: serviceId, start, name, email: 'ander@example.nl' }),
  });
}

// ---- tests ---------------------------------------------------------------------------------

test('book, open the personal link and cancel, with the keyboard alone', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  assert.equal(await h1(page), 'Kies uw gemeente');
  await expectAccessible(page, 'desktop-01-municipalities');

  // The skip link is the first stop and moves focus into the main content.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Naar de inhoud');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'inhoud');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Gemeente Voorbeeld');
  await pressAndLoad(page, 'Enter');

  assert.equal(await h1(page), 'Kies uw dienst'); // the municipality says "u"
  assert.match(await page.locator('.site-name').innerText(), /Gemeente Voorbeeld/);
  const headerColour = await page.locator('.site-header').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(headerColour, 'rgb(21, 66, 115)'); // #154273, the demo municipality's colour
  await expectAccessible(page, 'desktop-02-services');
  await tabTo(page, /^Paspoort/);
  await pressAndLoad(page, 'Enter');

  assert.equal(await h1(page), 'Kies een dag');
  await expectAccessible(page, 'desktop-03-days');
  await tabTo(page, /^Maandag 30 november/);
  await pressAndLoad(page, 'Enter');

  assert.equal(await h1(page), 'Kies een tijd');
  assert.equal(await page.locator('legend').innerText(), 'Maandag 30 november');
  await expectAccessible(page, 'desktop-04-times');
  // One Tab enters the radio group; the arrow key moves to the next time, Space selects.
  const first = await tabTo(page, /^09:00$/);
  assert.equal(first.type, 'radio');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  assert.equal((await focused(page)).text, '09:15');
  assert.equal(await page.locator('input[name=start]:checked').count(), 1);
  await tabTo(page, /^Verder$/);
  await pressAndLoad(page, 'Enter');

  assert.equal(await h1(page), 'Uw gegevens');
  assert.match(await page.locator('.chosen').innerText(), /Maandag 30 november 2026 om 09:15/);
  await expectAccessible(page, 'desktop-05-details');

  // Send with a name but a wrong e-mail address: the page comes back with the error at the
  // field, the name kept, and "Fout:" in the title.
  await tabTo(page, /^Naam$/);
  await page.keyboard.type('Jan de Vries');
  await tabTo(page, /^E-mailadres$/);
  await page.keyboard.type('jan-at-example');
  await tabTo(page, /^Afspraak maken$/);
  await pressAndLoad(page, 'Enter');
  assert.match(await page.title(), /^Fout: /);
  assert.match(await page.locator('.error-summary').innerText(), /Er is iets niet goed ingevuld/);
  assert.match(await page.locator('#email-error').innerText(), /geldig e-mailadres/);
  assert.equal(await page.locator('#name-error').count(), 0);
  assert.equal(await page.inputValue('#name'), 'Jan de Vries');
  assert.equal(await page.inputValue('#email'), 'jan-at-example');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  await expectAccessible(page, 'desktop-06-details-with-errors');

  // The error summary links to the field; follow it and correct the address.
  await tabTo(page, /geldig e-mailadres/);
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'email');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('jan@example.nl');
  // Issue 21: the language or interpreter the resident needs, optional, with a hint.
  const language = await tabTo(page, /^Taal of tolk nodig\? \(niet verplicht\)$/);
  assert.equal(language.id, 'language');
  assert.match(await page.locator('#language-hint').innerText(), /Arabisch, tolk nodig/);
  assert.equal(await page.getAttribute('#language', 'aria-describedby'), 'language-hint');
  const box = await page.locator('#language').boundingBox();
  assert.ok(box.height >= 44, `a large target: ${box.height}px`);
  await page.keyboard.type('Turks, tolk nodig');
  await tabTo(page, /^Afspraak maken$/);
  await pressAndLoad(page, 'Enter');

  assert.equal(await h1(page), 'Uw afspraak is gemaakt');
  assert.equal(await page.locator('#when').innerText(), 'Maandag 30 november 2026 om 09:15');
  assert.match(await page.locator('main').innerText(), /Wat u klaarlegt/);
  const ics = await page.getAttribute('a[href$="/invite.ics"]', 'href');
  const invite = await fetch(new URL(ics, base));
  assert.equal(invite.status, 200);
  assert.match(invite.headers.get('content-type'), /^text\/calendar/);
  assert.match(await invite.text(), /BEGIN:VCALENDAR/);
  const personal = await page.locator('.personal-link a').innerText();
  assert.ok(personal.startsWith(`${base}/a/`), personal);
  const token = personal.split('/a/')[1];
  assert.equal((await (await fetch(`${base}/api/v1/personal/${token}`)).json()).language, 'Turks, tolk nodig');
  await expectAccessible(page, 'desktop-07-confirmation');

  await tabTo(page, /\/a\//);
  await pressAndLoad(page, 'Enter');
  assert.equal(new URL(page.url()).pathname, `/a/${token}`);
  assert.equal(await h1(page), 'Uw afspraak');
  await expectAccessible(page, 'desktop-08-personal');

  await tabTo(page, /^Afspraak afzeggen$/);
  await pressAndLoad(page, 'Enter');
  assert.equal(await h1(page), 'Wilt u de afspraak afzeggen?');
  await expectAccessible(page, 'desktop-09-cancel-confirm');
  // Still booked: the confirmation step itself changes nothing.
  assert.equal((await (await fetch(`${base}/api/v1/personal/${token}`)).json()).status, 'booked');
  await tabTo(page, /^Ja, afspraak afzeggen$/);
  await pressAndLoad(page, 'Space');

  assert.match(page.url(), /gedaan=afgezegd/);
  assert.match(await page.locator('[role=status]').innerText(), /Uw afspraak is afgezegd/);
  assert.match(await page.locator('main').innerText(), /Deze afspraak is afgezegd/);
  await expectAccessible(page, 'desktop-10-cancelled');
  assert.equal((await (await fetch(`${base}/api/v1/personal/${token}`)).json()).status, 'cancelled');
  await context.close();
});

test('a time taken while the form was open says so and offers the other times', async () => {
  const ids = await serviceIds();
  const service = ids.Verhuizing;
  const start = '2026-12-01T10:00:00+01:00'; // Tuesday 1 December, 10:00 in Amsterdam, as the pages write it
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/voorbeeld/${service}?start=${encodeURIComponent(start)}`);
  assert.equal(await h1(page), 'Uw gegevens');
  await page.fill('#name', 'Jan de Vries');
  await page.fill('#email', 'jan@example.nl');
  // The demo's moving service asks for a choice per information source.
  await page.check('#consent-brp-municipality');
  await page.check('#consent-woonbewijs-self');

  // Both demo clerks get booked at that time before the resident presses the button.
  for (const name of ['Eerste', 'Tweede']) {
    assert.equal((await bookViaApi(service, start, name)).status, 201);
  }
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(response.status(), 409);
  assert.equal(await h1(page), 'Kies een tijd');
  assert.match(await page.locator('[role=alert]').innerText(), /Deze tijd is net door iemand anders gekozen\. Kies een andere tijd\./);
  assert.equal(await page.locator('legend').innerText(), 'Dinsdag 1 december');
  assert.equal(await page.locator(`input[value="${start}"]`).count(), 0, 'the taken time is no longer offered');
  assert.ok((await page.locator('input[name=start]').count()) > 0);
  await expectAccessible(page, 'desktop-11-slot-taken');
  await context.close();
});

test('at 360 px wide: book, reschedule, cancel, and switch to English', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const noSidewaysScroll = async (name) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${name} is ${width}px wide at a 360px viewport`);
    await expectAccessible(page, `narrow-${name}`);
  };

  await page.goto(`${base}/voorbeeld`);
  await noSidewaysScroll('01-services');
  await Promise.all([page.waitForNavigation(), page.click('text=Hulp bij geldzaken')]);
  // This service asks one question first (issue 16 item 7).
  await noSidewaysScroll('02-question');
  await page.check('text=Nee');
  await Promise.all([page.waitForNavigation(), page.click('text=Verder')]);
  await noSidewaysScroll('02-days');
  await Promise.all([page.waitForNavigation(), page.click('text=Woensdag 2 december')]);
  await noSidewaysScroll('03-times');
  // Targets are at least 44 px high, as NL Design System asks.
  const box = await page.locator('label[for=start-0]').boundingBox();
  assert.ok(box.height >= 44, `time label is ${box.height}px high`);
  await page.check('text=11:00');
  await Promise.all([page.waitForNavigation(), page.click('text=Verder')]);
  await noSidewaysScroll('04-details');
  await page.fill('#name', 'Els Bakker');
  await page.fill('#email', 'els@example.nl');
  await page.fill('#phone', '06 12345678');
  await page.fill('#note', 'Mijn zoon kijkt mee.');
  await Promise.all([page.waitForNavigation(), page.click('text=Afspraak maken')]);
  assert.equal(await page.locator('#when').innerText(), 'Woensdag 2 december 2026 om 11:00');
  await noSidewaysScroll('05-confirmation');

  await Promise.all([page.waitForNavigation(), page.click('.personal-link a')]);
  await Promise.all([page.waitForNavigation(), page.click('text=Afspraak verzetten')]);
  await noSidewaysScroll('06-reschedule-days');
  await Promise.all([page.waitForNavigation(), page.click('text=Donderdag 3 december')]);
  await noSidewaysScroll('07-reschedule-times');
  await page.check('text=14:30');
  await Promise.all([page.waitForNavigation(), page.click('text=Verzetten naar deze tijd')]);
  assert.match(await page.locator('[role=status]').innerText(), /Uw afspraak is verzet/);
  assert.equal(await page.locator('#when').innerText(), 'Donderdag 3 december 2026 om 14:30');
  await noSidewaysScroll('08-rescheduled');

  // English, remembered in a cookie for the next pages.
  await Promise.all([page.waitForNavigation(), page.click('text=English')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await h1(page), 'Your appointment');
  assert.equal(await page.locator('#when').innerText(), 'Thursday 3 December 2026 at 14:30');
  await noSidewaysScroll('09-english');
  await Promise.all([page.waitForNavigation(), page.click('text=Cancel appointment')]);
  assert.equal(await h1(page), 'Do you want to cancel the appointment?');
  await Promise.all([page.waitForNavigation(), page.click('text=Yes, cancel the appointment')]);
  assert.match(await page.locator('[role=status]').innerText(), /has been cancelled/);
  await noSidewaysScroll('10-cancelled-english');
  await context.close();
});
