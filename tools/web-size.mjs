// Prints the gzip size of every file in dist/ and their total, and exits 1
// when the total is over the page budget of 100 KB (gzip level 9, 1 KB = 1000 bytes).
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

let totalRaw = 0;
let totalGzip = 0;
for (const file of listFiles(folder).sort()) {
  const bytes = readFileSync(file);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  totalRaw += bytes.length;
  totalGzip += gzipped;
  console.log(`${relative(folder, file).padEnd(40)} ${String(bytes.length).padStart(9)} B ${String(gzipped).padStart(8)} B gzip`);
}
console.log(`${'total'.padEnd(40)} ${String(totalRaw).padStart(9)} B ${String(totalGzip).padStart(8)} B gzip (budget ${BUDGET_BYTES})`);
if (totalGzip > BUDGET_BYTES) {
  console.error(`web-size: dist/ is ${totalGzip} B gzip, over the ${BUDGET_BYTES} B budget`);
  process.exit(1);
}
