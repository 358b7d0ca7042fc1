#!/usr/bin/env node
// Run a batch-1 model over every row of one .npy in ONE Node process, with the
// oracles of tests/oracles/ (the real TFLite interpreter in WebAssembly, or
// ONNX Runtime), so that thousands of images do not each pay a Node start-up,
// a wasm compile and a model load.
//
//   node batch_run.mjs tflite MODEL.tflite X.npy --out DIR [--json]
//   node batch_run.mjs ort    MODEL.onnx   X.npy --out DIR [--minmax] [--threads N]
//
// X.npy holds N rows; row i (X[i]) is the model's single input, whose shape is
// X.shape[1:] (or [1, ...X.shape[1:]] for a batch-1 input). Its dtype must be
// the input's exactly (no casts: int8 inputs get int8 data, quantized by the
// caller with the scale/zero point `tflite_run.mjs --inspect` shows).
// Output k of every run is stacked into DIR/output_<k>.npy, shape
// [N, ...output shape]. With --minmax (ORT only) nothing is stacked: the
// running minimum and maximum of every float output over all N rows is
// written to DIR/minmax.json as {name: [min, max]} (calibration ranges of
// intermediate tensors, which the caller made graph outputs).
// Prints one JSON summary line. Exit status 0 ok, 1 error, 2 usage.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORACLES = join(HERE, '..', 'oracles');
const { loadTfliteWasm } = await import(join(ORACLES, 'tflite_run.mjs'));
const { readNpy, writeNpy } = await import(join(ORACLES, 'npy.mjs'));
const { parseArgs, ensureDir } = await import(join(ORACLES, 'common.mjs'));
const require = createRequire(join(ORACLES, 'package.json'));

const TYPED = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, bool: Uint8Array };
const parseShape = (s) => (s === '' ? [] : String(s).split(',').map(Number));
const infos = (vec) => Array.from({ length: vec.size() }, (_, i) => vec.get(i));
const prod = (a) => a.reduce((x, y) => x * y, 1);

function usage(msg) {
  process.stderr.write(`batch_run: ${msg}\nusage: batch_run.mjs tflite|ort MODEL X.npy --out DIR [--minmax] [--threads N]\n`);
  process.exit(2);
}

function rowShape(x, want, what) {
  const row = x.shape.slice(1);
  const same = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!(same(row, want) || (want[0] === 1 && same(row, want.slice(1))))) {
    throw new Error(`${what}: model input shape [${want}], rows of the data are [${row}]`);
  }
}

async function runTflite(model, x, out) {
  const lines = [];
  const { module, runtime } = await loadTfliteWasm({ threads: 1, log: (s) => lines.push(String(s)) });
  const bytes = readFileSync(model);
  const ptr = module._malloc(bytes.length);
  module.HEAPU8.set(bytes, ptr);
  const status = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 16,
  });
  if (!status.ok()) throw new Error(`TFLite could not load ${model}: ${status.errorMessage()} ${lines.filter((l) => /ERROR/.test(l)).join(' | ')}`);
  const runner = status.value();
  const inputs = infos(runner.GetInputs());
  if (inputs.length !== 1) throw new Error(`the model has ${inputs.length} inputs; batch_run handles one`);
  const inp = inputs[0];
  if (inp.dataType !== x.dtype) throw new Error(`model input is ${inp.dataType}, data is ${x.dtype}`);
  rowShape(x, parseShape(inp.shape), 'tflite');
  const n = x.shape[0];
  const rowLen = prod(x.shape.slice(1));
  let outs = null;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    infos(runner.GetInputs())[0].data().set(x.data.subarray(i * rowLen, (i + 1) * rowLen));
    if (!runner.Infer()) throw new Error(`Infer() failed on row ${i}: ${lines.filter((l) => /ERROR/.test(l)).join(' | ')}`);
    const outputs = infos(runner.GetOutputs());
    if (!outs) {
      outs = outputs.map((t) => {
        const Typed = TYPED[t.dataType];
        if (!Typed) throw new Error(`output ${t.name} has type ${t.dataType}, not readable`);
        const shape = parseShape(t.shape);
        return { name: t.name, dtype: t.dataType, shape, len: prod(shape), data: new Typed(n * prod(shape)) };
      });
    }
    outputs.forEach((t, k) => outs[k].data.set(t.data(), i * outs[k].len));
  }
  return { runtime: runtime.variant ?? runtime, ms: Date.now() - t0, outputs: write(outs, n, out) };
}

function write(outs, n, out) {
  ensureDir(out);
  return outs.map((o, k) => {
    const file = join(out, `output_${k}.npy`);
    writeNpy(file, { dtype: o.dtype, shape: [n, ...o.shape], data: o.data });
    return { name: o.name, dtype: o.dtype, shape: [n, ...o.shape], file: resolve(file) };
  });
}

async function runOrt(model, x, out, { minmax, threads }) {
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(readFileSync(model), {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3,
    intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  if (session.inputNames.length !== 1) throw new Error('batch_run handles one input');
  const name = session.inputNames[0];
  const n = x.shape[0];
  const shape = [1, ...x.shape.slice(1)];
  const rowLen = prod(shape);
  let outs = null;
  const ranges = {};
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const feeds = { [name]: new ort.Tensor(x.dtype, x.data.slice(i * rowLen, (i + 1) * rowLen), shape) };
    const results = await session.run(feeds);
    if (minmax) {
      for (const oname of session.outputNames) {
        const t = results[oname];
        if (t.type !== 'float32') continue;
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of t.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
        const r = ranges[oname] ?? (ranges[oname] = [Infinity, -Infinity]);
        if (lo < r[0]) r[0] = lo;
        if (hi > r[1]) r[1] = hi;
      }
      continue;
    }
    if (!outs) {
      outs = session.outputNames.map((o) => {
        const t = results[o];
        const Typed = TYPED[t.type];
        if (!Typed) throw new Error(`output ${o} has type ${t.type}`);
        const s = t.dims.map(Number);
        return { name: o, dtype: t.type, shape: s, len: prod(s), data: new Typed(n * prod(s)) };
      });
    }
    session.outputNames.forEach((o, k) => outs[k].data.set(results[o].data, i * outs[k].len));
  }
  await session.release();
  if (minmax) {
    ensureDir(out);
    const file = join(out, 'minmax.json');
    writeFileSync(file, JSON.stringify(ranges));
    return { ms: Date.now() - t0, minmax: resolve(file), tensors: Object.keys(ranges).length };
  }
  return { ms: Date.now() - t0, outputs: write(outs, n, out) };
}

const args = parseArgs(process.argv.slice(2), { flags: ['minmax', 'json'], options: ['out', 'threads'] });
const [kind, model, data] = args._;
if (!['tflite', 'ort'].includes(kind) || !model || !data || !args.out) usage('give tflite|ort MODEL X.npy --out DIR');
try {
  const x = readNpy(data);
  const summary = kind === 'tflite'
    ? await runTflite(model, x, args.out)
    : await runOrt(model, x, args.out, { minmax: !!args.minmax, threads: Number(args.threads ?? 1) });
  process.stdout.write(`${JSON.stringify({ ok: true, kind, model, rows: x.shape[0], ...summary })}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`batch_run: error: ${e?.message ?? e}\n`);
  process.exit(1);
}
