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
