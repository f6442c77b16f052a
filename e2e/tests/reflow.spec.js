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
  '/anmelden',
  '/mitmachen',
  '/termine',
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

test('no horizontal scrolling at 320 px on the logged-in screens', async ({ page }) => {
  const login = await page.request.post('/api/v1/session', { data: { username: 'lotse', password: 'demo-lotse' } });
  expect(login.status()).toBe(200);
  await page.goto('/arbeitsplatz');
  await waitForSync(page);
  const first = page.getByTestId('work-item').first().getByRole('link');
  await expect(first).toBeVisible({ timeout: 20_000 });
  const detail = await first.getAttribute('href');
  for (const path of ['/arbeitsplatz', detail, '/profil']) {
    await page.goto(path);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('.loading')).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} is ${overflow} px wider than the window`).toBeLessThanOrEqual(0);
  }
});
