// A network change mid-call (issue 15, item 2): the resident's page asks the server for an ICE
// restart (`restart_ice`) and the call goes on without the clerk doing anything.
//   1. the event path: the window's `online` event makes the page send `restart_ice`; the
//      server answers with an offer carrying new ICE credentials; video keeps playing;
//   2. a real outage: this peer's UDP is dropped for 8 s (an nftables rule on the ports of
//      its selected candidate pair, in a table of its own that is always removed again); the
//      page notices (disconnected for 2 s, or failed), asks for an ICE restart, and media
//      resumes on both sides. The gap is printed. Needs root for nft; skipped (with a
//      message) without it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPlatform, stopPlatform, bookPassport } from './harness.mjs';

let base;
let browser;
// Chromium calls a connection "disconnected" after about 5 s without answers to its ICE
// checks, and the page asks for a restart 2 s later: an outage of 8 s covers both.
const OUTAGE_MS = Number(process.env.OUTAGE_MS || 8000);
const NFT_TABLE = `videoloket_nettest_${process.pid}`;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(async () => {
  dropTable();
  await stopPlatform();
});

function nft(...args) {
  return execFileSync('nft', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function dropTable() {
  try {
    nft('delete', 'table', 'inet', NFT_TABLE);
  } catch {
    // not there: nothing to clean up
  }
}

async function expectPlaying(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('remote-video');
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, null, { timeout: 30_000 });
}

async function expectBytesGrowing(page, within = 15_000) {
  const bytes = () => page.evaluate(() => window.videoloketCall.bytesReceived());
  const first = await bytes();
  const deadline = Date.now() + within;
  while ((await bytes()) <= first + 10_000) {
    assert.ok(Date.now() < deadline, `no media arriving on ${page.url()} within ${within} ms`);
    await page.waitForTimeout(100);
  }
}

const ufrag = (sdp) => sdp.match(/a=ice-ufrag:(\S+)/)[1];

test('a network change restarts ICE and the call goes on', { timeout: 5 * 60_000 }, async () => {
  const booked = await bookPassport('Netwerk Wisselaar', '09:00', 'netwerk@example.nl');
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);
  const residentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}/video`);
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  const clerkContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/voorbeeld/medewerker?terug=/medewerker/wachtrij`);
  await clerk.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await clerk.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([clerk.waitForURL(`${base}/medewerker/wachtrij`), clerk.getByRole('button', { name: 'Inloggen' }).click()]);
  await clerk.locator('#queue-rows tr', { hasText: 'Netwerk Wisselaar' }).waitFor();
  await Promise.all([clerk.waitForURL(/\/medewerker\/gesprek\//), clerk.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  await expectPlaying(resident);
  await expectPlaying(clerk);

  // ---- 1. the event path ----
  const before = await resident.evaluate(() => window.videoloketCall.pc.remoteDescription.sdp);
  const sent = await resident.evaluate(() => {
    const call = window.videoloketCall;
    window.sentTypes = [];
    const send = call.send.bind(call);
    call.send = (msg) => {
      window.sentTypes.push(msg.type);
      send(msg);
    };
    window.dispatchEvent(new Event('online'));
    return call.iceRestarts;
  });
  assert.equal(sent, 1);
  // Sent at once; the answer to the server's restart offer follows.
  assert.equal((await resident.evaluate(() => window.sentTypes))[0], 'restart_ice');
  await resident.waitForFunction((old) => {
    const sdp = window.videoloketCall.pc?.remoteDescription?.sdp || '';
    const u = sdp.match(/a=ice-ufrag:(\S+)/);
    return u && u[1] !== old && window.videoloketCall.pc.signalingState === 'stable';
  }, ufrag(before), { timeout: 15_000 });
  assert.ok(await resident.evaluate(() => window.sentTypes.includes('answer')), 'the restart offer was answered');
  await expectBytesGrowing(resident);
  await expectBytesGrowing(clerk);

  // ---- 2. a real outage of this peer's UDP ----
  let nftWorks = true;
  try {
    dropTable();
    nft('add', 'table', 'inet', NFT_TABLE);
  } catch (err) {
    nftWorks = false;
    console.log(`skipped the UDP outage: nft is not usable here (${String(err.stderr || err.message).trim()})`);
  }
  if (nftWorks) {
    try {
      const ports = await resident.evaluate(async () => {
        const stats = await window.videoloketCall.pc.getStats();
        let pair = null;
        stats.forEach((r) => {
          if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
        });
        return pair ? [stats.get(pair.localCandidateId).port, stats.get(pair.remoteCandidateId).port] : null;
      });
      assert.ok(ports, 'the resident has a selected candidate pair');
      const port = ports.join(', ');
      // Sample the bytes received on both pages every 100 ms, in the pages themselves.
      const sample = () => {
        window.byteSamples = [];
        window.sampler = setInterval(async () => {
          window.byteSamples.push([Date.now(), await window.videoloketCall.bytesReceived()]);
        }, 100);
      };
      await resident.evaluate(sample);
      await resident.evaluate(() => {
        window.stateLog = [];
        const t0 = Date.now();
        const pc = window.videoloketCall.pc;
        pc.addEventListener('connectionstatechange', () => window.stateLog.push(`${Date.now() - t0} ms ${pc.connectionState}`));
        pc.addEventListener('iceconnectionstatechange', () => window.stateLog.push(`${Date.now() - t0} ms ice ${pc.iceConnectionState}`));
      });
      await clerk.evaluate(sample);
      const restartsBefore = await resident.evaluate(() => window.videoloketCall.iceRestarts);
      nft('add', 'chain', 'inet', NFT_TABLE, 'out', '{ type filter hook output priority 0 ; }');
      // Both ends of the resident's pair: the browser's port and the SFU's port for it.
      const set = `{ ${ports.join(', ')} }`;
      nft('add', 'rule', 'inet', NFT_TABLE, 'out', 'udp', 'sport', set, 'counter', 'drop');
      nft('add', 'rule', 'inet', NFT_TABLE, 'out', 'udp', 'dport', set, 'counter', 'drop');
      const droppedAt = Date.now();
      await resident.waitForTimeout(OUTAGE_MS);
      const dropped = nft('list', 'table', 'inet', NFT_TABLE).match(/packets \d+/g);
      dropTable();
      const restoredAt = Date.now();
      await expectBytesGrowing(resident, 30_000);
      await expectBytesGrowing(clerk, 30_000);
      const gap = async (page) => page.evaluate(([from]) => {
        clearInterval(window.sampler);
        const s = window.byteSamples;
        // The longest stretch without new bytes that overlaps the outage.
        let longest = 0;
        let last = s[0];
        for (const cur of s.slice(1)) {
          if (cur[1] > last[1]) {
            if (cur[0] > from) longest = Math.max(longest, cur[0] - last[0]);
            last = cur;
          }
        }
        return longest;
      }, [droppedAt]);
      const residentGap = await gap(resident);
      const clerkGap = await gap(clerk);
      const restarts = (await resident.evaluate(() => window.videoloketCall.iceRestarts)) - restartsBefore;
      const state = await resident.evaluate(() => window.videoloketCall.pc.connectionState);
      console.log(`UDP outage of ${restoredAt - droppedAt} ms on ports ${port}: media gap resident ${residentGap} ms, clerk ${clerkGap} ms; ICE restarts asked: ${restarts}; connection ${state}; dropped ${dropped}; states ${await resident.evaluate(() => window.stateLog.join(' / '))}`);
      assert.ok(restarts >= 1, 'the page asked for an ICE restart during the outage');
      assert.equal(state, 'connected');
    } finally {
      dropTable();
    }
  }
  await residentContext.close();
  await clerkContext.close();
});
