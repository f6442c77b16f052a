// Requests that reach the right person (issue 10): "Anliegen senden" on a Lotse's card
// addresses the request to them, the form says so and lets the sender take it back, and the
// Lotse finds it first in the workplace, marked "an Sie gerichtet".
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const { waitForSync, uniqueTitle } = require('./helpers');

const LOTSE = { username: 'lotse', password: 'demo-lotse', name: 'Jörg Müller' };

test('a request from a card goes to that Lotse and comes first in their workplace', async ({ page, browser }) => {
  await page.goto('/suche?q=J%C3%B6rg%20M%C3%BCller');
  await waitForSync(page);
  const card = page.getByTestId('lotse-card').filter({ hasText: LOTSE.name }).first();
  await card.getByRole('link', { name: 'Anliegen senden' }).click();
  // A search by name shows no matched topic: the form opens without one.
  await expect(page).toHaveURL(/\/anliegen\/neu\?lotse=[0-9a-f-]{36}$/);
  const addressee = page.getByTestId('addressee');
  await expect(addressee).toContainText(`An: ${LOTSE.name}`);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  // Taken back and given again: the choice is the sender's.
  await addressee.getByRole('button', { name: `Nicht an ${LOTSE.name} richten` }).click();
  await expect(page.getByTestId('addressee')).toHaveCount(0);
  await expect(page.locator('#kind-frage')).toBeFocused();
  await page.goBack();
  await card.getByRole('link', { name: 'Anliegen senden' }).click();
  await expect(page.getByTestId('addressee')).toContainText(`An: ${LOTSE.name}`);

  const title = uniqueTitle('Direkt an Jörg');
  await page.locator('#title').fill(title);
  await page.locator('#contact').fill('02921 103-1');
  await page.getByLabel('Per E-Mail über Antworten informieren').check();
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  // A mail about answers needs an address: said at the field, nothing sent.
  await expect(page.locator('#err-contact')).toContainText('E-Mail-Adresse');
  await page.locator('#contact').fill('erika.mustermann@soest.de');
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\?gesendet=/);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });

  const lotse = await browser.newPage();
  const resp = await lotse.request.post('/api/v1/session', { data: LOTSE });
  expect(resp.status()).toBe(200);
  await lotse.goto('/arbeitsplatz');
  await waitForSync(lotse);
  const first = lotse.getByTestId('work-item').first();
  await expect(first).toContainText(title);
  await expect(first.locator('.badge.addressed')).toHaveText('an Sie gerichtet');
  await first.getByRole('link', { name: title }).click();
  await expect(lotse.getByTestId('work-addressed')).toHaveText(LOTSE.name);
  await lotse.close();
});

test('a Lotse chooses in the profile how they hear of new requests', async ({ page }) => {
  const resp = await page.request.post('/api/v1/session', { data: LOTSE });
  expect(resp.status()).toBe(200);
  await page.goto('/profil');
  await waitForSync(page);
  const group = page.getByRole('group', { name: 'E-Mail bei neuen Anliegen in Ihren Themen' });
  await expect(group.getByLabel(/einmal täglich/)).toBeChecked();
  await group.getByLabel(/sofort/).check();
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert.')).toBeVisible();
  await page.reload();
  await waitForSync(page);
  await expect(page.getByRole('group', { name: 'E-Mail bei neuen Anliegen in Ihren Themen' }).getByLabel(/sofort/)).toBeChecked();
  // Back to the default, so that other tests find the demo as it was.
  await page.getByRole('group', { name: 'E-Mail bei neuen Anliegen in Ihren Themen' }).getByLabel(/einmal täglich/).check();
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert.')).toBeVisible();
});

test('the Projektbüro sees how the mails about requests fare', async ({ page }) => {
  const resp = await page.request.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } });
  expect(resp.status()).toBe(200);
  await page.goto('/buero/auswertung');
  await waitForSync(page);
  // The demo server writes mails as files: every mail is delivered.
  await expect(page.getByTestId('mail-status')).toContainText('Keine Mail wartet auf den Versand; alle anderen sind zugestellt.');
  expect((await new AxeBuilder({ page }).include('#mails').analyze()).violations).toEqual([]);
});
