// Search (SPEC §5): German-aware, forgiving, results while typing, ranking by match and level.
const { test, expect } = require('@playwright/test');
const { waitForSync, cardNames } = require('./helpers');

const DMS = 'Dokumentenmanagement (DMS)';
// The active demo Lotsen with DMS at level 3 ("kann schulen").
const DMS_TRAINERS = ['Jörg Müller', 'Katrin Schäfer', 'Jürgen Wiese', 'Sebastian Göbel'];
const LEVEL_RANK = { 'kann schulen': 3, 'kann helfen': 2, 'kennt sich aus': 1 };

/** Opens the start page with the data synced, then types `text` key by key into the search field. */
async function typeSearch(page, text) {
  await page.goto('/');
  await waitForSync(page);
  const q = page.getByLabel('Thema, Stichwort, Name oder Bereich');
  await expect(q).toBeVisible();
  await q.pressSequentially(text, { delay: 40 });
  await expect(page).toHaveURL(/\/suche\?q=/);
  return q;
}

/** The level label shown on a card for one topic, or null when the card does not list it. */
async function levelOn(card, topicName) {
  const li = card.locator('ul.skills li').filter({ hasText: topicName });
  if ((await li.count()) === 0) return null;
  return (await li.first().locator('.level').innerText()).replace(/^Stufe \d+:\s*/, '').trim();
}

test('typing "e-akte" finds the DMS Lotsen, trainers first', async ({ page }) => {
  await typeSearch(page, 'e-akte');
  await expect(page).toHaveURL(/\/suche\?q=e-akte$/);
  const count = page.getByTestId('result-count');
  await expect(count).toHaveText(/^\d+ Lotsen gefunden$/);
  const cards = page.getByTestId('lotse-card');
  await expect(cards.first()).toBeVisible();
  const n = await cards.count();
  expect(n).toBeGreaterThanOrEqual(12); // 12 active Lotsen know DMS
  expect(await count.innerText()).toBe(`${n} Lotsen gefunden`);

  // The four trainers come first, each shown with "kann schulen" for DMS.
  const names = await cardNames(page);
  expect(names.slice(0, 4).sort()).toEqual([...DMS_TRAINERS].sort());
  for (let i = 0; i < 4; i++) {
    expect(await levelOn(cards.nth(i), DMS), `card ${i + 1} (${names[i]})`).toBe('kann schulen');
  }
  // Among the DMS matches, levels never go up again (3 > 2 > 1).
  let prev = 3;
  for (let i = 0; i < n; i++) {
    const level = await levelOn(cards.nth(i), DMS);
    if (level === null) continue;
    expect(LEVEL_RANK[level], `level order at card ${i + 1} (${names[i]}): ${level}`).toBeLessThanOrEqual(prev);
    prev = LEVEL_RANK[level];
  }
  expect(names).toContain('Sabine Öztürk'); // level 2
  expect(names).toContain('Petra Lübke'); // level 1
  expect(names).not.toContain('Norbert Kaiser'); // inactive
  // The topic chip leads to the topic.
  await expect(page.getByRole('navigation', { name: 'Passende Themen' }).getByRole('link', { name: DMS })).toBeVisible();
});

test('"E Akte" with a space finds DMS too', async ({ page }) => {
  await typeSearch(page, 'E Akte');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  const names = await cardNames(page);
  for (const n of DMS_TRAINERS) expect(names).toContain(n);
});

test('a typo "dokumentenmanagment" still finds DMS', async ({ page }) => {
  await typeSearch(page, 'dokumentenmanagment');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  const names = await cardNames(page);
  for (const n of DMS_TRAINERS) expect(names).toContain(n);
});

test('"Videokonferenz" finds the video conferencing Lotsen while typing', async ({ page }) => {
  await page.goto('/');
  await waitForSync(page);
  const q = page.locator('#q');
  // Results show up before the word is complete.
  await q.pressSequentially('Videok', { delay: 40 });
  await expect(page.getByTestId('lotse-card').filter({ hasText: 'Ayşe Demir' })).toBeVisible();
  await q.pressSequentially('onferenz', { delay: 40 });
  await expect(page).toHaveURL(/\/suche\?q=Videokonferenz$/);
  const names = await cardNames(page);
  expect(names[0]).toBe('Ayşe Demir'); // the only level-3 Lotsin for Videokonferenzen
  for (const n of ['Markus Jäger', 'Andreas Köhler', 'Anja Rüther', 'Sabine Öztürk']) expect(names).toContain(n);
});

test('"OZG" finds the OZG Lotsen, trainers first', async ({ page }) => {
  await typeSearch(page, 'OZG');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  const names = await cardNames(page);
  expect(names.slice(0, 3).sort()).toEqual(['Anja Rüther', 'Sabine Öztürk', 'Sebastian Göbel'].sort());
  for (const n of ['Claudia Bäcker', 'Laura Bergmann', 'Michael Hoffmann', 'Tobias Brandt']) expect(names).toContain(n);
  expect(names).not.toContain('Ayşe Demir');
});

