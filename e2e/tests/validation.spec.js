// Validation (SPEC §3, §7): clear German errors at the field in the form; the server rejects bad
// data with a machine code and the field, and stores nothing.
const { test, expect } = require('@playwright/test');
const { waitForSync, deviceKey, pullAll, idbCount, topicId, uniqueTitle } = require('./helpers');

async function ownRequests(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('lotsenfinder');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      // Records are keyed `collection/id`.
      const req = db.transaction('records').objectStore('records').getAllKeys();
      req.onsuccess = () => {
        db.close();
        resolve(req.result.filter((k) => String(k).startsWith('requests/')).length);
      };
      req.onerror = () => { db.close(); reject(req.error); };
    };
  }));
}

test('an empty title is refused at the field, in German', async ({ page }) => {
  await page.goto('/anliegen/neu?thema=dms');
  await waitForSync(page);
  await page.locator('#description').fill('Ohne Titel');
  await page.getByRole('button', { name: 'Anliegen senden' }).click();

  const title = page.locator('#title');
  await expect(title).toHaveAttribute('aria-invalid', 'true');
  const err = page.locator('.field').filter({ has: title }).locator('.field-error');
  await expect(err).toHaveText('Bitte füllen Sie dieses Feld aus.');
  // The error is tied to the field for screen readers.
  const errId = await err.getAttribute('id');
  expect((await title.getAttribute('aria-describedby')).split(/\s+/)).toContain(errId);
  // And summarised at the top, linking to the field.
  const summary = page.locator('.error-summary');
  await expect(summary).toHaveAttribute('role', 'alert');
  await expect(summary.getByRole('link', { name: 'Bitte füllen Sie dieses Feld aus.' })).toHaveAttribute('href', '#title');
  await expect(page).toHaveURL(/\/anliegen\/neu\?thema=dms$/);
  // Other fields are not marked.
  await expect(page.locator('#description')).toHaveAttribute('aria-invalid', 'false');

  // Nothing stored.
  expect(await idbCount(page, 'outbox')).toBe(0);
  expect(await ownRequests(page)).toBe(0);
  await expect(page.getByTestId('pending')).toHaveCount(0);

  // Fixing it clears the error on the next try.
  await title.fill(uniqueTitle('Jetzt mit Titel'));
  await page.getByRole('button', { name: 'Anliegen senden' }).click();
  await expect(page).toHaveURL(/\/anliegen\?gesendet=/);
  await expect(page.getByTestId('request')).toHaveCount(1);
});

test('a 20,000-character description is refused with the limit 10.000', async ({ page, request }) => {
  await page.goto('/anliegen/neu');
  await waitForSync(page);
  const key = await deviceKey(page);
  const title = uniqueTitle('Zu lange Beschreibung');
  await page.locator('#title').fill(title);
  await page.locator('#description').fill('a'.repeat(20_000));
  await page.getByRole('button', { name: 'Anliegen senden' }).click();

  const description = page.locator('#description');
  await expect(description).toHaveAttribute('aria-invalid', 'true');
  const err = page.locator('.field').filter({ has: description }).locator('.field-error');
  await expect(err).toContainText('10.000');
  await expect(page.locator('.error-summary')).toContainText('10.000');
  await expect(page.locator('#title')).toHaveAttribute('aria-invalid', 'false');
  await expect(page).toHaveURL(/\/anliegen\/neu$/);

  // Nothing stored: not in the outbox, not in the list, not on the server.
  expect(await idbCount(page, 'outbox')).toBe(0);
  expect(await ownRequests(page)).toBe(0);
  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Meine Anliegen' }).click();
  await expect(page).toHaveURL(/\/anliegen$/);
  await expect(page.getByText('Sie haben von diesem Gerät aus noch kein Anliegen gesendet.')).toBeVisible();
  await expect(page.getByTestId('request')).toHaveCount(0);
  const onServer = (await pullAll(request, key)).filter((r) => r.collection === 'requests');
  expect(onServer).toHaveLength(0);
});

test.describe('the push API refuses invalid requests with code and field', () => {
  const valid = (topic) => ({
    kind: 'frage',
    topic,
    title: 'Gültiger Titel',
    description: '',
    requester: { name: '', department: '', contact: '' },
    status: 'neu',
    assignee: null,
  });
  const cases = [
    ['an empty title', (d) => ({ ...d, title: '' }), 'required', 'title'],
    ['a 20,000-character description', (d) => ({ ...d, description: 'b'.repeat(20_000) }), 'too_long', 'description'],
    ['an unknown topic', (d) => ({ ...d, topic: crypto.randomUUID() }), 'unknown_topic', 'topic'],
  ];
  for (const [what, change, code, field] of cases) {
    test(what, async ({ request }) => {
      const key = `${crypto.randomUUID()}${crypto.randomUUID()}`.replace(/-/g, '');
      const dms = await topicId(request, 'dms');
      const id = crypto.randomUUID();
      const mutation = {
        mutation_id: crypto.randomUUID(),
        collection: 'requests',
        id,
        base_version: 0,
        deleted: false,
        data: change(valid(dms)),
      };
      const resp = await request.post('/api/v1/push', {
        headers: { 'X-Device-Key': key, 'Content-Type': 'application/json' },
        data: { mutations: [mutation] },
      });
      expect(resp.status()).toBe(200);
      const body = await resp.json();
      expect(body.results).toHaveLength(1);
      const r = body.results[0];
      expect(r.mutation_id).toBe(mutation.mutation_id);
      expect(r.status, JSON.stringify(r)).toBe('rejected');
      expect(r.error.code).toBe(code);
      expect(r.error.field).toBe(field);
      expect(typeof r.error.message).toBe('string');
      expect(r.error.message.length).toBeGreaterThan(0);
      if (code === 'too_long') expect(r.error.message).toContain('10.000');
      if (code === 'required') expect(r.error.message).toBe('Bitte füllen Sie dieses Feld aus.');

      // A rejected result is final for its mutation id: sending it again gives the same answer.
      const again = await request.post('/api/v1/push', {
        headers: { 'X-Device-Key': key, 'Content-Type': 'application/json' },
        data: { mutations: [mutation] },
      });
      expect((await again.json()).results[0].status).toBe('rejected');

      // Nothing was stored for this device.
      const mine = (await pullAll(request, key)).filter((c) => c.collection === 'requests');
      expect(mine.filter((c) => c.id === id)).toHaveLength(0);
      expect(mine).toHaveLength(0);

      // The same mutation with valid data (and a new attempt id) is accepted: the test data are sound.
      const ok = await request.post('/api/v1/push', {
        headers: { 'X-Device-Key': key, 'Content-Type': 'application/json' },
        data: { mutations: [{ ...mutation, mutation_id: crypto.randomUUID(), data: valid(dms) }] },
      });
      expect((await ok.json()).results[0].status).toBe('applied');
    });
  }
});
