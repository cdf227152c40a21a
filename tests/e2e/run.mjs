// Browser tests of the built site (dist/) in Debian's headless Chromium.
// Run `npm run build:web` first. The site is served from a sub-path
// (/gpuplan/) to check that its relative URLs work there, as on GitHub Pages.
// Screenshots go to tests/e2e/artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveFolder } from '../../tools/serve.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const distDir = join(repoRoot, 'dist');
const artifactsDir = join(repoRoot, 'tests/e2e/artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/** Budget of one page view: HTML, JS, CSS and wasm that the page loads, each gzip level 9 (1 KB = 1000 bytes). */
const PAGE_BUDGET_BYTES = 100_000;

// The guide's worked example: 1.3B parameters, B = 16, L = 512, H = 2048, FP16, G = 1, A100 80GB.
const WORKED_EXAMPLE = 'params=1.3e9&micro_batch=16&seq_len=512&hidden=2048&precision=fp16&grad_accum=1&gpu=a100-80gb';

let server;
let siteUrl;
let servedRoot;
const profiles = [];
const contexts = [];
/** Servers and folders of other origins that tests start, closed and removed after the run. */
const otherServers = [];
const otherFolders = [];

// Script and HTML payloads for the text inputs. Each one sets window.__pwned if the page ever reads it as markup or as a link.
const IMG_PAYLOAD = '<img src=x onerror=window.__pwned=1>';
const SCRIPT_PAYLOAD = '"><script>window.__pwned=1</script>';
const JS_URL_PAYLOAD = 'javascript:window.__pwned=1';

/** Opens a fresh browser profile (Playwright takes the profile folder here, not as --user-data-dir). */
async function openContext(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'gpuplan-chromium-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    acceptDownloads: true,
    ...options,
  });
  contexts.push(context);
  return context;
}

/** Opens a page of the site, records every request and console error, and waits for the element `readyTestId` (the estimate's verdict). */
async function openPage(context, query = '', file = '', readyTestId = 'verdict') {
  const page = await context.newPage();
  const requests = [];
  const consoleErrors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${siteUrl}${file}${query}`);
  await page.getByTestId(readyTestId).waitFor({ timeout: 15000 });
  return { page, requests, consoleErrors };
}

async function text(page, testId) {
  return (await page.getByTestId(testId).first().innerText()).replace(/\s+/g, ' ').trim();
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

function search(page) {
  return new URL(page.url()).search;
}

/** Asserts that every request stayed on the test server (127.0.0.1) and that nothing was logged as an error. */
function assertClean({ requests, consoleErrors }) {
  const origin = new URL(siteUrl).origin;
  for (const url of requests) {
    assert.ok(url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:'), `request outside the site: ${url}`);
  }
  assert.deepEqual(consoleErrors, []);
}

// Field error messages quote the rejected text (which may be "NaN"), so they are left out of this check.
async function assertNoNaN(page) {
  const shown = await page.evaluate(() => {
    const copy = document.body.cloneNode(true);
    for (const message of copy.querySelectorAll('.error')) message.remove();
    return copy.textContent;
  });
  assert.doesNotMatch(shown, /NaN|Infinity|undefined/);
}

/** Asserts that no payload ran and that the document contains no element or attribute that a payload could have added. */
async function assertNoInjectedMarkup(page) {
  const found = await page.evaluate(() => {
    const elements = [...document.querySelectorAll('*')];
    return {
      pwned: typeof window.__pwned,
      images: document.querySelectorAll('img').length,
      inlineScripts: [...document.scripts].filter((script) => !script.src).length,
      handlers: elements.flatMap((element) => [...element.attributes].filter((attribute) => /^on/i.test(attribute.name)).map((attribute) => `${element.tagName} ${attribute.name}`)),
      scriptUrls: elements.flatMap((element) =>
        ['href', 'src', 'action', 'formaction'].map((name) => element.getAttribute(name) ?? '').filter((value) => /^\s*javascript:/i.test(value)),
      ),
    };
  });
  assert.equal(found.pwned, 'undefined', 'a payload ran');
  assert.equal(found.images, 0, 'an <img> element is in the page');
  assert.equal(found.inlineScripts, 0, 'an inline <script> element is in the page');
  assert.deepEqual(found.handlers, []);
  assert.deepEqual(found.scriptUrls, []);
}

/** Clicks an export button and returns the downloaded file's text. */
async function downloadText(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFileSync(await download.path(), 'utf8');
}

/** Parses the Content-Security-Policy meta tag of an HTML text into {directive: [sources]}. */
function readPolicy(html) {
  const match = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
  assert.ok(match, 'no Content-Security-Policy meta tag');
  const policy = {};
  for (const directive of match[1].split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) policy[name] = sources;
  }
  return policy;
}

before(async () => {
  assert.ok(existsSync(join(distDir, 'index.html')), 'dist/index.html not found: run "npm run build:web" first');
  mkdirSync(artifactsDir, { recursive: true });
  servedRoot = mkdtempSync(join(tmpdir(), 'gpuplan-site-'));
  symlinkSync(distDir, join(servedRoot, 'gpuplan'));
  // A page of another site that embeds the widget in a sandboxed iframe, as the "Copy embed code" snippet does,
  // and sizes the iframe from its height messages.
  // The & in the src attribute must be written &amp;, or HTML reads "&micro" in "&micro_batch" as the µ entity.
  writeFileSync(
    join(servedRoot, 'host.html'),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>host</title><h1>Host page</h1>
<iframe id="widget" src="gpuplan/embed.html?${WORKED_EXAMPLE.replaceAll('&', '&amp;')}" style="width:700px;height:200px;border:0"
  sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>
<iframe id="result" src="gpuplan/embed.html?model=llama-3-8b&amp;method=qlora&amp;view=result" style="width:420px;height:200px;border:0"
  sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>
<script>
  window.heights = { widget: [], result: [] };
  window.addEventListener('message', (event) => {
    if (!event.data || event.data.type !== 'gpuplan:height') return;
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow === event.source) {
        window.heights[frame.id].push(event.data.height);
        frame.style.height = event.data.height + 'px';
      }
    }
  });
</script>`,
  );
  ({ server, url: siteUrl } = await serveFolder(servedRoot, 0));
  siteUrl += 'gpuplan/';
});

