// Weak networks and the phone fallback (issue 15, item 5), in two Chromium pages:
//   1. an H.264-only publisher (as Safari or an older iPad): the clerk's page offers only H.264
//      for its camera (setCodecPreferences); the SFU forwards it and the resident decodes it;
//   2. the clerk's video stops arriving (its sender is switched off: the resident's picture
//      freezes while sound goes on): the resident's page offers sound only in words, then
//      switches by itself, the clerk's page says the resident's connection is too weak for
//      video; once frames arrive again the resident is offered the picture back;
//   3. ICE cannot connect at all (relay-only without a relay): after 20 s both pages show the
//      municipality's phone number in an alert; the clerk chooses "Verder per telefoon" and
//      the resident's page says the clerk continues by phone.
// axe-core finds no violations in each new state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, stopPlatform, apiLogin, browserCookie, bookPassport, expectAccessible } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

/** The municipality's number, which the fallback shows (set after each booking: the harness's
 * `bookPassport` writes the settings back without it). */
async function setPhone() {
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie: admin } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, phone: '14 030' }),
  });
  assert.equal(put.status, 200, await put.text());
}

after(async () => {
  await stopPlatform();
});

/** Books, checks in, and lets the clerk call the resident; both pages in the call view. */
async function startCall(name, time, email, { residentInit, clerkInit } = {}) {
  const booked = await bookPassport(name, time, email);
  await setPhone();
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);
  const residentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (residentInit) await residentContext.addInitScript(residentInit);
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}/video`);
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  const clerkContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (clerkInit) await clerkContext.addInitScript(clerkInit);
  await clerkContext.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/medewerker/wachtrij`);
  await clerk.locator('#queue-rows tr', { hasText: name }).waitFor();
  await Promise.all([
    clerk.waitForURL(/\/medewerker\/gesprek\//),
    clerk.getByRole('button', { name: 'Volgende bewoner' }).click(),
  ]);
  await resident.locator('#gesprek').waitFor({ state: 'visible', timeout: 20_000 });
  const close = async () => {
    // End the conversation, so the next test's "Volgende bewoner" gets its own resident.
    await clerk.evaluate(async () => {
      const entry = document.getElementById('clerk-call').dataset.entry;
      await fetch(`/api/v1/staff/queue/${entry}/done`, { method: 'POST' });
    });
    await residentContext.close();
    await clerkContext.close();
  };
  return { resident, clerk, close };
}

async function expectPlaying(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('remote-video');
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, null, { timeout: 40_000 });
}

/** The first inbound or outbound video stream's codec and frame counter. */
async function videoStats(page, type) {
  return page.evaluate(async (type) => {
    const stats = await window.videoloketCall.pc.getStats();
    let out = null;
    stats.forEach((r) => {
      if (r.type === type && r.kind === 'video' && !out) {
        out = { codec: stats.get(r.codecId)?.mimeType, frames: r.framesDecoded ?? r.framesEncoded ?? 0 };
      }
    });
    return out;
  }, type);
}

/**
 * The page sends H.264 like an iPad's hardware encoder would: an answerer sends the first
 * codec of the offer that it supports (JSEP), so H.264 is moved to the front of the offer's
 * first video section, the one the camera sends on. VP8 stays listed, so the page still
 * receives the other side's VP8.
 */
