// Prints the gzip size of every file in dist/ and what each page loads on
// first view, and exits 1 when a page's first view is over the budget of
// 100 KB (gzip level 9, 1 KB = 1000 bytes). A page's first view is its HTML,
// the scripts and styles that the HTML and their static imports load, the
// wasm they fetch, the message catalog of the reader's language, and the chunks
// that the page imports dynamically on every load (FIRST_VIEW_CHUNKS). The
// chunks that load on demand are listed with what they fetch in turn, but not
// counted: the planner and the core's on-demand module, the config import, the
// curves below the first screen, the exports, the fixes for a setup that does
// not fit, the strings only those parts use (en-more, zh-CN-more), and the
// other language.
// tests/e2e/run.mjs measures the default page from real requests.
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

/**
 * Chunks that a page imports dynamically but fetches on every load, by the
 * name that Vite gives the chunk (the file name before the hash): the core's
 * JavaScript. The catalog chunk of the reader's language (en or zh-CN) is
 * added per language.
 */
const FIRST_VIEW_CHUNKS = { 'index.html': ['gpuplan'], 'embed.html': ['gpuplan'] };
const LANGS = ['en', 'zh-CN'];

function chunkName(asset) {
  return asset.replace(/^assets\//, '').replace(/-[\w-]{8}\.\w+$/, '');
}

/**
 * Collects the assets that a file loads: everything an HTML file names, a
 * script's static imports and wasm, and the dynamic imports that `loads`
 * accepts. `onDemand` receives the dynamic imports left out.
 */
function references(file, seen, loads, onDemand) {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(join(folder, file), 'utf8');
  const staticImports = new Set([...text.matchAll(/\b(?:from|import)\s*["'`]\.\/([\w.-]+\.js)["'`]/g)].map((match) => `assets/${match[1]}`));
  for (const match of text.matchAll(/([\w.-]+\.(?:js|css|wasm))\b/g)) {
    const asset = `assets/${match[1]}`;
    if (!gzipBytes.has(asset)) continue;
    if (file.endsWith('.html') || asset.endsWith('.wasm') || staticImports.has(asset) || loads(asset)) references(asset, seen, loads, onDemand);
    else onDemand.add(asset);
  }
}

/** Describes an on-demand chunk with the files it fetches in turn that the first view has not. */
function describeOnDemand(chunk, firstView) {
  const fetched = new Set();
  references(chunk, fetched, () => false, new Set());
  const extra = [...fetched].filter((file) => file !== chunk && !firstView.has(file)).sort();
  const total = [chunk, ...extra].reduce((sum, file) => sum + gzipBytes.get(file), 0);
  const parts = extra.map((file) => ` + ${file} ${gzipBytes.get(file)} B`).join('');
  return `${chunk} ${gzipBytes.get(chunk)} B${parts}${extra.length > 0 ? ` = ${total} B` : ''}`;
}

let over = false;
for (const page of ['index.html', 'embed.html']) {
  for (const lang of LANGS) {
    const seen = new Set();
    const onDemand = new Set();
    const loads = (asset) => FIRST_VIEW_CHUNKS[page].includes(chunkName(asset)) || chunkName(asset) === lang;
    references(page, seen, loads, onDemand);
    const size = [...seen].reduce((sum, file) => sum + gzipBytes.get(file), 0);
    over ||= size > BUDGET_BYTES;
    console.log(`${`first view of ${page} (${lang})`.padEnd(40)} ${String(size).padStart(20)} B gzip (budget ${BUDGET_BYTES})`);
    for (const file of [...seen].sort()) console.log(`  ${file.padEnd(38)} ${String(gzipBytes.get(file)).padStart(20)} B gzip`);
    const later = [...onDemand].filter((file) => !seen.has(file)).sort();
    if (later.length > 0) console.log(`  on demand, not counted:\n${later.map((file) => `    ${describeOnDemand(file, seen)}`).join('\n')}`);
  }
}
if (over) {
  console.error(`web-size: a page's first view is over the ${BUDGET_BYTES} B budget`);
  process.exit(1);
}
