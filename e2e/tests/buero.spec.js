// The Projektbüro's screens (SPEC §2, §4): topics, Lotsen and accounts, after a Büro login.
const { test, expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');
const { waitForSync, pullAll, idbGet } = require('./helpers');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** A short suffix that makes names of one test run unique. */
function unique() {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Logs the page's browser context in as the demo Büro (the page shares the cookies). */
async function loginBuero(page) {
  const resp = await page.request.post('/api/v1/session', { data: { username: 'buero', password: 'demo-buero' } });
  expect(resp.status()).toBe(200);
}

/** Opens `path` as the Büro and waits until the device holds what the Büro may see. */
async function openAsBuero(page, path) {
  await loginBuero(page);
  await page.goto(path);
  await waitForSync(page);
  await expect(page.getByTestId('user')).toContainText('buero');
  await expect(page.locator('.loading')).toHaveCount(0);
  await expect(page.getByTestId('buero-only')).toHaveCount(0);
}

/** The newest version of every record the server shows to an anonymous caller, by id. */
async function publicRecords(request, collection) {
  const byId = new Map();
  for (const r of await pullAll(request)) if (r.collection === collection) byId.set(r.id, r);
  return byId;
}

async function audit(page, label) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const text = results.violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
  expect(results.violations, `axe violations on ${label}:\n${text}`).toEqual([]);
  expect(results.passes.length).toBeGreaterThan(10);
}

for (const path of ['/buero/themen', '/buero/lotsen', '/buero/konten']) {
  test(`without a Büro login ${path} says so and links to the login`, async ({ page }) => {
    await page.goto(path);
    await waitForSync(page);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveCount(1);
    await expect(page.getByTestId('buero-only')).toHaveText('Diese Seite ist dem Projektbüro vorbehalten.');
    await expect(page.getByRole('link', { name: 'Als Projektbüro anmelden' })).toHaveAttribute('href', `/anmelden?weiter=${path}`);
    await expect(page.locator('form')).toHaveCount(0);
  });
}

test('the Büro creates a topic that the catalogue and the search show, edits and deletes it', async ({ page, request }) => {
  await openAsBuero(page, '/buero/themen');
  await page.getByRole('link', { name: 'Neues Thema anlegen' }).click();
  await expect(page).toHaveURL(/\/buero\/themen\?neu$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Neues Thema' })).toBeFocused();

  // An empty form: every required field is marked, the summary takes the focus.
  await page.getByRole('button', { name: 'Thema speichern' }).click();
  await expect(page.locator('.error-summary-anchor')).toBeFocused();
  for (const id of ['thema-name', 'thema-slug', 'thema-category']) {
    const input = page.locator(`#${id}`);
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    expect((await input.getAttribute('aria-describedby')).split(/\s+/)).toContain(`err-${id}`);
    await expect(page.locator(`#err-${id}`)).toHaveText('Bitte füllen Sie dieses Feld aus.');
  }
  await expect(page.locator('.error-summary li')).toHaveCount(3);
  // A link of the summary takes one to the field.
  await page.locator('.error-summary a').first().click();
  await expect(page.locator('#thema-name')).toBeFocused();

  const suffix = unique();
  const name = `Barrierefreie PDF ${suffix}`;
  const slug = `barrierefreie-pdf-${suffix}`;
  const synonym = `Zugangshilfe${suffix}`;
  await page.locator('#thema-name').fill(name);
  // The address follows the name until it is typed by hand.
  await expect(page.locator('#thema-slug')).toHaveValue(slug);
  await page.locator('#thema-slug').fill('dms');
  await page.locator('#thema-category').fill('Office und Zusammenarbeit');
  await page.locator('#thema-synonyms').fill(`${synonym}, PDF/UA\nTagged PDF`);
  await page.locator('#thema-description').fill('Dokumente, die auch mit Screenreader lesbar sind.');
  await page.getByRole('button', { name: 'Thema speichern' }).click();
  // The same rule as the server: an address another topic uses is refused at the field.
  await expect(page.locator('#err-thema-slug')).toHaveText('Diese Adresse benutzt schon ein anderes Thema.');
  await expect(page.locator('#thema-name')).toHaveAttribute('aria-invalid', 'false');

  await page.locator('#thema-slug').fill(slug);
  await page.getByRole('button', { name: 'Thema speichern' }).click();
  await expect(page).toHaveURL(/\/buero\/themen$/);
  await expect(page.getByTestId('buero-notice')).toHaveText(`Das Thema „${name}“ ist gespeichert.`);
  await expect(page.getByTestId('buero-notice')).toBeFocused();
  const row = page.getByTestId('buero-topic').filter({ hasText: name });
  await expect(row).toContainText(`/themen/${slug}`);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });

  // On the server, for everyone.
  const onServer = [...(await publicRecords(request, 'topics')).values()].find((r) => r.data && r.data.slug === slug);
  expect(onServer, 'the topic on the server').toBeTruthy();
  expect(onServer.data.synonyms).toEqual([synonym, 'PDF/UA', 'Tagged PDF']);

  // In the catalogue, and found by its synonym.
  await page.goto('/themen');
  await expect(page.getByRole('link', { name })).toBeVisible();
  await page.goto(`/suche?q=${encodeURIComponent(synonym.toLowerCase())}`);
  await expect(page.getByRole('navigation', { name: 'Passende Themen' }).getByRole('link', { name })).toBeVisible();

  // Edit it.
  await page.goto('/buero/themen');
  await page.getByRole('link', { name: `Bearbeiten „${name}“` }).click();
  await expect(page).toHaveURL(new RegExp(`/buero/themen\\?bearbeiten=${onServer.id}$`));
  await expect(page.locator('#thema-name')).toHaveValue(name);
  await expect(page.locator('#thema-synonyms')).toHaveValue(`${synonym}\nPDF/UA\nTagged PDF`);
  await page.locator('#thema-name').fill(`${name} (neu)`);
  // An existing topic keeps its address.
  await expect(page.locator('#thema-slug')).toHaveValue(slug);
  await page.getByRole('button', { name: 'Thema speichern' }).click();
  await expect(page.getByTestId('buero-notice')).toContainText('ist gespeichert');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  expect((await publicRecords(request, 'topics')).get(onServer.id).data.name).toBe(`${name} (neu)`);

  // Delete it, after the question.
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: `Löschen „${name} (neu)“` }).click();
  await expect(page.getByTestId('buero-notice')).toHaveText(`Das Thema „${name} (neu)“ ist gelöscht.`);
  await expect(page.getByTestId('buero-topic').filter({ hasText: name })).toHaveCount(0);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  expect((await publicRecords(request, 'topics')).get(onServer.id).deleted).toBe(true);
});

