// Clicks through octet serve's page in Debian's chromium (playwright-core):
// upload a model -> INT8 settings -> calibration image archive with
// preprocessing -> Convert -> wait for the result -> download the .tflite.
// Saves screenshots of the filled form and of the result page. Then converts a
// model that fails (the page shows the server's one-line error) and deletes
// that job and its upload with the page's buttons.
//
// Last, a slow INT8 conversion is shown while calibrating and cancelled.
//
//   node serve_flow.mjs URL MODEL.onnx IMAGES.zip WIDTH HEIGHT OUT_DIR FAILING.onnx SLOW.onnx SLOW_CALIB.npy
// Prints one JSON line: {"download": path, "file": suggested name, "screenshots": [...], "stats": [...],
// "failure": the error shown, "deleted_job": id, "deleted_upload": id, ...}.
import { chromium } from 'playwright-core';
import path from 'node:path';

const [url, model, images, width, height, outDir, failing, slow, slowCalib] = process.argv.slice(2);
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
  await page.evaluate(() => window.scrollTo(0, 0));
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
  // A conversion that fails: the page shows the server's message, then the job and its upload are deleted.
  await page.setInputFiles('#model-file', failing);
  await page.click('#precision button[data-value="float32"]');
  await page.click('#convert');
  await page.waitForSelector('#result:not(.hidden) #result-error:not(.hidden)', { timeout: RESULT_TIMEOUT_MS });
  const failure = (await page.textContent('#result-error')).trim();
  const failedShot = path.join(outDir, 'serve_failed.png');
  await page.screenshot({ path: failedShot, fullPage: true });
  const deletedJob = await page.$eval('#jobs .badge.failed', (b) => b.closest('.job').dataset.id);
  await page.click(`.job[data-id="${deletedJob}"] button[data-act="delete"]`);
  await page.waitForSelector(`.job[data-id="${deletedJob}"]`, { state: 'detached' });
  const failingName = path.basename(failing);
  const deletedUpload = await page.$$eval('#uploads .upload', (els, name) => els.find((e) => e.querySelector('.upload-name').textContent === name).dataset.id, failingName);
  await page.click(`.upload[data-id="${deletedUpload}"] button[data-act="delete-upload"]`);
  await page.waitForSelector(`.upload[data-id="${deletedUpload}"]`, { state: 'detached' });
  const formError = await page.textContent('#form-error');
  // A slow INT8 job: the progress bar while calibrating, then Cancel.
  await page.setInputFiles('#model-file', slow);
  await page.click('#precision button[data-value="int8"]');
  await page.click('#calib-kind button[data-value="calibration"]');
  await page.setInputFiles('#calib-file', slowCalib);
  await page.click('#convert');
  await page.waitForFunction(() => document.getElementById('progress-stage').textContent === 'calibrating'
    && document.getElementById('progress-fill').style.width !== '0%', null, { timeout: RESULT_TIMEOUT_MS });
  const runningShot = path.join(outDir, 'serve_running.png');
  await page.screenshot({ path: runningShot });
  const progressLabel = (await page.textContent('.progress-label')).trim();
  await page.click('#cancel');
  await page.waitForSelector('#result:not(.hidden) #result-badge.cancelled', { timeout: RESULT_TIMEOUT_MS });
  const cancelled = (await page.textContent('#result-error')).trim();
  console.log(JSON.stringify({ download: file, file: download.suggestedFilename(), screenshots: [form, result, calib, io, codeShot, failedShot, runningShot],
    stats, code_mentions_model: code.includes(download.suggestedFilename()), failure, deleted_job: deletedJob,
    deleted_upload: deletedUpload, form_error: formError, progress_label: progressLabel, cancelled, problems }));
} finally {
  await browser.close();
}
