// A request the server refuses after it was handed in offline (SPEC §7: nothing is silently
// dropped): it is kept, shown with the reason and the text, and can be sent again as a draft.
const { test, expect } = require('@playwright/test');
const { waitForSync, waitForServiceWorker, uniqueTitle } = require('./helpers');

function push(api, mutation) {
  return api.post('/api/v1/push', { data: { mutations: [{ mutation_id: crypto.randomUUID(), deleted: false, ...mutation }] } });
}

test('a request refused later is kept and comes back as a draft', async ({ page, context, baseURL, playwright }) => {
  // The Projektbüro adds a topic …
  const buero = await playwright.request.newContext({ baseURL });
  const login = await buero.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } });
  expect(login.status()).toBe(200);
  const topic = crypto.randomUUID();
  const slug = `pilot-${Date.now()}`;
  const created = await push(buero, {
    collection: 'topics', id: topic, base_version: 0,
    data: { name: 'Pilotthema Ablehnung', slug, category: 'Test', synonyms: [], description: '' },
  });
  expect((await created.json()).results[0].status).toBe('applied');

  // … a colleague sees it and hands in a request for it while offline …
  await page.goto('/');
  await waitForSync(page);
  // The offline navigation below is served by the service worker, so it must control the page first.
  await waitForServiceWorker(page);
  await page.goto(`/themen/${slug}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pilotthema Ablehnung');
  await context.setOffline(true);
  await page.goto(`/anliegen/neu?thema=${slug}`);
  await expect(page.locator('#topic option:checked')).toHaveText('Pilotthema Ablehnung');
  const title = uniqueTitle('Frage zum Pilotthema');
  const description = 'Ein langer Text, der auf keinen Fall verloren gehen darf.';
  await page.locator('#title').fill(title);
  await page.locator('#description').fill(description);
  await page.locator('#name').fill('Erika Mustermann');
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\?gesendet=/);

  // … and meanwhile the topic is removed, so the server refuses the request.
  const removed = await push(buero, { collection: 'topics', id: topic, base_version: 1, deleted: true, data: {} });
  expect((await removed.json()).results[0].status).toBe('applied');
  await context.setOffline(false);

  const kept = page.locator('.conflicts li').filter({ hasText: title });
  await expect(kept).toBeVisible({ timeout: 15_000 });
  await expect(kept).toContainText('Dieses Thema gibt es nicht');
  await expect(kept).toContainText(description);
  await expect(page.getByTestId('request')).toHaveCount(0);
  await expect(page.getByTestId('pending')).toHaveCount(0);

  await kept.getByRole('button', { name: /Als Entwurf übernehmen/ }).click();
  await expect(page).toHaveURL(/\/anliegen\/neu$/);
  await expect(page.locator('#title')).toHaveValue(title);
  await expect(page.locator('#description')).toHaveValue(description);
  await expect(page.locator('#name')).toHaveValue('Erika Mustermann');
  await expect(page.locator('.conflicts li').filter({ hasText: title })).toHaveCount(0);

  // Sent again without the removed topic, it is accepted.
  await page.locator('#topic').selectOption('');
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  const card = page.getByTestId('request').filter({ hasText: title });
  await expect(card.getByTestId('request-status')).toHaveText('neu', { timeout: 15_000 });
  await buero.dispose();
});
