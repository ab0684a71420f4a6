// Companions and interpreters in the call (issue 15 item 4) and the resident's call screen
// (issue 21 item 4), in real Chromium over the test server's signalling and SFU:
//   1. the resident invites a companion from the personal link page (a wrong name is refused
//      at the field) and gets their link; the page says a companion sees and hears the call;
//   2. the companion opens the link: device check, then waits until the clerk calls the
//      resident in, then joins by itself;
//   3. resident, clerk and companion each see the other two playing, with names and roles under
//      the pictures; the clerk's list shows who is in the call;
//   4. the resident's screen at 1280 px: the clerk's picture at least 60 % of the width, the
//      own picture apart (not on top of it), one h1, the state as a sentence;
//   5. the clerk takes the companion out: their page says so, a reload shows the link is
//      revoked, the others' pictures stay; "Uw gegevens" lists who joined when.
// axe-core reports zero violations on every new state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, bookPassport } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function expectPlaying(page, selector) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, selector, { timeout: 30_000 });
  const t0 = await page.$eval(selector, (v) => v.currentTime);
  await page.waitForFunction(([sel, t]) => document.querySelector(sel).currentTime > t + 0.5, [selector, t0], { timeout: 15_000 });
}

/** The names under the other participants' pictures on this page. */
async function captions(page) {
  return page.$$eval('#gesprek .call-tile--main figcaption, #gesprek .call-tile--other figcaption', (els) =>
    els.map((e) => e.textContent).filter(Boolean).sort());
}

