// Every state that matters is in the URL (SPEC §4): deep links, back/forward, links between screens.
const { test, expect } = require('@playwright/test');
const { waitForSync, cardNames, lotseId } = require('./helpers');

const DMS = 'Dokumentenmanagement (DMS)';

test('a bookmarked search URL shows the same results as typing', async ({ page, context }) => {
  await page.goto('/');
  await waitForSync(page);
  await page.locator('#q').pressSequentially('OZG', { delay: 40 });
  await page.locator('#bereich').selectOption('Bürgerbüro');
  await expect(page).toHaveURL(/\/suche\?q=OZG&bereich=B%C3%BCrgerb%C3%BCro$/);
  await expect(page.getByTestId('result-count')).toHaveText('3 Lotsen gefunden');
  const typed = await cardNames(page);
  const url = page.url();

  // The same URL opened directly, in a new page of a fresh context (another device, no local data yet).
  const other = await context.browser().newContext();
  try {
    const fresh = await other.newPage();
    await fresh.goto(url);
    await expect(fresh.getByTestId('result-count')).toHaveText('3 Lotsen gefunden');
    expect(await cardNames(fresh)).toEqual(typed);
    await expect(fresh.locator('#q')).toHaveValue('OZG');
    await expect(fresh.locator('#bereich')).toHaveValue('Bürgerbüro');
    await expect(fresh).toHaveTitle(/OZG/);
  } finally {
    await other.close();
  }

  // And in a second page of the same context.
  const second = await context.newPage();
  await second.goto('/suche?q=OZG&bereich=B%C3%BCrgerb%C3%BCro&stufe=3');
  await expect(second.getByTestId('result-count')).toHaveText('1 Lotse gefunden');
  expect(await cardNames(second)).toEqual(['Sabine Öztürk']);
  await expect(second.locator('#stufe')).toHaveValue('3');
});

test('back and forward walk through search, catalogue, topic and Lotse', async ({ page }) => {
  await page.goto('/');
  await waitForSync(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wobei brauchen Sie Hilfe?');

  await page.locator('#q').pressSequentially('a', { delay: 40 });
  await expect(page).toHaveURL(/\/suche\?q=a$/);
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();

  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Themen' }).click();
  await expect(page).toHaveURL(/\/themen$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Themen');

  await page.getByRole('main').getByRole('link', { name: DMS }).click();
  await expect(page).toHaveURL(/\/themen\/dms$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DMS);

  await page.getByRole('main').getByRole('link', { name: 'Jörg Müller' }).click();
  await expect(page).toHaveURL(/\/lotsen\/[0-9a-f-]{36}$/);
  const lotseUrl = page.url();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Jörg Müller');

  // Back, step by step.
  await page.goBack();
  await expect(page).toHaveURL(/\/themen\/dms$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DMS);
  await page.goBack();
  await expect(page).toHaveURL(/\/themen$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Themen');
  await page.goBack();
  await expect(page).toHaveURL(/\/suche\?q=a$/);
  await expect(page.locator('#q')).toHaveValue('a');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#q')).toHaveValue('');
  await expect(page.getByTestId('lotse-card')).toHaveCount(0);

  // Forward again.
  await page.goForward();
  await expect(page).toHaveURL(/\/suche\?q=a$/);
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  await page.goForward();
  await expect(page).toHaveURL(/\/themen$/);
  await page.goForward();
  await expect(page).toHaveURL(/\/themen\/dms$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DMS);
  await page.goForward();
  expect(page.url()).toBe(lotseUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Jörg Müller');
});

test('deep links to topic and Lotse pages open directly', async ({ page, request }) => {
  const id = await lotseId(request, 'Sabine Öztürk');
  await page.goto(`/lotsen/${id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sabine Öztürk');
  await expect(page.locator('.lead')).toHaveText('Bürgerbüro');
  await expect(page).toHaveTitle(/Sabine Öztürk/);

  await page.goto('/themen/videokonferenzen');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Videokonferenzen');
  await expect(page.getByTestId('lotse-card').first()).toContainText('Ayşe Demir');

  await page.goto('/themen/gibt-es-nicht');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thema nicht gefunden');
  await page.goto('/lotsen/00000000-0000-4000-8000-000000000000');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lotse nicht gefunden');
});

test('links lead from topic to Lotse, from Lotse to topic and to the request form', async ({ page }) => {
  await page.goto('/themen/dms');
  await waitForSync(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DMS);
  // Helpers, trainers first.
  const helpers = page.getByTestId('lotse-card');
  await expect(helpers.first()).toBeVisible();
  const names = await cardNames(page);
  expect(names.slice(0, 4).sort()).toEqual(['Jörg Müller', 'Jürgen Wiese', 'Katrin Schäfer', 'Sebastian Göbel']);

  await page.getByRole('link', { name: 'Katrin Schäfer' }).click();
  await expect(page).toHaveURL(/\/lotsen\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Katrin Schäfer');
  await expect(page.locator('a[href^="mailto:katrin.schaefer@soest.de?subject="]')).toBeVisible();

  // From the Lotse to another of her topics and back.
  await page.getByRole('main').getByRole('link', { name: 'Word', exact: true }).click();
  await expect(page).toHaveURL(/\/themen\/word$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Word');
  await expect(page.getByTestId('lotse-card').filter({ hasText: 'Katrin Schäfer' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Katrin Schäfer');
  await page.goBack();
  await expect(page).toHaveURL(/\/themen\/dms$/);

  // The topic's request link preselects the topic.
  await page.getByRole('link', { name: 'Anliegen zu diesem Thema senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\/neu\?thema=dms$/);
  await expect(page.locator('#topic option:checked')).toHaveText(DMS);
  await page.goBack();
  await expect(page).toHaveURL(/\/themen\/dms$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DMS);
});
