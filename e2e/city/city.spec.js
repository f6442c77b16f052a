// At city scale (200 topics, 2,000 Lotsen, 10,000 requests): lists come in portions, say how many
// there are, keep their page in the URL, and work offline.
const { test, expect } = require('@playwright/test');
const { waitForSync, waitForServiceWorker } = require('../tests/helpers');

async function login(page, username, password) {
  await page.goto('/anmelden');
  await waitForSync(page);
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/arbeitsplatz/);
  // The pull from the start after the login has brought the requests.
  await expect(page.getByTestId('workplace-count')).toHaveText(/\d+ Anliegen, Seite 1 von \d+/, { timeout: 60_000 });
}

const domNodes = (page) => page.evaluate(() => document.getElementsByTagName('*').length);

test('a broad search shows one page of results, says how many there are, and pages through them', async ({ page }) => {
  await page.goto('/suche?q=e-akte');
  const count = page.getByTestId('result-count');
  // Results show from the first pulled page on; the count is final once the directory is in.
  await expect(count).toHaveText(/^\d+ Lotsen gefunden – 1 bis 20$/, { timeout: 30_000 });
  await waitForSync(page);
  await expect(count).toHaveText(/^\d+ Lotsen gefunden – 1 bis 20$/, { timeout: 30_000 });
  const total = Number((await count.innerText()).split(' ')[0]);
  expect(total).toBeGreaterThan(100);
  await expect(page.getByTestId('lotse-card')).toHaveCount(20);
  expect(await domNodes(page)).toBeLessThan(3000);

  const first = await page.locator('[data-testid=lotse-card] .card-title').first().innerText();
  await page.getByRole('link', { name: 'Nächste Seite' }).first().click();
  await expect(page).toHaveURL(/\/suche\?q=e-akte&seite=2$/);
  await expect(count).toHaveText(`${total} Lotsen gefunden – 21 bis 40`);
  await expect(page.getByTestId('lotse-card')).toHaveCount(20);
  expect(await page.locator('[data-testid=lotse-card] .card-title').first().innerText()).not.toBe(first);
  // The focus goes on at the new results, not at the top of the page.
  await expect(page.getByTestId('results')).toBeFocused();
  await expect(page.getByText('Seite 2 von')).toBeVisible();

  // A bookmark of page 2 opens page 2.
  await page.reload();
  await expect(count).toHaveText(`${total} Lotsen gefunden – 21 bis 40`);

  // Typing starts a new search on its first page.
  await page.getByLabel('Thema, Stichwort, Name oder Bereich').fill('e-akten');
  await expect(page).toHaveURL(/\/suche\?q=e-akten$/);
  await expect(count).toHaveText(/ – 1 bis 20$/);
});

test('the broadest searches stay below 3,000 DOM nodes', async ({ page }) => {
  for (const q of ['s', 'a', 'e']) {
    await page.goto(`/suche?q=${q}`);
    await expect(page.getByTestId('result-count')).toHaveText(/^\d{3,} Lotsen gefunden – 1 bis 20$/, { timeout: 30_000 });
    expect(await domNodes(page)).toBeLessThan(3000);
  }
});

