// Full keyboard use with a visible focus (SPEC §10, WCAG 2.1.1 and 2.4.7): find a Lotse and
// open their page without a mouse.
const { test, expect } = require('@playwright/test');
const { waitForSync } = require('./helpers');

async function tabUntil(page, predicate, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return;
  }
  throw new Error('the element was not reached with the Tab key');
}

test('the skip link, the search and a result are reachable and visibly focused by keyboard', async ({ page }) => {
  await page.goto('/');
  await waitForSync(page);

  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Zum Inhalt springen' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();

  await tabUntil(page, () => document.activeElement?.id === 'q');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.type('OZG', { delay: 40 });
  await expect(page).toHaveURL(/\/suche\?q=OZG$/);
  await expect(page.locator('#q')).toBeFocused();
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();

  await tabUntil(page, () => !!document.activeElement?.closest('[data-testid=lotse-card] .card-title'));
  const name = await page.evaluate(() => document.activeElement.textContent);
  expect(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/lotsen\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  // After the change of screen the focus starts at the main content.
  await expect(page.locator('#main')).toBeFocused();
});
