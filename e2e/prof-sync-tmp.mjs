import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking'] });
const context = await browser.newContext({ baseURL: process.env.BASE_URL, locale: 'de-DE' });
const page = await context.newPage();
const mode = process.env.MODE || 'login';
const client = await context.newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.setSamplingInterval', { interval: 200 });
let t0;
if (mode === 'login') {
  await page.goto('/anmelden');
  await page.locator('.last-sync', { hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 60000 });
  await page.getByLabel('Benutzername').fill('buero');
  await page.getByLabel('Passwort').fill('demo-buero');
  await client.send('Profiler.start');
  t0 = Date.now();
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/arbeitsplatz/);
  await page.waitForFunction(() => /\d+ Anliegen/.test(document.querySelector('[data-testid=workplace-count]')?.textContent || '') && [...document.querySelectorAll('.sync-bar button')].some((b) => b.getAttribute('aria-disabled') === 'false'), null, { timeout: 120000, polling: 20 });
} else {
  await client.send('Profiler.start');
  t0 = Date.now();
  await page.goto('/suche?q=e-akte');
  await page.getByTestId('lotse-card').first().waitFor({ timeout: 60000 });
}
console.log('elapsed', Date.now() - t0);
const { profile } = await client.send('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas;
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const self = new Map(); const incl = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]);
  const name = n.callFrame.functionName || '(anon)';
  self.set(name, (self.get(name) || 0) + (dt[i] || 0));
  let id = profile.samples[i]; const seen = new Set();
  while (id) { const m = byId.get(id); const nm = m.callFrame.functionName; if (nm && !seen.has(nm)) { seen.add(nm); incl.set(nm, (incl.get(nm) || 0) + (dt[i] || 0)); } id = parent.get(id); }
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1000).toFixed(1).padStart(8), k.slice(0, 140));
console.log('--- inclusive');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 70)) console.log((v / 1000).toFixed(1).padStart(8), k.slice(0, 140));
await browser.close();