after(async () => {
  for (const context of contexts) await context.close();
  server?.close();
  for (const other of otherServers) other.close();
  for (const folder of [servedRoot, ...profiles, ...otherFolders]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('main page', () => {
  let context;
  before(async () => {
    context = await openContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  test('default page shows a verdict and every section', async () => {
    const opened = await openPage(context);
    const { page } = opened;

    // The default is GPT-3 XL (1.3B), full fine-tuning, AMP BF16, B = 16, L = 512 on one A100 80GB.
    // Memory is in GiB as nvidia-smi shows it: 85.9e9 usable bytes / 2^30 = 80.0 GiB, the core's 40.66e9-byte
    // peak is 37.9 GiB, and the 45.24e9 bytes to spare are 42.1 GiB.
    assert.match(await text(page, 'verdict'), /^✓ Fits on the NVIDIA A100 SXM 80 GB: 37\.9 GiB of 80 GiB usable, 42\.1 GiB to spare\.$/);
    // The exact count from the core, not a rounded 1,315,720,000.
    assert.equal(await text(page, 'trainable'), '1,315,723,264');
    assert.equal(await text(page, 'max-micro-batch'), '49');
    assert.equal(await text(page, 'peak-phase'), 'backward pass');
    // Sections can render a moment after the verdict (the parameter breakdown is a second call), so each is awaited.
    for (const heading of ['Memory per GPU', 'Peak memory as the batch and the sequence grow', 'Guide method beside the detailed method', 'Assumptions', 'Parameters of GPT-3 XL (1.3B)']) {
      await page.getByRole('heading', { name: heading }).waitFor({ state: 'visible', timeout: 5000 });
    }
    // The curves load when their section scrolls into view.
    await page.getByRole('heading', { name: 'Peak memory as the batch and the sequence grow' }).scrollIntoViewIfNeeded();
    await page.getByTestId('sweep-micro_batch').waitFor({ state: 'attached' });
    assert.equal(await page.locator('svg[data-export]').count(), 3);
    assert.equal(search(page), '');
    await assertNoNaN(page);
    assertClean(opened);
    await screenshot(page, 'desktop');
    await page.close();
  });

  test('worked example shows the guide numbers', async () => {
    const { page } = await openPage(context, `?${WORKED_EXAMPLE}`);

    // 2·P·B·L = 2 × 1.3e9 × 16 × 512 = 2.12992e13 FLOPs
    assert.equal(await text(page, 'flops-forward'), '21.3 TFLOPs');
    // (2.12992e13 × 3 + 2 × 1.3e9) / 312e12 FLOP/s = 0.20481 s
    assert.equal(await text(page, 'step-time'), '0.205 s');
    // 2.6e9 + 16 × 512 × 2048 × 2 + 7.8e9 = 10,433,554,432 bytes
    assert.equal(await text(page, 'guide-total'), '10.4 GB');
    await page.close();
  });

  test('typing replaces the URL and a choice pushes it', async () => {
    const { page } = await openPage(context);

    await page.fill('input[name=micro_batch]', '32');
    await page.waitForFunction(() => window.location.search === '?micro_batch=32');
    const lengthAfterTyping = await page.evaluate(() => window.history.length);
    await page.selectOption('select[name=precision]', 'fp32');
    await page.waitForFunction(() => window.location.search === '?micro_batch=32&precision=fp32');
    assert.equal(await page.evaluate(() => window.history.length), lengthAfterTyping + 1);

    await page.goBack();
    await page.waitForFunction(() => window.location.search === '?micro_batch=32');
    assert.equal(await page.inputValue('select[name=precision]'), 'amp_bf16');
    assert.equal(await page.inputValue('input[name=micro_batch]'), '32');
    await page.goForward();
    await page.waitForFunction(() => window.location.search.includes('precision=fp32'));
    assert.equal(await page.inputValue('select[name=precision]'), 'fp32');
    await page.close();
  });

  test('URL round trip restores the setup', async () => {
    const query = '?model=qwen3-8b&method=lora&lora_rank=64&lora_targets=q%2Cv&micro_batch=4&seq_len=2048&gpu=h100-sxm&lang=en&theme=dark';
    const { page } = await openPage(context, query);

    assert.equal(await page.inputValue('select[name=model]'), 'qwen3-8b');
    assert.equal(await page.inputValue('input[name=lora_rank]'), '64');
    assert.ok(await page.isChecked('input[name=lora_targets_q]'));
    assert.ok(!(await page.isChecked('input[name=lora_targets_k]')));
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    // An edit rewrites the URL in the core's field order with the page keys last, keeping every value.
    await page.fill('input[name=grad_accum]', '2');
    await page.waitForFunction(() => window.location.search.includes('grad_accum=2'));
    assert.equal(search(page), '?model=qwen3-8b&micro_batch=4&seq_len=2048&grad_accum=2&gpu=h100-sxm&method=lora&lora_rank=64&lora_targets=q%2Cv&lang=en&theme=dark');
    await page.close();
  });

  test('invalid URL values are reported, not applied', async () => {
    const { page } = await openPage(context, '?micro_batch=0&seq_len=NaN&gpu=no-such-gpu&grad_accum=2&foo=1&theme=blue');

    assert.equal(
      await page.locator('#field-micro_batch-error').innerText(),
      'Micro-batch size (B): 0 is out of range. Accepted: whole numbers from 1 to 65,536 sequences.',
    );
    assert.match(await page.locator('#field-gpu-error').innerText(), /^GPU: “no-such-gpu” is not one of the options\. Accepted: /);
    assert.ok(await page.getByText('The key “foo” is not an input of this calculator').isVisible());
    assert.ok(await page.getByText('The link sets theme to “blue”').isVisible());
    assert.ok(await page.getByText('This estimate uses the defaults in place of the marked fields').isVisible());
    // grad_accum=2 applies: the global batch is 16 × 2.
    assert.match(await text(page, 'global-batch'), /^Global batch: 32 sequences/);
    await assertNoNaN(page);
    await page.close();
  });

  test('a fix makes a setup fit in one click', async () => {
    const { page } = await openPage(context, '?model=llama-3-8b');

    assert.match(await text(page, 'verdict'), /^✗ Does not fit/);
    const fix = page.locator('.fixes li').first();
    await fix.waitFor();
    assert.equal(await page.locator('.fixes li').count() <= 3, true);
    await fix.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.verdict.fits').waitFor();
    assert.match(search(page), /^\?model=llama-3-8b&/);
    await page.close();
  });

  test('preset search, custom model and config import', async () => {
    const { page } = await openPage(context);

    await page.fill('#model-search', 'mixtral');
    assert.deepEqual(await page.locator('select[name=model] option').evaluateAll((options) => options.map((option) => option.value)), [
      'gpt3-xl-1.3b',
      'mixtral-8x7b',
      'mixtral-8x22b',
      'custom',
    ]);
    await page.selectOption('select[name=model]', 'mixtral-8x7b');
    await page.waitForFunction(() => window.location.search === '?model=mixtral-8x7b');

    await page.selectOption('select[name=model]', 'custom');
    await page.locator('input[name=layers]').waitFor();
    assert.equal(await page.inputValue('input[name=experts]'), '8');
    await page.fill('input[name=layers]', '16');
    await page.waitForFunction(() => window.location.search.includes('layers=16'));

    await page.getByText('Import a Hugging Face config.json').click();
    await page.fill('#config-text', '{"model_type": "llama", "hidden_size": 4096}');
    await page.getByRole('button', { name: 'Use this config' }).click();
    assert.match(await page.getByTestId('config-errors').innerText(), /num_hidden_layers/);
    await screenshot(page, 'config-import');
    await page.close();
  });

  test('exports and import', async () => {
    const opened = await openPage(context, '?model=qwen3-8b&method=qlora&micro_batch=4');
    const { page } = opened;

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8'));
    assert.deepEqual(exported.query, { model: 'qwen3-8b', micro_batch: '4', method: 'qlora' });

    const [markdown] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Markdown summary' }).click()]);
    assert.match(readFileSync(await markdown.path(), 'utf8'), /^\| Setup \| Value \|\n\| --- \| --- \|\n\| Model \| Qwen3 8B \|/);

    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Charts as SVG' }).click()]);
    const svgText = readFileSync(await svg.path(), 'utf8');
    assert.match(svgText, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svgText.match(/<svg /g) ?? []).length, 4);

    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/gpuplan\/embed\.html\?model=qwen3-8b&amp;micro_batch=4&amp;method=qlora"/);

    const fresh = await openPage(context);
    await fresh.page.setInputFiles('.share input[type=file]', await json.path());
    await fresh.page.waitForFunction(() => window.location.search === '?model=qwen3-8b&micro_batch=4&method=qlora');
    assert.ok(await fresh.page.getByText('Imported 3 values.').isVisible());
    assertClean(opened);
    assertClean(fresh);
    await fresh.page.close();
    await page.close();
  });

  test('planner loads a setup without leaving the site', async () => {
    // The planner ranks by total time and cost, so it needs the dataset size.
    const opened = await openPage(context, '?model=llama-3-8b&seq_len=2048&dataset_tokens=1e9');
    const { page } = opened;

    await page.getByRole('button', { name: 'Planner', exact: true }).click();
    await page.getByRole('heading', { name: 'Planner', exact: true }).waitFor();
    const load = page.getByRole('button', { name: 'Load' });
    await load.first().waitFor();
    assert.ok((await load.count()) > 0);
    // The chart has a dot for every priced setup of the cheapest list; the Pareto front's are filled.
    await page.getByRole('button', { name: 'Cheapest' }).click();
    const dots = page.locator('svg[data-export=planner] circle');
    assert.equal(await dots.count(), await load.count());
    const filled = await page.locator('svg[data-export=planner] circle[data-front=true]').count();
    assert.ok(filled >= 1, `${filled} filled dots`);
    assert.ok(filled <= (await dots.count()), `${filled} filled dots`);
    await load.first().click();
    // Loading a row returns to the calculator with a setup that fits.
    await page.locator('.verdict.fits').waitFor();
    assert.match(search(page), /^\?model=llama-3-8b&/);
    assert.match(await downloadText(page, 'Markdown summary'), /\| Model \| Llama 3 8B \|/);
    await assertNoNaN(page);
    assertClean(opened);
    await page.close();
  });

  test('planner tab opens from the URL and follows max GPUs', async () => {
    const opened = await openPage(context, '?model=llama-3-8b&seq_len=2048&dataset_tokens=1e9&tab=planner', '', 'planner-table');
    const { page } = opened;
    await page.setViewportSize({ width: 390, height: 800 });

    assert.equal(await page.getByRole('button', { name: 'Planner', exact: true }).getAttribute('aria-pressed'), 'true');
    // The calculator's default global batch is micro-batch 16 × accumulation 1 × 1 GPU = 16 sequences.
    assert.match(await text(page, 'planner-assumptions'), /^Every setup assumes: model Llama 3 8B; global batch 16 sequences; sequence length 2,048 tokens; dataset 1e9 tokens; epochs 1; method Full fine-tuning;/);
    assert.equal(await text(page, 'planner-chosen'), 'NVIDIA A100 SXM 80 GB');
    const gpuCounts = async (on = page) => (await on.locator('[data-testid=planner-table] tbody th').allInnerTexts()).map((setup) => Number(setup.split(' ')[0]));
    // Without a limit the planner goes up to its default of 1,024 GPUs.
    assert.ok(Math.max(...(await gpuCounts())) > 2, `GPU counts before the limit: ${await gpuCounts()}`);

    await page.fill('input[name=max_gpus]', '2');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=planner-table] tbody th')].every((cell) => Number(cell.textContent.split(' ')[0]) <= 2));
    const limited = await gpuCounts();
    assert.ok(limited.length > 0);
    assert.ok(limited.every((count) => count <= 2), `GPU counts after the limit: ${limited}`);

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the 390px screen`);
    // On a phone the setups stack, so the table needs no sideways scrolling either.
    const tableOverflow = await page.locator('.planner .table-scroll').evaluate((box) => box.scrollWidth - box.clientWidth);
    assert.ok(tableOverflow <= 0, `the planner table scrolls ${tableOverflow}px sideways`);
    assert.match(await page.locator('[data-testid=planner-table] tbody td').first().evaluate((cell) => getComputedStyle(cell, '::before').content), /Total time/);
    assert.match(search(page), /tab=planner/);
    await assertNoNaN(page);
    assertClean(opened);
    await page.screenshot({ path: join(artifactsDir, 'planner-phone.png'), fullPage: true });
    await page.close();

    // The planner's inputs come from the URL, and an edit writes them back. The ranking needs the dataset size.
    const shared = await openPage(context, '?dataset_tokens=1e9&tab=planner&max_gpus=2&global_batch=32', '', 'planner-table');
    const sharedPage = shared.page;
    assert.equal(await sharedPage.inputValue('input[name=max_gpus]'), '2');
    assert.equal(await sharedPage.inputValue('input[name=global_batch]'), '32');
    assert.match(await text(sharedPage, 'planner-assumptions'), /global batch 32 sequences;/);
    const sharedCounts = await gpuCounts(sharedPage);
    assert.ok(sharedCounts.length > 0);
    assert.ok(sharedCounts.every((count) => count <= 2), `GPU counts with max_gpus=2 in the URL: ${sharedCounts}`);
    assert.equal(await sharedPage.getByText('is not an input of this calculator', { exact: false }).count(), 0);

    await sharedPage.fill('input[name=max_gpus]', '4');
    await sharedPage.locator('input[name=max_gpus]').dispatchEvent('change');
    await sharedPage.waitForFunction(() => window.location.search.includes('max_gpus=4'));
    // Plan keys follow the calculator's fields in the core's plan() order, and the page keys come last.
    assert.equal(search(sharedPage), '?dataset_tokens=1e9&max_gpus=4&global_batch=32&tab=planner');

    // Back restores the inputs of the previous URL.
    await sharedPage.goBack();
    await sharedPage.waitForFunction(() => document.querySelector('input[name=max_gpus]')?.value === '2');
    assert.equal(await sharedPage.inputValue('input[name=global_batch]'), '32');

    // A rejected value is reported at its field and the default stays.
    const invalid = await openPage(context, '?dataset_tokens=1e9&tab=planner&max_gpus=0', '', 'planner-table');
    assert.equal(await invalid.page.inputValue('input[name=max_gpus]'), '1024');
    assert.match(await invalid.page.locator('#plan-max_gpus-error').innerText(), /max_gpus|GPUs/i);
    await assertNoNaN(sharedPage);
    assertClean(shared);
    assertClean(invalid);
    await invalid.page.close();
    await sharedPage.close();
  });

  test('failed on-demand module leaves the calculator working', async () => {
    const page = await context.newPage();
    const requests = [];
    const pageErrors = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The module of the planner and the config reader fails to download once, as on a dropped connection.
    let blocked = 0;
    await page.route('**/gpuplan_extra-*.wasm', (route) => {
      blocked += 1;
      return route.abort('connectionfailed');
    });
    await page.goto(`${siteUrl}?model=llama-3-8b&seq_len=2048&dataset_tokens=1e9&tab=planner`);

    const alert = page.getByRole('alert').filter({ hasText: 'The planner failed to load' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /^The planner failed to load: .+\. The calculator still works; open the planner again or reload the page to retry\.$/);
    assert.ok(blocked > 0);
    await screenshot(page, 'planner-load-failed');

    // The calculator still estimates.
    await page.getByRole('button', { name: 'Calculator', exact: true }).click();
    await page.fill('input[name=micro_batch]', '1');
    await page.waitForFunction(() => window.location.search.includes('micro_batch=1'));
    assert.match(await text(page, 'verdict'), /^[✓✗] /);

    // The config import reports the same failure, and works once the module downloads.
    await page.getByText('Import a Hugging Face config.json').click();
    await page.fill('#config-text', '{"model_type": "llama", "hidden_size": 4096}');
    await page.getByRole('button', { name: 'Use this config' }).click();
    await page.getByText(/^The config\.json reader failed to load: /).waitFor();
    await page.unroute('**/gpuplan_extra-*.wasm');
    await page.getByRole('button', { name: 'Use this config' }).click();
    assert.match(await page.getByTestId('config-errors').innerText(), /num_hidden_layers/);
    // Opening the planner again loads it.
    await page.getByRole('button', { name: 'Planner', exact: true }).click();
    await page.getByTestId('planner-table').waitFor();
    assert.deepEqual(pageErrors, []);
    const origin = new URL(siteUrl).origin;
    for (const url of requests) assert.ok(url.startsWith(`${origin}/`), `request outside the site: ${url}`);
    await page.close();

    // The config import's own code fails to download: its section shows the error, and the form still works.
    const other = await context.newPage();
    await other.route('**/ConfigImport-*.js', (route) => route.abort('connectionfailed'));
    await other.goto(siteUrl);
    await other.getByTestId('verdict').waitFor();
    await other.getByText('Import a Hugging Face config.json').click();
    await other.getByText(/^The config\.json reader failed to load: /).waitFor();
    await other.fill('input[name=micro_batch]', '2');
    await other.waitForFunction(() => window.location.search === '?micro_batch=2');
    await other.close();

    // Without its message catalog the page has no words of its own, so it shows the error in both languages.
    const wordless = await context.newPage();
    await wordless.route('**/en-*.js', (route) => route.abort('connectionfailed'));
    await wordless.goto(siteUrl);
    const failed = wordless.getByRole('alert');
    await failed.waitFor();
    assert.match(await failed.innerText(), /^The page’s text failed to load: .+\. Reload the page to try again\. 页面文字加载失败，请刷新页面重试。$/);
    await wordless.close();
  });

  test('payloads in names, URL keys and config.json stay text', async () => {
    const query = new URLSearchParams([
      ['model', 'qwen3-8b'],
      ['name', SCRIPT_PAYLOAD],
      ['gpu', JS_URL_PAYLOAD],
      ['lora_targets', IMG_PAYLOAD],
      [IMG_PAYLOAD, '1'],
      ['theme', SCRIPT_PAYLOAD],
    ]);
    const opened = await openPage(context, `?${query}`);
    let { page } = opened;

    // Each payload is on screen as text: the model name, the rejected GPU, the unknown key and the rejected theme.
    await page.getByRole('heading', { name: `Parameters of ${SCRIPT_PAYLOAD}` }).waitFor();
    const shown = await page.locator('body').innerText();
    assert.ok(shown.includes(`Parameters of ${SCRIPT_PAYLOAD}`), 'the model name is not shown');
    assert.ok(shown.includes(JS_URL_PAYLOAD), 'the rejected GPU value is not shown');
    assert.ok(shown.includes(`The key “${IMG_PAYLOAD}”`), 'the unknown key is not shown');
    assert.ok(shown.includes(`The link sets theme to “${SCRIPT_PAYLOAD}”`), 'the rejected theme is not shown');
    await assertNoInjectedMarkup(page);

    // JSON keeps the name as a string value.
    // NOTE: the shared URL and the export's query leave the name out, because minimalValues drops every key that does not change the estimate.
    const exported = JSON.parse(await downloadText(page, 'Export JSON'));
    assert.equal(exported.model, SCRIPT_PAYLOAD);

    // Markdown puts a backslash before every <, >, | and backtick of a cell.
    const markdown = await downloadText(page, 'Markdown summary');
    assert.ok(markdown.includes('| Model | "\\>\\<script\\>window.__pwned=1\\</script\\> |'), markdown);
    for (const line of markdown.split('\n').filter((row) => row.startsWith('|'))) {
      assert.doesNotMatch(line, /(?<!\\)[<>`]/, `unescaped markup character in ${line}`);
    }

    // The files are parsed in a blank page: a DOMParser document takes over its creator's policy, which rejects their style attributes.
    const scratch = await context.newPage();
    const svg = await downloadText(page, 'Charts as SVG');
    const svgCheck = await scratch.evaluate((text) => {
      const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        parseErrors: parsed.getElementsByTagName('parsererror').length,
        active: parsed.querySelectorAll('script, foreignObject, image, a, iframe').length,
        handlers: [...parsed.querySelectorAll('*')].filter((element) => [...element.attributes].some((attribute) => /^on/i.test(attribute.name))).length,
      };
    }, svg);
    assert.deepEqual(svgCheck, { parseErrors: 0, active: 0, handlers: 0 });

    // The embed code is one iframe of this site's embed.html and the height listener.
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    const embedCode = await page.evaluate(() => navigator.clipboard.readText());
    const embedParts = await scratch.evaluate((code) => {
      const parsed = new DOMParser().parseFromString(code, 'text/html');
      return {
        elements: [...parsed.head.querySelectorAll('*'), ...parsed.body.querySelectorAll('*')].map((element) => element.tagName),
        src: parsed.querySelector('iframe').getAttribute('src'),
      };
    }, embedCode);
    assert.deepEqual(embedParts.elements, ['IFRAME', 'SCRIPT']);
    assert.equal(embedParts.src, `${siteUrl}embed.html?model=qwen3-8b`);
    await scratch.close();

    // A custom model's name field, on a page without the rejected URL values (a form with errors keeps the last valid estimate).
    const custom = await openPage(context, '?model=qwen3-8b');
    await page.close();
    page = custom.page;
    await page.selectOption('select[name=model]', 'custom');
    await page.locator('input[name=name]').fill(IMG_PAYLOAD);
    await page.getByRole('heading', { name: `Parameters of ${IMG_PAYLOAD}` }).waitFor();
    assert.ok((await page.locator('body').innerText()).includes(`Parameters of ${IMG_PAYLOAD}`));
    assert.ok((await downloadText(page, 'Markdown summary')).includes('| Model | \\<img src=x onerror=window.__pwned=1\\> |'));
    await assertNoInjectedMarkup(page);

    // config.json import: _name_or_path becomes the model name, and an unknown model_type is quoted in the error.
    const config = JSON.parse(readFileSync(join(repoRoot, 'tests/core/fixtures/hf/llama-3.2-1b.json'), 'utf8'));
    await page.getByText('Import a Hugging Face config.json').click();
    await page.fill('#config-text', JSON.stringify({ ...config, _name_or_path: JS_URL_PAYLOAD }));
    await page.getByRole('button', { name: 'Use this config' }).click();
    await page.getByRole('heading', { name: `Parameters of ${JS_URL_PAYLOAD}` }).waitFor();
    assert.ok((await page.locator('body').innerText()).includes(`Parameters of ${JS_URL_PAYLOAD}`));
    await page.fill('#config-text', JSON.stringify({ ...config, model_type: IMG_PAYLOAD }));
    await page.getByRole('button', { name: 'Use this config' }).click();
    assert.ok((await page.getByTestId('config-errors').innerText()).includes(IMG_PAYLOAD));
    await assertNoInjectedMarkup(page);

    // The embed page of the last setup loads without markup from the payloads, and its link to the full page stays on the site.
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    const lastCode = await page.evaluate(() => navigator.clipboard.readText());
    const lastSrc = lastCode.match(/src="([^"]*)"/)[1].replaceAll('&amp;', '&');
    const embed = await openPage(context, new URL(lastSrc).search, 'embed.html');
    assert.ok((await embed.page.locator('body').innerText()).length > 0);
    assert.match(await embed.page.locator('.open-full').getAttribute('href'), /^http:\/\/127\.0\.0\.1:\d+\/gpuplan\/index\.html\?/);
    await assertNoInjectedMarkup(embed.page);

    // The <img src=x> payload would have requested gpuplan/x had it ever become an element.
    for (const checked of [opened, custom, embed]) {
      assert.ok(!checked.requests.some((url) => new URL(url).pathname.endsWith('/x')), 'the page requested the payload image');
      assertClean(checked);
    }
    await embed.page.close();
    await page.close();
  });

  test('keyboard alone changes the setup', async () => {
    const { page } = await openPage(context);

    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the results');
    // Tab through the controls to the micro-batch field, counting the stops.
    let stops = 0;
    while ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) !== 'micro_batch' && stops < 40) {
      await page.keyboard.press('Tab');
      stops += 1;
    }
    assert.ok(stops < 40, 'micro_batch is not reachable with Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('8');
    await page.waitForFunction(() => window.location.search === '?micro_batch=8');
    // A select changes with the arrow keys: the next precision after AMP BF16 is Pure FP16.
    while ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) !== 'precision') await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => window.location.search.includes('precision=pure_fp16'));
    await page.close();
  });

  test('phone width keeps the page readable', async () => {
    const { page } = await openPage(context, '?model=llama-3-8b&method=lora');

    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the 360px screen`);
    await page.screenshot({ path: join(artifactsDir, 'phone.png') });
    await page.locator('.results').screenshot({ path: join(artifactsDir, 'phone-results.png') });
    await page.close();
  });

  test('page transfer stays within the budget', async () => {
    const { page, requests } = await openPage(context);
    // The parameter breakdown is the last part of the first screen to arrive, after a short pause.
    await page.getByRole('heading', { name: 'Parameters of GPT-3 XL (1.3B)' }).waitFor();

    let total = 0;
    const sizes = [];
    const paths = [...new Set(requests)].map((url) => new URL(url).pathname.replace(/^\/gpuplan\//, '') || 'index.html');
    for (const path of paths) {
      const bytes = gzipSync(readFileSync(join(distDir, path)), { level: 9 }).length;
      sizes.push(`${path.padEnd(36)} ${String(bytes).padStart(6)} B`);
      total += bytes;
    }
    console.log(`page first view: ${total} B gzip (budget ${PAGE_BUDGET_BYTES} B)\n  ${sizes.join('\n  ')}`);
    assert.ok(total <= PAGE_BUDGET_BYTES, `the page loads ${total} B gzip, over ${PAGE_BUDGET_BYTES} B:\n${sizes.join('\n')}`);
    // The planner, the config reader, the curves below the first screen and the other language load on demand only.
    for (const onDemand of [/gpuplan_extra/, /core-extra/, /Planner/, /ConfigImport/, /charts/, /zh-CN/]) {
      assert.ok(!paths.some((path) => onDemand.test(path)), `the first view loads ${paths.find((path) => onDemand.test(path))}`);
    }
    await page.getByRole('heading', { name: 'Peak memory as the batch and the sequence grow' }).scrollIntoViewIfNeeded();
    await page.getByTestId('sweep-micro_batch').waitFor({ state: 'attached' });
    assert.ok(requests.some((url) => /\/charts-[\w-]+\.js$/.test(url)), 'the curves did not load after scrolling to them');
    await page.close();
  });
});

describe('dark theme', () => {
  test('follows the system and the theme key', async () => {
    const context = await openContext({ colorScheme: 'dark' });
    const { page } = await openPage(context, '?model=llama-3-8b&method=qlora');

    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await background(), 'rgb(20, 24, 31)');
    await screenshot(page, 'dark');
    await page.selectOption('select[name=theme]', 'light');
    await page.waitForFunction(() => window.location.search.endsWith('&theme=light'));
    assert.equal(await background(), 'rgb(255, 255, 255)');
    await page.close();
  });
});

describe('embed page', () => {
  test('widget in a sandboxed iframe posts its height', async () => {
    const context = await openContext();
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    await page.goto(siteUrl.replace(/gpuplan\/$/, 'host.html'));
    const widget = page.frameLocator('#widget');
    const result = page.frameLocator('#result');

    await widget.getByTestId('verdict').waitFor();
    await result.getByTestId('verdict').waitFor();
    await page.waitForFunction(() => window.heights.widget.length > 0 && window.heights.result.length > 0);
    await page.waitForTimeout(300);
    const iframeHeight = await page.locator('#widget').evaluate((element) => element.getBoundingClientRect().height);
    assert.equal(iframeHeight, await page.evaluate(() => window.heights.widget.at(-1)));
    // view=result shows no inputs; the form view shows a few.
    assert.equal(await result.locator('form.inputs').count(), 0);
    assert.ok((await widget.locator('form.inputs input, form.inputs select').count()) < 15);
    assert.match(await widget.locator('.open-full').getAttribute('href'), /\/gpuplan\/index\.html\?params=1\.3e9&/);
    await widget.locator('input[name=micro_batch]').fill('4');
    await widget.locator('.verdict').filter({ hasText: 'Fits' }).waitFor();
    assert.deepEqual(consoleErrors, []);
    await screenshot(page, 'embed');
    await page.close();
  });

  test('widget on another origin ignores malformed messages', async () => {
    const context = await openContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const main = await openPage(context, '?model=llama-3-8b&method=qlora&micro_batch=2');
    await main.page.getByRole('button', { name: 'Copy embed code' }).click();
    const snippet = await main.page.evaluate(() => navigator.clipboard.readText());
    await main.page.close();

    // Another site, on a second port and so another origin, pastes the snippet as the page offers it.
    const hostFolder = mkdtempSync(join(tmpdir(), 'gpuplan-host-'));
    otherFolders.push(hostFolder);
    writeFileSync(join(hostFolder, 'index.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>other site</title><h1>Other site</h1>\n${snippet}\n`);
    const host = await serveFolder(hostFolder, 0);
    otherServers.push(host.server);
    assert.notEqual(new URL(host.url).origin, new URL(siteUrl).origin);

    const page = await context.newPage();
    const requests = [];
    const consoleErrors = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(host.url);
    const widget = page.frameLocator('iframe');
    await widget.getByTestId('verdict').waitFor();
    // The snippet's listener replaces the initial 520px with the widget's height.
    await page.waitForFunction(() => /^\d+px$/.test(document.querySelector('iframe').style.height) && document.querySelector('iframe').style.height !== '520px');
    const heightBefore = await page.evaluate(() => document.querySelector('iframe').style.height);

    // Messages of every shape into the widget, including ones that look like its own height message.
    await page.evaluate((payload) => {
      const target = document.querySelector('iframe').contentWindow;
      const nested = {};
      let level = nested;
      for (let depth = 0; depth < 200; depth++) level = level.child = {};
      const cyclic = { type: 'gpuplan:height' };
      cyclic.self = cyclic;
      const messages = [null, undefined, 0, '', 'gpuplan:height', payload, [], {}, { type: 'gpuplan:height' }, { type: 'gpuplan:height', height: payload },
        { type: 'gpuplan:setup', query: { model: payload } }, { type: payload, html: payload }, { __proto__: { type: 'gpuplan:height' } }, new ArrayBuffer(8), nested, cyclic];
      for (const message of messages) target.postMessage(message, '*');
    }, IMG_PAYLOAD);
    // Height messages that the snippet must ignore: not a number, from the host itself, and from the widget with a bad value.
    await page.evaluate(() => window.postMessage({ type: 'gpuplan:height', height: 5 }, '*'));
    const widgetFrame = page.frames().find((frame) => frame.url().includes('/gpuplan/embed.html'));
    await widgetFrame.evaluate((payload) => {
      for (const height of [payload, '1px;background:red', NaN, Infinity, null]) window.parent.postMessage({ type: 'gpuplan:height', height }, '*');
    }, IMG_PAYLOAD);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.querySelector('iframe').style.height), heightBefore);

    // The widget still works, and the snippet still follows its real height messages.
    await widget.locator('input[name=micro_batch]').fill('1');
    await widget.locator('.verdict').filter({ hasText: 'Fits' }).waitFor();
    assert.match(await page.evaluate(() => document.querySelector('iframe').style.height), /^\d+px$/);
    assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
    assert.equal(await widgetFrame.evaluate(() => typeof window.__pwned), 'undefined');
    await assertNoInjectedMarkup(widgetFrame);

    // Reading the cross-origin host (parent.document, top.location.href) would throw a SecurityError, which shows as a page error.
    assert.deepEqual(consoleErrors, []);
    const allowed = [new URL(host.url).origin, new URL(siteUrl).origin];
    for (const url of requests) assert.ok(allowed.includes(new URL(url).origin) || url.startsWith('data:'), `request outside the two sites: ${url}`);
    await page.close();
  });
});

