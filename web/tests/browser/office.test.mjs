// A simulated office (issue 15, item 1): the clerk's Chromium runs in a network namespace of
// its own, joined to the host by a veth pair, with an nftables firewall inside the namespace.
// The test server (pages and SFU) and a coturn with TLS on port 443 listen on the host's end
// of the veth pair; the resident's Chromium stays on the host.
//   1. The office lets out only TCP to port 443 of the TURN address (and TCP to the pages'
//      port, which stands in for the platform's own HTTPS on 443): no UDP at all. The call
//      connects by itself (no relay-only setting), video plays on both sides, and the clerk's
//      selected candidate pair is a relay reached over TLS.
//   2. ICE-TCP: the office drops all UDP but lets TCP to the SFU through, and refuses port
//      443, so TURN is out of reach: the call connects over a TCP host candidate of the SFU.
// Root is needed (ip netns, nft); without it, or without turnserver/openssl, the file is
// skipped with a message. Every name carries the process id; the namespace, veth pair, coturn
// and files are removed in `after`, also when a test fails.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPlatform, stopPlatform, bookPassport, expectAccessible } from './harness.mjs';
import { namespace, chromiumArgs, hostChromium } from './namespace.mjs';

const installed = (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const skip = (process.getuid?.() !== 0 && 'needs root for ip netns and nft')
  || (!['turnserver', 'openssl', 'ip', 'nft'].every(installed) && 'turnserver, openssl, ip or nft not installed')
  || false;
if (skip) console.log(`office.test.mjs skipped: ${skip}`);

const officeNet = namespace('office', 251);
const NS = officeNet.name;
const HOST_IP = officeNet.hostIp;

let base;
let browser; // the resident's, on the host (the harness's own is not used: see `secure`)
let office; // the clerk's, in the namespace
let dir;
let coturn;

const inNs = officeNet.run;

/** The office's firewall: everything out is dropped except what `allow` lets through. */
function firewall(allow) {
  spawnSync('ip', ['netns', 'exec', NS, 'nft', 'delete', 'table', 'inet', 'office'], { stdio: 'ignore' });
  const rules = [
    'table inet office {',
    // Nothing comes in unasked: the SFU's own ICE checks towards the office are dropped too,
    // so no UDP flow can be opened from outside and answered.
    '  chain in {',
    '    type filter hook input priority 0; policy drop;',
    '    iif lo accept',
    '    meta l4proto tcp ct state established,related accept',
    '  }',
    '  chain out {',
    '    type filter hook output priority 0; policy drop;',
    '    oif lo accept',
    '    meta l4proto tcp ct state established,related accept',
    ...allow.map((rule) => `    ${rule}`),
    '    meta l4proto udp counter drop',
    '    meta l4proto tcp counter drop',
    '  }',
    '}',
  ].join('\n');
  const file = path.join(dir, 'office.nft');
  writeFileSync(file, rules);
  inNs('nft', '-f', file);
}

/** What the firewall dropped so far: `{ udp, tcp }` packets. */
function dropped() {
  const listing = inNs('nft', 'list', 'table', 'inet', 'office');
  const count = (proto) => Number(listing.match(new RegExp(`meta l4proto ${proto} counter packets (\\d+)`))?.[1] ?? 0);
  return { udp: count('udp'), tcp: count('tcp') };
}

async function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(host, port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, host, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`coturn did not listen on ${host}:${port}:\n${readFileSync(path.join(dir, 'turn.log'), 'utf8')}`);
}

/** coturn with TLS on 443 of the host's end of the veth pair. */
async function startCoturn(secret) {
  const cert = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', `/CN=${HOST_IP}`, '-addext', `subjectAltName=IP:${HOST_IP}`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  assert.equal(cert.status, 0, 'openssl req failed');
  writeFileSync(path.join(dir, 'turnserver.conf'), [
    `listening-ip=${HOST_IP}`, `relay-ip=${HOST_IP}`,
    `listening-port=${await freePort(HOST_IP)}`, 'tls-listening-port=443',
    'alt-listening-port=0', 'alt-tls-listening-port=0',
    `cert=${dir}/cert.pem`, `pkey=${dir}/key.pem`,
    'use-auth-secret', `static-auth-secret=${secret}`, 'realm=videoloket.test', 'fingerprint',
    'no-multicast-peers', 'no-cli', 'no-dtls', 'verbose',
    `log-file=${dir}/turn.log`, 'simple-log',
    `pidfile=${dir}/turn.pid`, `userdb=${dir}/turndb`, '',
  ].join('\n'));
  coturn = spawn('turnserver', ['-c', path.join(dir, 'turnserver.conf')], { stdio: 'ignore', detached: true });
  await waitForPort(HOST_IP, 443, 15_000);
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'videoloket-office-'));
  officeNet.up();
  const secret = randomBytes(24).toString('hex');
  await startCoturn(secret);
  process.env.VIDEOLOKET_TURN_URLS = `turns:${HOST_IP}:443?transport=tcp`;
  process.env.VIDEOLOKET_TURN_SECRET = secret;
  process.env.VIDEOLOKET_TEST_IP = HOST_IP;
  process.env.VIDEOLOKET_ICE_TCP = '1';
  ({ base } = await startPlatform());
  const args = chromiumArgs(base, ['--ignore-certificate-errors']);
  browser = await hostChromium(args);
  // The clerk's Chromium, inside the namespace.
  office = await officeNet.chromium(dir, args);
});

