// Clicks through octet serve's page in Debian's chromium (playwright-core):
// upload a model -> INT8 settings -> calibration image archive with
// preprocessing -> Convert -> wait for the result -> download the .tflite.
// Saves screenshots of the filled form and of the result page.
//
//   node serve_flow.mjs URL MODEL.onnx IMAGES.zip WIDTH HEIGHT OUT_DIR
// Prints one JSON line: {"download": path, "file": suggested name, "screenshots": [...], "stats": [...]}.
import { chromium } from 'playwright-core';
import path from 'node:path';

const [url, model, images, width, height, outDir] = process.argv.slice(2);
const RESULT_TIMEOUT_MS = 120000;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(url);
  await page.waitForSelector('#health.up');
  await page.setInputFiles('#model-file', model);
  await page.click('#precision button[data-value="int8"]');
  await page.selectOption('#calib-method', 'minmax');
  await page.click('#calib-kind button[data-value="images"]');
  await page.setInputFiles('#calib-file', images);
  await page.fill('#prep-width', width);
  await page.fill('#prep-height', height);
  await page.selectOption('#prep-color', 'rgb');
  const form = path.join(outDir, 'serve_form.png');
  await page.screenshot({ path: form, fullPage: true });
  await page.click('#convert');
  await page.waitForSelector('#result:not(.hidden) #download:not(.hidden)', { timeout: RESULT_TIMEOUT_MS });
  const stats = await page.$$eval('#result-stats .stat', (els) => els.map((e) => e.innerText.replace(/\n/g, ' ')));
  const result = path.join(outDir, 'serve_result.png');
  await page.screenshot({ path: result, fullPage: true });
  await page.click('#result-tabs button[data-tab="calib"]');
  const calib = path.join(outDir, 'serve_calibration.png');
  await page.screenshot({ path: calib, fullPage: true });
  await page.click('#result-tabs button[data-tab="io"]');
  const io = path.join(outDir, 'serve_io.png');
  await page.locator('#result').screenshot({ path: io });
  await page.click('#result-tabs button[data-tab="code"]');
  await page.click('#code-lang button[data-value="python"]');
  const codeShot = path.join(outDir, 'serve_code.png');
  await page.locator('#result').screenshot({ path: codeShot });
  await page.click('#code-lang button[data-value="cpp"]');
  const code = await page.textContent('#code');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(outDir, download.suggestedFilename());
  await download.saveAs(file);
  console.log(JSON.stringify({ download: file, file: download.suggestedFilename(), screenshots: [form, result, calib, io, codeShot],
    stats, code_mentions_model: code.includes(download.suggestedFilename()), problems }));
} finally {
  await browser.close();
}