for (const text of ['Müller', 'mueller', 'muller']) {
  test(`a Lotse's name "${text}" finds Jörg Müller`, async ({ page }) => {
    await typeSearch(page, text);
    await expect(page.getByTestId('lotse-card').first()).toBeVisible();
    const names = await cardNames(page);
    expect(names[0]).toBe('Jörg Müller');
  });
}

test('a department "Bürgerbüro" finds its Lotsen', async ({ page }) => {
  await typeSearch(page, 'Bürgerbüro');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  const names = await cardNames(page);
  for (const n of ['Sabine Öztürk', 'Claudia Bäcker', 'Laura Bergmann']) expect(names).toContain(n);
  expect(names).not.toContain('Jörg Müller');
  await expect(page.getByTestId('lotse-card').first().locator('.department')).toHaveText('Bürgerbüro');
});

test('nothing found says so and offers to send a request anyway', async ({ page }) => {
  await typeSearch(page, 'xqzvwj');
  await expect(page.getByTestId('result-count')).toContainText('Keine Lotsen gefunden');
  await expect(page.getByTestId('lotse-card')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Anliegen trotzdem senden' })).toHaveAttribute('href', '/anliegen/neu');
});

test('cards offer phone, mail with subject and "Anliegen senden" to that Lotse for the topic', async ({ page }) => {
  await typeSearch(page, 'e-akte');
  const card = page.getByTestId('lotse-card').filter({ hasText: 'Jörg Müller' });
  await expect(card).toBeVisible();
  await expect(card.locator('.department')).toHaveText('IT-Abteilung');
  await expect(card.getByRole('heading', { level: 2 }).getByRole('link', { name: 'Jörg Müller' }))
    .toHaveAttribute('href', /^\/lotsen\/[0-9a-f-]{36}$/);
  const tel = card.locator('a[href^="tel:"]');
  await expect(tel).toHaveCount(1);
  expect(await tel.getAttribute('href')).toMatch(/^tel:\+?\d{5,}$/);
  const mail = card.locator('a[href^="mailto:"]');
  await expect(mail).toHaveCount(1);
  const mailHref = await mail.getAttribute('href');
  expect(mailHref).toMatch(/^mailto:joerg\.mueller@soest\.de\?subject=.+/);
  expect(decodeURIComponent(mailHref.split('?subject=')[1])).toContain(DMS);
  await expect(card.getByRole('link', { name: 'Anliegen senden' })).toHaveAttribute('href', /^\/anliegen\/neu\?lotse=[0-9a-f-]{36}&thema=dms$/);
  await expect(card).toContainText('Rathaus II, Raum 2.14');
  await expect(card).toContainText('Mo–Do ganztägig');
  // Every card has them.
  const cards = page.getByTestId('lotse-card');
  const n = await cards.count();
  for (let i = 0; i < n; i++) {
    const c = cards.nth(i);
    await expect(c.locator('a[href^="mailto:"]')).toHaveAttribute('href', /\?subject=/);
    await expect(c.locator('a[href^="tel:"]')).toHaveCount(1);
    await expect(c.getByRole('link', { name: 'Anliegen senden' })).toHaveAttribute('href', /^\/anliegen\/neu\?lotse=[0-9a-f-]{36}&thema=dms$/);
  }
});

test('typing adds one history entry, not one per key', async ({ page }) => {
  await typeSearch(page, 'OZG');
  await expect(page).toHaveURL(/\/suche\?q=OZG$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#q')).toHaveValue('');
  await page.goForward();
  await expect(page).toHaveURL(/\/suche\?q=OZG$/);
  await expect(page.locator('#q')).toHaveValue('OZG');
});

test('filters: department and level narrow the results and go into the URL', async ({ page }) => {
  await typeSearch(page, 'OZG');
  await page.locator('#bereich').selectOption('Bürgerbüro');
  await expect(page).toHaveURL(/\/suche\?q=OZG&bereich=B%C3%BCrgerb%C3%BCro$/);
  await expect(page.getByTestId('result-count')).toHaveText('3 Lotsen gefunden');
  expect((await cardNames(page)).sort()).toEqual(['Claudia Bäcker', 'Laura Bergmann', 'Sabine Öztürk'].sort());
  await page.locator('#stufe').selectOption('3');
  await expect(page).toHaveURL(/\/suche\?q=OZG&bereich=B%C3%BCrgerb%C3%BCro&stufe=3$/);
  await expect(page.getByTestId('result-count')).toHaveText('1 Lotse gefunden');
  expect(await cardNames(page)).toEqual(['Sabine Öztürk']);
});

test('"Mein Bereich" puts the own department first among equals', async ({ page }) => {
  await typeSearch(page, 'e-akte');
  await expect(page.getByTestId('lotse-card').first()).toBeVisible();
  await page.locator('#mein-bereich').selectOption('Bauamt');
  // Jürgen Wiese (Bauamt) is the only DMS trainer there: first among the level-3 matches.
  await expect(page.locator('[data-testid=lotse-card] .card-title').first()).toHaveText('Jürgen Wiese');
  // Reloading keeps the choice (it is stored on the device).
  await page.reload();
  await expect(page.locator('#mein-bereich')).toHaveValue('Bauamt');
});
