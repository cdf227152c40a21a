// Prints the gzip size of every file in dist/ and what each page loads on
// first view, and exits 1 when a page's first view is over the budget of
// 100 KB (gzip level 9, 1 KB = 1000 bytes). A page's first view is its HTML,
// the scripts and styles that the HTML and its static imports load, and the
// wasm. The Chinese catalog loads only for Chinese readers and is counted in
// the zh-CN line. tests/e2e/run.mjs measures the same from real requests.
// Usage: node tools/web-size.mjs [folder]   (after npm run build:web)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 100_000;
const folder = process.argv[2] ?? 'dist';

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const gzipBytes = new Map();
let totalRaw = 0;
let totalGzip = 0;
for (const file of listFiles(folder).sort()) {
  const bytes = readFileSync(file);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  gzipBytes.set(relative(folder, file), gzipped);
  totalRaw += bytes.length;
  totalGzip += gzipped;
  console.log(`${relative(folder, file).padEnd(40)} ${String(bytes.length).padStart(9)} B ${String(gzipped).padStart(8)} B gzip`);
}
console.log(`${'all files'.padEnd(40)} ${String(totalRaw).padStart(9)} B ${String(totalGzip).padStart(8)} B gzip`);

// Collects the assets that a file names (Vite writes their hashed file names into the HTML and scripts), through static and dynamic imports.
function references(file, seen, skip) {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(join(folder, file), 'utf8');
  for (const match of text.matchAll(/([\w.-]+\.(?:js|css|wasm))\b/g)) {
    const asset = `assets/${match[1]}`;
    if (gzipBytes.has(asset) && !skip(asset)) references(asset, seen, skip);
  }
}

let over = false;
for (const page of ['index.html', 'embed.html']) {
  for (const lang of ['en', 'zh-CN']) {
    const seen = new Set();
    references(page, seen, (asset) => lang === 'en' && asset.includes('zh-CN'));
    const size = [...seen].reduce((sum, file) => sum + gzipBytes.get(file), 0);
    over ||= size > BUDGET_BYTES;
    console.log(`${`first view of ${page} (${lang})`.padEnd(40)} ${String(size).padStart(20)} B gzip (budget ${BUDGET_BYTES})`);
  }
}
if (over) {
  console.error(`web-size: a page's first view is over the ${BUDGET_BYTES} B budget`);
  process.exit(1);
}
