// A call through TURN over TLS only, as from an office that lets nothing but TLS out: the test
// starts its own coturn (Debian's `turnserver`) on 127.0.0.1 with a throwaway certificate and
// `use-auth-secret`, and the test server hands out time-limited credentials for it
// (VIDEOLOKET_TURN_URLS, VIDEOLOKET_TURN_SECRET). Both browsers may use relay candidates only
// (`iceTransportPolicy: "relay"`, set by a wrapper around RTCPeerConnection, as an office
// without UDP leaves nothing else); then:
//   - each page's peer connection got the TURN URL with a `<expiry>:<participant>` user name;
//   - both see each other's video playing;
//   - getStats: the selected candidate pair's local candidate is a relay reached over TLS;
//   - coturn's log shows the allocations.
// Without `turnserver` or `openssl` the test is skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPlatform, stopPlatform, apiLogin, browserCookie, bookPassport } from './harness.mjs';

const installed = (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const skip = !(installed('turnserver') && installed('openssl')) && 'turnserver or openssl not installed';

let base;
let browser;
let coturn;
let coturnDir;

/** A TCP port nobody listens on now. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`coturn did not listen on ${port}:\n${coturnLog()}`);
}

function coturnLog() {
  return readdirSync(coturnDir)
    .filter((f) => f.startsWith('turn') && f.endsWith('.log'))
    .map((f) => readFileSync(path.join(coturnDir, f), 'utf8'))
    .join('\n');
}

async function startCoturn(secret) {
  coturnDir = mkdtempSync(path.join(os.tmpdir(), 'videoloket-coturn-'));
  const cert = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(coturnDir, 'key.pem'), '-out', path.join(coturnDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  assert.equal(cert.status, 0, 'openssl req failed');
  const [port, tlsPort] = [await freePort(), await freePort()];
  // Loopback relays allowed here because the SFU listens on 127.0.0.1; production denies
  // private ranges and allows only the SFU (docs/deploy-turn.md).
  writeFileSync(path.join(coturnDir, 'turnserver.conf'), [
    'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1',
    `listening-port=${port}`, `tls-listening-port=${tlsPort}`,
    'alt-listening-port=0', 'alt-tls-listening-port=0',
    `cert=${coturnDir}/cert.pem`, `pkey=${coturnDir}/key.pem`,
    'use-auth-secret', `static-auth-secret=${secret}`, 'realm=videoloket.test', 'fingerprint',
    'allow-loopback-peers', 'no-multicast-peers', 'no-cli', 'no-dtls', 'verbose',
    `log-file=${coturnDir}/turn.log`, 'simple-log',
    `pidfile=${coturnDir}/turn.pid`, `userdb=${coturnDir}/turndb`, '',
  ].join('\n'));
  coturn = spawn('turnserver', ['-c', path.join(coturnDir, 'turnserver.conf')], {
    stdio: 'ignore',
    detached: true, // its own process group, stopped in `after`
  });
  await waitForPort(tlsPort, 15_000);
  return tlsPort;
}

before(async () => {
  if (skip) return;
  const secret = randomBytes(24).toString('hex');
  const tlsPort = await startCoturn(secret);
  // The test server reads these as the platform does.
  process.env.VIDEOLOKET_TURN_URLS = `turns:127.0.0.1:${tlsPort}?transport=tcp`;
  process.env.VIDEOLOKET_TURN_SECRET = secret;
  // Chromium checks a TURN server's certificate like a website's; this one is self-signed.
  ({ base, browser } = await startPlatform({ browserArgs: ['--ignore-certificate-errors'] }));
});

after(async () => {
  if (skip) return;
  await stopPlatform();
  if (coturn?.pid) {
    try { process.kill(-coturn.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  rmSync(coturnDir, { recursive: true, force: true });
});

/** Every RTCPeerConnection of the page may use relay candidates only. */
function relayOnly() {
  const Native = window.RTCPeerConnection;
  class RelayOnly extends Native {
    constructor(config = {}, ...rest) {
      super({ ...config, iceTransportPolicy: 'relay' }, ...rest);
    }
  }
  window.RTCPeerConnection = RelayOnly;
}

async function expectPlaying(page, selector) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, selector, { timeout: 40_000 });
  const t0 = await page.$eval(selector, (v) => v.currentTime);
  await page.waitForFunction(([sel, t]) => document.querySelector(sel).currentTime > t + 0.5, [selector, t0], { timeout: 15_000 });
}

/** The selected candidate pair's local candidate, and the ICE servers the page was given. */
async function selectedPath(page) {
  return page.evaluate(async () => {
    const pc = window.videoloketCall.pc;
    const stats = [...(await pc.getStats()).values()];
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair?.localCandidateId);
    const config = pc.getConfiguration();
    return {
      pairState: pair?.state,
      candidateType: local?.candidateType,
      relayProtocol: local?.relayProtocol,
      iceTransportPolicy: config.iceTransportPolicy,
      iceServers: config.iceServers.map((s) => ({ urls: s.urls, username: s.username, hasCredential: !!s.credential })),
    };
  });
}

test('resident and clerk call each other through TURN over TLS only', { skip, timeout: 180_000 }, async () => {
  const booked = await bookPassport('Tess Relais', '09:30', 'tess.relais@example.nl');

  const residentContext = await browser.newContext();
  await residentContext.addInitScript(relayOnly);
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}`);
  await Promise.all([resident.waitForNavigation(), resident.getByRole('link', { name: 'Naar het videogesprek' }).click()]);
  await resident.getByRole('button', { name: 'Ik ben er klaar voor' }).click();
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  const clerkContext = await browser.newContext();
  await clerkContext.addInitScript(relayOnly);
  await clerkContext.addCookies([browserCookie(await apiLogin('anna@voorbeeld.nl', 'welkom-anna'))]);
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/medewerker/wachtrij`);
  await clerk.locator('#queue-rows tr', { hasText: 'Tess Relais' }).waitFor();
  await Promise.all([
    clerk.waitForURL(/\/medewerker\/gesprek\//),
    clerk.getByRole('button', { name: 'Volgende bewoner' }).click(),
  ]);

  await resident.locator('#gesprek').waitFor({ state: 'visible', timeout: 20_000 });
  await expectPlaying(resident, '#remote-video');
  await expectPlaying(clerk, '#remote-video');

  for (const [who, page] of [['resident', resident], ['clerk', clerk]]) {
    const seen = await selectedPath(page);
    assert.equal(seen.iceTransportPolicy, 'relay', who);
    assert.equal(seen.iceServers.length, 1, `${who}: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.iceServers[0].urls, [process.env.VIDEOLOKET_TURN_URLS], who);
    // `<expiry>:<participant id>`, the expiry ten minutes from now.
    const [expiry] = seen.iceServers[0].username.split(':');
    const inSeconds = Number(expiry) - Date.now() / 1000;
    assert.ok(inSeconds > 500 && inSeconds <= 601, `${who}: expiry ${expiry}`);
    assert.ok(seen.iceServers[0].hasCredential, who);
    assert.equal(seen.pairState, 'succeeded', `${who}: ${JSON.stringify(seen)}`);
    assert.equal(seen.candidateType, 'relay', `${who}: ${JSON.stringify(seen)}`);
    assert.equal(seen.relayProtocol, 'tls', `${who}: ${JSON.stringify(seen)}`);
  }
  const log = coturnLog();
  assert.ok((log.match(/ALLOCATE processed, success/g) || []).length >= 2, 'coturn allocated no relays');

  await clerk.getByRole('button', { name: 'Ophangen' }).click();
  await residentContext.close();
  await clerkContext.close();
});
