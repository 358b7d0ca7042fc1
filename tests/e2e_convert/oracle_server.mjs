#!/usr/bin/env node
// Long-lived driver for the two oracles of tests/oracles/ (ONNX Runtime and
// the real TFLite interpreter in WebAssembly), so that hundreds of tiny models
// do not each pay a Node start-up and a wasm compile (~0.4 s).
//
//   node oracle_server.mjs            # one JSON request per stdin line,
//                                     # one JSON answer per stdout line
//
// Requests:
//   {"kind": "tflite", "model": PATH, "inputs": [[NAME_OR_INDEX, NPY], ...], "out": DIR}
//   {"kind": "ort",    "model": PATH, "inputs": [[NAME, NPY], ...],          "out": DIR}
//   {"kind": "inspect", "model": PATH}        (TFLite I/O tensors, no run)
// Answers: {"ok": true, "inputs": [...], "outputs": [{name, dtype, shape, file}], ...}
//       or {"ok": false, "error": "..."}.
//
// It uses the oracles' own pieces (loadTfliteWasm from tflite_run.mjs, npy.mjs,
// onnxruntime-node as onnx_run.mjs sets it up) with the same strict rules: the
// .npy dtype and shape must equal the tensor's. After any TFLite failure the
// process answers and then exits (a failed TFLite call can leave the wasm
// instance unusable); the Python side starts a new one.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORACLES = join(HERE, '..', 'oracles');
const { loadTfliteWasm } = await import(join(ORACLES, 'tflite_run.mjs'));
const { readNpy, writeNpy } = await import(join(ORACLES, 'npy.mjs'));
const { sanitisedNames, ensureDir, outPath } = await import(join(ORACLES, 'common.mjs'));
const require = createRequire(join(ORACLES, 'package.json'));

const TYPED = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, bool: Uint8Array };
const ORT_TYPED = {
  float32: Float32Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};

let tfl = null; // { module, runtime, log }
let ort = null;

async function tflite() {
  if (!tfl) {
    const lines = [];
    const { module, runtime } = await loadTfliteWasm({ threads: 1, log: (s) => lines.push(String(s)) });
    tfl = { module, runtime, lines };
  }
  return tfl;
}

const parseShape = (s) => (s === '' ? [] : String(s).split(',').map(Number));
const infos = (vec) => Array.from({ length: vec.size() }, (_, i) => vec.get(i));

class FatalError extends Error {}

async function runTflite(req) {
  const { module, lines } = await tflite();
  lines.length = 0;
  const bytes = readFileSync(req.model);
  const ptr = module._malloc(bytes.length);
  module.HEAPU8.set(bytes, ptr);
  const status = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 4096,
  });
  if (!status.ok()) {
    const errs = [...new Set(lines.filter((l) => /ERROR/.test(l)))];
    throw new FatalError(`TFLite could not load ${req.model}: ${status.errorMessage()}${errs.length ? ` | ${errs.join(' | ')}` : ''}`);
  }
  const runner = status.value();
  try {
    return runInner(req, module, lines, runner);
  } finally {
    try { runner.delete(); module._free(ptr); } catch { /* the process exits after fatal errors anyway */ }
  }
}

