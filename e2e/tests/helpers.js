// Shared helpers of the end-to-end tests.
const { expect } = require('@playwright/test');

const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:8080';

/** The level labels of the app (SPEC §3). */
const LEVEL = { 1: 'kennt sich aus', 2: 'kann helfen', 3: 'kann schulen' };

/** Waits until the app has read its local database and finished a first sync. */
async function waitForSync(page) {
  await expect(page.locator('.last-sync')).toContainText('Zuletzt abgeglichen', { timeout: 20_000 });
}

/** Waits until the service worker controls the page (so it can serve the app shell offline). */
async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
      });
    }
  });
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
}

/** Reads one key of an object store of the app's IndexedDB with the raw API. */
async function idbGet(page, store, key) {
  return page.evaluate(([store, key]) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lotsenfinder');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction(store).objectStore(store).get(key);
      req.onsuccess = () => { db.close(); resolve(req.result); };
      req.onerror = () => { db.close(); reject(req.error); };
    };
  }), [store, key]);
}

/** Counts the entries of an object store of the app's IndexedDB. */
async function idbCount(page, store) {
  return page.evaluate((store) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lotsenfinder');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction(store).objectStore(store).count();
      req.onsuccess = () => { db.close(); resolve(req.result); };
      req.onerror = () => { db.close(); reject(req.error); };
    };
  }), store);
}

/** The device key the app made for this browser context. */
async function deviceKey(page) {
  await expect.poll(() => idbGet(page, 'meta', 'device_key'), { timeout: 15_000 }).toBeTruthy();
  const key = await idbGet(page, 'meta', 'device_key');
  expect(typeof key).toBe('string');
  return key;
}

/** Pulls every change the server shows to a caller (with a device key: including its own requests). */
async function pullAll(request, key) {
  const headers = key ? { 'X-Device-Key': key } : {};
  const records = [];
  let since = '';
  for (let i = 0; i < 100; i++) {
    const url = `/api/v1/changes?limit=1000${since ? `&since=${encodeURIComponent(since)}` : ''}`;
    const resp = await request.get(url, { headers });
    expect(resp.status(), `GET ${url}`).toBe(200);
    const body = await resp.json();
    records.push(...body.changes);
    since = body.cursor;
    if (!body.has_more) break;
  }
  return records;
}

/** The live (not deleted) requests with this title the server shows to this device key. */
async function serverRequestsTitled(request, key, title) {
  const all = await pullAll(request, key);
  // Later versions of one id supersede earlier ones within one pull.
  const byId = new Map();
  for (const r of all) if (r.collection === 'requests') byId.set(r.id, r);
  return [...byId.values()].filter((r) => !r.deleted && r.data && r.data.title === title);
}

/** The id of an active demo Lotse by name, from the public API. */
async function lotseId(request, name) {
  const all = await pullAll(request);
  const hit = all.find((r) => r.collection === 'lotsen' && !r.deleted && r.data.name === name);
  expect(hit, `demo Lotse ${name}`).toBeTruthy();
  return hit.id;
}

/** The id of a demo topic by slug. */
async function topicId(request, slug) {
  const all = await pullAll(request);
  const hit = all.find((r) => r.collection === 'topics' && !r.deleted && r.data.slug === slug);
  expect(hit, `demo topic ${slug}`).toBeTruthy();
  return hit.id;
}

/** The names on the result cards, in order. */
async function cardNames(page) {
  return page.locator('[data-testid=lotse-card] .card-title').allInnerTexts();
}

/** A unique request title for one test run. */
function uniqueTitle(prefix) {
  return `${prefix} ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

module.exports = {
  BASE_URL, LEVEL, waitForSync, waitForServiceWorker, idbGet, idbCount, deviceKey, pullAll,
  serverRequestsTitled, lotseId, topicId, cardNames, uniqueTitle,
};
