// Issue 21 item 1 in a real browser: a walk-in and a callback get the same outcome as an
// appointment, into the same outbox and case store.
//   1. the clerk calls a walk-in in, writes the outcome in the workspace (no information
//      sources: a walk-in left none to the municipality), records it, and the built-in case
//      store holds it once the delivery worker ran;
//   2. a callback: "Bereikt" leads to the same form; recorded, delivered to the same store.
// axe-core reports zero violations on the new page states.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, passportService } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
  // Monday 08:00 on the test clock: 09:30, clerks work and walk-ins are open.
  const resp = await fetch(`${base}/test/clock/advance?minutes=90`, { method: 'POST' });
  assert.equal(resp.status, 200);
});

after(stopPlatform);

async function clerkPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  return { context, page: await context.newPage() };
}

/** The built-in case, once the delivery worker put it there. */
async function deliveredCase(context, path) {
  for (let i = 0; i < 100; i++) {
    const resp = await context.request.get(`${base}${path}`);
    if (resp.status() === 200) return resp.json();
    assert.equal(resp.status(), 404, await resp.text());
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path}: nothing delivered within 10 s`);
}

test('a walk-in\'s outcome, written in the workspace, arrives in the case store', async () => {
  const service = await passportService();
  const walkIn = await fetch(`${base}/api/v1/tenants/voorbeeld/walk-ins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: service.id, name: 'Wim Inloop' }),
  });
  assert.equal(walkIn.status, 201, await walkIn.text());

  const { context, page } = await clerkPage();
  await page.goto(`${base}/medewerker/wachtrij`);
  await Promise.all([page.waitForURL(/\/medewerker\/gesprek\//), page.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  const entry = page.url().match(/gesprek\/([0-9a-f-]{36})/)[1];
  assert.equal(await page.locator('h1').innerText(), 'Gesprek met Wim Inloop');
  // The same form as for an appointment, without sources to tick.
  await page.locator('#outcome-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('input[name=sources]').count(), 0);
  assert.match(await page.locator('#no-sources').innerText(), /Zonder afspraak/);
  await page.getByLabel('Documenten ontbreken').check();
  await page.getByLabel('Aantekeningen').fill('Kwam zonder afspraak; pasfoto ontbreekt.');
  await page.waitForFunction(() => document.getElementById('draft-status').textContent === 'Concept bewaard');
  await expectAccessible(page, 'walkin-outcome-01-form');
  await page.getByRole('button', { name: 'Uitkomst vastleggen' }).click();
  await page.waitForFunction(() => document.getElementById('outcome-status').textContent === 'De uitkomst is vastgelegd.');
  await expectAccessible(page, 'walkin-outcome-02-recorded');

  const kase = await deliveredCase(context, `/api/v1/staff/queue/${entry}/case`);
  assert.equal(kase.queue_entry_id, entry);
  assert.match(kase.title, /Wim Inloop \(inloop\)/);
  assert.equal(kase.events.length, 1);
  assert.equal(kase.events[0].outcome.result_code, 'documents_missing');
  assert.equal(kase.events[0].outcome.notes, 'Kwam zonder afspraak; pasfoto ontbreekt.');
  const history = await (await context.request.get(`${base}/api/v1/staff/queue/${entry}/outcomes`)).json();
  assert.equal(history.delivery, 'delivered');
  await context.close();
});

test('a callback that reached the resident gets the outcome form, into the same case store', async () => {
  const service = await passportService();
  const request = await fetch(`${base}/api/v1/tenants/voorbeeld/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: service.id, name: 'Carla Terugbel', phone: '0612345678', part_of_day: 'afternoon' }),
  });
  assert.equal(request.status, 201, await request.text());

  const { context, page } = await clerkPage();
  await page.goto(`${base}/medewerker/terugbellen`);
  await Promise.all([
    page.waitForURL(/\/medewerker\/terugbellen\/[0-9a-f-]{36}\/uitkomst\?bereikt=1$/),
    page.getByRole('button', { name: 'Bereikt (Carla Terugbel)', exact: true }).click(),
  ]);
  const id = page.url().match(/terugbellen\/([0-9a-f-]{36})\/uitkomst/)[1];
  assert.equal(await page.locator('h1').innerText(), 'Uitkomst van het terugbelgesprek met Carla Terugbel');
  await expectAccessible(page, 'walkin-outcome-03-callback-form');
  await page.getByLabel('Aanvraag compleet').check();
  await page.getByLabel('Aantekeningen').fill('Telefonisch uitgelegd welke stukken nodig zijn.');
  await Promise.all([
    page.waitForURL(`${base}/medewerker/terugbellen/${id}/uitkomst`),
    page.getByRole('button', { name: 'Uitkomst vastleggen' }).click(),
  ]);
  assert.match(await page.locator('.notice').innerText(), /De uitkomst is vastgelegd, versie 1: Aanvraag compleet\./);
  await expectAccessible(page, 'walkin-outcome-04-callback-recorded');

  const kase = await deliveredCase(context, `/api/v1/staff/callbacks/${id}/case`);
  assert.equal(kase.callback_id, id);
  assert.equal(kase.events[0].outcome.notes, 'Telefonisch uitgelegd welke stukken nodig zijn.');
  await context.close();
});
