// "Ein Digi werden?" (issue 4): a colleague applies to become a Lotse, offline too; only the
// Projektbüro receives the application.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const { waitForSync, pullAll, uniqueTitle } = require('./helpers');

test('an application handed in offline reaches the Projektbüro, and nobody else', async ({ page, context, browser }) => {
  const name = uniqueTitle('Petra Bewerberin');
  await page.goto('/mitmachen');
  await waitForSync(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Ein Digi werden?' })).toBeVisible();

  // Missing required fields: every error at its field, the summary gets the focus.
  await page.getByRole('button', { name: 'Bewerbung senden' }).click();
  const summary = page.locator('.error-summary');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link')).toHaveCount(3);
  await expect(page.locator('#bewerbung-name')).toHaveAttribute('aria-invalid', 'true');

  await context.setOffline(true);
  await page.locator('#bewerbung-name').fill(name);
  await page.locator('#bewerbung-department').fill('Ordnungsamt');
  await page.locator('#bewerbung-contact').fill('petra@soest.de');
  await page.getByLabel('Videokonferenzen').check();
  await page.locator('#bewerbung-motivation').fill('Ich erkläre gern, wie Teams-Besprechungen gehen.');
  await page.getByRole('button', { name: 'Bewerbung senden' }).click();
  await expect(page.getByTestId('application-sent')).toContainText('sobald wieder eine Verbindung besteht');
  await expect(page.getByTestId('pending')).toHaveText('1 Änderung wartet auf Übertragung');
  await context.setOffline(false);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 30_000 });

  // Anonymous callers never receive applications; the Büro does.
  const anonymous = await pullAll(page.request);
  expect(anonymous.filter((r) => r.collection === 'applications')).toEqual([]);
  const buero = await browser.newContext();
  const login = await buero.request.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } });
  expect(login.status()).toBe(200);
  const all = await pullAll(buero.request);
  const mine = all.filter((r) => r.collection === 'applications' && r.data.name === name);
  expect(mine).toHaveLength(1);
  expect(mine[0].data).toMatchObject({ department: 'Ordnungsamt', status: 'neu' });
  expect(mine[0].data.topics).toHaveLength(1);

  // The Projektbüro accepts it: the Lotse profile is made from the application.
  const office = await buero.newPage();
  await office.goto('/buero/bewerbungen');
  await waitForSync(office);
  const card = office.getByTestId('application').filter({ hasText: name });
  await expect(card).toContainText('Videokonferenzen');
  const axe = await new AxeBuilder({ page: office }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(axe.violations).toEqual([]);
  await card.getByRole('button', { name: /Annehmen/ }).click();
  await expect(office.getByTestId('buero-notice')).toContainText('ist angenommen');
  await expect(office.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
  await office.goto('/buero/bewerbungen?status=angenommen');
  await expect(office.getByTestId('application').filter({ hasText: name }).getByTestId('application-status')).toHaveText('angenommen');

  // Optionally a login for the new Lotse: the link fills in the profile and suggests a user name.
  await office.getByTestId('application').filter({ hasText: name }).getByRole('link', { name: /Zugang \(Konto\)/ }).click();
  await expect(office).toHaveURL(/\/buero\/konten\?lotse=/);
  const lotseId = new URL(office.url()).searchParams.get('lotse');
  // The accepted application names the profile made from it (not just any Lotse of that name).
  const records = await pullAll(buero.request);
  const made = records.filter((r) => r.collection === 'lotsen' && r.data.name === name);
  expect(made.map((r) => r.id)).toEqual([lotseId]);
  expect(records.filter((r) => r.collection === 'applications' && r.data.name === name).pop().data.lotse).toBe(lotseId);
  await expect(office.locator('#konto-lotse')).toHaveValue(lotseId);
  const username = await office.locator('#konto-username').inputValue();
  expect(username).toMatch(/^petra\.bewerberin\.[a-z0-9-]+$/);
  await office.locator('#konto-password').fill('anfangs-passwort-1');
  await office.getByRole('button', { name: 'Konto anlegen' }).click();
  await expect(office.getByTestId('buero-notice')).toContainText(`Das Konto „${username}“ ist angelegt`);
  await buero.close();
  const newcomer = await browser.newContext();
  const first = await newcomer.request.post('/api/v1/session', { data: { username, password: 'anfangs-passwort-1' } });
  expect(first.status()).toBe(200);
  expect((await first.json()).lotse).toBe(lotseId);
  await newcomer.close();

  // Anyone now finds the new Lotse.
  await page.goto(`/suche?q=${encodeURIComponent(name)}`);
  await page.getByRole('button', { name: 'Jetzt abgleichen' }).click();
  const found = page.getByTestId('lotse-card').filter({ hasText: name });
  await expect(found).toBeVisible({ timeout: 20_000 });
  await expect(found).toContainText('Ordnungsamt');
  await found.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByRole('main')).toContainText('Videokonferenzen');

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(results.violations).toEqual([]);
});