test('a page beyond the last shows the last; a page number that is none shows the first', async ({ page }) => {
  await page.goto('/suche?q=schmitz&seite=999');
  const count = page.getByTestId('result-count');
  await expect(count).toHaveText(/^\d+ Lotsen gefunden – \d+ bis \d+$/, { timeout: 30_000 });
  await expect(page.getByRole('link', { name: 'Nächste Seite' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Vorherige Seite' })).toHaveCount(1);
  await page.goto('/suche?q=schmitz&seite=abc');
  await expect(count).toHaveText(/ – 1 bis \d+$/);
});

test('a topic with hundreds of helpers, the catalogue and the events come in pages', async ({ page }) => {
  await page.goto('/themen/dms');
  const count = page.getByTestId('list-count');
  await expect(count).toHaveText(/^\d+ Lotsen helfen zu diesem Thema – 1 bis 25\.$/, { timeout: 30_000 });
  // While the first sync still brings Lotsen, the list is redrawn as they arrive.
  await waitForSync(page);
  await expect(page.getByTestId('lotse-card')).toHaveCount(25);
  await page.getByRole('link', { name: 'Nächste Seite' }).click();
  await expect(page).toHaveURL(/\/themen\/dms\?seite=2$/);
  await expect(count).toHaveText(/ – 26 bis 50\.$/);
  await expect(page.locator('.helpers')).toBeFocused();

  await page.goto('/themen');
  await expect(page.getByTestId('list-count')).toHaveText('200 Themen – 1 bis 60');
  await expect(page.locator('.catalogue .topic-list li')).toHaveCount(60);
  await page.goto('/themen?seite=4');
  await expect(page.getByTestId('list-count')).toHaveText('200 Themen – 181 bis 200');
  await expect(page.locator('.catalogue .topic-list li')).toHaveCount(20);
});

test('offline, a bookmarked page of a search opens from the device', async ({ page, context }) => {
  await page.goto('/');
  await waitForSync(page);
  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.goto('/suche?q=ozg&seite=3');
  await expect(page.getByTestId('result-count')).toHaveText(/^\d+ Lotsen gefunden – 41 bis 60$/, { timeout: 30_000 });
  await expect(page.getByTestId('lotse-card')).toHaveCount(20);
  await context.setOffline(false);
});

test('the Projektbüro pages and filters 2,000 Lotsen, and the workplace pages 10,000 requests', async ({ page }) => {
  await login(page, 'buero', 'demo-buero');
  await expect(page.getByTestId('work-item')).toHaveCount(25);
  expect(await domNodes(page)).toBeLessThan(3000);

  await page.goto('/buero/lotsen');
  const count = page.getByTestId('list-count');
  await expect(count).toHaveText('2000 Lotsen – 1 bis 50');
  await expect(page.getByTestId('buero-lotse')).toHaveCount(50);
  expect(await domNodes(page)).toBeLessThan(3000);
  await page.getByRole('link', { name: 'Nächste Seite' }).click();
  await expect(page).toHaveURL(/\/buero\/lotsen\?seite=2$/);
  await expect(count).toHaveText('2000 Lotsen – 51 bis 100');

  await page.getByLabel('Name oder Bereich enthält').fill('Schmitz');
  await expect(page).toHaveURL(/\/buero\/lotsen\?q=Schmitz$/);
  await expect(count).toHaveText(/^\d+ Lotsen$|^1 Lotse$/);
  for (const name of await page.locator('[data-testid=buero-lotse] .buero-item-title').allInnerTexts()) {
    expect(name).toContain('Schmitz');
  }

  // Moving through the list below an open form keeps the form and what is typed in it.
  await page.goto('/buero/lotsen?bearbeiten=a36fa06a-870d-5624-a0d6-3f772b845f8a');
  const location = page.getByLabel('Ort (Gebäude, Raum)');
  await location.fill('Rathaus II, Raum 3.07');
  await page.getByRole('link', { name: 'Nächste Seite' }).click();
  await expect(page).toHaveURL(/bearbeiten=a36fa06a-870d-5624-a0d6-3f772b845f8a&seite=2$/);
  await page.getByLabel('Name oder Bereich enthält').fill('Müller');
  await expect(page).toHaveURL(/bearbeiten=a36fa06a-870d-5624-a0d6-3f772b845f8a&q=M%C3%BCller$/);
  await expect(location).toHaveValue('Rathaus II, Raum 3.07');
  await page.getByRole('link', { name: 'Abbrechen' }).click();

  await page.goto('/buero/themen?seite=2');
  await expect(page.getByTestId('list-count')).toHaveText('Themen – 51 bis 100');
  await expect(page.getByTestId('buero-topic')).toHaveCount(50);

  // The matrix shows as many Lotsen per page as keep it near 1,400 cells (7 at 200 topics), the
  // coverage table below it as many topics as keep it near 800 (33 at 24 departments): the
  // whole screen stays below 3,000 DOM nodes.
  await page.goto('/buero/matrix');
  await expect(page.getByTestId('matrix')).toBeVisible();
  await expect(page.locator('[data-testid=matrix] caption')).toContainText(/Seite 1 von \d+: Lotsen 1 bis 7$/);
  await expect(page.locator('[data-testid=coverage] caption')).toContainText(/Seite 1 von \d+: Themen 1 bis \d+ von 200$/);
  expect(await domNodes(page)).toBeLessThan(3000);
  await page.getByRole('navigation', { name: 'Seiten der Abdeckung' }).getByRole('link', { name: 'Nächste Seite' }).click();
  await expect(page).toHaveURL(/\/buero\/matrix\?abdeckung=2#abdeckung$/);
  await expect(page.locator('[data-testid=coverage] caption')).toContainText(/Seite 2 von/);
  // The matrix keeps its page; the focus goes to the coverage table.
  await expect(page.locator('[data-testid=matrix] caption')).toContainText(/Lotsen 1 bis 7$/);
  await expect(page.locator('.matrix-scroll[aria-labelledby=abdeckung]')).toBeFocused();
});
