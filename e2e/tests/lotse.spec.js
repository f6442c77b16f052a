// Lotsen and the Projektbüro at work (issue 3): login, the own profile offline, the request
// workflow with a public answer, a conflict between two Lotsen, logout clearing the device,
// several tabs, and the accessibility of the new screens.
const { randomUUID } = require('crypto');
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const { waitForSync, idbGet, uniqueTitle, pullAll } = require('./helpers');

const LOTSE = { username: 'lotse', password: 'demo-lotse', name: 'Jörg Müller' };
const BUERO = { username: 'buero', password: 'demo-buero' };

/** Logs in through the login screen. */
async function loginByForm(page, who) {
  await page.goto('/anmelden');
  await page.getByLabel('Benutzername').fill(who.username);
  await page.getByLabel('Passwort').fill(who.password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByTestId('user')).toContainText(who.username);
}

/** Logs in through the API (the cookie belongs to the page's context), then opens `path`. */
async function loginAndOpen(page, who, path) {
  const resp = await page.request.post('/api/v1/session', { data: who });
  expect(resp.status()).toBe(200);
  await page.goto(path);
  await expect(page.getByTestId('user')).toContainText(who.username);
  await waitForSync(page);
}

/** All keys of an object store of the app's IndexedDB. */
async function idbKeys(page, store) {
  return page.evaluate((store) => new Promise((resolve, reject) => {
    const open = indexedDB.open('lotsenfinder');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction(store).objectStore(store).getAllKeys();
      req.onsuccess = () => { db.close(); resolve(req.result); };
      req.onerror = () => { db.close(); reject(req.error); };
    };
  }), store);
}

/** Hands in a request anonymously in `page`; returns nothing, the title identifies it. */
async function handIn(page, title) {
  await page.goto('/anliegen/neu?thema=dms');
  await expect(page.locator('#topic option:checked')).toHaveText('Dokumentenmanagement (DMS)');
  await page.locator('#title').fill(title);
  await page.locator('#name').fill('Erika Mustermann');
  await page.locator('#contact').fill('erika.mustermann@soest.de');
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\?gesendet=/);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
}

