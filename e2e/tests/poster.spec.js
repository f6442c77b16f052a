// Posters: a topic page printed as a notice, with a QR code of its address.
const { test, expect } = require('@playwright/test');
const { waitForSync } = require('./helpers');

test('a topic page prints as a poster with the QR code of its address', async ({ page }) => {
  await page.goto('/themen/dms');
  await waitForSync(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dokumentenmanagement (DMS)');
  // On screen the code stays out of the way; the button prints.
  await expect(page.getByTestId('poster-code')).toBeHidden();
  await expect(page.getByTestId('print-poster')).toBeVisible();

  await page.emulateMedia({ media: 'print' });
  const code = page.getByTestId('poster-code');
  await expect(code).toBeVisible();
  await expect(code.getByRole('img', { name: 'QR-Code mit der Adresse dieser Seite' })).toBeVisible();
  const url = new URL('/themen/dms', page.url()).href;
  await expect(code.locator('.poster-url')).toHaveText(url);
  expect((await code.locator('path').getAttribute('d')).length).toBeGreaterThan(100);
  // The screen furniture stays off the paper; the helpers stay on it.
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.getByTestId('print-poster')).toBeHidden();
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  console.log(`poster /themen/dms: ${pages} A4 page(s), ${pdf.length} bytes`);
  expect(pages).toBeGreaterThan(0);
});
