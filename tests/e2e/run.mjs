// Browser tests of the built site (dist/) in Debian's headless Chromium.
// Run `npm run build:web` first. The site is served from a sub-path
// (/gpuplan/) to check that its relative URLs work there, as on GitHub Pages.
// Screenshots go to tests/e2e/artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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

// The guide's worked example: 1.3B parameters, B = 16, L = 512, H = 2048, FP16, G = 1, A100 80GB.
const WORKED_EXAMPLE = 'params=1.3e9&micro_batch=16&seq_len=512&hidden=2048&precision=fp16&grad_accum=1&gpu=a100-80gb';

let server;
let siteUrl;
let servedRoot;
const profiles = [];
const contexts = [];

/** Opens a fresh browser profile (Playwright takes the profile folder here, not as --user-data-dir). */
async function openContext(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'gpuplan-chromium-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
    locale: 'en-US',
    ...options,
  });
  contexts.push(context);
  return context;
}

/** Opens a page of the site, records every request it makes and waits for the form. */
async function openPage(context, query = '') {
  const page = await context.newPage();
  const requests = [];
  const consoleErrors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${siteUrl}${query}`);
  await page.waitForSelector('form.inputs', { timeout: 15000 });
  return { page, requests, consoleErrors };
}

async function text(page, testId) {
  return (await page.getByTestId(testId).innerText()).replace(/\s+/g, ' ').trim();
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
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

before(async () => {
  assert.ok(existsSync(join(distDir, 'index.html')), 'dist/index.html not found: run "npm run build:web" first');
  mkdirSync(artifactsDir, { recursive: true });
  servedRoot = mkdtempSync(join(tmpdir(), 'gpuplan-site-'));
  symlinkSync(distDir, join(servedRoot, 'gpuplan'));
  // A page of another site that embeds the widget and sizes the iframe from its height messages.
  // The & in the src attribute must be written &amp;, or HTML reads "&micro" in "&micro_batch" as the µ entity.
  writeFileSync(
    join(servedRoot, 'host.html'),
    `<!doctype html><meta charset="utf-8"><title>host</title>
<iframe id="widget" src="gpuplan/embed.html?${WORKED_EXAMPLE.replaceAll('&', '&amp;')}" style="width:700px;height:200px;border:0"></iframe>
<script>
  window.heights = [];
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'gpuplan:height') {
      window.heights.push(event.data.height);
      document.getElementById('widget').style.height = event.data.height + 'px';
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
  for (const folder of [servedRoot, ...profiles]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('main page', () => {
  let context;
  before(async () => {
    context = await openContext();
  });

  test('worked example shows the guide numbers', async () => {
    const { page, requests, consoleErrors } = await openPage(context, `?${WORKED_EXAMPLE}`);

    // 2·P·B·L = 2 × 1.3e9 × 16 × 512 = 2.12992e13 FLOPs
    assert.equal(await text(page, 'flops-forward'), '21.3 TFLOPs');
    // 2 × forward = 4.25984e13
    assert.equal(await text(page, 'flops-backward'), '42.6 TFLOPs');
    // (forward + backward) × 1 = 6.38976e13
    assert.equal(await text(page, 'flops-forward-backward'), '63.9 TFLOPs');
    // optimizer 2·P = 2.6e9
    assert.equal(await text(page, 'flops-optimizer'), '2.6 GFLOPs');
    // (6.38976e13 + 2.6e9) / 312e12 FLOP/s = 0.20481 s
    assert.equal(await text(page, 'step-time'), '0.205 s');
    // P × 2 bytes = 2.6e9 bytes
    assert.equal(await text(page, 'memory-weights'), '2.6 GB');
    // 16 × 512 × 2048 × 2 bytes = 33,554,432 bytes
    assert.equal(await text(page, 'memory-activations'), '33.6 MB');
    // 3 × P × 2 bytes = 7.8e9 bytes
    assert.equal(await text(page, 'memory-gradients_and_optimizer'), '7.8 GB');
    // 2.6e9 + 33,554,432 + 7.8e9 = 10,433,554,432 bytes against 80 GiB = 85,899,345,920 bytes
    assert.equal(await text(page, 'memory-total'), '10.4 GB');
    assert.equal(await text(page, 'gpu-memory'), '85.9 GB (80 GiB)');
    assert.match(await text(page, 'verdict'), /^Fits: 10\.4 GB/);
    await assertNoNaN(page);

    const origin = new URL(siteUrl).origin;
    for (const url of requests) assert.ok(url.startsWith(`${origin}/gpuplan/`), `request outside the site: ${url}`);
    assert.deepEqual(consoleErrors, []);
    await screenshot(page, 'worked-example-en');
    await page.close();
  });

  test('default page is the worked example', async () => {
    const { page } = await openPage(context);

    assert.equal(await page.inputValue('input[name=params]'), '1300000000');
    assert.equal(await text(page, 'flops-forward'), '21.3 TFLOPs');
    assert.equal(new URL(page.url()).search, '');
    await page.close();
  });

  test('editing an input updates results and URL', async () => {
    const { page } = await openPage(context);

    await page.fill('input[name=micro_batch]', '32');
    // 2 × 1.3e9 × 32 × 512 = 4.25984e13
    await page.getByTestId('flops-forward').filter({ hasText: '42.6 TFLOPs' }).waitFor();
    // (1.277952e14 + 2.6e9) / 312e12 = 0.40961 s
    assert.equal(await text(page, 'step-time'), '0.41 s');
    // 16 × 2 = 32 sequences double the activations: 67,108,864 bytes
    assert.equal(await text(page, 'memory-activations'), '67.1 MB');
    assert.equal(new URL(page.url()).search, '?micro_batch=32');

    await page.selectOption('select[name=precision]', 'fp32');
    // 1.3e9 × 4 bytes
    await page.getByTestId('memory-weights').filter({ hasText: '5.2 GB' }).waitFor();
    assert.equal(new URL(page.url()).search, '?micro_batch=32&precision=fp32');

    await page.selectOption('select[name=gpu]', 'h100-sxm');
    await page.waitForURL(/gpu=h100-sxm/);
    await screenshot(page, 'edited-h100');
    await page.close();
  });

  test('invalid typed value keeps the last result', async () => {
    const { page } = await openPage(context, '?micro_batch=8');

    await page.fill('input[name=params]', '-5');
    const message = await page.locator('#field-params-error').innerText();
    assert.equal(message, 'Parameters (P): -5 is out of range. Accepted: 1e3 to 1e13.');
    // 2 × 1.3e9 × 8 × 512 = 1.06496e13 stays on screen, and so does the URL.
    assert.equal(await text(page, 'flops-forward'), '10.6 TFLOPs');
    assert.equal(new URL(page.url()).search, '?micro_batch=8');
    assert.ok(await page.getByText('Showing the last valid estimate').isVisible());

    await page.fill('input[name=params]', 'abc');
    assert.match(await page.locator('#field-params-error').innerText(), /“abc” is not a number/);
    await page.fill('input[name=params]', '');
    assert.match(await page.locator('#field-params-error').innerText(), /a value is required/);
    await assertNoNaN(page);
    await screenshot(page, 'invalid-typed');

    await page.fill('input[name=params]', '7e9');
    // 2 × 7e9 × 8 × 512 = 5.7344e13
    await page.getByTestId('flops-forward').filter({ hasText: '57.3 TFLOPs' }).waitFor();
    assert.equal(await page.locator('#field-params-error').count(), 0);
    assert.equal(new URL(page.url()).search, '?params=7e9&micro_batch=8');
    await page.close();
  });

  test('invalid URL values are reported, not applied', async () => {
    const { page } = await openPage(context, '?micro_batch=0&seq_len=NaN&gpu=no-such-gpu&grad_accum=2&foo=1');

    assert.equal(
      await page.locator('#field-micro_batch-error').innerText(),
      'Micro-batch size (B): 0 is out of range. Accepted: whole numbers from 1 to 65,536.',
    );
    assert.equal(
      await page.locator('#field-seq_len-error').innerText(),
      'Sequence length (L): “NaN” is not a number. Accepted: whole numbers from 1 to 10,485,760.',
    );
    assert.match(await page.locator('#field-gpu-error').innerText(), /^GPU: “no-such-gpu” is not one of the options\. Accepted: /);
    assert.ok(await page.getByText('The link’s key “foo” is not an input of this calculator').isVisible());
    assert.ok(await page.getByText('Some values in this link were not applied').isVisible());
    assert.ok(await page.getByText('This estimate uses the defaults in place of the marked fields').isVisible());
    // The valid grad_accum=2 applies; the rejected fields keep their defaults: (2.12992e13 + 4.25984e13) × 2.
    assert.equal(await text(page, 'flops-forward-backward'), '128 TFLOPs');
    await assertNoNaN(page);
    await screenshot(page, 'invalid-url');
    await page.close();
  });

  test('language switcher writes lang to the URL', async () => {
    const { page } = await openPage(context, '?micro_batch=4');

    await page.selectOption('select[name=lang]', 'zh-CN');
    await page.getByText('估算结果').waitFor();
    assert.equal(new URL(page.url()).search, '?micro_batch=4&lang=zh-CN');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.close();
  });

  test('phone width keeps the page readable', async () => {
    const { page } = await openPage(context, `?${WORKED_EXAMPLE}`);

    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the 360px screen`);
    await screenshot(page, 'phone-360');
    await page.locator('.results').screenshot({ path: join(artifactsDir, 'phone-360-results.png') });
    await page.close();
  });
});

describe('embed page', () => {
  test('widget posts its height to the parent', async () => {
    const context = await openContext();
    const page = await context.newPage();
    await page.goto(siteUrl.replace(/gpuplan\/$/, 'host.html'));
    const widget = page.frameLocator('#widget');

    await widget.getByTestId('flops-forward').filter({ hasText: '21.3 TFLOPs' }).waitFor();
    await page.waitForFunction(() => window.heights.some((height) => height > 600));
    const iframeHeight = await page.locator('#widget').evaluate((element) => element.getBoundingClientRect().height);
    const lastHeight = await page.evaluate(() => window.heights.at(-1));
    assert.equal(iframeHeight, lastHeight);
    assert.equal(await widget.locator('.open-full').getAttribute('href'), `./index.html?${WORKED_EXAMPLE}`);
    await screenshot(page, 'embed-host');
    await page.close();
  });
});

describe('Chinese page', () => {
  test('lang=zh-CN shows Chinese', async () => {
    const context = await openContext();
    const { page } = await openPage(context, `?${WORKED_EXAMPLE}&lang=zh-CN`);

    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.locator('label[for=field-micro_batch]').innerText(), '微批量大小（B）');
    assert.equal(await text(page, 'step-time'), '0.205 秒');
    assert.equal(await text(page, 'flops-forward'), '21.3 TFLOPs');
    await page.fill('input[name=micro_batch]', '0');
    assert.equal(
      await page.locator('#field-micro_batch-error').innerText(),
      '微批量大小（B）：0 超出范围。可接受范围：1 至 65,536 的整数。',
    );
    await screenshot(page, 'worked-example-zh');
    await page.close();
  });

  test('browser language zh-CN picks Chinese', async () => {
    const context = await openContext({ locale: 'zh-CN' });
    const { page } = await openPage(context);

    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.ok(await page.getByText('估算结果').isVisible());
    await page.close();
  });
});
