#!/usr/bin/env node
// Render time of /buero/matrix (issue: usable at 40 × 25, smooth at 2,000 × 200) and the export
// of 10,000 requests as CSV.
//
// Needs a server WITH demo data (the Büro account "buero"), fresh data dir, e.g.
//   target/release/lotsen-server serve --addr 127.0.0.1:8098 --data-dir /tmp/bench-$RANDOM --dist dist --demo &
//   BASE_URL=http://127.0.0.1:8098 node e2e/bench/matrix.mjs
// Env: BASE_URL (default http://127.0.0.1:8080), CHROMIUM (default /usr/bin/chromium),
//      LOTSEN (2000), TOPICS (200), REQUESTS (10000), RUNS (3).
//
// It measures the demo first, then adds Lotsen and topics as the Büro (100 per push) up to
// LOTSEN × TOPICS, and measures again: from the click on "Matrix" in the app's navigation until
// the table is in the document and the browser has painted the next frame; then a change of
// the department filter. Last, it adds requests up to REQUESTS and times the CSV export.
import { chromium } from '@playwright/test';
import { randomUUID } from 'node:crypto';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LOTSEN = Number(process.env.LOTSEN || 2000);
const TOPICS = Number(process.env.TOPICS || 200);
const REQUESTS = Number(process.env.REQUESTS || 10_000);
const RUNS = Number(process.env.RUNS || 3);
const BATCH = 100;
const DEPARTMENTS = ['Bürgerbüro', 'Bauamt', 'Ordnungsamt', 'Personal und Organisation', 'Kämmerei', 'Jugendamt',
  'Sozialamt', 'Stadtplanung', 'Schule und Sport', 'Kultur', 'IT-Abteilung', 'Standesamt', 'Tiefbau'];

let cookie = '';

async function api(path, init = {}) {
  for (let attempt = 0; ; attempt++) {
    const resp = await fetch(BASE_URL + path, { ...init, headers: { ...(init.headers || {}), cookie } });
    if (resp.status === 429 && attempt < 20) {
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      continue;
    }
    if (!resp.ok) throw new Error(`${init.method || 'GET'} ${path}: ${resp.status} ${await resp.text()}`);
    return resp;
  }
}

async function login() {
  const resp = await api('/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'buero', password: 'demo-buero' }),
  });
  cookie = resp.headers.get('set-cookie').split(';')[0];
}

async function pullAll() {
  const records = new Map();
  let since = '';
  for (;;) {
    const body = await (await api(`/api/v1/changes?limit=1000${since ? `&since=${encodeURIComponent(since)}` : ''}`)).json();
    for (const c of body.changes) records.set(`${c.collection}/${c.id}`, c);
    since = body.cursor;
    if (!body.has_more) return [...records.values()].filter((r) => !r.deleted);
  }
}

async function push(mutations) {
  for (let i = 0; i < mutations.length; i += BATCH) {
    const body = await (await api('/api/v1/push', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mutations: mutations.slice(i, i + BATCH) }),
    })).json();
    const bad = body.results.filter((r) => r.status !== 'applied');
    if (bad.length) throw new Error(`push rejected: ${JSON.stringify(bad[0])}`);
  }
}

const create = (collection, data) => ({ mutation_id: randomUUID(), collection, id: randomUUID(), base_version: 0, deleted: false, data });

/** Adds topics and active Lotsen (each with 6–14 skills) up to the wanted counts. */
async function grow() {
  const all = await pullAll();
  const topics = all.filter((r) => r.collection === 'topics').map((r) => r.id);
  const lotsen = all.filter((r) => r.collection === 'lotsen' && r.data.active).length;
  const newTopics = [];
  for (let i = topics.length; i < TOPICS; i++) {
    const m = create('topics', { name: `Fachverfahren ${i + 1}`, slug: `fachverfahren-${i + 1}`, category: `Bereichsverfahren ${1 + (i % 8)}`, synonyms: [], description: '' });
    newTopics.push(m);
    topics.push(m.id);
  }
  await push(newTopics);
  const today = new Date().toISOString().slice(0, 10);
  const newLotsen = [];
  for (let i = lotsen; i < LOTSEN; i++) {
    const skills = new Map();
    for (let k = 0; k < 6 + (i % 9); k++) skills.set(topics[(i * 7 + k * 13) % topics.length], 1 + ((i + k) % 3));
    newLotsen.push(create('lotsen', {
      name: `Lotse Nummer ${i + 1}`, department: DEPARTMENTS[i % DEPARTMENTS.length], phone: '', email: '',
      location: '', availability: '', skills: [...skills].map(([topic, level]) => ({ topic, level })),
      learning: [], confirmed_at: i % 10 === 0 ? '2024-01-15' : today, active: true,
    }));
  }
  await push(newLotsen);
}

