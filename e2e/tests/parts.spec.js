// The two parts of the app: the public screens are the first load; the screens of Lotsen and the
// Projektbüro come with the staff part (staff.html), online from the server and offline from the
// service worker, and a part that cannot be loaded says so in German with a way to try again.
const { test, expect } = require('@playwright/test');
const { waitForSync, waitForServiceWorker } = require('./helpers');

/** The wasm file the current document preloads (each part has its own). */
const wasmOf = (page) => page.evaluate(() => document.querySelector('link[rel=preload][as=fetch]').getAttribute('href'));

test('the public part is the first load; a link to a staff screen brings the staff part', async ({ page }) => {
  await page.goto('/');
  await waitForSync(page);
  const publicWasm = await wasmOf(page);
  await page.getByRole('link', { name: 'Anmelden' }).click();
  await expect(page).toHaveURL(/\/anmelden$/);
  await expect(page.getByLabel('Benutzername')).toBeVisible();
  const staffWasm = await wasmOf(page);
  expect(staffWasm).not.toBe(publicWasm);
  // The staff part holds the public screens too: from there on the app stays in it.
  await page.getByRole('link', { name: 'Themen', exact: true }).click();
  await expect(page).toHaveURL(/\/themen$/);
  expect(await wasmOf(page)).toBe(staffWasm);
  // A deep link into the Büro is answered with the staff part as well.
  await page.goto('/buero/matrix');
  expect(await wasmOf(page)).toBe(staffWasm);
});

test('offline, a staff screen opens from the service worker after one visit', async ({ page, context }) => {
  await page.goto('/');
  await waitForSync(page);
  await waitForServiceWorker(page);
  // The worker keeps both parts; wait until the install has put the staff part in its cache.
  await expect.poll(() => page.evaluate(async () => {
    for (const name of await caches.keys()) {
      if (await (await caches.open(name)).match('/staff.html')) return true;
    }
    return false;
  }), { timeout: 30_000 }).toBe(true);
  await context.setOffline(true);
  await page.goto('/anmelden');
  await expect(page.getByLabel('Benutzername')).toBeVisible();
  await context.setOffline(false);
});

test('a staff part that cannot be loaded says so and offers to try again', async ({ browser }) => {
  // Without a service worker, so that the route below sees the navigation.
  const context = await browser.newContext({ serviceWorkers: 'block', locale: 'de-DE' });
  const page = await context.newPage();
  const base = process.env.BASE_URL || 'http://127.0.0.1:8080';
  const publicPage = await (await page.request.get(`${base}/`)).text();
  let broken = true;
  await page.route(`${base}/anmelden`, (route) => (broken
    ? route.fulfill({ status: 200, contentType: 'text/html', body: publicPage })
    : route.continue()));
  await page.goto(`${base}/anmelden`);
  await expect(page.getByRole('heading', { name: 'Dieser Bereich konnte nicht geladen werden' })).toBeVisible({ timeout: 20_000 });
  broken = false;
  await page.getByRole('button', { name: 'Erneut versuchen' }).click();
  await expect(page.getByLabel('Benutzername')).toBeVisible({ timeout: 20_000 });
  await context.close();
});
