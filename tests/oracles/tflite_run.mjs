#!/usr/bin/env node
// Reference runner: the real TensorFlow Lite interpreter (with its XNNPACK
// default delegate), compiled to WebAssembly, as shipped in
// @tensorflow/tfjs-tflite@0.0.1-alpha.10 (wasm/tflite_web_api_cc*.{js,wasm}).
//
//   node tflite_run.mjs MODEL.tflite [--input INDEX_OR_NAME=FILE.npy ...] [FILE.npy ...]
//                       [--out DIR] [--threads N] [--no-simd] [--no-xnnpack]
//                       [--inspect] [--json] [--profile] [--verbose]
//
// --inspect prints JSON describing every input/output tensor (name, index,
// tensor id, dtype, shape, shape signature, quantization scale/zero point read
// from the flatbuffer) and the runtime used; it does not need --out. With
// --out, inputs are set from .npy files (dtype and shape must match exactly),
// the interpreter runs once, and each output is written as
// DIR/<sanitised tensor name>.npy. See README.md for what the API can and
// cannot do.

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { readNpy, writeNpy } from './npy.mjs';
import { readTflite } from './tflite_fb.mjs';
import {
  parseArgs, parsePositiveInt, splitAssignment, sanitisedNames, ensureDir, outPath, runMain, toJson, UsageError,
} from './common.mjs';

const USAGE = `usage: node tflite_run.mjs MODEL.tflite [--input INDEX_OR_NAME=FILE.npy ...] [FILE.npy ...]
                          [--out DIR] [--threads N] [--no-simd] [--no-xnnpack]
                          [--inspect] [--json] [--profile] [--verbose]
`;

const require = createRequire(import.meta.url);
const PKG = '@tensorflow/tfjs-tflite';

// TFLite dtypes (as named by the wasm API) that can cross the API and npy.mjs.
const TYPED = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, bool: Uint8Array };

// A minimal module using a v128 instruction: validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function wasmFeatures() {
  let simd = false;
  try { simd = WebAssembly.validate(SIMD_PROBE); } catch { simd = false; }
  let threads = false;
  try {
    threads = typeof SharedArrayBuffer === 'function'
      && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch { threads = false; }
  return { simd, threads };
}