test('deleting a topic takes it out of the Lotsen, requests and applications that name it', async ({ page, request }) => {
  await openAsBuero(page, '/buero/themen?neu');
  const suffix = unique();
  const name = `Wegwerfthema ${suffix}`;
  await page.locator('#thema-name').fill(name);
  await page.locator('#thema-category').fill('Test');
  await page.getByRole('button', { name: 'Thema speichern' }).click();
  await expect(page.getByTestId('buero-notice')).toContainText('ist gespeichert');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  const topic = [...(await publicRecords(request, 'topics')).values()].find((r) => r.data && r.data.name === name);
  expect(topic, 'the topic on the server').toBeTruthy();

  // An (inactive) Lotse with the topic as skill and wish, written by the Büro over the API,
  // and a colleague's request about it.
  const lotse = crypto.randomUUID();
  const pushed = await page.request.post('/api/v1/push', {
    data: { mutations: [{
      mutation_id: crypto.randomUUID(), collection: 'lotsen', id: lotse, base_version: 0, deleted: false,
      data: { name: `Lotse ${suffix}`, department: 'Testbereich', skills: [{ topic: topic.id, level: 2 }], learning: [topic.id], active: false },
    }] },
  });
  expect((await pushed.json()).results[0].status).toBe('applied');
  const requestId = crypto.randomUUID();
  const key = `${crypto.randomUUID()}${crypto.randomUUID()}`.replace(/-/g, '');
  const asked = await request.post('/api/v1/push', {
    headers: { 'X-Device-Key': key },
    data: { mutations: [{
      mutation_id: crypto.randomUUID(), collection: 'requests', id: requestId, base_version: 0, deleted: false,
      data: { kind: 'frage', topic: topic.id, title: `Frage zu ${name}`, status: 'neu', assignee: null },
    }] },
  });
  expect((await asked.json()).results[0].status).toBe('applied');
  const applicationId = crypto.randomUUID();
  const applied = await request.post('/api/v1/push', {
    headers: { 'X-Device-Key': key },
    data: { mutations: [{
      mutation_id: crypto.randomUUID(), collection: 'applications', id: applicationId, base_version: 0, deleted: false,
      data: { name: `Bewerberin ${suffix}`, department: 'Testbereich', contact: '-1', topics: [topic.id], status: 'neu' },
    }] },
  });
  expect((await applied.json()).results[0].status).toBe('applied');

  // The device holds both before the topic is deleted.
  await page.goto('/buero/themen');
  for (const k of [`lotsen/${lotse}`, `requests/${requestId}`, `applications/${applicationId}`]) {
    await expect.poll(() => idbGet(page, 'records', k), { timeout: 15_000 }).toBeTruthy();
  }
  let question = '';
  page.once('dialog', async (d) => { question = d.message(); await d.accept(); });
  await page.getByRole('button', { name: `Löschen „${name}“` }).click();
  await expect(page.getByTestId('buero-notice')).toHaveText(`Das Thema „${name}“ ist gelöscht.`);
  expect(question).toContain('Es wird auch entfernt aus 1 Lotsen-Profil, 1 Anliegen, 1 Bewerbung.');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });

  const byId = new Map();
  for (const r of await pullAll(page.request)) byId.set(r.id, r);
  expect(byId.get(topic.id).deleted).toBe(true);
  expect(byId.get(lotse).data).toMatchObject({ skills: [], learning: [], active: false, name: `Lotse ${suffix}` });
  expect(byId.get(requestId).data).toMatchObject({ topic: null, title: `Frage zu ${name}` });
  expect(byId.get(applicationId).data).toMatchObject({ topics: [], name: `Bewerberin ${suffix}` });

  // The Büro removes what this test made, so that later tests do not meet it.
  const cleanup = await page.request.post('/api/v1/push', {
    data: { mutations: [lotse, requestId, applicationId].map((id) => ({
      mutation_id: crypto.randomUUID(), collection: byId.get(id).collection, id,
      base_version: byId.get(id).version, deleted: true, data: byId.get(id).data,
    })) },
  });
  expect((await cleanup.json()).results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
});

