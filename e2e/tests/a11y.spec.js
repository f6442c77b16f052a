// Accessibility (SPEC §10): 0 axe-core violations (WCAG 2.1 A/AA) on every screen.
const { test, expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');
const { waitForSync, lotseId, uniqueTitle } = require('./helpers');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function describe(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`).join('\n');
    return `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
  }).join('\n');
}

async function audit(page, label) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(results.violations, `axe violations on ${label}:\n${describe(results.violations)}`).toEqual([]);
  // The audit really looked at the page.
  expect(results.passes.length).toBeGreaterThan(10);
}

/** Opens `path` and waits until its content (not the loading note) is shown. */
async function open(page, path, ready, attachedOnly = false) {
  await page.goto(path);
  await waitForSync(page);
  await expect(page.locator('.loading')).toHaveCount(0);
  if (ready && attachedOnly) await expect(ready(page)).toBeAttached();
  else if (ready) await expect(ready(page)).toBeVisible();
}

const screens = [
  ['/', (p) => p.locator('.intro .topic-grid a').first()],
  ['/suche?q=dms', (p) => p.getByTestId('lotse-card').first()],
  ['/suche?q=xqzvwj', (p) => p.getByTestId('result-count')],
  ['/themen', (p) => p.getByRole('link', { name: 'OZG-Onlinedienste' })],
  ['/themen/dms', (p) => p.getByTestId('lotse-card').first()],
  // The topics have arrived in the select (options are never "visible" to Playwright).
  ['/anliegen/neu', (p) => p.locator('#topic option').nth(1), true],
  ['/anliegen/neu?thema=dms', (p) => p.locator('#title')],
  ['/anliegen', (p) => p.getByRole('main').getByRole('heading', { level: 1 })],
  ['/barrierefreiheit', (p) => p.getByRole('main').getByRole('heading', { level: 1 })],
  ['/datenschutz', (p) => p.getByRole('main').getByRole('heading', { level: 1 })],
  ['/impressum', (p) => p.getByRole('main').getByRole('heading', { level: 1 })],
  ['/gibt-es-nicht', (p) => p.getByRole('main').getByRole('heading', { level: 1 })],
];

for (const [path, ready, attachedOnly] of screens) {
  test(`axe: ${path}`, async ({ page }) => {
    await open(page, path, ready, attachedOnly);
    await audit(page, path);
  });
}

test('axe: /lotsen/{id}', async ({ page, request }) => {
  const id = await lotseId(request, 'Jörg Müller');
  await open(page, `/lotsen/${id}`, (p) => p.getByRole('heading', { level: 1, name: 'Jörg Müller' }));
  await audit(page, `/lotsen/${id}`);
});

test('axe: /anliegen with a request in the list (pending and synced)', async ({ page, context }) => {
  await open(page, '/anliegen/neu?thema=dms', (p) => p.locator('#title'));
  await expect(page.locator('#topic option:checked')).toHaveText('Dokumentenmanagement (DMS)');
  // One handed in offline (pending) …
  await context.setOffline(true);
  await page.locator('#title').fill(uniqueTitle('Barrierefreiheit: wartend'));
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page.getByTestId('request-status')).toHaveText('wartet auf Übertragung');
  await expect(page.getByTestId('pending')).toBeVisible();
  await audit(page, '/anliegen (pending, offline)');
  await context.setOffline(false);
  await expect(page.getByTestId('request-status')).toHaveText('neu', { timeout: 15_000 });
  await page.goto('/anliegen');
  await expect(page.getByTestId('request')).toHaveCount(1);
  await audit(page, '/anliegen (synced)');
});

test('axe: the request form with validation errors shown', async ({ page }) => {
  await open(page, '/anliegen/neu', (p) => p.locator('#title'));
  await page.locator('#description').fill('x'.repeat(10_001));
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  await expect(page.locator('.field-error').first()).toBeVisible();
  await audit(page, '/anliegen/neu with errors');
});

test('axe: offline header state', async ({ page, context }) => {
  await open(page, '/suche?q=teams', (p) => p.getByTestId('lotse-card').first());
  await context.setOffline(true);
  await expect(page.getByTestId('connection')).toContainText('Offline');
  await audit(page, '/suche?q=teams (offline)');
  await context.setOffline(false);
});
