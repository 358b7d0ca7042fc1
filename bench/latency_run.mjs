#!/usr/bin/env node
// Latency of one batch-1 model in ONNX Runtime (onnxruntime-node, native CPU) or in
// the real TFLite interpreter (tests/oracles: @tensorflow/tfjs-tflite, wasm SIMD),
// for bench/latency.py. Inputs are filled with a fixed pseudo-random pattern in the
// input's own type (latency does not depend on the values).
//
//   node bench/latency_run.mjs ort|tflite MODEL --threads N --runs R --warmup W --seconds S
//
// Runs W untimed inferences (after the first, which is timed separately), then timed
// inferences until R are done or S seconds have passed (at least MIN_RUNS). Prints one
// JSON line: {"runtime", "load_ms", "first_ms", "runs", "median_ms", "mean_ms", "min_ms",
// "max_ms", "max_rss_bytes"}. Exit status 0 ok, 1 error, 2 usage.
//
// ORT session: intraOpNumThreads N, interOpNumThreads 1, graphOptimizationLevel 'all',
// sequential execution. TFLite: the wasm build with SIMD, threaded (pthreads on
// node:worker_threads) when N > 1, numThreads N; its default XNNPACK delegate is on.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORACLES = join(HERE, '..', 'tests', 'oracles');
const { parseArgs, parsePositiveInt, UsageError } = await import(join(ORACLES, 'common.mjs'));
const require = createRequire(join(ORACLES, 'package.json'));

const MIN_RUNS = 3;
const FILL_MODULUS = 251;          // prime: the fill pattern does not repeat with the row length
const FILL_FLOAT_SCALE = 1 / 251;  // floats in [0, 1), as a /255 image

const TYPED = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array };
const prod = (a) => a.reduce((x, y) => x * y, 1);
const parseShape = (s) => (s === '' ? [] : String(s).split(',').map(Number));
const infos = (vec) => Array.from({ length: vec.size() }, (_, i) => vec.get(i));

function fill(arr) {
  const isFloat = arr instanceof Float32Array;
  for (let i = 0; i < arr.length; i++) {
    const v = (i * 7919) % FILL_MODULUS;
    arr[i] = isFloat ? v * FILL_FLOAT_SCALE : (arr instanceof Int8Array ? v - 128 : v);
  }
  return arr;
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return {
    runs: s.length, median_ms: median, mean_ms: s.reduce((a, b) => a + b, 0) / s.length,
    min_ms: s[0], max_ms: s[s.length - 1],
  };
}

async function timeLoop(infer, { runs, warmup, seconds }) {
  let t = performance.now();
  await infer();
  const first = performance.now() - t;
  for (let i = 0; i < warmup; i++) await infer();
  const times = [];
  const start = performance.now();
  while (times.length < MIN_RUNS || (times.length < runs && performance.now() - start < seconds * 1000)) {
    t = performance.now();
    await infer();
    times.push(performance.now() - t);
  }
  return { first_ms: first, ...stats(times) };
}

async function ort(model, opts) {
  const ortm = require('onnxruntime-node');
  const t0 = performance.now();
  const session = await ortm.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
    intraOpNumThreads: opts.threads, interOpNumThreads: 1, logSeverityLevel: 3,
  });
  const load = performance.now() - t0;
  const feeds = {};
  for (const name of session.inputNames) {
    const meta = session.inputMetadata?.find?.((m) => m.name === name);
    const shape = meta?.shape ?? null;
    if (!shape || shape.some((d) => typeof d !== 'number' || d < 1)) {
      throw new Error(`input ${name}: shape ${JSON.stringify(shape)} is not fixed; latency needs a fixed shape`);
    }
    if (meta.type !== 'float32') throw new Error(`input ${name}: type ${meta.type}, only float32 inputs are filled`);
    feeds[name] = new ortm.Tensor('float32', fill(new Float32Array(prod(shape))), shape);
  }
  const r = await timeLoop(() => session.run(feeds), opts);
  return { runtime: `onnxruntime-node ${ortm.env.versions?.common ?? ''}`.trim(), load_ms: load, ...r };
}

async function tflite(model, opts) {
  const { loadTfliteWasm } = await import(join(ORACLES, 'tflite_run.mjs'));
  const lines = [];
  const t0 = performance.now();
  const { module, runtime } = await loadTfliteWasm({ threads: opts.threads, log: (s) => lines.push(String(s)) });
  const bytes = readFileSync(model);
  const ptr = module._malloc(bytes.length);  // the runner keeps pointing into it: never freed
  module.HEAPU8.set(bytes, ptr);
  const status = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: opts.threads, enableProfiling: false, maxProfilingBufferEntries: 16,
  });
  if (!status.ok()) throw new Error(`TFLite could not load ${model}: ${status.errorMessage()}`);
  const runner = status.value();
  const load = performance.now() - t0;
  for (const inp of infos(runner.GetInputs())) {
    if (!TYPED[inp.dataType]) throw new Error(`input ${inp.name}: type ${inp.dataType} is not filled`);
    const data = inp.data();
    if (data.length !== prod(parseShape(inp.shape))) throw new Error(`input ${inp.name}: buffer size mismatch`);
    fill(data);
  }
  const infer = () => {
    if (!runner.Infer()) throw new Error(`Infer() failed: ${lines.filter((l) => /ERROR/.test(l)).join(' | ')}`);
  };
  const r = await timeLoop(infer, opts);
  return { runtime: `${runtime.package} ${runtime.version} ${runtime.variant}`, load_ms: load, ...r };
}

async function main(argv) {
  const a = parseArgs(argv, { options: ['threads', 'runs', 'warmup', 'seconds'] });
  if (a._.length !== 2 || !['ort', 'tflite'].includes(a._[0])) {
    throw new UsageError('expected: ort|tflite MODEL');
  }
  const opts = {
    threads: parsePositiveInt(a.threads ?? '1', '--threads'),
    runs: parsePositiveInt(a.runs ?? '50', '--runs'),
    warmup: a.warmup === undefined || a.warmup === '0' ? Number(a.warmup ?? 0) : parsePositiveInt(a.warmup, '--warmup'),
    seconds: Number(a.seconds ?? '10'),
  };
  if (!(opts.seconds > 0)) throw new UsageError(`--seconds must be a positive number, got '${a.seconds}'`);
  const r = await (a._[0] === 'ort' ? ort : tflite)(a._[1], opts);
  r.threads = opts.threads;
  r.max_rss_bytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(r) + '\n');
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  process.stderr.write(`latency_run: ${err.message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
