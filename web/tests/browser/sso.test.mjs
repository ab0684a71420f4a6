// Single sign-on for staff (issue 17, item 3) in a real browser: the admin sets up the
// municipality's OpenID provider on /beheer/inloggen, a clerk logs in with "Inloggen met
// Voorbeeld-account" at a real, certified provider (panva's oidc-provider, tests/oidc, its
// developer login form) and lands on the clerk's pages; with password login switched off the
// login page shows only the button. axe-core runs on every page state.
// The refusals (tampered state, another client, expired token, unknown address) are covered by
// tests/sso.rs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie } from './harness.mjs';

const providerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/oidc');

let base;
let browser;
let provider;
let issuer;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  assert.ok(existsSync(path.join(providerDir, 'node_modules')), 'run `npm ci` in tests/oidc (.ci/run does)');
  ({ base, browser } = await startPlatform());
  const port = await freePort();
  provider = spawn(process.execPath, ['provider.mjs', '--port', String(port), '--redirect-uri', `${base}/voorbeeld/medewerker/sso/terug`], {
    cwd: providerDir,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OpenID provider did not start')), 60_000);
    let seen = '';
    provider.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
});

after(async () => {
  provider?.kill();
  await stopPlatform();
});

test('the admin sets up single sign-on and a clerk logs in through the provider', async () => {
  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await admin.addCookies([browserCookie(await apiLogin('bram@voorbeeld.nl', 'welkom-bram'))]);
  const page = await admin.newPage();
  await page.goto(`${base}/beheer/inloggen`);
  await expectAccessible(page, 'sso-admin-empty');
  assert.equal(await page.locator('#redirect-uri').innerText(), `${base}/voorbeeld/medewerker/sso/terug`);

  // A mistake first: an address that is not https.
  await page.fill('#provider_name', 'Voorbeeld-account');
  await page.fill('#issuer_url', 'ftp://login.voorbeeld.nl');
  await page.fill('#client_id', 'videoloket');
  await page.fill('#client_secret', 'videoloket-test-secret');
  await page.fill('#role_claim', 'groups');
  await page.fill('#admin_value', 'vl-beheer');
  await page.fill('#clerk_value', 'vl-loket');
  let [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.equal(response.status(), 422);
  assert.match(await page.locator('.error-summary').innerText(), /https:\/\/-adres van de uitgever/);
  assert.equal(await page.inputValue('#client_secret'), '', 'a typed secret is not sent back');
  await expectAccessible(page, 'sso-admin-error');

  await page.fill('#issuer_url', issuer);
  await page.fill('#client_secret', 'videoloket-test-secret');
  [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('.notice').innerText(), /opgeslagen/);
  assert.equal(await page.inputValue('#client_secret'), '********', 'the secret is never shown');
  await expectAccessible(page, 'sso-admin-saved');

  // Anna, a clerk, logs in at the provider.
  const clerk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const login = await clerk.newPage();
  await login.goto(`${base}/voorbeeld/medewerker`);
  await expectAccessible(login, 'sso-login-page');
  await login.getByRole('link', { name: 'Inloggen met Voorbeeld-account' }).click();
  await login.waitForURL((u) => u.href.startsWith(issuer));
  await login.fill('input[name=login]', 'anna');
  await login.fill('input[name=password]', 'x');
  await login.click('button[type=submit]');
  await login.waitForURL(`${base}/medewerker/vandaag`);
  const me = await login.evaluate(async () => (await fetch('/api/v1/staff/me')).json());
  assert.equal(me.role, 'clerk');
  await clerk.close();

  // Password login off: only the button remains.
  await page.uncheck('#password_login');
  [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.equal(response.status(), 200);
  const anonymous = await browser.newContext();
  const only = await anonymous.newPage();
  await only.goto(`${base}/voorbeeld/medewerker`);
  assert.equal(await only.locator('#login-form').count(), 0);
  assert.match(await only.locator('#password-login-off').innerText(), /alleen in via de knop/);
  await expectAccessible(only, 'sso-login-page-password-off');
  await anonymous.close();
  await admin.close();
});
