// Minimal, strict NumPy .npy reader/writer for the test oracles.
//
// Supported: format versions 1.0 and 2.0, C order, little-endian (or
// byte-order-free) dtypes float32, float16, int8, uint8, int32, int64, bool.
// Anything else (Fortran order, big-endian, other dtypes, object arrays,
// structured dtypes, truncated or oversized data) is an error, never a guess.
//
// An array is { dtype, shape, data }:
//   dtype  'float32' | 'float16' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool'
//   shape  array of non-negative integers ([] for a 0-d array)
//   data   Float32Array | Uint16Array (float16 raw bits) | Int8Array |
//          Uint8Array | Int32Array | BigInt64Array (int64) | Uint8Array (bool, 0/1)
//
// writeNpy produces the same bytes as numpy's np.save (version 1.0 header,
// padded so the data starts on a 64-byte boundary; 2.0 only for huge headers).

import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('npy.mjs assumes a little-endian host');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGN = 64;

// dtype name -> { descr written, descrs accepted, itemsize, typed array class }
const DTYPES = {
  float32: { descr: '<f4', accept: ['<f4'], size: 4, Array: Float32Array },
  float16: { descr: '<f2', accept: ['<f2'], size: 2, Array: Uint16Array },
  int8: { descr: '|i1', accept: ['|i1', '<i1'], size: 1, Array: Int8Array },
  uint8: { descr: '|u1', accept: ['|u1', '<u1'], size: 1, Array: Uint8Array },
  int32: { descr: '<i4', accept: ['<i4'], size: 4, Array: Int32Array },
  int64: { descr: '<i8', accept: ['<i8'], size: 8, Array: BigInt64Array },
  bool: { descr: '|b1', accept: ['|b1', '<b1'], size: 1, Array: Uint8Array },
};
const DESCR_TO_DTYPE = new Map();
for (const [name, d] of Object.entries(DTYPES)) for (const a of d.accept) DESCR_TO_DTYPE.set(a, name);

export const SUPPORTED_DTYPES = Object.freeze(Object.keys(DTYPES));

export function dtypeInfo(dtype) {
  const d = DTYPES[dtype];
  if (!d) throw new Error(`npy: unsupported dtype '${dtype}' (supported: ${SUPPORTED_DTYPES.join(', ')})`);
  return d;
}

export function numElements(shape) {
  let n = 1;
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new Error(`npy: bad dimension ${s} in shape [${shape}]`);
    n *= s;
  }
  if (!Number.isSafeInteger(n)) throw new Error(`npy: shape [${shape}] is too large`);
  return n;
}

// Parse the header dict, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
// Only this exact grammar (keys in any order, optional trailing comma, spaces) is accepted.
function parseHeader(text, where) {
  const t = text.replace(/[ \n]+$/, '');
  const m = /^\{(.*)\}$/s.exec(t.trim());
  if (!m) throw new Error(`npy: ${where}: header is not a dict: ${JSON.stringify(text)}`);
  let rest = m[1];
  const out = {};
  const item = /^\s*'([a-z_]+)'\s*:\s*('(?:[^'\\])*'|True|False|\([0-9,\s]*\))\s*(,|$)/;
  while (rest.trim() !== '') {
    const im = item.exec(rest);
    if (!im) throw new Error(`npy: ${where}: cannot parse header near ${JSON.stringify(rest)}`);
    const [all, key, raw, comma] = im;
    if (key in out) throw new Error(`npy: ${where}: duplicate header key '${key}'`);
    out[key] = raw;
    rest = rest.slice(all.length);
    if (comma === '' && rest.trim() !== '') throw new Error(`npy: ${where}: missing comma in header`);
  }
  const keys = Object.keys(out).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') throw new Error(`npy: ${where}: header keys must be descr, fortran_order, shape (got ${keys})`);
  if (!out.descr.startsWith("'")) throw new Error(`npy: ${where}: descr must be a string (structured dtypes are not supported)`);
  const descr = out.descr.slice(1, -1);
  if (out.fortran_order === 'True') throw new Error(`npy: ${where}: Fortran-order arrays are not supported`);
  if (out.fortran_order !== 'False') throw new Error(`npy: ${where}: fortran_order must be True or False`);
  if (!out.shape.startsWith('(')) throw new Error(`npy: ${where}: shape must be a tuple`);
  const inner = out.shape.slice(1, -1).trim();
  let shape = [];
  if (inner !== '') {
    const parts = inner.split(',').map((s) => s.trim());
    if (parts[parts.length - 1] === '') parts.pop();
    if (parts.length === 1 && !/,\s*$/.test(inner)) throw new Error(`npy: ${where}: a 1-d shape needs a trailing comma: (${inner})`);
    shape = parts.map((p) => {
      if (!/^[0-9]+$/.test(p)) throw new Error(`npy: ${where}: bad dimension '${p}' in shape`);
      return Number(p);
    });
  }
  const dtype = DESCR_TO_DTYPE.get(descr);
  if (!dtype) {
    const hint = descr.startsWith('>') ? ' (big-endian data is not supported)' : '';
    throw new Error(`npy: ${where}: unsupported dtype descr '${descr}'${hint}; supported: ${[...DESCR_TO_DTYPE.keys()].join(' ')}`);
  }
  return { dtype, shape };
}

