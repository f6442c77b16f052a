import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking'] });
const context = await browser.newContext({ baseURL: process.env.BASE_URL, locale: 'de-DE' });
const page = await context.newPage();
await page.goto('/suche?q=x');
await page.locator('.last-sync', { hasText: 'Zuletzt abgeglichen' }).waitFor({ timeout: 60000 });
await page.goto('/suche?q=x');
await page.waitForTimeout(1500);
const client = await context.newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.setSamplingInterval', { interval: 100 });
await client.send('Profiler.start');
for (const word of ['sc', 'x', 'oz', 'x', 'vi', 'x', 'do', 'x', 'e-', 'x', 'ab']) {
  await page.evaluate(async (w) => {
    const input = document.getElementById('q');
    input.value = w;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }, word);
}
const { profile } = await client.send('Profiler.stop');
// self time per function
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]);
  const name = n.callFrame.functionName || '(anon ' + n.callFrame.url.split('/').pop() + ')';
  self.set(name, (self.get(name) || 0) + (dt[i] || 0));
  total += dt[i] || 0;
}
console.log('total ms', (total / 1000).toFixed(1));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / 1000).toFixed(1).padStart(8), k.slice(0, 150));
// inclusive time per function
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const incl = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  let id = profile.samples[i]; const seen = new Set();
  while (id) { const n = byId.get(id); const name = n.callFrame.functionName; if (name && !seen.has(name)) { seen.add(name); incl.set(name, (incl.get(name) || 0) + (dt[i] || 0)); } id = parent.get(id); }
}
console.log('--- inclusive');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((v / 1000).toFixed(1).padStart(8), k.slice(0, 150));
await browser.close();