/** Opens a request at the workplace by its title. */
async function openWork(page, title) {
  await page.goto('/arbeitsplatz?status=alle');
  await page.getByRole('button', { name: 'Jetzt abgleichen' }).click();
  const link = page.getByRole('link', { name: title });
  await expect(link).toBeVisible({ timeout: 20_000 });
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

test('wrong password, then login: the Lotse sees the workplace and their profile link', async ({ page }) => {
  await page.goto('/anmelden');
  await page.getByLabel('Benutzername').fill('lotse');
  await page.getByLabel('Passwort').fill('falsch-falsch');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  const error = page.getByTestId('login-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText(/Benutzername oder Passwort/);
  await expect(page.getByTestId('user')).toHaveCount(0);

  await page.getByLabel('Passwort').fill(LOTSE.password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page).toHaveURL(/\/arbeitsplatz$/);
  await expect(page.getByTestId('user')).toContainText('lotse');
  await expect(page.getByRole('link', { name: 'Mein Profil' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Arbeitsplatz' })).toBeVisible();
  // After the login the device holds everyone's requests, the demo ones included.
  await expect(page.getByTestId('work-item').first()).toBeVisible({ timeout: 20_000 });
});

test('the profile reports every problem at once, at its field and in a summary that gets the focus', async ({ page }) => {
  await loginAndOpen(page, LOTSE, '/profil');
  await page.locator('#profil-name').fill('');
  await page.locator('#profil-email').fill('keine-adresse');
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  const summary = page.locator('.error-summary');
  await expect(summary.getByRole('heading', { level: 2 })).toHaveText('Bitte prüfen Sie Ihre Angaben');
  await expect(summary.locator('li')).toHaveCount(2);
  await expect(page.locator('.error-summary-anchor')).toBeFocused();
  for (const id of ['profil-name', 'profil-email']) {
    await expect(page.locator(`#${id}`)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator(`#${id}`)).toHaveAttribute('aria-describedby', `err-${id}`);
  }
  // A link of the summary takes the focus to its field.
  await summary.getByRole('link').last().click();
  await expect(page.locator('#profil-email')).toBeFocused();
  await expect(page.getByTestId('pending')).toHaveCount(0);
});

test('a refused profile edit comes back into the form, nothing retyped', async ({ page, context, browser }) => {
  // A topic the Büro will delete while the Lotse, offline, gives themselves a level in it.
  const office = await browser.newContext();
  expect((await office.request.post('/api/v1/session', { data: BUERO })).status()).toBe(200);
  const topic = randomUUID();
  const slug = `weg-${Date.now().toString(36)}`;
  const made = await office.request.post('/api/v1/push', {
    data: { mutations: [{ mutation_id: randomUUID(), collection: 'topics', id: topic, base_version: 0, deleted: false,
      data: { name: `Gleich weg ${slug}`, slug, category: 'Test', synonyms: [], description: '' } }] },
  });
  expect((await made.json()).results[0].status).toBe('applied');

  await loginAndOpen(page, LOTSE, '/profil');
  await page.getByRole('button', { name: 'Jetzt abgleichen' }).click();
  const level = page.locator(`[id="stufe-${topic}"]`);
  await expect(level).toBeVisible({ timeout: 20_000 });
  const availabilityField = page.getByLabel(/^Erreichbar/);
  const before = await availabilityField.inputValue();
  const typed = `Di ganztägig ${Date.now().toString(36)}`;

  await context.setOffline(true);
  await level.selectOption('2');
  await availabilityField.fill(typed);
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert.')).toBeVisible();
  const gone = await office.request.post('/api/v1/push', {
    data: { mutations: [{ mutation_id: randomUUID(), collection: 'topics', id: topic, base_version: 1, deleted: true, data: null }] },
  });
  expect((await gone.json()).results[0].status).toBe('applied');
  await context.setOffline(false);
  const conflict = page.getByTestId('conflict');
  await expect(conflict).toContainText('Nicht angenommen', { timeout: 30_000 });

  // Later, in a fresh page: the form shows the profile as the server has it, the refused
  // version waits in the panel and goes back into the form with one click.
  await page.reload();
  await waitForSync(page);
  await expect(availabilityField).toHaveValue(before);
  await conflict.getByRole('button', { name: 'In das Formular übernehmen' }).click();
  await expect(availabilityField).toHaveValue(typed);
  await expect(conflict).toHaveCount(0);
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert.')).toBeVisible();
  const onServer = async () => (await pullAll(page.request))
    .filter((r) => r.collection === 'lotsen' && r.data && r.data.name === LOTSE.name).pop().data;
  await expect.poll(async () => (await onServer()).availability, { timeout: 20_000 }).toBe(typed);
  expect((await onServer()).skills.map((k) => k.topic)).not.toContain(topic);
  await expect(conflict).toHaveCount(0);

  // The demo profile as it was, for the other tests (the search tests read this availability).
  await availabilityField.fill(before);
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect.poll(async () => (await onServer()).availability, { timeout: 20_000 }).toBe(before);
  await office.close();
});

test('a Lotse edits the profile offline; after the sync an anonymous search finds the new skill', async ({ page, context, browser }) => {
  await loginAndOpen(page, LOTSE, '/profil');
  await expect(page.getByRole('heading', { level: 1, name: 'Mein Profil' })).toBeVisible();
  // A topic the Lotse has no level in yet.
  const unset = page.locator('.skill-row select').filter({ has: page.locator('option[value="0"]:checked') }).first();
  await expect(unset).toBeVisible();
  const selectId = await unset.getAttribute('id');
  const select = page.locator(`[id="${selectId}"]`);
  const topicName = (await page.locator(`label[for="${selectId}"]`).innerText()).trim();
  const availability = `Mo+Mi nachmittags ${Date.now().toString(36)}`;
  const availabilityField = page.getByLabel(/^Erreichbar/);
  const before = await availabilityField.inputValue();

  await context.setOffline(true);
  await expect(page.getByTestId('connection')).toContainText('Offline');
  await select.selectOption('3');
  await availabilityField.fill(availability);
  await page.getByRole('button', { name: 'Profil bestätigen' }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert und bestätigt.')).toBeVisible();
  await expect(page.getByTestId('pending')).toHaveText('1 Änderung wartet auf Übertragung');

  await context.setOffline(false);
  await expect(page.getByTestId('pending')).toHaveCount(0, { timeout: 30_000 });

  const anonymous = await browser.newContext();
  const other = await anonymous.newPage();
  await other.goto(`/suche?q=${encodeURIComponent(topicName)}`);
  await waitForSync(other);
  const card = other.getByTestId('lotse-card').filter({ hasText: LOTSE.name });
  await expect(card).toBeVisible();
  await expect(card).toContainText(topicName);
  await expect(card).toContainText(availability);
  await anonymous.close();

  // The demo profile as it was, for the other tests.
  await select.selectOption('0');
  await availabilityField.fill(before);
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await expect(page.getByText('Ihr Profil ist gespeichert.')).toBeVisible();
  await expect.poll(async () => (await pullAll(page.request))
    .filter((r) => r.collection === 'lotsen' && r.data && r.data.name === LOTSE.name).pop().data.availability,
  { timeout: 20_000 }).toBe(before);
});

test('a Lotse cannot change another Lotse through the API', async ({ page }) => {
  await loginAndOpen(page, LOTSE, '/arbeitsplatz');
  const all = await pullAll(page.request);
  const other = all.find((r) => r.collection === 'lotsen' && r.data.name && r.data.name !== LOTSE.name && !r.deleted);
  const resp = await page.request.post('/api/v1/push', {
    data: { mutations: [{ mutation_id: randomUUID(), collection: 'lotsen', id: other.id, base_version: other.version, deleted: false, data: { ...other.data, phone: '0000' } }] },
  });
  const body = await resp.json();
  expect(body.results[0].status).toBe('rejected');
});

test('the request workflow: hand-in, take over, public answer, erledigt — the requester sees it', async ({ browser }) => {
  const title = uniqueTitle('Workflow: Scanner legt keine E-Akte an');
  const requesterCtx = await browser.newContext();
  const requester = await requesterCtx.newPage();
  await requester.goto('/');
  await waitForSync(requester);
  await handIn(requester, title);

  const lotseCtx = await browser.newContext();
  const lotse = await lotseCtx.newPage();
  await loginAndOpen(lotse, LOTSE, '/arbeitsplatz');
  await openWork(lotse, title);
  await expect(lotse.getByTestId('work-status')).toHaveText('neu');
  await lotse.getByRole('button', { name: 'Übernehmen' }).click();
  await expect(lotse.getByTestId('work-status')).toHaveText('in Bearbeitung');
  await expect(lotse.getByTestId('work-assignee')).toHaveText(LOTSE.name);

  await lotse.getByLabel('Neue Notiz').fill('Intern: Treiber prüfen.');
  await lotse.getByRole('button', { name: 'Notiz speichern' }).click();
  await expect(lotse.getByTestId('note').filter({ hasText: 'Treiber prüfen' })).toContainText('Intern');
  const answer = 'Bitte den Scanner neu verbinden, dann klappt es.';
  await lotse.getByLabel('Neue Notiz').fill(answer);
  await lotse.getByLabel(/^Antwort/).check();
  await lotse.getByRole('button', { name: 'Notiz speichern' }).click();
  await expect(lotse.getByTestId('note').filter({ hasText: answer })).toContainText('Antwort an die anfragende Person');
  await lotse.getByRole('button', { name: 'Als erledigt abschließen' }).click();
  await expect(lotse.getByTestId('work-status')).toHaveText('erledigt');
  await expect(lotse.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
  // The server holds when it was handed in and when it was closed, for the evaluation.
  let stored;
  await expect.poll(async () => {
    stored = (await pullAll(lotse.request)).filter((r) => r.collection === 'requests' && r.data.title === title).pop();
    return stored && stored.data.status;
  }, { timeout: 20_000 }).toBe('erledigt');
  expect(stored.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(stored.data.closed_at >= stored.data.created_at, JSON.stringify(stored)).toBe(true);

  await requester.goto('/anliegen');
  await requester.getByRole('button', { name: 'Jetzt abgleichen' }).click();
  const card = requester.getByTestId('request').filter({ has: requester.getByRole('heading', { name: title }) });
  await expect(card.getByTestId('request-status')).toHaveText('erledigt', { timeout: 20_000 });
  await expect(card).toContainText(answer);
  await expect(card).not.toContainText('Treiber prüfen');
  // The internal note never reached the requester's device.
  const keys = await idbKeys(requester, 'records');
  const notes = keys.filter((k) => k.startsWith('notes/'));
  for (const k of notes) {
    const v = JSON.parse(await idbGet(requester, 'records', k));
    expect(v.env.data.internal).toBe(false);
  }
  await requesterCtx.close();
  await lotseCtx.close();
});

test('two Lotsen change the same request, one offline: the other fields merge, the same field is shown side by side', async ({ browser }) => {
  const title = uniqueTitle('Konflikt: Teams-Besprechung ohne Ton');
  const anonCtx = await browser.newContext();
  const anon = await anonCtx.newPage();
  await anon.goto('/');
  await waitForSync(anon);
  await handIn(anon, title);

  const aCtx = await browser.newContext();
  const a = await aCtx.newPage();
  await loginAndOpen(a, LOTSE, '/arbeitsplatz');
  await openWork(a, title);
  const id = a.url().split('/').pop();

  const bCtx = await browser.newContext();
  const b = await bCtx.newPage();
  await loginAndOpen(b, BUERO, '/arbeitsplatz');
  await openWork(b, title);

  // A takes the request over while offline (status and assignee) …
  await aCtx.setOffline(true);
  await expect(a.getByTestId('connection')).toContainText('Offline');
  await a.getByRole('button', { name: 'Übernehmen' }).click();
  await expect(a.getByTestId('work-status')).toHaveText('in Bearbeitung');
  // … while B forwards it to the Projektbüro (status only).
  await b.getByRole('button', { name: 'An das Projektbüro weiterleiten' }).click();
  await expect(b.getByTestId('work-status')).toHaveText('an das Projektbüro weitergeleitet');
  await expect(b.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });

  await aCtx.setOffline(false);
  const conflict = a.getByTestId('conflict');
  await expect(conflict).toBeVisible({ timeout: 30_000 });
  await expect(conflict.getByRole('row', { name: /Status/ }).getByTestId('mine')).toHaveText('in Bearbeitung');
  await expect(conflict.getByRole('row', { name: /Status/ }).getByTestId('theirs')).toHaveText('an das Projektbüro weitergeleitet');
  // The server's status stands, A's assignee (a field only A changed) was merged in.
  await expect(a.getByTestId('work-status')).toHaveText('an das Projektbüro weitergeleitet');
  await expect(a.getByTestId('work-assignee')).toHaveText(LOTSE.name);
  let server = (await pullAll(b.request)).filter((r) => r.id === id).pop();
  expect(server.data.status).toBe('weitergeleitet');
  expect(server.data.assignee).toBeTruthy();

  const results = await new AxeBuilder({ page: a }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(results.violations).toEqual([]);

  await conflict.getByRole('button', { name: 'Meine Version übernehmen' }).click();
  await expect(a.getByTestId('conflict')).toHaveCount(0);
  await expect(a.getByTestId('work-status')).toHaveText('in Bearbeitung');
  await expect(a.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
  server = (await pullAll(b.request)).filter((r) => r.id === id).pop();
  expect(server.data.status).toBe('in_bearbeitung');
  expect(server.data.assignee).toBeTruthy();
  await anonCtx.close();
  await aCtx.close();
  await bCtx.close();
});

test('logout removes requests, notes and the account from the device; only the public directory stays', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto('/');
  await waitForSync(page);
  const mine = uniqueTitle('Eigenes Anliegen vor der Anmeldung');
  await handIn(page, mine);

  await loginByForm(page, LOTSE);
  await waitForSync(page);
  await expect.poll(async () => (await idbKeys(page, 'records')).filter((k) => k.startsWith('requests/')).length, { timeout: 20_000 })
    .toBeGreaterThan(3);
  expect(await idbGet(page, 'meta', 'user')).toContain('lotse');

  await page.getByRole('button', { name: 'Abmelden' }).click();
  await expect(page.getByRole('link', { name: 'Anmelden' })).toBeVisible();
  await expect.poll(async () => (await idbKeys(page, 'records')).filter((k) => k.startsWith('requests/')).length, { timeout: 20_000 })
    .toBe(1);
  const keys = await idbKeys(page, 'records');
  expect(keys.filter((k) => k.startsWith('applications/'))).toEqual([]);
  expect(keys.filter((k) => k.startsWith('lotsen/')).length).toBeGreaterThan(30);
  expect(keys.filter((k) => k.startsWith('topics/')).length).toBeGreaterThan(10);
  expect(await idbGet(page, 'meta', 'user')).toBeUndefined();
  expect(await idbKeys(page, 'conflicts')).toEqual([]);
  // The colleague's own request stays theirs.
  await page.goto('/anliegen');
  await expect(page.getByRole('heading', { name: mine })).toBeVisible();
  const session = await page.request.get('/api/v1/session');
  expect(session.status()).toBe(401);
  // The workplace now asks for a login.
  await page.goto('/arbeitsplatz');
  await expect(page.getByRole('link', { name: 'melden Sie sich an' })).toBeVisible();
  await ctx.close();
});

test('several tabs: one syncs, all see changes within a second, closing the syncing tab hands over', async ({ browser }) => {
  const ctx = await browser.newContext();
  const first = await ctx.newPage();
  await first.goto('/anliegen');
  await waitForSync(first);
  const second = await ctx.newPage();
  await second.goto('/anliegen');
  await expect(second.getByRole('heading', { level: 1, name: 'Meine Anliegen' })).toBeVisible();

  // One tab holds the sync lock, the other waits for it.
  const syncLocks = async () => {
    const q = await second.evaluate(() => navigator.locks.query());
    const count = (list) => list.filter((l) => l.name === 'lotsenfinder-sync').length;
    return [count(q.held), count(q.pending)];
  };
  await expect.poll(syncLocks).toEqual([1, 1]);

  // An edit in the second (not syncing) tab shows in the first within a second and is sent.
  const title = uniqueTitle('Zwei Tabs: Frage zu Outlook');
  await handIn(second, title);
  await expect(first.getByRole('heading', { name: title })).toBeVisible({ timeout: 1_000 });
  await expect(second.getByTestId('request').filter({ hasText: title }).getByTestId('request-status')).toHaveText('neu', { timeout: 20_000 });

  // Closing the syncing tab: the other takes over and sends the next edit.
  await first.close();
  await expect.poll(syncLocks).toEqual([1, 0]);
  const later = uniqueTitle('Zwei Tabs: nach dem Schließen');
  await handIn(second, later);
  await expect(second.getByTestId('request').filter({ hasText: later }).getByTestId('request-status')).toHaveText('neu', { timeout: 20_000 });
  await ctx.close();
});

test('the new screens have no axe violations', async ({ page }) => {
  await page.goto('/anmelden');
  await waitForSync(page);
  for (const path of ['/anmelden']) {
    await page.goto(path);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    expect(results.violations, path).toEqual([]);
  }
  await loginAndOpen(page, LOTSE, '/arbeitsplatz');
  const first = page.getByTestId('work-item').first().getByRole('link');
  await expect(first).toBeVisible({ timeout: 20_000 });
  const detail = await first.getAttribute('href');
  for (const path of ['/arbeitsplatz', '/arbeitsplatz?status=alle&thema=dms', detail, '/profil', '/anliegen', '/anmelden']) {
    await page.goto(path);
    await expect(page.locator('h1')).toBeVisible();
    await page.waitForTimeout(300);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    expect(results.violations, path).toEqual([]);
  }
});