// Parse .npy bytes (Buffer or Uint8Array). `where` is used in error messages.
export function parseNpy(bytes, where = '<buffer>') {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error(`npy: ${where}: not a .npy file (bad magic)`);
  const major = buf[6];
  const minor = buf[7];
  let headerLen;
  let start;
  if (major === 1 && minor === 0) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2 && minor === 0) {
    if (buf.length < 12) throw new Error(`npy: ${where}: truncated header`);
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    throw new Error(`npy: ${where}: unsupported format version ${major}.${minor} (only 1.0 and 2.0)`);
  }
  const dataStart = start + headerLen;
  if (dataStart > buf.length) throw new Error(`npy: ${where}: truncated header`);
  const headerText = buf.subarray(start, dataStart).toString('latin1');
  if (!headerText.endsWith('\n')) throw new Error(`npy: ${where}: header does not end with a newline`);
  const { dtype, shape } = parseHeader(headerText, where);
  const info = DTYPES[dtype];
  const n = numElements(shape);
  const nbytes = n * info.size;
  const have = buf.length - dataStart;
  if (have !== nbytes) {
    throw new Error(`npy: ${where}: data has ${have} bytes, expected ${nbytes} for ${dtype} shape [${shape}]`);
  }
  // Copy into a fresh, aligned ArrayBuffer (the data offset may not be aligned).
  const ab = new ArrayBuffer(nbytes);
  new Uint8Array(ab).set(buf.subarray(dataStart, dataStart + nbytes));
  const data = new info.Array(ab);
  if (dtype === 'bool') {
    for (let i = 0; i < data.length; i++) {
      if (data[i] > 1) throw new Error(`npy: ${where}: bool element ${i} has byte value ${data[i]} (expected 0 or 1)`);
    }
  }
  return { dtype, shape, data };
}

export function readNpy(path) {
  return parseNpy(readFileSync(path), path);
}

function shapeRepr(shape) {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

// Serialise to .npy bytes, exactly as np.save would.
export function formatNpy({ dtype, shape, data }) {
  const info = dtypeInfo(dtype);
  if (!Array.isArray(shape)) throw new Error('npy: shape must be an array');
  const n = numElements(shape);
  if (!(data instanceof info.Array)) {
    throw new Error(`npy: data for dtype ${dtype} must be a ${info.Array.name}, got ${data?.constructor?.name}`);
  }
  if (data.length !== n) throw new Error(`npy: data has ${data.length} elements, shape [${shape}] needs ${n}`);
  if (dtype === 'bool') {
    for (let i = 0; i < data.length; i++) {
      if (data[i] > 1) throw new Error(`npy: bool element ${i} is ${data[i]} (expected 0 or 1)`);
    }
  }
  let dict = `{'descr': '${info.descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  // numpy leaves room to grow the first axis in place (GROWTH_AXIS_MAX_DIGITS = 21).
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  let version = 1;
  let prefix = 10;
  const hlen = dict.length + 1;
  // Like numpy: 1..64 spaces, so the data starts on a 64-byte boundary.
  let pad = ALIGN - ((prefix + hlen) % ALIGN);
  if (hlen + pad > 0xffff) {
    version = 2;
    prefix = 12;
    pad = ALIGN - ((prefix + hlen) % ALIGN);
  }
  const header = dict + ' '.repeat(pad) + '\n';
  const out = Buffer.alloc(prefix + header.length + n * info.size);
  MAGIC.copy(out, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, prefix, 'latin1');
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  raw.copy(out, prefix + header.length);
  return out;
}

export function writeNpy(path, arr) {
  writeFileSync(path, formatNpy(arr));
}

// float16 bits <-> float32 helpers (round-to-nearest-even on the way down).
export function float16BitsToFloat32(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 0x1f) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

export function float32ToFloat16Bits(values) {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); continue; }
    let e = exp - 127 + 15;
    if (e >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      mant |= 0x800000;
      const shift = 14 - e;
      let h = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && (h & 1))) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // may carry into exponent: still correct
    out[i] = sign | h;
  }
  return out;
}
