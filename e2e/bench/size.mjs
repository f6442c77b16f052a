#!/usr/bin/env node
// First-load size of the built app (SPEC §10: wasm + js + css, brotli ≤ 200 KB).
// Usage: node bench/size.mjs [distDir]   (default ../dist)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = resolve(process.argv[2] || new URL('../../dist', import.meta.url).pathname);
const KINDS = new Set(['.wasm', '.js', '.css']);
const BUDGET_KB = 200;

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

const files = walk(dist).sort();
if (files.length === 0) {
  console.error(`no .wasm/.js/.css files in ${dist}`);
  process.exit(1);
}
const kb = (n) => (n / 1024).toFixed(1);
const rows = files.map((p) => {
  const raw = readFileSync(p);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      ...(extname(p) === '.wasm' ? {} : { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT }),
    },
  });
  return { file: relative(dist, p), raw: raw.length, br: br.length };
});
// The service worker is not part of the first load of the page itself; list it but keep it apart.
const isSw = (r) => r.file === 'sw.js';
const first = rows.filter((r) => !isSw(r));
const total = first.reduce((a, r) => ({ raw: a.raw + r.raw, br: a.br + r.br }), { raw: 0, br: 0 });

const w = Math.max(24, ...rows.map((r) => r.file.length));
const line = (f, raw, br) => `${f.padEnd(w)}  ${raw.padStart(10)}  ${br.padStart(12)}`;
console.log(`dist: ${dist}`);
console.log(line('file', 'raw KB', 'brotli KB'));
console.log('-'.repeat(w + 26));
for (const r of rows) console.log(line(r.file + (isSw(r) ? ' (sw)' : ''), kb(r.raw), kb(r.br)));
console.log('-'.repeat(w + 26));
console.log(line('first load (wasm+js+css)', kb(total.raw), kb(total.br)));
console.log(`budget ${BUDGET_KB} KB brotli: ${total.br <= BUDGET_KB * 1024 ? 'OK' : 'OVER'}`);
