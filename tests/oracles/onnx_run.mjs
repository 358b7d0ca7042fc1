#!/usr/bin/env node
// Reference runner: ONNX Runtime (CPU execution provider) via onnxruntime-node.
//
//   node onnx_run.mjs MODEL.onnx [--input NAME=FILE.npy ...] [FILE.npy ...] --out DIR
//                     [--threads N] [--opt disabled|basic|extended|all] [--json]
//
// Inputs are given by name (--input) and/or positionally (filling the model's
// inputs not named, in model input order). The .npy dtype must equal the
// model's input type exactly (no silent casts) and its shape must match every
// fixed dimension. Each output is written as DIR/<sanitised output name>.npy.
// Prints a summary (with --json: one JSON object on stdout).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { readNpy, writeNpy, SUPPORTED_DTYPES } from './npy.mjs';
import { parseArgs, parsePositiveInt, splitAssignment, sanitisedNames, ensureDir, outPath, runMain, toJson, UsageError } from './common.mjs';

const USAGE = `usage: node onnx_run.mjs MODEL.onnx [--input NAME=FILE.npy ...] [FILE.npy ...] --out DIR
                         [--threads N] [--opt disabled|basic|extended|all] [--json]
`;

const require = createRequire(import.meta.url);
const ORT_TYPED = {
  float32: Float32Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

function shapeCompatible(modelShape, shape) {
  if (!modelShape || modelShape.length === 0) return true; // unknown rank or scalar: let ORT decide
  if (modelShape.length !== shape.length) return false;
  return modelShape.every((d, i) => typeof d !== 'number' || d < 0 || d === shape[i]);
}

async function main(argv) {
  const args = parseArgs(argv, { flags: ['json', 'help'], options: ['out', 'threads', 'opt'], repeat: ['input'] });
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [modelPath, ...positional] = args._;
  if (!modelPath) throw new UsageError('missing MODEL.onnx');
  if (!args.out) throw new UsageError('missing --out DIR');
  const opt = args.opt ?? 'all';
  if (!['disabled', 'basic', 'extended', 'all'].includes(opt)) throw new UsageError(`--opt must be disabled|basic|extended|all, got '${opt}'`);

  const ort = require('onnxruntime-node');
  const sessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: opt, logSeverityLevel: 3 };
  if (args.threads) {
    sessionOptions.intraOpNumThreads = parsePositiveInt(args.threads, '--threads');
    sessionOptions.interOpNumThreads = 1;
  }
  const session = await ort.InferenceSession.create(readFileSync(modelPath), sessionOptions);
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  const inMeta = new Map((session.inputMetadata ?? []).map((m) => [m.name, m]));

  // Assign files to inputs.
  const files = new Map();
  for (const spec of args.input) {
    const [name, file] = splitAssignment(spec, inputNames);
    if (!inputNames.includes(name)) throw new UsageError(`model has no input '${name}' (inputs: ${inputNames.join(', ')})`);
    if (files.has(name)) throw new UsageError(`input '${name}' given twice`);
    files.set(name, file);
  }
  const unassigned = inputNames.filter((n) => !files.has(n));
  if (positional.length > unassigned.length) {
    throw new UsageError(`${positional.length} positional input file(s) but only ${unassigned.length} unassigned model input(s)`);
  }
  positional.forEach((file, i) => files.set(unassigned[i], file));
  const missing = inputNames.filter((n) => !files.has(n));
  if (missing.length) throw new UsageError(`no data for model input(s): ${missing.join(', ')}`);

  const feeds = {};
  const inputsSummary = [];
  for (const name of inputNames) {
    const file = files.get(name);
    const arr = readNpy(file);
    const meta = inMeta.get(name);
    if (meta && meta.isTensor) {
      if (meta.type !== arr.dtype) throw new Error(`input '${name}': model wants ${meta.type}, ${file} is ${arr.dtype}`);
      if (!shapeCompatible(meta.shape, arr.shape)) {
        throw new Error(`input '${name}': model shape [${meta.shape}] does not accept ${file} shape [${arr.shape}]`);
      }
    }
    feeds[name] = new ort.Tensor(arr.dtype, arr.data, arr.shape);
    inputsSummary.push({ name, dtype: arr.dtype, shape: arr.shape, file: resolve(file) });
  }

  const results = await session.run(feeds);
  ensureDir(args.out);
  const bases = sanitisedNames(outputNames);
  const outputsSummary = [];
  outputNames.forEach((name, i) => {
    const t = results[name];
    if (!t || t.location !== 'cpu') throw new Error(`output '${name}' is not a CPU tensor`);
    const dtype = t.type;
    if (!SUPPORTED_DTYPES.includes(dtype)) throw new Error(`output '${name}' has dtype ${dtype}, which npy.mjs does not write`);
    const Typed = ORT_TYPED[dtype];
    const data = t.data instanceof Typed ? t.data : new Typed(t.data);
    const shape = t.dims.map(Number);
    const file = outPath(args.out, bases[i]);
    writeNpy(file, { dtype, shape, data: new Typed(data) });
    outputsSummary.push({ name, dtype, shape, file: resolve(file) });
  });
  await session.release();

  const summary = {
    runtime: 'onnxruntime-node',
    version: ort.env.versions?.node ?? null,
    provider: 'cpu',
    graph_optimization: opt,
    model: resolve(modelPath),
    inputs: inputsSummary,
    outputs: outputsSummary,
  };
  if (args.json) process.stdout.write(`${toJson(summary)}\n`);
  else {
    process.stdout.write(`onnxruntime-node ${summary.version} (CPU, optimisation ${opt}): ${modelPath}\n`);
    for (const t of inputsSummary) process.stdout.write(`  in  ${t.name}: ${t.dtype} [${t.shape}] <- ${t.file}\n`);
    for (const t of outputsSummary) process.stdout.write(`  out ${t.name}: ${t.dtype} [${t.shape}] -> ${t.file}\n`);
  }
  return 0;
}

runMain(main, USAGE);