describe('content security policy', () => {
  test('built pages carry a strict policy and no inline script', () => {
    for (const file of ['index.html', 'embed.html']) {
      const html = readFileSync(join(distDir, file), 'utf8');
      const policy = readPolicy(html);

      assert.deepEqual(policy['default-src'], ["'self'"], file);
      assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"], file);
      assert.deepEqual(policy['style-src'], ["'self'"], file);
      assert.deepEqual(policy['connect-src'], ["'self'"], file);
      assert.deepEqual(policy['object-src'], ["'none'"], file);
      // data: serves the empty favicon only.
      assert.deepEqual(policy['img-src'], ["'self'", 'data:'], file);
      assert.deepEqual(policy['base-uri'], ["'self'"], file);
      for (const sources of Object.values(policy)) {
        for (const source of sources) assert.doesNotMatch(source, /^'unsafe-|^\*|^https?:|^blob:/, `${file}: ${source}`);
      }
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0, `${file} loads no script`);
      for (const [tag, attributes, body] of scripts) {
        assert.match(attributes, /\bsrc="\.\/assets\/[^"]+\.js"/, `${file}: ${tag}`);
        assert.equal(body.trim(), '', `${file}: inline code in ${tag}`);
      }
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${file} has an inline event handler`);
    }
  });

  test('policy blocks injected inline script', async () => {
    const context = await openContext();
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(event.effectiveDirective));
    });
    const { page, consoleErrors } = await openPage(context);
    await page.getByRole('heading', { name: 'Peak memory as the batch and the sequence grow' }).scrollIntoViewIfNeeded();
    await page.getByTestId('sweep-micro_batch').waitFor({ state: 'attached' });
    await page.fill('input[name=micro_batch]', '8');
    await page.waitForFunction(() => window.location.search === '?micro_batch=8');
    // The page itself, with its wasm, charts and styles, needs nothing that the policy blocks.
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(consoleErrors, []);

    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.body.append(script);
    });
    await page.waitForFunction(() => window.__violations.length > 0);
    assert.equal(await page.evaluate(() => typeof window.__inline), 'undefined');
    assert.deepEqual(await page.evaluate(() => window.__violations), ['script-src-elem']);
    await page.close();
  });
});

describe('Chinese page', () => {
  test('lang=zh-CN shows Chinese', async () => {
    const context = await openContext();
    const opened = await openPage(context, '?model=llama-3-8b&micro_batch=8&seq_len=2048&lang=zh-CN');
    const { page } = opened;

    await page.getByText('估算结果', { exact: true }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.locator('label[for=field-micro_batch]').innerText(), '微批量大小（B）');
    assert.match(await text(page, 'verdict'), /放不下/);
    await page.fill('input[name=micro_batch]', '0');
    assert.equal(await page.locator('#field-micro_batch-error').innerText(), '微批量大小（B）：0 超出范围。可接受范围：1 至 65,536 的整数（单位：条序列）。');
    await page.fill('input[name=micro_batch]', '8');
    await page.locator('.fixes li').first().waitFor();
    assertClean(opened);
    await screenshot(page, 'chinese');
    await page.close();
  });

  test('warnings and reasons load Chinese wording', async () => {
    // ZeRO-3 on one GPU has no replica to shard with. The warnings' wording is an on-demand string.
    const context = await openContext();
    const opened = await openPage(context, '?sharding=zero3&lang=zh-CN');
    const { page } = opened;
    await page.getByTestId('warnings').waitFor();
    assert.match(await text(page, 'warnings'), /^ZeRO-3（再切分权重） 在此不切分任何状态/);
    assertClean(opened);
    await page.close();

    // A coded conflict reason is worded in Chinese as soon as the on-demand strings load.
    const conflict = await openPage(context, '?num_gpus=3&tensor_parallel=2&lang=zh-CN');
    await conflict.page.getByText('GPU 数量必须是张量并行 × 流水线并行（2）的倍数', { exact: false }).first().waitFor();
    await conflict.page.close();
  });

  test('FSDP and variable-length terms show', async () => {
    // Llama 3 8B in bf16 on 4 A100 40GB under FSDP full-shard, 8 micro-batches of 2 x 2048 tokens. Under no_sync
    // each GPU keeps all 8.03e9 bf16 gradients, 16.06e9 bytes = 15.0 GiB. The run needs 39.1 GiB, and the pool of
    // varying batch lengths would grow past the GPU, so nvidia-smi shows the whole 40 GiB.
    const context = await openContext();
    const setup = 'model=llama-3-8b&precision=pure_bf16&micro_batch=2&seq_len=2048&grad_accum=8&grad_checkpointing=full&gpu=a100-40gb&num_gpus=4&sharding=fsdp_full_shard&variable_lengths=true';
    const opened = await openPage(context, `?${setup}`);
    const { page } = opened;
    assert.match(await text(page, 'verdict'), /^✓ Fits on the NVIDIA A100 SXM 40 GB: 39\.1 GiB of 40 GiB usable/);
    assert.equal(await text(page, 'required'), '39.1 GiB');
    assert.equal(await text(page, 'nvidia-smi'), '40 GiB');
    // The breakdown table lists the top-level terms open and folds their parts.
    const breakdown = page.getByTestId('memory');
    await breakdown.getByText('Variable-length cache').first().waitFor();
    assert.match(await breakdown.locator('tr', { hasText: 'Gradients' }).first().innerText(), /\b15(\.0)? GiB/);
    await assertNoNaN(page);
    assertClean(opened);
    await screenshot(page, 'fsdp-variable-lengths');
    await page.close();
  });

  test('browser language zh-CN picks Chinese', async () => {
    const context = await openContext({ locale: 'zh-CN' });
    const { page } = await openPage(context);

    await page.getByText('估算结果', { exact: true }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.selectOption('select[name=lang]', 'en');
    await page.getByText('Estimate', { exact: true }).waitFor();
    assert.equal(search(page), '?lang=en');
    await page.close();
  });
});
