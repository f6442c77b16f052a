#!/usr/bin/env node
// The app at city scale (SPEC §10: 200 topics, 2,000 Lotsen, 10,000 requests), measured in the
// browser as a person feels it. `cargo xtask bench` prepares the server; by hand:
//   target/release/lotsen-server city --out /tmp/city.json
//   target/release/lotsen-server import --in /tmp/city.json --data-dir /tmp/city
//   target/release/lotsen-server account add buero --role buero --password demo-buero --data-dir /tmp/city
//   target/release/lotsen-server serve --addr 127.0.0.1:8097 --data-dir /tmp/city --dist dist &
//   BASE_URL=http://127.0.0.1:8097 node e2e/bench/city.mjs
// Env: BASE_URL, CHROMIUM (default /usr/bin/chromium), RUNS (3).
//
// Prints:
// - keystroke → paint: words typed letter by letter into the search (one- and two-letter
//   prefixes included), from the key's event time until the frame after the app has handled it;
// - DOM nodes and the longest task on broad searches and on every list screen, opened inside
//   the running app (as a click on a link does);
// - cold start (empty browser) and warm start (reload, data in IndexedDB; and offline) of a
//   bookmarked search until the first result card is shown;
// - a Projektbüro login until its first sync of every record has finished.
import { chromium } from '@playwright/test';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS || 3);
const WORDS = ['schmitz', 'ozg', 'videokonferenz', 'dokumentenmanagement', 'e-akte'];
const BROAD = ['/suche?q=s', '/suche?q=a', '/suche?q=e', '/suche?bereich=B%C3%BCrgerb%C3%BCro'];
const SCREENS = ['/themen', '/themen/dms', '/termine', '/anliegen', '/lotsen/', '/arbeitsplatz',
  '/arbeitsplatz?status=alle', '/buero/lotsen', '/buero/themen', '/buero/bewerbungen', '/buero/termine',
  '/buero/matrix', '/buero/auswertung', '/buero/konten'];

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${Math.round(x)} ms`;

// Installed before the app runs: long tasks from the start, and the keystroke timer.
function instrument() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__keys = [];
  document.addEventListener('keydown', (ev) => {
    const t0 = ev.timeStamp;
    const wanted = () => {
      const input = document.getElementById('q');
      const q = new URLSearchParams(location.search).get('q') || '';
      return input && q === input.value.trimStart();
    };
    // The frame after the app has taken the key in (the URL carries the new text): the
    // callback after the next animation frame runs once that frame is painted.
    const check = () => requestAnimationFrame(() => setTimeout(() => {
      if (wanted()) window.__keys.push(performance.now() - t0);
      else check();
    }, 0));
    check();
  }, true);
}

async function settle(page) {
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
}

async function longestSince(page, since) {
  return page.evaluate((t) => Math.max(0, ...window.__longTasks.filter((l) => l.at >= t).map((l) => l.ms)), since);
}

async function typing(page) {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Wobei brauchen Sie Hilfe?' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading'));
  await settle(page);
  const rows = [];
  const all = [];
  for (const word of WORDS) {
    await page.goto('/');
    await page.waitForFunction(() => !document.querySelector('.loading'));
    await page.locator('#q').focus();
    await page.evaluate(() => { window.__keys = []; });
    for (const ch of word) {
      await page.keyboard.type(ch);
      await page.waitForTimeout(120);
    }
    await page.waitForTimeout(500);
    const keys = await page.evaluate(() => window.__keys);
    const count = await page.getByTestId('result-count').innerText();
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    rows.push(`  ${word.padEnd(22)} keys ${keys.map((k) => Math.round(k)).join(' ').padEnd(70)} → ${count} (${nodes} nodes)`);
    all.push(...keys);
  }
  return { rows, all };
}

async function screen(page, path) {
  // Inside the running app, as a link does it: the router follows history changes.
  const t = await page.evaluate(() => performance.now());
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.waitForTimeout(1200);
  const longest = await longestSince(page, t);
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { longest, nodes };
}

async function login(page) {
  await page.goto('/anmelden');
  await page.locator('.last-sync', { hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 60_000 });
  await page.getByLabel('Benutzername').fill('buero');
  await page.getByLabel('Passwort').fill('demo-buero');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/arbeitsplatz/);
  // The pull from the start is done when the header has a new time of the last sync and no
  // sync is running; the workplace then counts the open requests.
  await page.getByTestId('workplace-count').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('.sync-bar button')].find((x) => x.textContent.includes('abgleichen'));
    return b && b.getAttribute('aria-disabled') === 'false' && /\d+ Anliegen/.test(document.querySelector('[data-testid=workplace-count]').textContent);
  }, null, { timeout: 120_000 });
  return Date.now() - t0;
}

async function firstCard(page, path) {
  const t0 = Date.now();
  await page.goto(path);
  await page.getByTestId('lotse-card').first().waitFor({ timeout: 60_000 });
  return Date.now() - t0;
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const newContext = async () => {
    const c = await browser.newContext({ baseURL: BASE_URL, serviceWorkers: 'allow', locale: 'de-DE' });
    await c.addInitScript(instrument);
    return c;
  };
  try {
    console.log(`Lotsenfinder at city scale against ${BASE_URL}\n`);

    // Cold and warm start of a bookmarked search, each in a new empty browser profile.
    const cold = [];
    const warm = [];
    const offline = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await newContext();
      const page = await context.newPage();
      cold.push(await firstCard(page, '/suche?q=e-akte'));
      await page.locator('.last-sync', { hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 60_000 });
      await page.evaluate(() => navigator.serviceWorker.ready);
      await settle(page);
      warm.push(await firstCard(page, '/suche?q=e-akte'));
      await settle(page);
      await context.setOffline(true);
      offline.push(await firstCard(page, '/suche?q=e-akte'));
      await context.close();
    }
    console.log('start of a bookmarked /suche?q=e-akte → first result shown');
    console.log(`  empty browser:             median ${ms(median(cold))} (${cold.join(', ')} ms; target ≤ 1000)`);
    console.log(`  data in IndexedDB:         median ${ms(median(warm))} (${warm.join(', ')} ms; target ≤ 400)`);
    console.log(`  the same offline:          median ${ms(median(offline))} (${offline.join(', ')} ms)`);

    // Everything else in one profile that has synced as the Projektbüro.
    const context = await newContext();
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('.last-sync', { hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 60_000 });
    const syncMs = await login(page);
    const held = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open('lotsenfinder');
      open.onsuccess = () => {
        const req = open.result.transaction('records').objectStore('records').count();
        req.onsuccess = () => { open.result.close(); resolve(req.result); };
      };
    }));
    console.log(`\nProjektbüro login → first sync done: ${ms(syncMs)} (${held} records in IndexedDB)`);

    const { rows, all } = await typing(page);
    console.log('\nkeystroke → paint, typing letter by letter (logged in, every record on the device)');
    for (const r of rows) console.log(r);
    console.log(`  all ${all.length} keys: median ${ms(median(all))}, worst ${ms(Math.max(...all))} (target: median ≤ 16, worst ≤ 50)`);

    console.log('\nscreens opened inside the app: DOM nodes, longest task (target ≤ 3,000 nodes, no task over 50 ms)');
    const lotse = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open('lotsenfinder');
      open.onsuccess = () => {
        const req = open.result.transaction('records').objectStore('records')
          .getAll(IDBKeyRange.bound('lotsen/', 'lotsen/\uffff'), 1);
        req.onsuccess = () => { open.result.close(); resolve(JSON.parse(req.result[0]).env.id); };
      };
    }));
    for (const path of [...BROAD, ...SCREENS]) {
      const target = path === '/lotsen/' ? `/lotsen/${lotse}` : path;
      // The staff screens are opened from within the staff part (staff.html), as a Lotse or the
      // Büro moves between them; the public ones from the public part.
      const staff = /^\/(anmelden|arbeitsplatz|profil|buero)(\/|\?|$)/.test(target);
      await page.goto(staff ? '/arbeitsplatz' : '/');
      await page.waitForFunction(() => !document.querySelector('.loading'));
      await settle(page);
      const { longest, nodes } = await screen(page, target);
      const flag = nodes > 3000 || longest > 50 ? '  ← over' : '';
      console.log(`  ${target.padEnd(44)} ${String(nodes).padStart(6)} nodes   longest task ${ms(longest).padStart(7)}${flag}`);
    }
    await context.close();
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
