// The Projektbüro's figures (SPEC §4): the skills matrix with its URL filters, coverage gaps and
// CSV download, and the evaluation of demand against coverage.
const { test, expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');
const { waitForSync } = require('./helpers');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DEPARTMENT = 'Bauamt';

async function openAsBuero(page, path) {
  const resp = await page.request.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } });
  expect(resp.status()).toBe(200);
  await page.goto(path);
  await waitForSync(page);
  await expect(page.getByTestId('user')).toContainText('buero');
  await expect(page.locator('.loading')).toHaveCount(0);
  await expect(page.getByTestId('buero-only')).toHaveCount(0);
}

async function audit(page, label) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const text = results.violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
  expect(results.violations, `axe violations on ${label}:\n${text}`).toEqual([]);
}

/** The page as a whole does not scroll sideways (the tables scroll in their own regions). */
async function noPageScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

for (const path of ['/buero/matrix', '/buero/auswertung']) {
  test(`without a Büro login ${path} says so`, async ({ page }) => {
    await page.goto(path);
    await waitForSync(page);
    await expect(page.getByTestId('buero-only')).toBeVisible();
    await expect(page.locator('table')).toHaveCount(0);
  });
}

test('the matrix takes its filter from the URL, marks gaps and downloads the same selection', async ({ page }) => {
  await openAsBuero(page, `/buero/matrix?bereich=${encodeURIComponent(DEPARTMENT)}`);
  await expect(page.locator('#matrix-bereich')).toHaveValue(DEPARTMENT);

  const matrix = page.getByTestId('matrix');
  await expect(matrix.locator('caption')).toContainText('Kompetenzmatrix');
  const rows = matrix.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  for (const text of await matrix.locator('tbody th[scope="row"] .matrix-dept').allTextContents()) {
    expect(text.trim()).toBe(`(${DEPARTMENT})`);
  }
  // Headers a screen reader can use: categories over topics, one column per topic.
  expect(await matrix.locator('thead th[scope="colgroup"]').count()).toBeGreaterThan(0);
  const topics = await matrix.locator('thead tr.matrix-topics th[scope="col"]').count();
  expect(topics).toBeGreaterThan(0);
  await expect(rows.first().locator('td')).toHaveCount(topics);
  await expect(matrix.locator('td.matrix-level .visually-hidden').first()).toHaveText(/^(Stufe |: (kennt sich aus|kann helfen|kann schulen))$/);

  // Coverage: only this department, gaps named in words.
  const coverage = page.getByTestId('coverage');
  await expect(coverage.locator('thead th[scope="col"]')).toHaveText(['Thema', DEPARTMENT]);
  expect(await coverage.locator('td.gap').count()).toBeGreaterThan(0);
  await expect(coverage.locator('td.gap').first()).toHaveText(/^Lücke \([01]\)$/);

  // The scrollable regions are reachable by keyboard.
  const region = page.getByRole('region', { name: 'Kompetenzmatrix (scrollbar)' });
  await expect(region).toHaveAttribute('tabindex', '0');

  // The download carries the filter and is CSV for German Excel.
  const link = page.getByTestId('matrix-csv');
  const href = await link.getAttribute('href');
  expect(href).toBe(`/api/v1/export/matrix.csv?bereich=${encodeURIComponent(DEPARTMENT)}`);
  const resp = await page.request.get(href);
  expect(resp.status()).toBe(200);
  const body = await resp.body();
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = body.toString('utf8');
  expect(text.split(/\r?\n/)[0]).toContain(';');
  // The download holds the very cells of the screen: the same Lotsen, topics and levels.
  const lines = text.slice(1).split(/\r\n/).filter((l) => l !== '').map((l) => l.split(';'));
  const shownTopics = await matrix.locator('thead tr.matrix-topics th[scope="col"]').allTextContents();
  expect(lines[0].slice(2).map((h) => h.replace(/ \([^)]*\)$/, ''))).toEqual(shownTopics);
  const shown = await matrix.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [
    tr.querySelector('th').firstChild.textContent.trim(),
    ...[...tr.querySelectorAll('td')].map((td) => (td.textContent.match(/Stufe (\d)/) || ['', ''])[1]),
  ]));
  expect(lines.slice(1).map((l) => [l[0], ...l.slice(2)])).toEqual(shown);

  // Another category via the select lands in the URL.
  const category = await page.locator('#matrix-kategorie option').nth(1).getAttribute('value');
  await page.locator('#matrix-kategorie').selectOption(category);
  await expect(page).toHaveURL(new RegExp(`kategorie=${encodeURIComponent(category).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await expect(page).toHaveURL(/bereich=Bauamt/);
  await expect(matrix.locator('thead th[scope="colgroup"]')).toHaveCount(1);
  await expect(link).toHaveAttribute('href', /bereich=Bauamt&kategorie=/);

  await noPageScroll(page);
  await audit(page, '/buero/matrix');
});

test('a large matrix comes in pages of 50, the page in the URL; a page change moves the focus to the table', async ({ page }) => {
  await openAsBuero(page, '/buero/matrix');
  // 55 active Lotsen in a department of their own, written by the Büro over the API.
  const department = `Testbereich Seiten ${Date.now().toString(36)}`;
  const ids = Array.from({ length: 55 }, () => crypto.randomUUID());
  const pushed = await page.request.post('/api/v1/push', {
    data: { mutations: ids.map((id, i) => ({
      mutation_id: crypto.randomUUID(), collection: 'lotsen', id, base_version: 0, deleted: false,
      data: { name: `Seitenlotse ${String(i + 1).padStart(2, '0')}`, department, skills: [], learning: [], active: true },
    })) },
  });
  expect((await pushed.json()).results.every((r) => r.status === 'applied')).toBe(true);
  try {
    await page.goto(`/buero/matrix?bereich=${encodeURIComponent(department)}`);
    await page.getByRole('button', { name: 'Jetzt abgleichen' }).click();
    const matrix = page.getByTestId('matrix');
    await expect(matrix.locator('caption')).toHaveText(/^Kompetenzmatrix: 55 aktive Lotsen, \d+ Themen – Seite 1 von 2: Lotsen 1 bis 50$/, { timeout: 20_000 });
    await expect(matrix.locator('tbody tr')).toHaveCount(50);
    const pager = page.getByTestId('matrix-pager');
    await pager.getByRole('link', { name: 'Nächste Seite' }).click();
    await expect(page).toHaveURL(/seite=2/);
    await expect(matrix.locator('tbody tr')).toHaveCount(5);
    await expect(matrix.locator('tbody tr').first().locator('th')).toContainText('Seitenlotse 51');
    await expect(page.locator('.matrix-scroll').first()).toBeFocused();
    // A bookmark of page 2 opens page 2; on paper the pager stays off.
    await page.reload();
    await expect(matrix.locator('caption')).toContainText('Seite 2 von 2: Lotsen 51 bis 55');
    await page.emulateMedia({ media: 'print' });
    await expect(pager).toBeHidden();
    await page.emulateMedia({ media: 'screen' });
    await audit(page, '/buero/matrix?seite=2');
  } finally {
    // The Lotsen go again, for the other tests.
    const gone = await page.request.post('/api/v1/push', {
      data: { mutations: ids.map((id) => ({ mutation_id: crypto.randomUUID(), collection: 'lotsen', id, base_version: 1, deleted: true, data: null })) },
    });
    expect((await gone.json()).results.every((r) => r.status === 'applied')).toBe(true);
  }
});

test('the evaluation ranks where Lotsen are missing, with a chart and its table', async ({ page }) => {
  await openAsBuero(page, '/buero/auswertung');
  await expect(page.getByRole('heading', { level: 2, name: 'Hier fehlen Lotsen oder Schulungen' })).toBeVisible();
  const ranked = page.getByTestId('need-list').locator('li');
  expect(await ranked.count()).toBeGreaterThan(0);
  await expect(ranked.first()).toContainText('Anliegen');
  await expect(ranked.first()).toContainText('Bereichen');

  const chart = page.getByRole('img', { name: 'Anliegen je Thema (Balkendiagramm)' });
  await expect(chart).toBeVisible();
  expect(await chart.locator('rect.bar').count()).toBeGreaterThan(0);
  const table = page.getByTestId('stats-table');
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
  await expect(page.getByTestId('requests-csv')).toHaveAttribute('href', '/api/v1/export/requests.csv');
  // The backup of everything, for the Projektbüro only.
  const backupHref = await page.getByTestId('backup').getAttribute('href');
  const backup = await page.request.get(backupHref);
  expect(backup.status()).toBe(200);
  const dump = await backup.json();
  expect(dump.records.filter((r) => r.collection === 'requests').length).toBeGreaterThan(80);
  expect((await page.context().request.fetch(backupHref, { headers: { cookie: '' } })).status()).not.toBe(200);
  // No names of people: the figures are by topic only.
  await expect(page.getByTestId('stats-table')).not.toContainText('Peter Brinkmann');
  // The demo's closed requests have both times, so the median time to "erledigt" is known.
  await expect(page.getByTestId('median')).toContainText(/im Median \d+(,\d)? (Minuten?|Stunden?|Tage)/);
  await expect(table.locator('tbody tr').first().locator('td').last()).not.toHaveText('');

  // The trend over the last twelve months, as a stacked chart and as a table.
  const trend = page.getByRole('img', { name: /^Anliegen je Monat/ });
  await expect(trend).toBeVisible();
  expect(await trend.locator('rect.bar').count()).toBeGreaterThan(10);
  // Each kind in its own colour, as the legend says.
  const fills = await trend.locator('rect.bar').evaluateAll((rects) => [...new Set(rects.map((r) => getComputedStyle(r).fill))]);
  expect(fills.length).toBeGreaterThan(1);
  const months = page.getByTestId('trend-table').locator('tbody tr');
  await expect(months).toHaveCount(12);
  const allTotal = await page.getByTestId('trend-total').textContent();
  // One topic, chosen in the URL: the chart and the table follow, and the choice is bookmarkable.
  await page.getByLabel('Thema', { exact: true }).selectOption({ label: 'Dokumentenmanagement (DMS)' });
  await expect(page).toHaveURL(/\/buero\/auswertung\?thema=dms$/);
  await expect(page.getByRole('img', { name: /^Anliegen zum Thema Dokumentenmanagement \(DMS\) je Monat/ })).toBeVisible();
  await expect(page.getByTestId('trend-total')).not.toHaveText(allTotal);
  await page.reload();
  await expect(page.getByTestId('trend-table').locator('caption')).toHaveText('Anliegen zum Thema Dokumentenmanagement (DMS) je Monat nach Art');

  await noPageScroll(page);
  await audit(page, '/buero/auswertung');
});

test('at 320 px the pages do not scroll sideways as a whole', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await openAsBuero(page, '/buero/matrix');
  await expect(page.getByTestId('matrix')).toBeVisible();
  await noPageScroll(page);
  await page.goto('/buero/auswertung');
  await expect(page.getByTestId('need-list')).toBeVisible();
  await noPageScroll(page);
});