after(async () => {
  if (skip) return;
  await office?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stopPlatform();
  if (coturn?.pid) {
    try { process.kill(-coturn.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  officeNet.down();
  rmSync(dir, { recursive: true, force: true });
});

async function expectPlaying(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('remote-video');
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, null, { timeout: 45_000 });
  const t0 = await page.$eval('#remote-video', (v) => v.currentTime);
  await page.waitForFunction((t) => document.getElementById('remote-video').currentTime > t + 0.5, t0, { timeout: 15_000 });
}

/** The clerk's selected candidate pair. */
async function selectedPath(page) {
  return page.evaluate(async () => {
    const stats = await window.videoloketCall.pc.getStats();
    let pair = null;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    });
    const local = pair && stats.get(pair.localCandidateId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    return {
      state: pair?.state,
      localType: local?.candidateType,
      localProtocol: local?.protocol,
      relayProtocol: local?.relayProtocol,
      remoteAddress: remote?.address,
      remotePort: remote?.port,
      remoteProtocol: remote?.protocol,
    };
  });
}

/** The clerk (in the office) calls the resident (at home) from the queue. */
async function call(name, time, email) {
  const booked = await bookPassport(name, time, email);
  assert.equal((await fetch(`${base}/api/v1/personal/${booked.token}/check-in`, { method: 'POST' })).status, 200);
  const residentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const resident = await residentContext.newPage();
  await resident.goto(`${base}/a/${booked.token}/video`);
  await resident.locator('#wachten').waitFor({ state: 'visible' });

  const clerkContext = await office.newContext({ viewport: { width: 1280, height: 900 } });
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${base}/voorbeeld/medewerker?terug=/medewerker/wachtrij`);
  await clerk.getByLabel('E-mailadres').fill('anna@voorbeeld.nl');
  await clerk.getByLabel('Wachtwoord').fill('welkom-anna');
  await Promise.all([clerk.waitForURL(`${base}/medewerker/wachtrij`), clerk.getByRole('button', { name: 'Inloggen' }).click()]);
  await clerk.locator('#queue-rows tr', { hasText: name }).waitFor();
  await Promise.all([clerk.waitForURL(/\/medewerker\/gesprek\//), clerk.getByRole('button', { name: 'Volgende bewoner' }).click()]);
  await expectPlaying(resident);
  await expectPlaying(clerk);
  const close = async () => {
    await clerk.evaluate(async () => {
      await fetch(`/api/v1/staff/queue/${document.getElementById('clerk-call').dataset.entry}/done`, { method: 'POST' });
    });
    await residentContext.close();
    await clerkContext.close();
  };
  return { resident, clerk, close };
}

test('an office that lets out only TCP 443 to the TURN server: the call goes through TURN over TLS', { skip, timeout: 240_000 }, async () => {
  const webPort = new URL(base).port;
  firewall([`ip daddr ${HOST_IP} tcp dport { 443, ${webPort} } accept`]);
  const { clerk, close } = await call('Olga Kantoor', '09:00', 'kantoor@example.nl');
  const seen = await selectedPath(clerk);
  console.log(`office, 443 only: clerk's pair ${JSON.stringify(seen)}; dropped ${JSON.stringify(dropped())}`);
  assert.equal(seen.state, 'succeeded', JSON.stringify(seen));
  assert.equal(seen.localType, 'relay', JSON.stringify(seen));
  assert.equal(seen.relayProtocol, 'tls', JSON.stringify(seen));
  // Media flows both ways through the relay, and the phone fallback stays away.
  for (const page of [clerk]) {
    const bytes = () => page.evaluate(() => window.videoloketCall.bytesReceived());
    const first = await bytes();
    await page.waitForFunction(async (n) => (await window.videoloketCall.bytesReceived()) > n + 50_000, first, { timeout: 15_000, polling: 250 });
  }
  assert.equal(await clerk.locator('#call-fallback').isHidden(), true);
  await expectAccessible(clerk, 'office-clerk-call');
  await close();
});

test('ICE-TCP: no UDP and no TURN, but TCP to the SFU: the call goes over a TCP candidate', { skip, timeout: 240_000 }, async () => {
  const webPort = new URL(base).port;
  // 443 is refused outright, so the TURN relay cannot be what carries the call.
  firewall([`ip daddr ${HOST_IP} tcp dport 443 counter reject`, `ip daddr ${HOST_IP} tcp dport != 443 accept`]);
  const { clerk, close } = await call('Tijs Tcp', '09:15', 'tcp@example.nl');
  const seen = await selectedPath(clerk);
  console.log(`office, ICE-TCP: clerk's pair ${JSON.stringify(seen)}; dropped ${JSON.stringify(dropped())}; web port ${webPort}`);
  assert.equal(seen.state, 'succeeded', JSON.stringify(seen));
  assert.equal(seen.localProtocol, 'tcp', JSON.stringify(seen));
  assert.notEqual(seen.localType, 'relay', JSON.stringify(seen));
  assert.equal(seen.remoteAddress, HOST_IP, JSON.stringify(seen));
  await close();
});