function h264Only() {
  const native = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (desc, ...rest) {
    if (!desc || desc.type !== 'offer') return native.call(this, desc, ...rest);
    const sections = desc.sdp.split(/\r\n(?=m=)/);
    const first = sections.findIndex((s) => s.startsWith('m=video'));
    if (first >= 0) {
      const lines = sections[first].split('\r\n');
      const h264 = lines.map((l) => l.match(/^a=rtpmap:(\d+) H264\//)?.[1]).filter(Boolean);
      lines[0] = lines[0].split(' ').slice(0, 3).concat(h264, lines[0].split(' ').slice(3).filter((p) => !h264.includes(p))).join(' ');
      sections[first] = lines.join('\r\n');
    }
    return native.call(this, { type: 'offer', sdp: sections.join('\r\n') }, ...rest);
  };
}

// Issue 15 item 5: the SFU learns the publisher's codec from its first packet and creates the
// resident's downlink of that video again with H.264 (docs/signaling.md, "H.264").
test('a publisher that sends H.264 is forwarded and decoded on the other side', { timeout: 180_000 }, async () => {
  const { resident, clerk, close } = await startCall('Hanna Tweesessie', '09:00', 'h264@example.nl', { clerkInit: h264Only });
  await expectPlaying(resident);
  await expectPlaying(clerk);
  console.log(`H.264: clerk sends ${JSON.stringify(await videoStats(clerk, 'outbound-rtp'))}, resident receives ${JSON.stringify(await videoStats(resident, 'inbound-rtp'))}`);
  const sent = await videoStats(clerk, 'outbound-rtp');
  assert.equal(sent.codec, 'video/H264', `the clerk sends ${JSON.stringify(sent)}`);
  const first = await videoStats(resident, 'inbound-rtp');
  assert.equal(first.codec, 'video/H264', `the resident receives ${JSON.stringify(first)}`);
  assert.ok(first.frames > 0, 'the resident decoded H.264 frames');
  await resident.waitForFunction(async (n) => {
    const stats = await window.videoloketCall.pc.getStats();
    let frames = 0;
    stats.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
    return frames > n + 30;
  }, first.frames, { timeout: 15_000, polling: 500 });
  await close();
});

test('frozen video: the page offers sound only, switches, tells the other side, and offers video again', { timeout: 240_000 }, async () => {
  const { resident, clerk, close } = await startCall('Wim Zwakkenet', '09:15', 'zwak@example.nl');
  await expectPlaying(resident);
  await expectPlaying(clerk);
  // The clerk's picture stops reaching the resident; sound goes on.
  const setClerkVideo = (active) => clerk.evaluate(async (active) => {
    const sender = window.videoloketCall.pc.getSenders().find((s) => s.track?.kind === 'video');
    const params = sender.getParameters();
    params.encodings.forEach((e) => { e.active = active; });
    await sender.setParameters(params);
  }, active);
  await setClerkVideo(false);

  const offer = resident.locator('#network-offer');
  await offer.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await resident.locator('#network-words').innerText(), /Het beeld hapert door een zwakke verbinding/);
  await expectAccessible(resident, 'weak-network-offer');
  // Nobody chooses: the page switches to sound only by itself.
  await resident.locator('#network-words', { hasText: 'te zwak voor beeld' }).waitFor({ timeout: 20_000 });
  assert.equal(await offer.isHidden(), true);
  assert.equal(await resident.evaluate(() => window.videoloketCall.stream.getVideoTracks().every((t) => !t.enabled)), true);
  // The clerk is told why the resident's picture went away.
  const told = clerk.locator('#remote-weak-network');
  await told.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await told.innerText(), /De verbinding van de ander is te zwak voor beeld/);
  assert.equal(await clerk.locator('#remote-no-video').isHidden(), true);
  await expectAccessible(resident, 'weak-network-audio-only');
  await expectAccessible(clerk, 'weak-network-other-side');

  // The network recovers: frames arrive again, and after a while the picture is offered back.
  await setClerkVideo(true);
  const back = resident.getByRole('button', { name: 'Beeld weer aan' });
  await back.waitFor({ state: 'visible', timeout: 40_000 });
  assert.match(await resident.locator('#network-words').innerText(), /De verbinding is weer beter/);
  await expectAccessible(resident, 'weak-network-offer-video');
  await back.click();
  assert.equal(await resident.evaluate(() => window.videoloketCall.stream.getVideoTracks().every((t) => t.enabled)), true);
  await told.waitFor({ state: 'hidden', timeout: 10_000 });
  assert.equal(await resident.locator('#network-words').innerText(), '');
  await close();
});

/** Relay candidates only and no relay: ICE can never connect (as behind a closed firewall). */
function noPath() {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config = {}, ...rest) {
      super({ ...config, iceServers: [], iceTransportPolicy: 'relay' }, ...rest);
    }
  };
}

test('no connection within 20 s: both pages show the phone number', { timeout: 180_000 }, async () => {
  const { resident, clerk, close } = await startCall('Fien Geenlijn', '09:30', 'geenlijn@example.nl', { residentInit: noPath, clerkInit: noPath });
  const pages = [['resident', resident], ['clerk', clerk]];
  for (const [who, page] of pages) {
    assert.equal(await page.locator('#call-fallback').isHidden(), true, `${who}: not before 20 s`);
  }
  for (const [who, page] of pages) {
    const fallback = page.locator('#call-fallback');
    await fallback.waitFor({ state: 'visible', timeout: 40_000 });
    assert.equal(await fallback.getAttribute('role'), 'alert');
    assert.match(await fallback.innerText(), /Het videogesprek komt niet tot stand\. Bel de gemeente/);
    assert.equal(await page.locator('#call-fallback-phone').getAttribute('href'), 'tel:14030', who);
    assert.equal(await page.locator('#call-fallback-phone').innerText(), '14 030', who);
    await expectAccessible(page, `call-fallback-${who}`);
  }
  // The clerk continues by phone: the entry is done and marked, and the resident is told.
  await clerk.getByRole('button', { name: 'Verder per telefoon' }).click();
  await clerk.locator('#clerk-call-status', { hasText: 'Vastgelegd: verder per telefoon' }).waitFor({ timeout: 10_000 });
  const told = resident.locator('#by-phone-notice');
  await told.waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await told.innerText(), /De medewerker gaat telefonisch verder/);
  assert.equal(await resident.locator('#call-state').innerText(), 'Het gesprek is afgelopen.');
  await expectAccessible(resident, 'continued-by-phone-resident');
  await expectAccessible(clerk, 'continued-by-phone-clerk');
  await close();
});
