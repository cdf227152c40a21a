// Loads the built page in headless Chromium from a cold cache and prints
// three things: the time from navigation to the first result on screen, the
// time from an input change to the updated charts, and the size of every file
// the page fetched. tools/serve.mjs serves the site on 127.0.0.1 and sends
// files uncompressed. The gzip column is therefore computed here (level 9, as
// in tools/web-size.mjs) and is what a gzip-serving host would transfer.
// Usage: npx vite build && node bench/page_bench.mjs [folder] [--runs N] [--throttle]
//   --throttle emulates a 10 Mbit/s link with 40 ms round trips. It applies to
//   the uncompressed bytes, so it overstates the transfer time of a gzip host.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveFolder } from '../tools/serve.mjs';

const args = process.argv.slice(2);
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5;
const throttle = args.includes('--throttle');
const folder = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--runs') ?? 'dist';
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`page_bench: --runs must be a whole number of at least 1, got "${args[runsIndex + 1]}"`);
  process.exit(2);
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const THROTTLE = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

// Runs in the page before its scripts: records when the verdict and the
// micro-batch chart first appear, each at the next animation frame after the
// DOM change (the frame that shows it), in ms since navigation start. The
// curves load when their section scrolls into view, so this scrolls to them as
// soon as their heading exists, as a reader who scrolls down at once would.
function recordMilestones() {
  const marks = {};
  window.__benchMarks = marks;
  const check = () => {
    if (marks.result === undefined && document.querySelector('[data-testid=verdict]')) {
      marks.result = -1;
      requestAnimationFrame(() => (marks.result = performance.now()));
    }
    const sweepHeading = document.getElementById('sweep-heading');
    if (!marks.scrolled && sweepHeading) {
      marks.scrolled = true;
      sweepHeading.scrollIntoView();
    }
    if (marks.charts === undefined && document.querySelector('svg[data-export=micro_batch]')) {
      marks.charts = -1;
      requestAnimationFrame(() => (marks.charts = performance.now()));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

// Sets the micro-batch field, then resolves with the ms until the verdict and
// until the micro-batch chart marks the new value as current, each at the frame that shows it.
function changeMicroBatch(value) {
  return new Promise((resolve, reject) => {
    const input = document.querySelector('input[name=micro_batch]');
    const verdictBefore = document.querySelector('[data-testid=verdict]').textContent;
    const times = {};
    const start = performance.now();
    const check = () => {
      if (times.verdict === undefined && document.querySelector('[data-testid=verdict]')?.textContent !== verdictBefore) {
        times.verdict = -1;
        requestAnimationFrame(() => (times.verdict = performance.now() - start));
      }
      const current = document.querySelector('[data-testid=sweep-micro_batch] tr.current th');
      if (times.charts === undefined && document.querySelector('svg[data-export=micro_batch]') && current?.textContent.startsWith(`${value} `)) {
        times.charts = -1;
        requestAnimationFrame(() => {
          times.charts = performance.now() - start;
          observer.disconnect();
          resolve(times);
        });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    setTimeout(() => reject(new Error(`the chart did not show micro-batch ${value} within 10 s`)), 10_000);
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summary(values) {
  return `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
}

const { server, url } = await serveFolder(folder, 0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
const firstResult = [];
const chartsAfterLoad = [];
const verdictAfterInput = [];
const chartsAfterInput = [];
let assets = [];

try {
  for (let run = 0; run < runs; ++run) {
    // A new context has an empty HTTP and code cache, so every run is a cold load.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await context.addInitScript(recordMilestones);
    const page = await context.newPage();
    if (throttle) {
      const session = await context.newCDPSession(page);
      await session.send('Network.emulateNetworkConditions', THROTTLE);
    }
    await page.goto(url);
    await page.waitForFunction(() => window.__benchMarks.charts > 0, null, { timeout: 30_000 });
    const marks = await page.evaluate(() => window.__benchMarks);
    firstResult.push(marks.result);
    chartsAfterLoad.push(marks.charts);

    // Start times of every request, in ms since navigation start, to tell the first view from what follows it.
    const resources = await page.evaluate(() => [
      { name: location.href, startTime: 0 },
      ...performance.getEntriesByType('resource').map((entry) => ({ name: entry.name, startTime: entry.startTime })),
    ]);
    assets = resources.map(({ name, startTime }) => {
      const path = new URL(name).pathname.replace(/^\//, '') || 'index.html';
      const bytes = readFileSync(join(folder, path));
      return { path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, beforeResult: startTime <= marks.result };
    });

    for (const value of [8, 4]) {
      const times = await page.evaluate(changeMicroBatch, value);
      verdictAfterInput.push(times.verdict);
      chartsAfterInput.push(times.charts);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

const version = browser.version();
console.log(`page_bench: ${folder}/ on 127.0.0.1, Chromium ${version} headless, 1280×900, ${runs} cold loads${throttle ? ', 10 Mbit/s and 40 ms RTT emulated' : ', no throttling'}`);
console.log('');
console.log(`${'file'.padEnd(34)} ${'raw B'.padStart(8)} ${'gzip B'.padStart(8)}  requested`);
const total = (list, key) => list.reduce((sum, asset) => sum + asset[key], 0);
for (const asset of assets) {
  console.log(`${asset.path.padEnd(34)} ${String(asset.raw).padStart(8)} ${String(asset.gzip).padStart(8)}  ${asset.beforeResult ? 'before the first result' : 'after the first result'}`);
}
const first = assets.filter((asset) => asset.beforeResult);
console.log(`${'total before the first result'.padEnd(34)} ${String(total(first, 'raw')).padStart(8)} ${String(total(first, 'gzip')).padStart(8)}`);
console.log(`${'total with the charts'.padEnd(34)} ${String(total(assets, 'raw')).padStart(8)} ${String(total(assets, 'gzip')).padStart(8)}`);
console.log('');
console.log(`navigation to first result on screen (cold cache): ${summary(firstResult)}`);
console.log(`navigation to charts on screen (cold cache):       ${summary(chartsAfterLoad)}`);
console.log(`input change to updated verdict:                   ${summary(verdictAfterInput)}`);
console.log(`input change to updated charts:                    ${summary(chartsAfterInput)}`);