test('a companion joins the call, everyone sees names, the clerk takes them out', async () => {
  const booked = await bookPassport('Jan de Vries', '09:00', 'jan.begeleid@example.nl');
  const viewport = { viewport: { width: 1280, height: 900 } };

  // ---- 1. the resident invites a companion ----
  const residentContext = await browser.newContext(viewport);
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}`);
  await Promise.all([resident.waitForNavigation(), resident.getByRole('link', { name: 'Iemand meenemen in het gesprek' }).click()]);
  assert.equal(await resident.locator('h1').innerText(), 'Iemand meenemen in het gesprek');
  assert.match(await resident.locator('#ziet-en-hoort').innerText(), /ziet en hoort het hele gesprek/);
  await expectAccessible(resident, 'companion-01-invite');
  await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Uitnodigen' }).click()]);
  assert.match(await resident.locator('.error-summary').innerText(), /Naam/);
  await expectAccessible(resident, 'companion-02-invite-error');
  await resident.getByLabel('Naam', { exact: true }).fill('Fatima Amrani');
  await Promise.all([resident.waitForNavigation(), resident.getByRole('button', { name: 'Uitnodigen' }).click()]);
  const link = await resident.locator('#companion-link').inputValue();
  assert.ok(link.startsWith(`${base}/m/`), link);
  assert.match(await resident.locator('#companions').innerText(), /Fatima Amrani \(begeleider\)/);
  // The default room size (3) leaves room for one companion: no second form.
  assert.equal(await resident.getByRole('button', { name: 'Uitnodigen' }).count(), 0);
  await expectAccessible(resident, 'companion-03-invited');

  // ---- the resident checks in ----
  await resident.goto(`${base}/a/${booked.token}/video`);
  await resident.getByRole('button', { name: 'Ik ben er klaar voor' }).click();
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  // ---- 2. the companion opens their link and waits ----
  const companionContext = await browser.newContext(viewport);
  const companion = await companionContext.newPage();
  await companion.goto(link);
  assert.match(await companion.locator('main').innerText(), /uitgenodigd als begeleider/);
  assert.match(await companion.locator('#ziet-en-hoort').innerText(), /U ziet en hoort het hele gesprek/);
  await companion.getByRole('button', { name: 'Ik ben er klaar voor' }).click();
  await companion.waitForFunction(() => /nog niet begonnen/.test(document.getElementById('queue-status').textContent));
  await expectAccessible(companion, 'companion-04-waiting');

  // ---- the clerk calls the resident in ----
  const clerkContext = await browser.newContext(viewport);
  await clerkContext.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/medewerker/wachtrij`);
  await clerk.locator('#queue-rows tr', { hasText: 'Jan de Vries' }).waitFor();
  await Promise.all([clerk.waitForURL(/\/medewerker\/gesprek\//), clerk.getByRole('button', { name: 'Volgende bewoner' }).click()]);

  // ---- 3. all three see each other, with names ----
  await resident.locator('#gesprek').waitFor({ state: 'visible', timeout: 20_000 });
  await companion.locator('#gesprek').waitFor({ state: 'visible', timeout: 30_000 });
  for (const page of [resident, clerk, companion]) {
    await expectPlaying(page, '#remote-video');
    await page.waitForFunction(() => document.querySelectorAll('#other-videos video').length === 1, null, { timeout: 20_000 });
    await expectPlaying(page, '#other-videos video');
  }
  assert.deepEqual(await captions(resident), ['Anna de Vries (gemeente)', 'Fatima Amrani (begeleider)']);
  assert.deepEqual(await captions(companion), ['Anna de Vries (gemeente)', 'Jan de Vries (bewoner)']);
  assert.deepEqual(await captions(clerk), ['Fatima Amrani (begeleider)', 'Jan de Vries (bewoner)']);
  // The clerk's picture is the large one for the resident and the companion.
  assert.equal(await resident.locator('#remote-name').innerText(), 'Anna de Vries (gemeente)');
  assert.equal(await companion.locator('#remote-name').innerText(), 'Anna de Vries (gemeente)');
  assert.equal(await clerk.locator('#remote-name').innerText(), 'Jan de Vries (bewoner)');
  await clerk.locator('#deelnemers').waitFor({ state: 'visible' });
  assert.match(await clerk.locator('#deelnemers-lijst').innerText(), /Jan de Vries \(bewoner\)[\s\S]*Fatima Amrani \(begeleider\)|Fatima Amrani \(begeleider\)[\s\S]*Jan de Vries \(bewoner\)/);

  // ---- 4. the resident's screen at 1280 px ----
  await resident.waitForFunction(() => document.getElementById('call-state').textContent === 'U praat nu met Anna de Vries van de gemeente.', null, { timeout: 20_000 });
  const remote = await resident.locator('#remote-video').boundingBox();
  const self = await resident.locator('#self-video').boundingBox();
  assert.ok(remote.width >= 0.6 * 1280, `the clerk's picture is ${remote.width} px wide`);
  assert.ok(Math.abs(remote.width / remote.height - 16 / 9) < 0.02, `16:9, not ${remote.width}x${remote.height}`);
  const overlaps = self.x < remote.x + remote.width && remote.x < self.x + self.width
    && self.y < remote.y + remote.height && remote.y < self.y + self.height;
  assert.ok(!overlaps, 'the own picture is apart from the clerk\'s');
  assert.ok(self.width < remote.width / 2, 'the own picture is small');
  assert.deepEqual(await resident.locator('h1').allInnerTexts(), ['Videogesprek']);
  assert.ok(await resident.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
  const leave = await resident.getByRole('button', { name: 'Gesprek verlaten' }).boundingBox();
  assert.ok(leave.height >= 44 && leave.width >= 44);
  await expectAccessible(resident, 'companion-05-resident-call');
  await expectAccessible(companion, 'companion-06-companion-call');
  await expectAccessible(clerk, 'companion-07-clerk-call');

  // ---- 5. the clerk takes the companion out ----
  clerk.once('dialog', (dialog) => dialog.accept());
  await clerk.getByRole('button', { name: 'Fatima Amrani uit het gesprek halen' }).click();
  await companion.waitForFunction(() => document.getElementById('call-state').textContent === 'U bent uit het gesprek gehaald.', null, { timeout: 15_000 });
  assert.equal(await companion.evaluate(() => window.videoloketCall.stream.getTracks().every((t) => t.readyState === 'ended')), true);
  await expectAccessible(companion, 'companion-08-removed');
  await clerk.waitForFunction(() => document.querySelectorAll('#other-videos video').length === 0, null, { timeout: 15_000 });
  await clerk.waitForFunction(() => /Fatima Amrani is uit het gesprek gehaald\./.test(document.getElementById('deelnemers-status').textContent));
  assert.doesNotMatch(await clerk.locator('#deelnemers-lijst').innerText(), /Fatima/);
  await resident.waitForFunction(() => document.querySelectorAll('#other-videos video').length === 0, null, { timeout: 15_000 });
  await expectPlaying(resident, '#remote-video');
  await expectPlaying(clerk, '#remote-video');
  await expectAccessible(clerk, 'companion-09-clerk-after-removal');
  // The link admits no more.
  await companion.reload();
  assert.equal(await companion.locator('#verwijderd').innerText(), 'U bent uit het gesprek gehaald.');
  assert.equal(await companion.getByRole('button', { name: 'Ik ben er klaar voor' }).count(), 0);
  const refused = await fetch(`${base}/api/v1/companions/${link.split('/m/')[1]}/room-token`, { method: 'POST' });
  assert.equal(refused.status, 404);

  // ---- "Uw gegevens": who joined ----
  const privacy = await residentContext.newPage();
  await privacy.goto(`${base}/a/${booked.token}/privacy`);
  const joins = await privacy.locator('#call-joins').innerText();
  assert.match(joins, /U kwam in het gesprek om \d\d:\d\d/);
  assert.match(joins, /Fatima Amrani \(begeleider\) kwam in het gesprek om \d\d:\d\d/);
  assert.match(joins, /Een medewerker van de gemeente kwam in het gesprek/);
  await expectAccessible(privacy, 'companion-10-privacy');

  await Promise.all([residentContext.close(), companionContext.close(), clerkContext.close()]);
});
