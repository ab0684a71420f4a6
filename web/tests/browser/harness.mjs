// What every browser test needs: the test server (`cargo run -p videoloket --example test_server`:
// demo municipality, fixed clock Monday 30 November 2026 08:00 Amsterdam, signaling and SFU on
// 127.0.0.1), Debian chromium with fake camera and microphone, and an axe-core check that also
// keeps a screenshot in test-artifacts/.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
export const artifacts = path.join(here, 'test-artifacts');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;
let mailDir;
let base;

/** Starts the test server and the browser; returns `{ base, browser }`. `browserArgs`: more
 * Chromium switches for one test file. */
export async function startPlatform({ browserArgs = [] } = {}) {
  mkdirSync(artifacts, { recursive: true });
  // VIDEOLOKET_TEST_SERVER may name a prebuilt test_server binary (skips the cargo step).
  const [cmd, args] = process.env.VIDEOLOKET_TEST_SERVER
    ? [process.env.VIDEOLOKET_TEST_SERVER, []]
    : ['cargo', ['run', '-q', '-p', 'videoloket', '--example', 'test_server']];
  server = spawn(cmd, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so `stopPlatform` can stop it and nothing else
  });
  base = await new Promise((resolve, reject) => {
    // The first run compiles the example; give it time.
    const timer = setTimeout(() => reject(new Error('test server did not start in 15 minutes')), 15 * 60_000);
    let seen = '';
    server.stdout.on('data', (chunk) => {
      seen += chunk;
      mailDir = seen.match(/mail directory (\S+)/)?.[1] ?? mailDir;
      const m = seen.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
  // The server refuses changes that do not say they come from its own site when they carry a
  // login (docs/security.md); a browser sends Origin by itself, Node's fetch does not.
  const plainFetch = globalThis.fetch;
  globalThis.fetch = (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase();
    if (method === 'GET' || method === 'HEAD') return plainFetch(url, init);
    const headers = new Headers(init.headers);
    if (!headers.has('origin')) headers.set('origin', base);
    return plainFetch(url, { ...init, headers });
  };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run',
      ...browserArgs,
    ],
  });
  return { base, browser };
}

export async function stopPlatform() {
  await browser?.close();
  if (server?.pid) {
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}

/** Undoes quoted-printable (RFC 2045) in a mail read as latin1: soft line breaks and =XX
 * bytes; the bytes are then read as UTF-8. */
function unquotePrintable(latin1) {
  const raw = latin1
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(raw, 'latin1').toString('utf8');
}

/** The mails the test server sent to `address` (as .eml text, quoted-printable decoded), oldest first. */
export function mailsTo(address) {
  assert.ok(mailDir, 'the test server did not say where its mail goes');
  let files;
  try {
    files = readdirSync(mailDir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.eml'))
    .map((f) => unquotePrintable(readFileSync(path.join(mailDir, f), 'latin1')))
    .filter((eml) => new RegExp(`^To: .*<${address.replace(/[.+]/g, '\\$&')}>`, 'm').test(eml))
    .sort((a, b) => Date.parse(a.match(/^Date: (.*)$/m)?.[1]) - Date.parse(b.match(/^Date: (.*)$/m)?.[1]));
}

/** Waits (up to 10 s) until `count` mails went to `address`; mails leave through the outbox. */
export async function waitForMails(address, count) {
  const deadline = Date.now() + 10_000;
  while (mailsTo(address).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return mailsTo(address);
}

/** Runs axe-core on the page; any violation fails the test with its rule and elements. */
export async function expectAccessible(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  // Through DevTools, not a <script> tag: the pages' CSP refuses inline scripts.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe violations on ${name} (${page.url()})`);
}

/** Logs in through the API (Node has no cookie jar); returns the session cookie as `name=value`. */
export async function apiLogin(email, password, tenant = 'voorbeeld') {
  const resp = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, email, password }),
  });
  assert.equal(resp.status, 200, `login ${email}`);
  return resp.headers.get('set-cookie').split(';')[0];
}

/** A session cookie (`name=value`, from `apiLogin`) as a browser context takes it. */
export function browserCookie(nameValue) {
  const at = nameValue.indexOf('=');
  return { name: nameValue.slice(0, at), value: nameValue.slice(at + 1), url: base };
}

/** What a screen reader would roughly name the focused element. */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', text: '' };
    const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') || '',
      id: el.id,
      checked: !!el.checked,
      text: (label || el.innerText || el.value || '').replace(/\s+/g, ' ').trim(),
    };
  });
}

/** Presses Tab until the focused element's text matches; fails if it never does. Returns the
 * focused element, with `path`: the texts focus went through. */
export async function tabTo(page, pattern, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f.text || f.tag);
    if (pattern.test(f.text)) return { ...f, path: seen };
  }
  assert.fail(`Tab never reached ${pattern}; focus went through: ${seen.join(' | ')}`);
}

/** Presses a key that should load a new page, and waits for it. */
export async function pressAndLoad(page, key) {
  await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
}

/** The page's heading. */
export async function h1(page) {
  return (await page.locator('h1').innerText()).trim();
}

/** The demo's passport service. */
export async function passportService() {
  const services = await (await fetch(`${base}/api/v1/tenants/voorbeeld/services`)).json();
  return services.find((s) => s.name.startsWith('Paspoort'));
}

/** Books Paspoort on the test day (the clock says Monday 30 November, 08:00) through the API
 * and returns the booking (`token`, `appointment`). Check-in opens two hours ahead first, so a
 * morning appointment can check in at 08:00. */
export async function bookPassport(name, time = '09:00', email = 'jan@example.nl', extra = {}) {
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const settings = await (await fetch(`${base}/api/v1/admin/settings`, { headers: { cookie: admin } })).json();
  const put = await fetch(`${base}/api/v1/admin/settings`, {
    method: 'PUT',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ ...settings, check_in_minutes: 120 }),
  });
  assert.equal(put.status, 200, await put.clone().text());
  const passport = await passportService();
  const resp = await fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: passport.id, start: `2026-11-30T${time}:00+01:00`, name, email, ...extra }),
  });
  const body = await resp.text();
  assert.equal(resp.status, 201, body);
  return JSON.parse(body);
}
