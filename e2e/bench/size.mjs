#!/usr/bin/env node
// First-load size of the built app (SPEC §10: what the first visit loads — wasm + js + css,
// brotli — at most 150 KB), and apart from it what is fetched later.
// Usage: node bench/size.mjs [distDir]   (default ../dist)
//
// "First load" is what index.html references (stylesheets, scripts, module preloads, preloads)
// and what those scripts import by a literal path, followed transitively; every other
// .wasm/.js/.css in dist (the service worker, parts loaded later) is listed as "later".
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = resolve(process.argv[2] || new URL('../../dist', import.meta.url).pathname);
const KINDS = new Set(['.wasm', '.js', '.css']);
const BUDGET_KB = 150;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue; // build stamps and staging dirs
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if (KINDS.has(extname(name))) out.push(p);
  }
  return out;
}

/** Paths (relative to dist) that a file of dist refers to by a literal absolute or ./ path. */
function references(file, text) {
  const found = new Set();
  const patterns = extname(file) === '.html'
    ? [/<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"/g]
    : [/(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g, /module_or_path:\s*['"]([^'"]+)['"]/g, /new URL\(\s*['"]([^'"]+)['"]/g];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const ref = m[1].split(/[?#]/)[0];
      if (/^[a-z]+:/i.test(ref)) continue;
      const path = ref.startsWith('/') ? ref.slice(1) : join(relative(dist, join(file, '..')), ref);
      if (KINDS.has(extname(path)) && existsSync(join(dist, path))) found.add(path);
    }
  }
  return found;
}

const index = join(dist, 'index.html');
const first = new Set();
const queue = [...references(index, readFileSync(index, 'utf8'))];
while (queue.length) {
  const p = queue.pop();
  if (first.has(p)) continue;
  first.add(p);
  if (extname(p) !== '.wasm') queue.push(...references(join(dist, p), readFileSync(join(dist, p), 'utf8')));
}

const kb = (n) => (n / 1024).toFixed(1);
const rows = walk(dist).sort().map((p) => {
  const raw = readFileSync(p);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      ...(extname(p) === '.wasm' ? {} : { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT }),
    },
  });
  const file = relative(dist, p);
  return { file, raw: raw.length, br: br.length, first: first.has(file) };
});
const sum = (rs) => rs.reduce((a, r) => ({ raw: a.raw + r.raw, br: a.br + r.br }), { raw: 0, br: 0 });
const firstTotal = sum(rows.filter((r) => r.first));
const laterTotal = sum(rows.filter((r) => !r.first));

const w = Math.max(24, ...rows.map((r) => r.file.length + 8));
const line = (f, raw, br) => `${f.padEnd(w)}  ${raw.padStart(10)}  ${br.padStart(12)}`;
console.log(`dist: ${dist}`);
console.log(line('file', 'raw KB', 'brotli KB'));
console.log('-'.repeat(w + 26));
for (const r of rows) console.log(line(r.file + (r.first ? '' : ' (later)'), kb(r.raw), kb(r.br)));
console.log('-'.repeat(w + 26));
console.log(line('first load (what index.html loads)', kb(firstTotal.raw), kb(firstTotal.br)));
console.log(line('fetched later (service worker, parts)', kb(laterTotal.raw), kb(laterTotal.br)));
console.log(`budget ${BUDGET_KB} KB brotli for the first load: ${firstTotal.br <= BUDGET_KB * 1024 ? 'OK' : 'OVER'}`);