test('the Büro sees inactive Lotsen, creates a Lotse, deactivates and reactivates it', async ({ page, request }) => {
  await openAsBuero(page, '/buero/lotsen');
  // The demo data has 3 inactive Lotsen; a Büro login receives them too.
  await expect.poll(() => page.getByTestId('buero-lotse').filter({ has: page.locator('.buero-badge') }).count()).toBeGreaterThanOrEqual(3);

  await page.getByRole('link', { name: 'Neuen Lotsen anlegen' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Neuer Lotse' })).toBeFocused();
  const name = `Erika Testlotsin ${unique()}`;
  await page.locator('#lotse-name').fill(name);
  await page.locator('#lotse-email').fill('erika.testlotsin');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('.error-summary-anchor')).toBeFocused();
  await expect(page.locator('#err-lotse-department')).toHaveText('Bitte füllen Sie dieses Feld aus.');
  await expect(page.locator('#err-lotse-email')).toContainText('gültige E-Mail-Adresse');
  await expect(page.locator('#lotse-name')).toHaveAttribute('aria-invalid', 'false');

  await page.locator('#lotse-department').fill('Bürgerbüro');
  await page.locator('#lotse-email').fill('erika.testlotsin@soest.de');
  await page.locator('#lotse-phone').fill('02921 103-0');
  await page.locator('#lotse-location').fill('Rathaus, Raum 1');
  await page.locator('#lotse-availability').fill('Mo vormittags');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page).toHaveURL(/\/buero\/lotsen$/);
  await expect(page.getByTestId('buero-notice')).toContainText(`„${name}“ ist angelegt.`);
  const row = page.getByTestId('buero-lotse').filter({ hasText: name });
  await expect(row).toContainText('Bürgerbüro · noch keine Themen · Profil noch nie bestätigt');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  const created = [...(await publicRecords(request, 'lotsen')).values()].find((r) => r.data && r.data.name === name);
  expect(created, 'the new Lotse, public').toBeTruthy();
  expect(created.data).toMatchObject({ active: true, department: 'Bürgerbüro', email: 'erika.testlotsin@soest.de', skills: [] });

  // Deactivate: the button keeps the focus and turns into "Reaktivieren".
  const toggle = row.getByRole('button', { name: `Deaktivieren „${name}“` });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const reactivate = row.getByRole('button', { name: `Reaktivieren „${name}“` });
  await expect(reactivate).toBeFocused();
  await expect(row.locator('.buero-badge')).toHaveText('inaktiv');
  await expect(page.getByTestId('buero-notice')).toContainText('ist jetzt inaktiv');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  // Anonymous callers no longer see it (a tombstone for them); the other fields stay.
  expect((await publicRecords(request, 'lotsen')).get(created.id).deleted).toBe(true);

  await reactivate.click();
  await expect(row.getByRole('button', { name: `Deaktivieren „${name}“` })).toBeVisible();
  await expect(row.locator('.buero-badge')).toHaveCount(0);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
  const back = (await publicRecords(request, 'lotsen')).get(created.id);
  expect(back.deleted).toBe(false);
  expect(back.data).toMatchObject({ active: true, phone: '02921 103-0', location: 'Rathaus, Raum 1', availability: 'Mo vormittags' });

  // Inactive again, so that the later tests' searches do not meet this Lotse.
  await row.getByRole('button', { name: `Deaktivieren „${name}“` }).click();
  await expect(row.locator('.buero-badge')).toHaveText('inaktiv');
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 15_000 });
});

