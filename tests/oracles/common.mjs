// Small helpers shared by the oracle CLIs (argument parsing, file naming).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export class UsageError extends Error {}

// Parse argv against a spec: { flags: Set of boolean flags, options: Set of
// value options, repeat: Set of repeatable value options }. Accepts
// `--opt value` and `--opt=value`; everything not starting with `--` is
// positional (a lone `--` ends option parsing).
export function parseArgs(argv, { flags = [], options = [], repeat = [] }) {
  const F = new Set(flags);
  const O = new Set(options);
  const R = new Set(repeat);
  const out = { _: [] };
  for (const r of R) out[r] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out._.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = (eq >= 0 ? a.slice(2, eq) : a.slice(2));
    if (F.has(key)) {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      out[key] = true;
      continue;
    }
    if (O.has(key) || R.has(key)) {
      let v;
      if (eq >= 0) v = a.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`--${key} needs a value`);
        v = argv[++i];
      }
      if (R.has(key)) out[key].push(v);
      else {
        if (key in out) throw new UsageError(`--${key} given twice`);
        out[key] = v;
      }
      continue;
    }
    throw new UsageError(`unknown option ${a}`);
  }
  return out;
}

export function parsePositiveInt(s, what) {
  if (!/^[0-9]+$/.test(String(s)) || Number(s) < 1) throw new UsageError(`${what} must be a positive integer, got '${s}'`);
  return Number(s);
}

// Split "NAME=FILE". Tensor names may themselves contain '=', so prefer the
// split whose left part is a known name; otherwise split at the first '='.
export function splitAssignment(spec, knownNames) {
  const known = new Set(knownNames);
  for (let i = spec.indexOf('='); i >= 0; i = spec.indexOf('=', i + 1)) {
    if (known.has(spec.slice(0, i))) return [spec.slice(0, i), spec.slice(i + 1)];
  }
  const i = spec.indexOf('=');
  if (i <= 0 || i === spec.length - 1) throw new UsageError(`expected NAME=FILE.npy, got '${spec}'`);
  return [spec.slice(0, i), spec.slice(i + 1)];
}

// File-system-safe, unique (case-insensitively) base names for tensor names:
// characters outside [A-Za-z0-9._-] become '_', leading dots are dropped,
// an empty result becomes "output"; a clash gets "_<position>" appended.
export function sanitisedNames(names) {
  const used = new Set();
  return names.map((name, i) => {
    let base = String(name).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
    if (base === '') base = 'output';
    if (base.length > 200) base = base.slice(0, 200);
    let cand = base;
    for (let k = 0; used.has(cand.toLowerCase()); k++) cand = k === 0 ? `${base}_${i}` : `${base}_${i}_${k}`;
    used.add(cand.toLowerCase());
    return cand;
  });
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function outPath(dir, base) {
  return join(dir, `${base}.npy`);
}

// Run main(); print errors as one line on stderr; exit 2 for usage errors, 1 otherwise.
export function runMain(main, usage) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code ?? 0),
    (e) => {
      if (e instanceof UsageError) {
        process.stderr.write(`error: ${e.message}\n${usage}`);
        process.exit(2);
      }
      process.stderr.write(`error: ${e && e.message ? e.message : e}\n`);
      if (process.env.ORACLE_DEBUG) process.stderr.write(`${e && e.stack}\n`);
      process.exit(1);
    },
  );
}

// JSON with 2-space indentation, but arrays of scalars kept on one line.
export function toJson(value) {
  return JSON.stringify(value, null, 2).replace(/\[\n\s+([^[\]{}]*?)\n\s*\]/g, (_, inner) => `[${inner.split(/,\n\s+/).join(', ')}]`);
}