// The threaded builds are emscripten "web" builds: they spawn pthreads with
// the browser's `new Worker(url)` and the worker script uses importScripts /
// self.onmessage. Provide just enough of that on top of node:worker_threads.
const WORKER_BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const vm = require('node:vm');
globalThis.self = globalThis;
self.location = { href: workerData.url };
globalThis.importScripts = (p) => vm.runInThisContext(fs.readFileSync(p, 'utf8'), { filename: p });
globalThis.postMessage = (m, t) => parentPort.postMessage(m, t);
parentPort.on('message', (data) => self.onmessage({ data }));
importScripts(workerData.url);
`;

async function installWorkerShim() {
  const { Worker } = await import('node:worker_threads');
  globalThis.Worker = class NodeWebWorker {
    constructor(url) {
      this.w = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { url: String(url) } });
      this.w.on('message', (data) => this.onmessage && this.onmessage({ data }));
      this.w.on('error', (e) => {
        if (this.onerror) this.onerror(e);
        else throw e;
      });
    }
    postMessage(m, t) { this.w.postMessage(m, t); }
    terminate() { this.w.terminate(); }
  };
  // Node 20 has no navigator; emscripten_num_logical_cores() reads it.
  if (typeof globalThis.navigator === 'undefined') globalThis.navigator = { hardwareConcurrency: cpus().length };
}

export async function loadTfliteWasm({ threads = 1, simd = null, log = () => {} } = {}) {
  const pkgJson = require.resolve(`${PKG}/package.json`);
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  const wasmDir = join(dirname(pkgJson), 'wasm');
  const feats = wasmFeatures();
  const useSimd = simd === null ? feats.simd : simd && feats.simd;
  const threaded = threads > 1;
  if (threaded && !feats.threads) throw new Error('--threads > 1 needs shared WebAssembly memory, which this Node lacks');
  const variant = `tflite_web_api_cc${useSimd ? '_simd' : ''}${threaded ? '_threaded' : ''}`;
  const js = join(wasmDir, `${variant}.js`);
  if (threaded) await installWorkerShim();
  const factory = require(js);
  const module = await factory({
    wasmBinary: readFileSync(join(wasmDir, `${variant}.wasm`)),
    locateFile: (p) => join(wasmDir, p),
    mainScriptUrlOrBlob: js,
    print: (s) => log(s),
    printErr: (s) => log(s),
  });
  return { module, runtime: { package: PKG, version, variant, simd: useSimd, threaded, threads, wasm_features: feats } };
}

function parseShape(s) {
  return s === '' ? [] : String(s).split(',').map(Number);
}

function tensorInfos(vec) {
  const out = [];
  for (let i = 0; i < vec.size(); i++) out.push(vec.get(i));
  return out;
}

function describe(info, index, fbTensors) {
  const fb = fbTensors?.[info.id];
  const d = {
    index,
    id: info.id,
    name: info.name,
    dtype: info.dataType,
    shape: parseShape(info.shape),
  };
  if (fb) {
    if (fb.name !== info.name) d.flatbuffer_name = fb.name;
    d.flatbuffer_dtype = fb.dtype;
    if (fb.shapeSignature && fb.shapeSignature.some((x) => x < 0)) d.shape_signature = fb.shapeSignature;
    d.quantization = fb.quantization;
  }
  d.io_supported = info.dataType in TYPED;
  return d;
}

async function main(argv) {
  const args = parseArgs(argv, {
    flags: ['inspect', 'json', 'no-simd', 'no-xnnpack', 'profile', 'verbose', 'help'],
    options: ['out', 'threads'],
    repeat: ['input'],
  });
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [modelPath, ...positional] = args._;
  if (!modelPath) throw new UsageError('missing MODEL.tflite');
  if (!args.out && !args.inspect) throw new UsageError('give --out DIR (to run) and/or --inspect');
  if (args['no-xnnpack']) {
    throw new UsageError('--no-xnnpack is not possible: this TFLite build applies XNNPACK as its default delegate and the '
      + 'wasm API (numThreads, enableProfiling, maxProfilingBufferEntries) has no switch for it; see README.md');
  }
  const threads = args.threads ? parsePositiveInt(args.threads, '--threads') : 1;

  const modelBytes = readFileSync(modelPath);
  let fb = null;
  let fbError = null;
  try { fb = readTflite(modelBytes); } catch (e) { fbError = e.message; }
  const fbTensors = fb?.subgraphs[0]?.tensors;

  const logLines = [];
  const log = (s) => {
    logLines.push(String(s));
    if (args.verbose) process.stderr.write(`[tflite] ${s}\n`);
  };
  const { module, runtime } = await loadTfliteWasm({ threads, simd: args['no-simd'] ? false : null, log });

  // The runner keeps pointing into this copy of the model: never free it.
  const ptr = module._malloc(modelBytes.length);
  module.HEAPU8.set(modelBytes, ptr);
  const status = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, modelBytes.length, {
    numThreads: threads,
    enableProfiling: true,
    maxProfilingBufferEntries: 4096,
  });
  let runner = null;
  let loadError = null;
  if (status.ok()) runner = status.value();
  else {
    const errs = logLines.filter((l) => /ERROR/.test(l));
    loadError = `${status.errorMessage()}${errs.length ? ` | ${[...new Set(errs)].join(' | ')}` : ''}`;
  }
  runtime.xnnpack = 'always on (default delegate)';

  const inputs = runner ? tensorInfos(runner.GetInputs()) : [];
  const outputs = runner ? tensorInfos(runner.GetOutputs()) : [];
  const report = {
    runtime,
    model: {
      path: resolve(modelPath),
      bytes: modelBytes.length,
      description: fb?.description ?? null,
      schema_version: fb?.version ?? null,
      subgraphs: fb?.subgraphs.length ?? null,
      operators: fb?.subgraphs[0]?.operatorCount ?? null,
      custom_ops: fb ? [...new Set(fb.operatorCodes.filter((c) => c.custom).map((c) => c.custom))] : null,
      flatbuffer_error: fbError,
    },
    loadable: runner !== null,
    load_error: loadError,
  };
  if (runner) {
    report.inputs = inputs.map((t, i) => describe(t, i, fbTensors));
    report.outputs = outputs.map((t, i) => describe(t, i, fbTensors));
  } else if (fb) {
    // Fall back to the flatbuffer's view of the I/O tensors.
    const sg = fb.subgraphs[0];
    const fromFb = (id, index) => {
      const t = sg.tensors[id];
      const d = { index, id, name: t.name, dtype: t.dtype, shape: t.shape };
      if (t.shapeSignature && t.shapeSignature.some((x) => x < 0)) d.shape_signature = t.shapeSignature;
      return { ...d, quantization: t.quantization, from: 'flatbuffer' };
    };
    report.inputs = sg.inputs.map(fromFb);
    report.outputs = sg.outputs.map(fromFb);
  }

  if (!args.out) {
    process.stdout.write(`${toJson(report)}\n`);
    return 0;
  }
  if (!runner) throw new Error(`TFLite could not load ${modelPath}: ${loadError}`);

  // Assign input files.
  const names = inputs.map((t) => t.name);
  const files = new Map(); // input position -> file
  for (const spec of args.input) {
    const [key, file] = splitAssignment(spec, names);
    let idx = names.indexOf(key);
    if (idx < 0 && /^[0-9]+$/.test(key) && Number(key) < inputs.length) idx = Number(key);
    if (idx < 0) throw new UsageError(`model has no input '${key}' (inputs: ${names.map((n, i) => `${i}=${n}`).join(', ')})`);
    if (files.has(idx)) throw new UsageError(`input ${idx} (${names[idx]}) given twice`);
    files.set(idx, file);
  }
  const free = inputs.map((_, i) => i).filter((i) => !files.has(i));
  if (positional.length > free.length) {
    throw new UsageError(`${positional.length} positional input file(s) but only ${free.length} unassigned model input(s)`);
  }
  positional.forEach((file, k) => files.set(free[k], file));
  const missing = inputs.map((_, i) => i).filter((i) => !files.has(i));
  if (missing.length) throw new UsageError(`no data for model input(s): ${missing.map((i) => `${i}=${names[i]}`).join(', ')}`);

  const inputsSummary = [];
  inputs.forEach((t, i) => {
    const file = files.get(i);
    const arr = readNpy(file);
    const shape = parseShape(t.shape);
    if (!(t.dataType in TYPED)) throw new Error(`input ${i} (${t.name}) has type '${t.dataType}', which the tfjs-tflite API cannot set`);
    if (arr.dtype !== t.dataType) throw new Error(`input ${i} (${t.name}): model wants ${t.dataType}, ${file} is ${arr.dtype}`);
    if (arr.shape.length !== shape.length || arr.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`input ${i} (${t.name}): model shape [${shape}], ${file} has [${arr.shape}] (this API cannot resize inputs)`);
    }
    const view = t.data(); // a view into wasm memory: take it fresh, right before use
    if (view.length !== arr.data.length) throw new Error(`input ${i} (${t.name}): tensor holds ${view.length} elements, file ${arr.data.length}`);
    view.set(arr.data);
    inputsSummary.push({ index: i, name: t.name, dtype: arr.dtype, shape: arr.shape, file: resolve(file) });
  });

  const t0 = process.hrtime.bigint();
  if (!runner.Infer()) {
    const errs = logLines.filter((l) => /ERROR/.test(l));
    throw new Error(`TFLite Infer() failed${errs.length ? `: ${errs.join(' | ')}` : ''}`);
  }
  const inferMs = Number(process.hrtime.bigint() - t0) / 1e6;

  ensureDir(args.out);
  const bases = sanitisedNames(outputs.map((t) => t.name));
  const outputsSummary = outputs.map((t, i) => {
    const Typed = TYPED[t.dataType];
    if (!Typed) throw new Error(`output ${i} (${t.name}) has type '${t.dataType}', which cannot be read through the tfjs-tflite API / written as .npy`);
    const data = new Typed(t.data()); // copy out of wasm memory
    const shape = parseShape(t.shape);
    const file = outPath(args.out, bases[i]);
    writeNpy(file, { dtype: t.dataType, shape, data });
    return { index: i, name: t.name, dtype: t.dataType, shape, file: resolve(file) };
  });

  const nodeTypes = {};
  const prof = runner.GetProfilingResults();
  for (let i = 0; i < prof.size(); i++) {
    const p = prof.get(i);
    nodeTypes[p.nodeType] = (nodeTypes[p.nodeType] ?? 0) + 1;
  }
  if (args.profile) process.stderr.write(`${runner.GetProfilingSummary()}\n`);

  const summary = args.inspect
    ? {
      ...report,
      inputs: report.inputs.map((d, i) => ({ ...d, file: inputsSummary[i].file })),
      outputs: report.outputs.map((d, i) => ({ ...d, file: outputsSummary[i].file })),
    }
    : { runtime, model: { path: resolve(modelPath) }, inputs: inputsSummary, outputs: outputsSummary };
  Object.assign(summary, {
    executed_nodes: nodeTypes,
    infer_ms: Math.round(inferMs * 1000) / 1000,
  });
  if (args.json || args.inspect) process.stdout.write(`${toJson(summary)}\n`);
  else {
    process.stdout.write(`TFLite (${runtime.package}@${runtime.version}, ${runtime.variant}, threads ${threads}): ${modelPath}\n`);
    for (const t of inputsSummary) process.stdout.write(`  in  ${t.index} ${t.name}: ${t.dtype} [${t.shape}] <- ${t.file}\n`);
    for (const t of outputsSummary) process.stdout.write(`  out ${t.index} ${t.name}: ${t.dtype} [${t.shape}] -> ${t.file}\n`);
    process.stdout.write(`  executed nodes: ${Object.entries(nodeTypes).map(([k, v]) => `${k}×${v}`).join(', ')}; ${summary.infer_ms} ms\n`);
  }
  return 0;
}

// Run as a program, not when imported (loadTfliteWasm / wasmFeatures are reusable).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) runMain(main, USAGE);
