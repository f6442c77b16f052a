// Trainings and talks (issue 4): everyone sees the upcoming ones at /termine and on the topic
// pages, filtered by topic in the URL, and takes one into the calendar as .ics — offline too.
const fs = require('fs');
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const { waitForSync, waitForServiceWorker } = require('./helpers');

test('/termine lists upcoming events, filters by topic and downloads a calendar file offline', async ({ page, context }) => {
  await page.goto('/termine');
  await waitForSync(page);
  await waitForServiceWorker(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Termine: Schulungen und Vorträge');
  const all = await page.getByTestId('event').count();
  expect(all).toBeGreaterThan(1);

  await page.getByLabel('Thema').selectOption({ label: 'Dokumentenmanagement (DMS)' });
  await expect(page).toHaveURL(/\/termine\?thema=dms$/);
  const dms = page.getByTestId('event');
  await expect(dms.first()).toContainText('Dokumentenmanagement (DMS)');
  expect(await dms.count()).toBeLessThan(all);
  const title = (await dms.first().getByRole('heading').innerText()).trim();

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(results.violations).toEqual([]);

  await context.setOffline(true);
  await page.reload();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('event').first().getByRole('button', { name: /In den Kalender/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.ics$/);
  const ics = fs.readFileSync(await download.path(), 'utf8');
  expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
  expect(ics).toContain('BEGIN:VEVENT');
  expect(ics).toContain('DTSTART;TZID=Europe/Berlin:');
  // Long lines are folded: unfold before looking for the title.
  expect(ics.replace(/\r\n[ \t]/g, '')).toContain(`SUMMARY:${title.replace(/[,;]/g, (c) => `\\${c}`)}`);
  await context.setOffline(false);
});

test('a topic page shows its upcoming events with the calendar download', async ({ page }) => {
  await page.goto('/themen/dms');
  await waitForSync(page);
  const events = page.getByTestId('event');
  await expect(events.first()).toBeVisible();
  await expect(events.first().getByRole('button', { name: /In den Kalender/ })).toBeVisible();
});

test('the Projektbüro publishes an event; everyone sees it under its topic', async ({ browser, page }) => {
  const title = `Teams für Einsteiger ${Date.now().toString(36)}`;
  const office = await browser.newContext();
  const buero = await office.newPage();
  expect((await buero.request.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } })).status()).toBe(200);
  await buero.goto('/buero/termine');
  await waitForSync(buero);
  await buero.getByRole('link', { name: 'Neuen Termin anlegen' }).click();
  // Missing fields are reported at once.
  await buero.getByRole('button', { name: 'Termin speichern' }).click();
  await expect(buero.locator('.error-summary li')).toHaveCount(3);
  const results = await new AxeBuilder({ page: buero }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(results.violations).toEqual([]);
  await buero.getByLabel('Titel').fill(title);
  await buero.getByLabel(/^Thema/).selectOption({ label: 'Microsoft Teams' });
  await buero.getByLabel('Beginn').fill('2031-03-04T09:00');
  await buero.getByLabel('Ende').fill('2031-03-04T10:30');
  await buero.getByLabel('Ort').fill('Rathaus I, Sitzungssaal');
  await buero.getByLabel('Plätze').fill('12');
  await buero.getByRole('button', { name: 'Termin speichern' }).click();
  await expect(buero.getByTestId('buero-notice')).toContainText('ist gespeichert');
  await expect(buero.getByTestId('buero-event').filter({ hasText: title })).toBeVisible();
  await expect(buero.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
  await office.close();

  await page.goto('/termine?thema=teams');
  await page.getByRole('button', { name: 'Jetzt abgleichen' }).click();
  const event = page.getByTestId('event').filter({ hasText: title });
  await expect(event).toBeVisible({ timeout: 20_000 });
  await expect(event).toContainText('4.3.2031, 09:00 Uhr');
  await expect(event).toContainText('12 Plätze');
});
