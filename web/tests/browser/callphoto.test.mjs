// Documents during the call (issue 22 items 2 and 3), in real Chromium over the test server's
// signalling and SFU:
//   1. the clerk asks for a photo of a document; the resident's page says "De medewerker wil
//      een foto maken van uw document" and waits for a yes; before it the clerk has no
//      "Foto maken";
//   2. the resident says yes; the clerk takes one still of the incoming (fake camera) video:
//      a non-empty JPEG of exactly the video's size arrives as a document of the appointment,
//      readable by the clerk and listed on the resident's "Uw gegevens" with the access-log line;
//      a second photo needs a new yes;
//   3. the clerk shares a screen (Chromium's fake capture): the resident's page says "De
//      medewerker laat het scherm zien", shows it large, and the picture it gets changes to the
//      screen's; stopping brings the camera back.
// axe-core reports zero violations on every new state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie, bookPassport } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform({
    browserArgs: ['--auto-select-desktop-capture-source=Entire screen'],
  }));
});

after(stopPlatform);

async function expectPlaying(page, selector) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, selector, { timeout: 30_000 });
}

test('the clerk asks, the resident allows, one still arrives; the clerk shares a screen', async () => {
  const booked = await bookPassport('Jan Foto', '09:00', 'jan.foto@example.nl');
  const viewport = { viewport: { width: 1280, height: 900 } };

  const residentContext = await browser.newContext(viewport);
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}/video`);
  await resident.getByRole('button', { name: 'Ik ben er klaar voor' }).click();
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  const clerkContext = await browser.newContext(viewport);
  await clerkContext.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/medewerker/wachtrij`);
  await clerk.locator('#queue-rows tr', { hasText: 'Jan Foto' }).waitFor();
  await Promise.all([clerk.waitForURL(/\/medewerker\/gesprek\//), clerk.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  await resident.locator('#gesprek').waitFor({ state: 'visible', timeout: 20_000 });
  await expectPlaying(resident, '#remote-video');
  await expectPlaying(clerk, '#remote-video');

  // ---- 1. the clerk asks ----
  const take = clerk.getByRole('button', { name: 'Foto maken' });
  assert.equal(await take.isVisible(), false, 'no photo without asking');
  await clerk.getByRole('button', { name: 'Foto van document vragen' }).click();
  const prompt = resident.locator('#photo-prompt');
  await prompt.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await resident.locator('#photo-prompt-kop').innerText(), 'De medewerker wil een foto maken van uw document');
  assert.match(await clerk.locator('#call-documents #photo-state').innerText(), /Gevraagd/);
  assert.equal(await take.isVisible(), false, 'asking is not allowing');
  await expectAccessible(resident, 'callphoto-01-resident-asked');
  await expectAccessible(clerk, 'callphoto-02-clerk-asked');

  // ---- 2. yes, and one still ----
  await resident.getByRole('button', { name: 'Ja, foto toestaan' }).click();
  assert.equal(await prompt.isVisible(), false);
  await take.waitFor({ state: 'visible', timeout: 15_000 });
  const size = await clerk.$eval('#remote-video', (v) => ({ width: v.videoWidth, height: v.videoHeight }));
  assert.ok(size.width > 0 && size.height > 0, JSON.stringify(size));
  await take.click();
  await clerk.waitForFunction(() => window.videoloketLastPhoto, null, { timeout: 15_000 });
  const photo = await clerk.evaluate(() => window.videoloketLastPhoto);
  assert.equal(photo.kind, 'jpeg');
  assert.equal(photo.label, 'Foto 1 tijdens het gesprek');
  assert.ok(photo.size_bytes > 1000, `a real picture, not ${photo.size_bytes} bytes`);
  assert.deepEqual({ width: photo.width, height: photo.height }, size, 'the full resolution of the incoming video');
  await resident.waitForFunction(() => document.getElementById('photo-state').textContent === 'De medewerker heeft de foto gemaakt.', null, { timeout: 15_000 });
  assert.match(await clerk.locator('#call-documents #photo-state').innerText(), /Foto 1 tijdens het gesprek/);
  assert.equal(await take.isVisible(), false, 'one yes, one photo');
  await expectAccessible(clerk, 'callphoto-03-clerk-taken');
  await expectAccessible(resident, 'callphoto-04-resident-taken');

  // The kept copy is the re-encoded picture of that size, readable by the clerk.
  const appointment = await clerk.$eval('#clerk-call', (el) => el.dataset.appointment);
  const stored = await clerk.evaluate(async ([appointment, id]) => {
    const resp = await fetch(`/medewerker/afspraken/${appointment}/documenten/${id}`);
    const bitmap = await createImageBitmap(await resp.blob());
    return { status: resp.status, type: resp.headers.get('content-type'), width: bitmap.width, height: bitmap.height };
  }, [appointment, photo.id]);
  assert.deepEqual(stored, { status: 200, type: 'image/jpeg', ...size });

  // Without a new yes the server refuses a second "photo taken".
  const refused = await clerk.evaluate(() => new Promise((resolve) => {
    const ws = window.videoloketCall.ws;
    const listen = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === 'error') {
        ws.removeEventListener('message', listen);
        resolve(msg.message);
      }
    };
    ws.addEventListener('message', listen);
    window.videoloketCall.photoTaken();
  }));
  assert.equal(refused, 'the resident did not allow a photo');

  // ---- 3. the clerk shares a screen ----
  const camera = await resident.$eval('#remote-video', (v) => ({ width: v.videoWidth, height: v.videoHeight }));
  await clerk.getByRole('button', { name: 'Scherm delen' }).click();
  await clerk.getByRole('button', { name: 'Stoppen met scherm delen' }).waitFor({ timeout: 15_000 });
  const shared = resident.locator('#screen-shared');
  await shared.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await shared.innerText(), 'De medewerker laat het scherm zien.');
  // The picture that arrives is the shared one (the screen's size, not the camera's).
  await resident.waitForFunction((c) => {
    const v = document.getElementById('remote-video');
    return v.videoWidth > 0 && (v.videoWidth !== c.width || v.videoHeight !== c.height);
  }, camera, { timeout: 20_000 });
  const box = await resident.locator('#remote-video').boundingBox();
  assert.ok(box.width >= 0.8 * 1200, `shown large: ${box.width} px`);
  await expectAccessible(resident, 'callphoto-05-resident-screen');
  await expectAccessible(clerk, 'callphoto-06-clerk-sharing');
  await clerk.getByRole('button', { name: 'Stoppen met scherm delen' }).click();
  await shared.waitFor({ state: 'hidden', timeout: 15_000 });

  // ---- "Uw gegevens": the photo and who took it ----
  const privacy = await residentContext.newPage();
  await privacy.goto(`${base}/a/${booked.token}/privacy`);
  assert.match(await privacy.locator('#supplied-documents').innerText(), /Foto 1 tijdens het gesprek/);
  assert.match(await privacy.locator('main').innerText(), /foto van uw document gemaakt, nadat u daar toestemming voor gaf/);
  await expectAccessible(privacy, 'callphoto-07-privacy');
});
