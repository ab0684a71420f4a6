// The municipality's logo (/beheer/logo) in a real browser: a file that is no PNG or SVG is
// refused in words and nothing changes; an SVG with a script is taken, rebuilt without it and
// shown at the top of the resident pages, served with a policy that runs nothing; removing it
// takes it off the pages. axe-core on every state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPlatform, stopPlatform, expectAccessible, apiLogin, browserCookie } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

async function submit(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name }).click(),
  ]);
  return response.status();
}

test('an admin uploads a logo, residents see it, a wrong file is refused, removing it works', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'logo-'));
  const notALogo = path.join(dir, 'logo.png');
  writeFileSync(notALogo, '%PDF-1.7 this is a document with a .png name');
  const svg = path.join(dir, 'wapen.svg');
  writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="30"><script>alert(1)</script>'
    + '<rect width="90" height="30" fill="#00529b"/><circle cx="15" cy="15" r="9" fill="#ffffff"/></svg>');

  const cookie = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([browserCookie(cookie)]);
  const page = await context.newPage();
  await page.goto(`${base}/beheer/logo`);
  assert.equal(await page.locator('h1').innerText(), 'Logo');
  assert.match(await page.locator('main').innerText(), /nog geen logo/);
  await expectAccessible(page, 'logo-01-none');

  await page.getByLabel('Logo (PNG of SVG)').setInputFiles(notALogo);
  assert.equal(await submit(page, 'Logo opslaan'), 422);
  assert.match(await page.locator('.error-summary').innerText(), /Dit is geen PNG- of SVG-bestand/);
  assert.equal(await page.getAttribute('#logo', 'aria-invalid'), 'true');
  await expectAccessible(page, 'logo-02-refused');

  await page.getByLabel('Logo (PNG of SVG)').setInputFiles(svg);
  assert.equal(await submit(page, 'Logo opslaan'), 200);
  assert.match(await page.locator('.notice').innerText(), /Het logo is opgeslagen/);
  await expectAccessible(page, 'logo-03-saved');

  const resident = await browser.newPage();
  await resident.goto(`${base}/voorbeeld`);
  const img = resident.locator('header img.site-logo');
  assert.equal(await img.count(), 1);
  const src = await img.getAttribute('src');
  assert.match(src, /^\/voorbeeld\/logo\?v=\d+$/);
  // Really drawn, not a broken picture.
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the logo loads');
  await expectAccessible(resident, 'logo-04-resident-page');
  const served = await fetch(base + src);
  assert.equal(served.headers.get('content-type'), 'image/svg+xml');
  assert.match(served.headers.get('content-security-policy'), /sandbox/);
  const body = await served.text();
  assert.doesNotMatch(body, /script|alert/);
  assert.match(body, /<path/);

  assert.equal(await submit(page, 'Logo verwijderen'), 200);
  assert.match(await page.locator('.notice').innerText(), /Het logo is verwijderd/);
  await expectAccessible(page, 'logo-05-removed');
  await resident.reload();
  assert.equal(await resident.locator('header img.site-logo').count(), 0);
  assert.equal((await fetch(base + src)).status, 404);
  await resident.close();
  await context.close();
});
