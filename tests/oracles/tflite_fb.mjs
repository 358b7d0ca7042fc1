// Read-only peek into a .tflite flatbuffer: what the tfjs-tflite WebAssembly
// API does not expose (quantization parameters, shape signatures, operator
// codes, description). Hand-written against the field numbering of the public
// TFLite schema; only the few fields the oracles need are decoded.

const TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8',
  'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4', 'bfloat16',
];

class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(pos, n) {
    if (pos < 0 || pos + n > this.b.length) throw new Error(`tflite flatbuffer: read past end (offset ${pos})`);
  }
  u8(p) { this.check(p, 1); return this.v.getUint8(p); }
  i8(p) { this.check(p, 1); return this.v.getInt8(p); }
  u16(p) { this.check(p, 2); return this.v.getUint16(p, true); }
  i32(p) { this.check(p, 4); return this.v.getInt32(p, true); }
  u32(p) { this.check(p, 4); return this.v.getUint32(p, true); }
  f32(p) { this.check(p, 4); return this.v.getFloat32(p, true); }
  i64(p) { this.check(p, 8); return this.v.getBigInt64(p, true); }
  // Position of field `slot` of the table at `t`, or 0 when absent.
  field(t, slot) {
    const vt = t - this.i32(t);
    const vsize = this.u16(vt);
    const o = 4 + 2 * slot;
    if (o >= vsize) return 0;
    const off = this.u16(vt + o);
    return off ? t + off : 0;
  }
  deref(p) { return p + this.u32(p); }
  table(t, slot) { const p = this.field(t, slot); return p ? this.deref(p) : 0; }
  scalar(t, slot, kind, dflt) { const p = this.field(t, slot); return p ? this[kind](p) : dflt; }
  vec(t, slot) {
    const p = this.field(t, slot);
    if (!p) return null;
    const v = this.deref(p);
    return { len: this.u32(v), start: v + 4 };
  }
  str(t, slot) {
    const v = this.vec(t, slot);
    if (!v) return null;
    this.check(v.start, v.len);
    return new TextDecoder().decode(this.b.subarray(v.start, v.start + v.len));
  }
  ints(t, slot) {
    const v = this.vec(t, slot);
    return v ? Array.from({ length: v.len }, (_, i) => this.i32(v.start + 4 * i)) : null;
  }
  floats(t, slot) {
    const v = this.vec(t, slot);
    return v ? Array.from({ length: v.len }, (_, i) => this.f32(v.start + 4 * i)) : null;
  }
  longs(t, slot) {
    const v = this.vec(t, slot);
    return v ? Array.from({ length: v.len }, (_, i) => Number(this.i64(v.start + 8 * i))) : null;
  }
  tables(t, slot) {
    const v = this.vec(t, slot);
    return v ? Array.from({ length: v.len }, (_, i) => this.deref(v.start + 4 * i)) : [];
  }
}

// Returns { version, description, operatorCodes: [{builtin, custom, version}],
//   subgraphs: [{ name, inputs, outputs, operatorCount, tensors: [{ index, name, dtype, shape,
//   shapeSignature, isConstant, quantization: null | {scale, zero_point, quantized_dimension} }] }] }
export function readTflite(bytes) {
  const r = new Reader(bytes);
  if (bytes.length < 8) throw new Error('tflite flatbuffer: file too small');
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new Error(`tflite flatbuffer: file identifier is '${ident}', expected 'TFL3'`);
  const model = r.deref(0);
  const buffers = r.tables(model, 4);
  const bufferHasData = (i) => {
    if (i <= 0 || i >= buffers.length) return false;
    const v = r.vec(buffers[i], 0);
    return (v && v.len > 0) || r.scalar(buffers[i], 1, 'u32', 0) > 1; // data, or external offset
  };
  const operatorCodes = r.tables(model, 1).map((oc) => ({
    builtin: Math.max(r.scalar(oc, 0, 'i8', 0), r.scalar(oc, 3, 'i32', 0)),
    custom: r.str(oc, 1),
    version: r.scalar(oc, 2, 'i32', 1),
  }));
  const subgraphs = r.tables(model, 2).map((sg) => ({
    name: r.str(sg, 4),
    inputs: r.ints(sg, 1) ?? [],
    outputs: r.ints(sg, 2) ?? [],
    operatorCount: r.tables(sg, 3).length,
    tensors: r.tables(sg, 0).map((t, index) => {
      const q = r.table(t, 4);
      let quantization = null;
      if (q) {
        const scale = r.floats(q, 2);
        const zp = r.longs(q, 3);
        if (scale && scale.length) {
          quantization = { scale, zero_point: zp ?? [], quantized_dimension: r.scalar(q, 6, 'i32', 0) };
        }
      }
      const type = r.scalar(t, 1, 'i8', 0);
      return {
        index,
        name: r.str(t, 3),
        dtype: TENSOR_TYPES[type] ?? `type${type}`,
        shape: r.ints(t, 0) ?? [],
        shapeSignature: r.ints(t, 7),
        isConstant: bufferHasData(r.scalar(t, 2, 'u32', 0)),
        quantization,
      };
    }),
  }));
  return {
    version: r.scalar(model, 0, 'u32', 0),
    description: r.str(model, 3),
    operatorCodes,
    subgraphs,
  };
}
