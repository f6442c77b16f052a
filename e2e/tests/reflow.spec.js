// WCAG 1.4.10 Reflow (SPEC §10): at 320 CSS pixels width — what 1280 px at 400 % zoom, or a
// small phone, gives — every screen works without horizontal scrolling.
const { test, expect } = require('@playwright/test');
const { waitForSync, lotseId } = require('./helpers');

test.use({ viewport: { width: 320, height: 640 } });

const screens = [
  '/',
  '/suche?q=dms',
  '/themen',
  '/themen/dms',
  '/anliegen/neu?thema=dms',
  '/anliegen',
  '/barrierefreiheit',
  '/datenschutz',
  '/impressum',
];

for (const path of screens) {
  test(`no horizontal scrolling at 320 px on ${path}`, async ({ page }) => {
    await page.goto(path);
    await waitForSync(page);
    await expect(page.locator('.loading')).toHaveCount(0);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `the page is ${overflow} px wider than the window`).toBeLessThanOrEqual(0);
  });
}

test('no horizontal scrolling at 320 px on a Lotse page, and its links stay reachable', async ({ page, request }) => {
  const id = await lotseId(request, 'Jörg Müller');
  await page.goto(`/lotsen/${id}`);
  await waitForSync(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Jörg Müller');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const mail = page.getByRole('link', { name: 'joerg.mueller@soest.de' });
  const box = await mail.boundingBox();
  expect(box.x + box.width).toBeLessThanOrEqual(320);
});
