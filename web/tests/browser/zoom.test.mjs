// Text stays usable when enlarged (WCAG 2.2: 1.4.4 resize text, 1.4.10 reflow) and every
// control is a large target, on the resident, clerk and admin pages:
//   - at 200 % browser zoom (a 1280 px wide window is 640 CSS px) and at 400 % (320 CSS px)
//     no page scrolls sideways, nothing is cut off, and every control stays on screen;
//   - with only the text at 200 % (root font size) the same holds on a desktop window;
//   - buttons, button-like links and form fields are at least 44 x 44 px.
// Wide data tables may scroll inside their own box (1.4.10 allows it); nothing else may.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startPlatform, stopPlatform, artifacts, apiLogin, browserCookie } from './harness.mjs';

let base;
let browser;

before(async () => {
  ({ base, browser } = await startPlatform());
});

after(stopPlatform);

/** The pages to check: the booking flow, the personal link pages and the clerk's pages. */
async function pagesToCheck() {
  const services = await (await fetch(`${base}/api/v1/tenants/voorbeeld/services`)).json();
  const service = services.find((s) => s.name.startsWith('Paspoort'));
  const resp = await fetch(`${base}/api/v1/tenants/voorbeeld/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      service_id: service.id, start: '2026-11-30T14:00:00+01:00',
      name: 'Wilhelmina van Oldenbarnevelt-Zuidervaart', email: 'w.vanoldenbarnevelt@example.nl',
    }),
  });
  const body = await resp.text();
  assert.equal(resp.status, 201, body);
  const { token } = JSON.parse(body);
  const admin = await apiLogin('bram@voorbeeld.nl', 'welkom-bram');
  const clerks = await (await fetch(`${base}/api/v1/admin/clerks`, { headers: { cookie: admin } })).json();
  return {
    admin,
    resident: [
      '/', '/voorbeeld', `/voorbeeld/${service.id}`, `/voorbeeld/${service.id}?day=2026-12-01`,
      `/a/${token}`, `/a/${token}/bevestiging`, `/a/${token}/verzetten`, `/a/${token}/afzeggen`,
      `/a/${token}/video`, `/a/${token}/privacy`,
      `/a/${token}/beoordeling`, '/medewerker', '/voorbeeld/medewerker',
    ],
    // An admin is also a clerk: one session opens both the clerk's and the admin's pages.
    staff: [
      '/medewerker/vandaag', '/medewerker/wachtrij', '/medewerker/terugbellen',
      '/beheer', '/beheer/onderwerpen', `/beheer/onderwerpen/${service.id}`, '/beheer/medewerkers',
      `/beheer/medewerkers/${clerks[0].id}/tijden`, '/beheer/dashboard', '/beheer/klachten', '/beheer/zaaksysteem',
      '/beheer/sluitingsdagen',
    ],
  };
}

/** Everything that makes enlarged text unusable on the current page, in words. */
async function reflowProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth > width + 1) problems.push(`the page scrolls sideways (${root.scrollWidth} > ${width} px)`);
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${(el.innerText || el.value || '').trim().slice(0, 30)}"`;
    const scrollsInOwnBox = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.visually-hidden, [hidden], .skip-link, script, style')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if ((box.right > width + 1 || box.left < -1) && !scrollsInOwnBox(el)) {
        problems.push(`${describe(el)} sticks out of the window (${Math.round(box.left)}..${Math.round(box.right)} of ${width} px)`);
      }
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (ownText && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !['auto', 'scroll'].includes(style.overflowX)) {
        problems.push(`${describe(el)} has text wider than its box (${el.scrollWidth} > ${el.clientWidth} px)`);
      }
      const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
      if (clips && el.innerText && el.innerText.trim() && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        problems.push(`${describe(el)} cuts off its text`);
      }
    }
    return problems;
  });
}

/** Controls smaller than 44 x 44 px. Links inside running text are exempt, as in WCAG 2.5.8. */
async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    const controls = document.querySelectorAll(
      'button, a.button, a.choice, .site-header a, .staff-nav a, select, textarea, ' +
      'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), .radio label, .checkbox label');
    for (const el of controls) {
      if (el.closest('[hidden], .visually-hidden')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < 43.5 || box.height < 43.5) {
        small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30)}" is ${Math.round(box.width)} x ${Math.round(box.height)} px`);
      }
    }
    return small;
  });
}

async function check(context, paths, label, { textOnly = false, targets = false } = {}) {
  const page = await context.newPage();
  const failures = [];
  for (const p of paths) {
    const resp = await page.goto(`${base}${p}`);
    assert.ok(resp.status() < 400, `${p} answered ${resp.status()}`);
    if (textOnly) await page.evaluate(() => { document.documentElement.style.fontSize = '225%'; }); // 200 % of the 112.5 % base
    await page.waitForTimeout(100);
    for (const problem of await reflowProblems(page)) failures.push(`${label} ${p}: ${problem}`);
    if (targets) for (const problem of await smallTargets(page)) failures.push(`${label} ${p}: ${problem}`);
    if (['/voorbeeld', '/medewerker/vandaag', '/beheer/dashboard'].includes(p) || p.endsWith('/video')) {
      await page.screenshot({ path: path.join(artifacts, `zoom-${label}-${p.split('/').filter(Boolean).slice(-1)[0] || 'home'}.png`), fullPage: true });
    }
  }
  await page.close();
  return failures;
}

test('at 200 % and 400 % zoom nothing scrolls sideways or is cut off, and every control is at least 44 px', async () => {
  const { resident, staff, admin: session } = await pagesToCheck();
  const failures = [];
  // Browser zoom: the window keeps its size in device pixels, CSS pixels get twice (four times) as large.
  for (const [label, viewport, deviceScaleFactor] of [
    ['200pct', { width: 640, height: 450 }, 2],
    ['400pct', { width: 320, height: 256 }, 4],
  ]) {
    const context = await browser.newContext({ viewport, deviceScaleFactor });
    await context.addCookies([browserCookie(session)]);
    failures.push(...await check(context, [...resident, ...staff], label, { targets: label === '200pct' }));
    await context.close();
  }
  // Text only at 200 % on a desktop window.
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await desktop.addCookies([browserCookie(session)]);
  failures.push(...await check(desktop, [...resident, ...staff], 'text200', { textOnly: true }));
  await desktop.close();
  assert.deepEqual(failures, []);
});