test('the Büro creates an account, disables it, resets its password and enables it again', async ({ page, playwright }) => {
  await openAsBuero(page, '/buero/konten');
  await expect(page.getByRole('heading', { level: 2, name: /^Alle Konten/ })).toBeVisible();
  await expect(page.getByTestId('buero-account').filter({ hasText: 'buero' }).first()).toContainText('(Ihr Konto)');

  const username = `test.${unique()}`;
  await page.locator('#konto-username').fill(username);
  await page.locator('#konto-password').fill('zu-kurz');
  await page.getByRole('button', { name: 'Konto anlegen' }).click();
  await expect(page.locator('#err-konto-password')).toHaveText('Das Passwort braucht mindestens 10 Zeichen.');
  await expect(page.locator('.error-summary-anchor')).toBeFocused();

  await page.locator('#konto-password').fill('anfangs-passwort-1');
  const jm = await page.locator('#konto-lotse option', { hasText: 'Jörg Müller' }).getAttribute('value');
  await page.locator('#konto-lotse').selectOption(jm);
  await page.getByRole('button', { name: 'Konto anlegen' }).click();
  await expect(page.getByTestId('buero-notice')).toContainText(`Das Konto „${username}“ ist angelegt.`);
  const row = page.getByTestId('buero-account').filter({ hasText: username });
  await expect(row).toContainText('Lotse');
  await expect(row.getByRole('link', { name: 'Jörg Müller' })).toBeVisible();

  // The server's refusal comes back at the field.
  await page.locator('#konto-username').fill(username);
  await page.locator('#konto-password').fill('anfangs-passwort-1');
  await page.getByRole('button', { name: 'Konto anlegen' }).click();
  await expect(page.locator('#err-konto-username')).toHaveText(`Das Konto „${username}“ gibt es schon.`);
  await expect(page.locator('#konto-username')).toHaveAttribute('aria-invalid', 'true');

  // A separate browser context, so that the page's own login stays.
  const other = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
  const login = (password) => other.post('/api/v1/session', { data: { username, password } });
  expect((await login('anfangs-passwort-1')).status()).toBe(200);

  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: `Sperren „${username}“`, exact: true }).click();
  await expect(row.locator('.buero-badge')).toHaveText('gesperrt');
  await expect(page.getByTestId('buero-notice')).toHaveText(`Das Konto „${username}“ ist gesperrt.`);
  expect((await login('anfangs-passwort-1')).status()).toBe(403);

  await row.getByRole('button', { name: `Passwort zurücksetzen „${username}“` }).click();
  await expect(page.locator('#aendern-password')).toBeFocused();
  await page.locator('#aendern-password').fill('neues-passwort-22');
  await page.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(page.getByTestId('buero-notice')).toContainText(`Das Passwort von „${username}“ ist geändert.`);
  await expect(page.locator('#aendern-password')).toHaveCount(0);
  await expect(row.getByRole('button', { name: `Passwort zurücksetzen „${username}“` })).toBeFocused();

  await row.getByRole('button', { name: `Entsperren „${username}“`, exact: true }).click();
  await expect(row.locator('.buero-badge')).toHaveCount(0);
  expect((await login('anfangs-passwort-1')).status()).toBe(401);
  expect((await login('neues-passwort-22')).status()).toBe(200);
  // The Büro sees that a wrong password was typed (in the last hour, whoever logged in since).
  await page.reload();
  await expect(row.getByTestId('failed-logins')).toHaveText(/^1 Fehlversuch beim Anmelden in der letzten Stunde\./);
  await other.dispose();
});