async function growRequests() {
  const have = (await pullAll()).filter((r) => r.collection === 'requests').length;
  const topics = (await pullAll()).filter((r) => r.collection === 'topics').map((r) => r.id);
  const kinds = ['frage', 'wunsch', 'anregung', 'problem'];
  const list = [];
  for (let i = have; i < REQUESTS; i++) {
    list.push(create('requests', {
      kind: kinds[i % 4], topic: topics[i % topics.length], title: `Anliegen ${i + 1}: =SUMME(A1) und "Zitat"; Umlaute äöü`,
      description: 'Eine Beschreibung mit Zeilenumbruch\nund Semikolon; damit die Maskierung etwas zu tun hat.',
      requester: { name: `Kollegin ${i + 1}`, department: DEPARTMENTS[i % DEPARTMENTS.length], contact: '' },
      status: 'neu', assignee: null, created_at: new Date(Date.now() - i * 3_600_000).toISOString().slice(0, 19) + 'Z',
    }));
  }
  await push(list);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)}, ${s.length} runs)`;
};

/** Opens the app as the Büro, waits for a full sync, and times the matrix. */
async function measure(browser, label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.request.post(`${BASE_URL}/api/v1/session`, { data: { username: 'buero', password: 'demo-buero' } });
  await page.goto(`${BASE_URL}/buero/auswertung`);
  await page.locator('.last-sync').filter({ hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 120_000 });
  const open = [];
  const filter = [];
  let size = '';
  for (let run = 0; run < RUNS; run++) {
    await page.goto(`${BASE_URL}/buero/auswertung`);
    await page.locator('.last-sync').filter({ hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('need-list').waitFor();
    open.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      document.querySelector('a[href="/buero/matrix"]').click();
      const tick = () => {
        if (document.querySelector('table.matrix tbody tr')) {
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })));
    size = await page.evaluate(() => {
      const t = document.querySelector('table.matrix');
      return `${t.tBodies[0].rows.length} rows × ${t.tHead.rows[1].cells.length} topics, ${document.querySelectorAll('table.matrix td').length} cells`;
    });
    filter.push(await page.evaluate(() => new Promise((resolve) => {
      const select = document.getElementById('matrix-bereich');
      const before = document.querySelector('table.matrix caption').textContent;
      const t0 = performance.now();
      select.value = 'Bauamt';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      const tick = () => {
        const c = document.querySelector('table.matrix caption');
        if (c && c.textContent !== before) {
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })));
  }
  console.log(`${label}: ${size}`);
  console.log(`  open /buero/matrix: ${stats(open)}`);
  console.log(`  filter Bereich=Bauamt: ${stats(filter)}`);
  await context.close();
}

async function main() {
  await login();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    await measure(browser, 'demo data');
    const t0 = performance.now();
    await grow();
    console.log(`(seeded up to ${LOTSEN} Lotsen × ${TOPICS} topics in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await measure(browser, `${LOTSEN} × ${TOPICS}`);
  } finally {
    await browser.close();
  }
  await growRequests();
  const times = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const t = performance.now();
    const body = await (await api('/api/v1/export/requests.csv')).arrayBuffer();
    times.push(performance.now() - t);
    bytes = body.byteLength;
  }
  console.log(`export requests.csv (${REQUESTS} requests): ${stats(times)}, ${(bytes / 1024).toFixed(0)} KiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
