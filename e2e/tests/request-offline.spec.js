// Handing in a request offline and its later sync (SPEC §6, §7): nothing typed is lost, the outbox
// is sent on its own when the network is back, retries are idempotent, requests stay private.
const { test, expect } = require('@playwright/test');
const {
  waitForSync, waitForServiceWorker, deviceKey, serverRequestsTitled, topicId, uniqueTitle, idbCount,
} = require('./helpers');

const DMS = 'Dokumentenmanagement (DMS)';

async function fillRequest(page, title) {
  await expect(page.locator('#topic option:checked')).toHaveText(DMS);
  await page.locator('#kind-problem').check();
  await page.locator('#title').fill(title);
  await page.locator('#description').fill('Beim Anlegen einer E-Akte erscheint eine Fehlermeldung.');
  await page.locator('#name').fill('Erika Mustermann');
  await page.locator('#department').fill('Bauamt');
  await page.locator('#contact').fill('erika.mustermann@soest.de');
}

function requestCard(page, title) {
  return page.getByTestId('request').filter({ has: page.getByRole('heading', { name: title }) });
}

test('a request handed in offline waits, survives closing the page and syncs by itself', async ({ page, context, request, browser }) => {
  const title = uniqueTitle('Offline: E-Akte lässt sich nicht anlegen');
  await page.goto('/');
  await waitForSync(page);
  await waitForServiceWorker(page);
  const key = await deviceKey(page);

  await context.setOffline(true);
  await page.goto('/anliegen/neu?thema=dms');
  await expect(page.getByTestId('connection')).toContainText('Offline');
  await fillRequest(page, title);
  await page.getByRole('button', { name: 'Anliegen senden' }).click();

  await expect(page).toHaveURL(/\/anliegen\?gesendet=[0-9a-f-]{36}$/);
  await expect(page.getByText('Ihr Anliegen ist gespeichert.')).toBeVisible();
  const card = requestCard(page, title);
  await expect(card).toBeVisible();
  await expect(card.getByTestId('request-status')).toHaveText('wartet auf Übertragung');
  await expect(card).toContainText('Problem');
  await expect(card).toContainText(DMS);
  await expect(page.getByTestId('pending')).toHaveText('1 Änderung wartet auf Übertragung');
  expect(await idbCount(page, 'outbox')).toBe(1);

  // Close the page; a new page of the same profile, still offline, still has it.
  await page.close();
  const again = await context.newPage();
  await again.goto('/anliegen');
  const card2 = requestCard(again, title);
  await expect(card2).toBeVisible();
  await expect(card2.getByTestId('request-status')).toHaveText('wartet auf Übertragung');
  await expect(again.getByTestId('pending')).toHaveText('1 Änderung wartet auf Übertragung');
  await expect(again.getByTestId('connection')).toContainText('Offline');
  // Give the sync loop time to fail a few times and back off.
  await again.waitForTimeout(3_000);

  // Back online: no click needed.
  await context.setOffline(false);
  await expect(card2.getByTestId('request-status')).toHaveText('neu', { timeout: 10_000 });
  await expect(again.getByTestId('pending')).toHaveCount(0);
  await expect(again.getByTestId('connection')).toHaveText('Online');
  expect(await idbCount(again, 'outbox')).toBe(0);

  // Exactly one copy on the server, visible with this device's key.
  const stored = await serverRequestsTitled(request, key, title);
  expect(stored).toHaveLength(1);
  expect(stored[0].version).toBe(1);
  expect(stored[0].data.status).toBe('neu');
  expect(stored[0].data.kind).toBe('problem');
  expect(stored[0].data.topic).toBe(await topicId(request, 'dms'));
  expect(stored[0].data.requester).toEqual({ name: 'Erika Mustermann', department: 'Bauamt', contact: 'erika.mustermann@soest.de' });

  // Nobody else sees it: not anonymous callers, not another device key, not another browser profile.
  expect(await serverRequestsTitled(request, null, title)).toHaveLength(0);
  expect(await serverRequestsTitled(request, `${crypto.randomUUID()}${crypto.randomUUID()}`.replace(/-/g, ''), title)).toHaveLength(0);
  const other = await browser.newContext();
  try {
    const p = await other.newPage();
    await p.goto('/anliegen');
    await waitForSync(p);
    const otherKey = await deviceKey(p);
    expect(otherKey).not.toBe(key);
    await expect(p.getByText('Sie haben von diesem Gerät aus noch kein Anliegen gesendet.')).toBeVisible();
    await expect(requestCard(p, title)).toHaveCount(0);
    expect(await serverRequestsTitled(request, otherKey, title)).toHaveLength(0);
  } finally {
    await other.close();
  }
});

test('a push the server applied but the client never heard back from is retried without a duplicate', async ({ page, request }) => {
  const title = uniqueTitle('Retry: Aktenplan fehlt');
  await page.goto('/anliegen/neu?thema=dms');
  await waitForSync(page);
  const key = await deviceKey(page);

  const pushes = []; // the mutations of every push the page sent
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/push') && r.method() === 'POST') pushes.push(r.postDataJSON());
  });
  const answers = []; // the answers the page received (the aborted one has none)
  page.on('response', async (r) => {
    if (r.url().includes('/api/v1/push') && r.request().method() === 'POST') answers.push(await r.json());
  });
  let firstServerAnswer = null;
  let intercepted = 0;
  await page.route('**/api/v1/push', async (route) => {
    intercepted++;
    if (intercepted > 1) return route.continue();
    const resp = await route.fetch(); // the server applies it …
    firstServerAnswer = await resp.json();
    await route.abort('failed'); // … but the client only sees a network failure
  });

  await fillRequest(page, title);
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\?gesendet=/);
  await expect.poll(() => firstServerAnswer, { timeout: 15_000 }).not.toBeNull();
  await page.unroute('**/api/v1/push');
  expect(firstServerAnswer.results[0].status).toBe('applied');
  // The server already holds it.
  expect(await serverRequestsTitled(request, key, title)).toHaveLength(1);

  const card = requestCard(page, title);
  await expect(card).toBeVisible();
  // The client retries on its own (backoff ≈ 2 s) and ends up with the record accepted.
  await expect.poll(() => answers.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  const answer = answers[0];
  expect(answer.results).toHaveLength(1);
  expect(answer.results[0].status, JSON.stringify(answer.results[0])).toBe('applied');
  await expect(card.getByTestId('request-status')).toHaveText('neu', { timeout: 10_000 });
  await expect(page.getByTestId('pending')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Nicht übernommene Änderungen' })).toHaveCount(0);

  // The retry was the same attempt: same mutation id, so the server answered from its log.
  const ours = pushes.map((p) => p.mutations.find((m) => m.data && m.data.title === title)).filter(Boolean);
  expect(ours.length).toBeGreaterThanOrEqual(2);
  expect(new Set(ours.map((m) => m.mutation_id)).size).toBe(1);

  const stored = await serverRequestsTitled(request, key, title);
  expect(stored).toHaveLength(1);
  expect(stored[0].version).toBe(1);
  expect(stored[0].data.status).toBe('neu');
  expect(await idbCount(page, 'outbox')).toBe(0);
});