test('accounts need the server: offline, the screen says so', async ({ page, context }) => {
  await openAsBuero(page, '/buero/konten');
  await expect(page.getByTestId('buero-account').first()).toBeVisible();
  await context.setOffline(true);
  await expect(page.getByText('Sie sind offline. Die Liste zeigt den letzten Stand')).toBeVisible();
  await page.getByRole('button', { name: 'Passwort zurücksetzen „lotse“', exact: true }).click();
  await page.locator('#aendern-password').fill('ein-langes-passwort');
  await page.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(page.locator('.error-summary')).toContainText('Keine Verbindung zum Server. Konten lassen sich nur online verwalten');
  await context.setOffline(false);
});

test.describe('accessibility of the Büro screens', () => {
  const screens = [
    ['/buero/themen', (p) => p.getByTestId('buero-topic').first()],
    ['/buero/themen?neu', (p) => p.locator('#thema-name')],
    ['/buero/lotsen', (p) => p.getByTestId('buero-lotse').first()],
    ['/buero/konten', (p) => p.getByTestId('buero-account').first()],
  ];
  for (const [path, ready] of screens) {
    test(`axe: ${path}`, async ({ page }) => {
      await openAsBuero(page, path);
      await expect(ready(page)).toBeVisible();
      await audit(page, path);
    });
  }

  test('axe: forms with errors shown', async ({ page }) => {
    await openAsBuero(page, '/buero/lotsen?neu');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page.locator('.error-summary')).toBeVisible();
    await audit(page, '/buero/lotsen?neu with errors');
    await page.goto('/buero/konten');
    await expect(page.getByTestId('buero-account').first()).toBeVisible();
    await page.getByRole('button', { name: 'Konto anlegen' }).click();
    await expect(page.locator('.error-summary')).toBeVisible();
    await page.getByRole('button', { name: 'Passwort zurücksetzen „lotse“', exact: true }).click();
    await expect(page.locator('#aendern-password')).toBeVisible();
    await audit(page, '/buero/konten with errors and an open form');
  });

  test('no horizontal scrolling at 320 px', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await openAsBuero(page, '/buero/themen?neu');
    for (const [path, ready] of [
      ['/buero/themen?neu', (p) => p.getByTestId('buero-topic').first()],
      ['/buero/lotsen?neu', (p) => p.getByTestId('buero-lotse').first()],
      ['/buero/konten', (p) => p.getByTestId('buero-account').first()],
    ]) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} is ${overflow} px wider than the window`).toBeLessThanOrEqual(0);
    }
  });
});