function runInner(req, module, lines, runner) {
  const inputs = infos(runner.GetInputs());
  const outputs = infos(runner.GetOutputs());
  const describe = (t, i) => ({ index: i, name: t.name, dtype: t.dataType, shape: parseShape(t.shape) });
  const answer = { ok: true, inputs: inputs.map(describe), outputs: outputs.map(describe) };
  if (req.kind === 'inspect') return answer;
  const names = inputs.map((t) => t.name);
  const files = new Map();
  for (const [key, file] of req.inputs) {
    let idx = names.indexOf(String(key));
    if (idx < 0 && typeof key === 'number' && key < inputs.length) idx = key;
    if (idx < 0) throw new Error(`model has no input '${key}' (inputs: ${names.map((n, i) => `${i}=${n}`).join(', ')})`);
    files.set(idx, file);
  }
  inputs.forEach((t, i) => {
    if (!files.has(i)) throw new Error(`no data for input ${i} (${t.name})`);
    const arr = readNpy(files.get(i));
    const shape = parseShape(t.shape);
    if (!(t.dataType in TYPED)) throw new Error(`input ${i} (${t.name}) has type '${t.dataType}', which the tfjs-tflite API cannot set`);
    if (arr.dtype !== t.dataType) throw new Error(`input ${i} (${t.name}): model wants ${t.dataType}, data is ${arr.dtype}`);
    if (arr.shape.length !== shape.length || arr.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`input ${i} (${t.name}): model shape [${shape}], data has [${arr.shape}]`);
    }
    const view = t.data();
    if (view.length !== arr.data.length) throw new Error(`input ${i} (${t.name}): tensor holds ${view.length} elements, data ${arr.data.length}`);
    view.set(arr.data);
  });
  if (!runner.Infer()) {
    const errs = lines.filter((l) => /ERROR/.test(l));
    throw new FatalError(`TFLite Infer() failed${errs.length ? `: ${errs.join(' | ')}` : ''}`);
  }
  ensureDir(req.out);
  const bases = sanitisedNames(outputs.map((t) => t.name));
  answer.outputs = outputs.map((t, i) => {
    const Typed = TYPED[t.dataType];
    const d = describe(t, i);
    if (!Typed) return { ...d, file: null, error: `type '${t.dataType}' cannot be read through the tfjs-tflite API` };
    const data = new Typed(t.data());
    const file = outPath(req.out, bases[i]);
    writeNpy(file, { dtype: t.dataType, shape: d.shape, data });
    return { ...d, file: resolve(file) };
  });
  const nodes = {};
  const prof = runner.GetProfilingResults();
  for (let i = 0; i < prof.size(); i++) {
    const p = prof.get(i);
    nodes[p.nodeType] = (nodes[p.nodeType] ?? 0) + 1;
  }
  answer.executed_nodes = nodes;
  return answer;
}

async function runOrt(req) {
  if (!ort) ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(readFileSync(req.model), {
    executionProviders: ['cpu'], graphOptimizationLevel: req.opt ?? 'all', logSeverityLevel: 3,
    intraOpNumThreads: req.threads ?? 1, interOpNumThreads: 1,
  });
  try {
    const feeds = {};
    const given = new Map(req.inputs.map(([k, f]) => [String(k), f]));
    session.inputNames.forEach((name, i) => {
      const file = given.get(name) ?? given.get(String(i));
      if (!file) throw new Error(`no data for ONNX input '${name}'`);
      const arr = readNpy(file);
      feeds[name] = new ort.Tensor(arr.dtype, arr.data, arr.shape);
    });
    const results = await session.run(feeds);
    ensureDir(req.out);
    const bases = sanitisedNames([...session.outputNames]);
    const outputs = session.outputNames.map((name, i) => {
      const t = results[name];
      const Typed = ORT_TYPED[t.type];
      const shape = t.dims.map(Number);
      if (!Typed) return { name, dtype: t.type, shape, file: null, error: `dtype ${t.type} not written` };
      const file = outPath(req.out, bases[i]);
      writeNpy(file, { dtype: t.type, shape, data: new Typed(t.data) });
      return { name, dtype: t.type, shape, file: resolve(file) };
    });
    return { ok: true, outputs };
  } finally {
    await session.release();
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let answer;
  let fatal = false;
  try {
    const req = JSON.parse(line);
    if (req.kind === 'tflite' || req.kind === 'inspect') answer = await runTflite(req);
    else if (req.kind === 'ort') answer = await runOrt(req);
    else throw new Error(`unknown request kind '${req.kind}'`);
  } catch (e) {
    fatal = e instanceof FatalError || !(e instanceof Error) || e instanceof WebAssembly.RuntimeError;
    answer = { ok: false, error: String(e?.message ?? e), fatal };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (fatal) process.exit(3);
}
process.exit(0);
