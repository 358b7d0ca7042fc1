"""int8 element-wise, activation, softmax and data-movement kernels of octet's
interpreter against the real TFLite interpreter (tests/oracles, TF 2.12 in
wasm, XNNPACK always on).

Every case is a single-op int8 model written with tests/oracles/tflite_builder.py
and fed random int8 inputs (numpy, fixed seed). All models are written first,
then run in one long-lived TFLite process (tests/e2e_convert/oracle_server.mjs)
and in octet (`$OCTET_TFLITE_TOOL run`). Per op, over all its cases: the int8
outputs must be equal on >= 99.9% of the elements and never differ by more
than 1; integer (index) outputs must be equal.

    OCTET_TFLITE_TOOL=build/tests/octet_tflite_tool python3 -m pytest -q tests/e2e_int8/test_int8_elementwise.py
"""
import collections
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "oracles"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e_convert"))

from tflite_builder import TFLiteBuilder  # noqa: E402
import ec_helpers  # noqa: E402  (OracleServer: the persistent TFLite runner)

MIN_EQUAL_FRACTION = 0.999
MAX_ABS_DIFF = 1
CHANNELS = (1, 3, 7, 16, 17)
ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")

Case = collections.namedtuple("Case", "op label model inputs emulate")


# --------------------------------------------------------------------------- XNNPACK
# The oracle's TFLite always runs XNNPACK, which takes some int8 ops and
# computes them with its own arithmetic (tests/oracles/README.md). octet
# follows that arithmetic (src/runtime/reference/int8_rounding.h); for the three
# ops where it differs from TFLite's builtin kernels by one step on more than
# 0.1% of the elements, octet must in addition equal, element for element, the
# independent numpy emulation of XNNPACK's rule below, and TFLite must have run
# every case of the op in XNNPACK:
#   ADD, SUB:        qs8 vadd: ratios r_i = s_i / so in float32 (SUB: r_2 negated),
#                    shift = 20 - floor(log2(max |r_i|)), m_i = lrintf(r_i 2^shift),
#                    out = (2^(shift-1) + (a - z1) m_1 + (b - z2) m_2) >> shift + zo.
#                    TFLite's builtin ADD differs only near ties (< 0.1% of random
#                    elements), but residual networks chain ADDs and amplify each
#                    difference, so these two must equal TFLite on every element
#                    (EXACT_OPS), each pair of int8 values included;
#   MUL:             qs8 vmul: (a - z1)(b - z2) times the float32 scale
#                    s1 s2 / so, rounded once, half to even (fp32 requantization);
#   LEAKY_RELU:      qs8 lrelu: 8-bit multipliers lrintf(256 s), lrintf(256 s alpha),
#                    out = floor((x m + 128) / 256) + zo;
#   RESIZE_BILINEAR: s8 ibilinear: 11-bit weights lrintf(frac 2^11) of float32
#                    source coordinates, two integer lerps, one rounding by 2^22.
XNNPACK_RULES = ("ADD", "SUB", "MUL", "LEAKY_RELU", "RESIZE_BILINEAR")
EXACT_OPS = ("ADD", "SUB")


def _f32(x):
    return np.float32(x)


def _xnn_activation_range(act, scale, zp):
    """XNNPACK's xnn_qs8_quantize of the delegate's float bounds: lrintf(bound / scale + zp), clamped."""
    def q(f):
        return int(np.rint(np.clip(_f32(_f32(f) / _f32(scale)) + _f32(zp), -128, 127)))
    lo, hi = -128, 127
    if act in ("RELU", "RELU6"):
        lo = q(0.0)
    if act == "RELU6":
        hi = q(6.0)
    if act == "RELU_N1_TO_1":
        lo, hi = q(-1.0), q(1.0)
    return lo, hi


def emulate_add(s1, z1, s2, z2, so, zo, act, subtract):
    r1 = _f32(_f32(s1) / _f32(so))
    r2 = _f32(_f32(s2) / _f32(so))
    if subtract:
        r2 = -r2
    exponent = int(np.frexp(max(abs(r1), abs(r2)))[1]) - 1  # floor(log2)
    shift = 20 - exponent
    m1, m2 = (int(np.rint(np.ldexp(np.float64(r), shift))) for r in (r1, r2))
    bias = (1 << (shift - 1)) - m1 * z1 - m2 * z2
    lo, hi = _xnn_activation_range(act, so, zo)

    def run(inputs):
        a, b = (x.astype(np.int64) for x in inputs)
        return np.clip(((bias + a * m1 + b * m2) >> shift) + zo, lo, hi).astype(np.int8)
    return run


def emulate_mul(s1, z1, s2, z2, so, zo, act):
    scale = _f32(_f32(_f32(s1) * _f32(s2)) / _f32(so))
    lo, hi = _xnn_activation_range(act, so, zo)

    def run(inputs):
        a, b = (x.astype(np.int64) for x in inputs)
        p = ((a - z1) * (b - z2)).astype(np.float32) * scale
        p = np.clip(p, _f32(lo - zo), _f32(hi - zo))
        return (np.rint(p).astype(np.int64) + zo).astype(np.int8)
    return run


def emulate_leaky_relu(s_in, z_in, s_out, z_out, alpha):
    positive = _f32(_f32(s_in) / _f32(s_out))
    m_pos = int(np.rint(_f32(256.0) * positive))
    m_neg = int(np.rint(_f32(256.0) * _f32(positive * _f32(alpha))))

    def run(inputs):
        v = inputs[0].astype(np.int64) - z_in
        out = ((v * np.where(v >= 0, m_pos, m_neg) + 128) >> 8) + z_out
        return np.clip(out, -128, 127).astype(np.int8)
    return run


def emulate_resize_bilinear(out_hw, align_corners=False, half_pixel_centers=False):
    def axis(n_in, n_out):
        adjust = 1 if align_corners and n_out != 1 else 0
        scale = _f32(_f32(n_in - adjust) / _f32(n_out - adjust))
        offset = _f32(_f32(_f32(0.5) * scale) - _f32(0.5))
        rows = []
        for d in range(n_out):
            src = _f32(_f32(d) * scale)
            if half_pixel_centers:
                src = min(max(_f32(src + offset), _f32(0.0)), _f32(n_in - 1))
            lo = int(src)
            rows.append((lo, min(lo + 1, n_in - 1), int(np.rint(_f32(src - _f32(lo)) * _f32(2048.0)))))
        return rows

    def run(inputs):
        x = inputs[0].astype(np.int64)
        ys, xs = axis(x.shape[1], out_hw[0]), axis(x.shape[2], out_hw[1])
        out = np.zeros((x.shape[0], out_hw[0], out_hw[1], x.shape[3]), np.int64)
        for i, (y0, y1, wy) in enumerate(ys):
            for j, (x0, x1, wx) in enumerate(xs):
                top = x[:, y0, x0] * 2048 + (x[:, y0, x1] - x[:, y0, x0]) * wx
                bottom = x[:, y1, x0] * 2048 + (x[:, y1, x1] - x[:, y1, x0]) * wx
                out[:, i, j] = (top * 2048 + (bottom - top) * wy + (1 << 21)) >> 22
        return out.astype(np.int8)
    return run


# --------------------------------------------------------------------------- case generation
class Gen:
    def __init__(self, seed=20240611):
        self.rng = np.random.default_rng(seed)
        self.cases = []

    def int8(self, shape):
        return self.rng.integers(-128, 128, size=shape, dtype=np.int8)

    def scale(self, lo=0.005, hi=0.1):
        return float(np.float32(np.exp(self.rng.uniform(np.log(lo), np.log(hi)))))

    def zp(self):
        return int(self.rng.integers(-128, 128))

    def add(self, op, label, build, emulate=None):
        """build(b) -> (inputs [(tensor, array)], outputs [tensor]). emulate(inputs) -> the
        expected int8 output under XNNPACK's rule (see XNNPACK_RULES)."""
        b = TFLiteBuilder()
        ins, outs = build(b)
        model = b.finish(inputs=[t for t, _ in ins], outputs=outs)
        self.cases.append(Case(op, label, model, [a for _, a in ins], emulate))


def q(b, name, shape, scale, zp, data=None, dtype="int8"):
    return b.tensor(name, list(shape), dtype, data=data, scale=scale, zero_point=zp)


def i32(b, name, values, shape=None):
    arr = np.asarray(values, np.int32)
    shape = list(arr.shape) if shape is None else list(shape)
    return b.tensor(name, shape, "int32", data=arr.reshape(shape))


def binary_cases(g):
    shape_pairs = []
    for c in CHANNELS:
        shape_pairs += [([1, 5, 6, c], [1, 5, 6, c]), ([1, 5, 6, c], [c]), ([2, 3, 1, c], [1, 1, 4, 1])]
    for op in ("ADD", "SUB", "MUL"):
        for k, (sa, sb) in enumerate(shape_pairs):
            act = ACTIVATIONS[k % len(ACTIVATIONS)]
            s1, s2 = g.scale(), g.scale()
            if op == "MUL":
                so = s1 * s2 * 128 * float(g.rng.uniform(0.3, 1.5))
            else:
                so = max(s1, s2) * float(g.rng.uniform(0.8, 2.5))
            z1, z2, zo = g.zp(), g.zp(), g.zp()
            a, bb = g.int8(sa), g.int8(sb)
            out_shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))

            def build(b, op=op, sa=sa, sb=sb, a=a, bb=bb, s1=s1, s2=s2, so=so, z1=z1, z2=z2, zo=zo, act=act,
                      out_shape=out_shape):
                x = q(b, "a", sa, s1, z1)
                y = q(b, "b", sb, s2, z2)
                o = q(b, "out", out_shape, so, zo)
                b.op(op, [x, y], [o], activation=act)
                return [(x, a), (y, bb)], [o]
            if op == "MUL":
                emulate = emulate_mul(s1, z1, s2, z2, so, zo, act)
            else:
                emulate = emulate_add(s1, z1, s2, z2, so, zo, act, op == "SUB")
            g.add(op, f"{sa}x{sb} {act}", build, emulate)
    all_pairs_cases(g)
    for op in ("MAXIMUM", "MINIMUM"):
        for sa, sb in shape_pairs[::2]:
            s, z = g.scale(), g.zp()
            a, bb = g.int8(sa), g.int8(sb)
            out_shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))

            def build(b, op=op, sa=sa, sb=sb, a=a, bb=bb, s=s, z=z, out_shape=out_shape):
                x, y, o = q(b, "a", sa, s, z), q(b, "b", sb, s, z), q(b, "out", out_shape, s, z)
                b.op(op, [x, y], [o])
                return [(x, a), (y, bb)], [o]
            g.add(op, f"{sa}x{sb}", build)


def all_pairs_cases(g):
    """ADD and SUB on every pair of int8 values: near-ties included wherever they fall. Inside XNNPACK's
    ratio range [2^-10, 2^8) the op is checked against the emulation and must equal TFLite exactly; with
    a ratio outside it (op key ADD_BUILTIN / SUB_BUILTIN) TFLite runs its builtin rule."""
    a = np.repeat(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 256, 256, 1)
    bb = np.tile(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 256, 256, 1)
    # (s1, z1, s2, z2, so, zo, activation): residual-like scales, a relu with zero points at the limits,
    # exactly representable ratios (exact ties), and one ratio out of XNNPACK's range (s1 / so = 512).
    scale_sets = [(0.004791597, -6, 0.0024004097, -128, 0.0032756864, -128, "RELU"),
                  (0.031, 127, 0.017, -128, 0.023, 3, "NONE"),
                  (0.5, 3, 0.25, -2, 1.0, 5, "RELU6"),
                  (0.5, 7, 2.0 ** -11, 0, 2.0 ** -10, 0, "NONE")]
    for op in ("ADD", "SUB"):
        for s1, z1, s2, z2, so, zo, act in scale_sets:
            xnn = 2.0 ** -10 <= s1 / so < 2.0 ** 8 and 2.0 ** -10 <= s2 / so < 2.0 ** 8

            def build(b, op=op, s1=s1, z1=z1, s2=s2, z2=z2, so=so, zo=zo, act=act):
                x, y = q(b, "a", a.shape, s1, z1), q(b, "b", bb.shape, s2, z2)
                o = q(b, "out", a.shape, so, zo)
                b.op(op, [x, y], [o], activation=act)
                return [(x, a), (y, bb)], [o]
            emulate = emulate_add(s1, z1, s2, z2, so, zo, act, op == "SUB") if xnn else None
            g.add(op if xnn else f"{op}_BUILTIN", f"all pairs ({s1:.4g},{z1}) ({s2:.4g},{z2}) -> ({so:.4g},{zo}) {act}",
                  build, emulate)


def unary(g, op, shape, s_in, z_in, s_out, z_out, label="", **options):
    a = g.int8(shape)

    def build(b):
        x, o = q(b, "x", shape, s_in, z_in), q(b, "out", shape, s_out, z_out)
        b.op(op, [x], [o], **options)
        return [(x, a)], [o]
    emulate = emulate_leaky_relu(s_in, z_in, s_out, z_out, options["alpha"]) if op == "LEAKY_RELU" else None
    g.add(op, f"{shape} in({s_in:.4g},{z_in}) out({s_out:.4g},{z_out}) {label}", build, emulate)


def activation_cases(g):
    for c in CHANNELS:
        shape = [1, 6, 5, c]
        for _ in range(2):
            unary(g, "LOGISTIC", shape, g.scale(0.01, 0.3), g.zp(), 1 / 256, -128)
            unary(g, "TANH", shape, g.scale(0.005, 0.1), g.zp(), 1 / 128, 0)
            s = g.scale(0.01, 0.1)
            unary(g, "HARD_SWISH", shape, s, g.zp(), s * float(g.rng.uniform(0.5, 2)), g.zp())
            for approximate in (False, True):
                s = g.scale(0.01, 0.1)
                unary(g, "GELU", shape, s, g.zp(), s * float(g.rng.uniform(0.5, 1.5)), g.zp(),
                      label=f"approximate={approximate}", approximate=approximate)
        for alpha in (0.01, 0.2, 0.5):
            s = g.scale()
            unary(g, "LEAKY_RELU", shape, s, g.zp(), s * float(g.rng.uniform(0.6, 1.6)), g.zp(),
                  label=f"alpha={alpha}", alpha=alpha)
        for op in ("RELU", "RELU6", "RELU_N1_TO_1"):
            s = g.scale(0.01, 0.05)
            unary(g, op, shape, s, g.zp(), s, g.zp(), label="same scale")
            unary(g, op, shape, s, g.zp(), s * float(g.rng.uniform(0.3, 2.0)), g.zp(), label="rescaled")
        # PRELU with a per-channel alpha tensor (constant, int8, per-tensor quantized).
        for alpha_shape in ([c], [1, 1, c]):
            s_in, s_a = g.scale(), g.scale(0.002, 0.01)
            z_in, z_a, z_o = g.zp(), g.zp(), g.zp()
            s_o = s_in * float(g.rng.uniform(0.6, 1.5))
            a, alpha = g.int8(shape), g.int8(alpha_shape)

            def build(b, shape=shape, a=a, alpha=alpha, alpha_shape=alpha_shape, s_in=s_in, s_a=s_a, s_o=s_o,
                      z_in=z_in, z_a=z_a, z_o=z_o):
                x = q(b, "x", shape, s_in, z_in)
                al = q(b, "alpha", alpha_shape, s_a, z_a, data=alpha)
                o = q(b, "out", shape, s_o, z_o)
                b.op("PRELU", [x, al], [o])
                return [(x, a)], [o]
            g.add("PRELU", f"{shape} alpha {alpha_shape}", build)


def softmax_cases(g):
    for depth in CHANNELS + (100,):
        for beta in (1.0, 0.5, 2.0):
            shape = [4, 3, depth]
            s, z, a = g.scale(0.02, 0.2), g.zp(), g.int8(shape)

            def build(b, shape=shape, s=s, z=z, a=a, beta=beta):
                x, o = q(b, "x", shape, s, z), q(b, "out", shape, 1 / 256, -128)
                b.op("SOFTMAX", [x], [o], beta=beta)
                return [(x, a)], [o]
            g.add("SOFTMAX", f"{shape} beta={beta}", build)


def log_softmax_cases(g):
    # TFLite's builtin gemmlowp fixed-point LogSoftmax (no XNNPACK); the output is fixed at 16/256, 127. Input
    # scales from fine (every difference within the exp range) to coarse (most differences below diff_min).
    for depth in CHANNELS + (100,):
        for lo, hi in ((0.005, 0.02), (0.02, 0.2), (0.2, 2.0)):
            shape = [4, 3, depth]
            s, z, a = g.scale(lo, hi), g.zp(), g.int8(shape)

            def build(b, shape=shape, s=s, z=z, a=a):
                x, o = q(b, "x", shape, s, z), q(b, "out", shape, 16 / 256, 127)
                b.op("LOG_SOFTMAX", [x], [o])
                return [(x, a)], [o]
            g.add("LOG_SOFTMAX", f"{shape} scale={s:.4f}", build)


def movement(g, op, in_shape, out_shape, consts=(), label="", emulate=None, **options):
    """A data-movement op: input 0 quantized (s, z), output the same; `consts`
    are builder callbacks adding constant inputs after it."""
    s, z = g.scale(), g.zp()
    a = g.int8(in_shape)
    outs_shapes = out_shape if isinstance(out_shape[0], list) else [out_shape]

    def build(b):
        x = q(b, "x", in_shape, s, z)
        ins = [x] + [f(b) for f in consts]
        outs = [q(b, f"out{i}", sh, s, z) for i, sh in enumerate(outs_shapes)]
        b.op(op, ins, outs, **options)
        return [(x, a)], outs
    g.add(op, f"{in_shape} {label}", build, emulate)


def movement_cases(g):
    for c in CHANNELS:
        # CONCATENATION / PACK: all inputs share the output's quantization
        # (TFLite 2.12 refuses anything else for int8).
        for axis in (3, 1, -1):
            s, z = g.scale(), g.zp()
            shapes = [[1, 4, 3, c], [1, 4, 3, c]]
            ax = axis % 4
            shapes[1][ax] += 2
            out = list(shapes[0])
            out[ax] = shapes[0][ax] + shapes[1][ax]
            arrays = [g.int8(sh) for sh in shapes]

            def build(b, shapes=shapes, out=out, s=s, z=z, axis=axis, arrays=arrays):
                xs = [q(b, f"x{i}", sh, s, z) for i, sh in enumerate(shapes)]
                o = q(b, "out", out, s, z)
                b.op("CONCATENATION", xs, [o], axis=axis)
                return list(zip(xs, arrays)), [o]
            g.add("CONCATENATION", f"{shapes} axis {axis}", build)
        s, z = g.scale(), g.zp()
        arrays = [g.int8([2, c]) for _ in range(3)]

        def build(b, s=s, z=z, arrays=arrays, c=c):
            xs = [q(b, f"x{i}", [2, c], s, z) for i in range(3)]
            o = q(b, "out", [2, 3, c], s, z)
            b.op("PACK", xs, [o], values_count=3, axis=1)
            return list(zip(xs, arrays)), [o]
        g.add("PACK", f"3 x [2,{c}] axis 1", build)

        shape = [2, 5, 4, c]
        # SPLIT: axis is input 0, the tensor input 1.
        s, z, a = g.scale(), g.zp(), g.int8([2, 6, 4, c])

        def build(b, s=s, z=z, a=a, c=c):
            axis = i32(b, "axis", [1], shape=[1])
            x = q(b, "x", [2, 6, 4, c], s, z)
            outs = [q(b, f"out{i}", [2, 2, 4, c], s, z) for i in range(3)]
            b.op("SPLIT", [axis, x], outs, num_splits=3)
            return [(x, a)], outs
        g.add("SPLIT", f"[2,6,4,{c}] axis 1 into 3", build)
        movement(g, "SPLIT_V", shape, [[2, 5, 4, 1], [2, 5, 4, c - 1]] if c > 1 else [[2, 1, 4, c], [2, 4, 4, c]],
                 consts=[(lambda b, c=c: i32(b, "sizes", [1, -1])),
                         (lambda b, c=c: i32(b, "axis", [3 if c > 1 else 1], shape=[1]))],
                 label="sizes [1,-1]", num_splits=2)
        movement(g, "SLICE", shape, [1, 3, 2, max(c - 1, 1)],
                 consts=[lambda b: i32(b, "begin", [1, 1, 2, 0]),
                         lambda b, c=c: i32(b, "size", [1, 3, -1, max(c - 1, 1)])], label="")
        movement(g, "STRIDED_SLICE", shape, [2, 2, 4, (c + 1) // 2],
                 consts=[lambda b: i32(b, "begin", [0, 4, 0, 0]), lambda b: i32(b, "end", [2, 0, 4, 100]),
                         lambda b: i32(b, "strides", [1, -2, 1, 2])], label="negative stride", end_mask=1)
        movement(g, "GATHER", shape, [2, 3, 4, c], consts=[lambda b: i32(b, "indices", [4, 0, 2])], axis=1)
        movement(g, "PAD", shape, [2, 8, 5, c + 1],
                 consts=[lambda b: i32(b, "pads", [[0, 0], [1, 2], [0, 1], [1, 0]], shape=[4, 2])])
        movement(g, "TRANSPOSE", shape, [c, 4, 2, 5], consts=[lambda b: i32(b, "perm", [3, 2, 0, 1])])
        movement(g, "RESHAPE", shape, [10, 4 * c], consts=[lambda b: i32(b, "shape", [10, -1])],
                 new_shape=[10, 4 * c])
        movement(g, "SQUEEZE", [1, 5, 1, c], [5, c] if c > 1 else [5], label="all")
        movement(g, "EXPAND_DIMS", shape, [2, 5, 1, 4, c], consts=[lambda b: i32(b, "axis", [2], shape=[1])])
        movement(g, "TILE", [2, 3, c], [4, 3, 2 * c], consts=[lambda b: i32(b, "multiples", [2, 1, 2])])
        movement(g, "REDUCE_MAX", shape, [2, c], consts=[lambda b: i32(b, "axes", [1, 2])], keep_dims=False)
        movement(g, "REDUCE_MAX", shape, [2, 5, 4, 1], consts=[lambda b: i32(b, "axes", [-1])], keep_dims=True)
        # PADV2: the constant value is int8 with the output's quantization.
        s, z, a, v = g.scale(), g.zp(), g.int8(shape), g.int8([1])

        def build(b, s=s, z=z, a=a, v=v, c=c):
            x = q(b, "x", [2, 5, 4, c], s, z)
            pads = i32(b, "pads", [[1, 0], [0, 0], [2, 1], [0, 3]], shape=[4, 2])
            val = q(b, "value", [1], s, z, data=v)
            o = q(b, "out", [3, 5, 7, c + 3], s, z)
            b.op("PADV2", [x, pads, val], [o])
            return [(x, a)], [o]
        g.add("PADV2", f"[2,5,4,{c}]", build)
        # ARG_MAX / ARG_MIN: int32 indices.
        for op in ("ARG_MAX", "ARG_MIN"):
            for axis in (3, 1):
                s, z, a = g.scale(), g.zp(), g.int8(shape)
                out_shape = [d for k, d in enumerate(shape) if k != axis]

                def build(b, op=op, axis=axis, s=s, z=z, a=a, out_shape=out_shape):
                    x = q(b, "x", shape, s, z)
                    ax = i32(b, "axis", [axis], shape=[1])
                    o = b.tensor("out", out_shape, "int32")
                    b.op(op, [x, ax], [o], output_type="int32")
                    return [(x, a)], [o]
                g.add(op, f"{shape} axis {axis}", build)


def resize_cases(g):
    sizes = [((4, 5), (8, 10)), ((5, 7), (3, 4)), ((3, 3), (7, 5)), ((6, 4), (6, 9)), ((1, 4), (3, 7))]
    modes = [dict(), dict(align_corners=True), dict(half_pixel_centers=True)]
    k = 0
    for c in CHANNELS:
        for (ih, iw), (oh, ow) in sizes:
            for op in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
                mode = modes[k % len(modes)]
                k += 1
                emulate = emulate_resize_bilinear((oh, ow), **mode) if op == "RESIZE_BILINEAR" else None
                movement(g, op, [2, ih, iw, c], [2, oh, ow, c], consts=[lambda b, oh=oh, ow=ow: i32(b, "size", [oh, ow])],
                         label=f"-> {oh}x{ow} {mode}", emulate=emulate, **mode)


def all_cases():
    g = Gen()
    binary_cases(g)
    activation_cases(g)
    softmax_cases(g)
    movement_cases(g)
    resize_cases(g)
    log_softmax_cases(g)  # last, so the earlier cases keep their seeded data
    return g.cases


# --------------------------------------------------------------------------- running
def run_octet(tool, model, inputs, out):
    proc = subprocess.run([tool, "run", model, "--out", out, *inputs], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return None, (proc.stderr or proc.stdout).strip().splitlines()[-1:]
    files = sorted((f for f in os.listdir(out) if f.startswith("output_")), key=lambda f: int(f[7:-4]))
    return [np.load(os.path.join(out, f)) for f in files], None


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tool = os.environ.get("OCTET_TFLITE_TOOL", os.path.join(REPO, "build", "tests", "octet_tflite_tool"))
    if not os.access(tool, os.X_OK):
        pytest.fail(f"octet_tflite_tool not found: {tool!r} (build it, or set OCTET_TFLITE_TOOL)")
    ec_helpers.oracle_setup()
    root = tmp_path_factory.mktemp("int8_elementwise")
    cases = all_cases()
    jobs = []
    for n, case in enumerate(cases):
        d = root / f"{n:04d}_{case.op}"
        d.mkdir()
        model = str(d / "model.tflite")
        with open(model, "wb") as f:
            f.write(case.model)
        files = []
        for i, arr in enumerate(case.inputs):
            files.append(str(d / f"in{i}.npy"))
            np.save(files[-1], arr)
        jobs.append((case, model, files, d))

    with ThreadPoolExecutor(max_workers=2) as pool:
        octet_futures = [pool.submit(run_octet, tool, m, f, str(d / "octet")) for _, m, f, d in jobs]
        server = ec_helpers.OracleServer()
        ref = []
        try:
            for case, model, files, d in jobs:
                try:
                    ans = server.tflite(model, list(enumerate(files)), str(d / "tflite"), timeout=120)
                    ref.append(([np.load(o["file"]) for o in ans["outputs"]], ans.get("executed_nodes", {}), None))
                except ec_helpers.OracleError as e:
                    ref.append((None, {}, str(e)))
        finally:
            server.close()
        got = [f.result() for f in octet_futures]

    per_op = collections.defaultdict(lambda: dict(total=0, equal=0, max_diff=0, errors=[], nodes=collections.Counter(),
                                                  worst=None, emulated=0))
    for (case, _, _, d), (ref_out, nodes, ref_err), (oct_out, oct_err) in zip(jobs, ref, got):
        st = per_op[case.op]
        st["nodes"].update(nodes)
        if ref_err or oct_err:
            st["errors"].append(f"{case.label}: TFLite: {ref_err} octet: {oct_err}")
            continue
        if case.emulate is not None:
            expected = case.emulate(case.inputs)
            mismatches = int((expected != oct_out[0]).sum()) if expected.shape == oct_out[0].shape else -1
            st["emulated"] += expected.size
            if mismatches:
                st["errors"].append(f"{case.label}: octet differs from the emulated XNNPACK rule on "
                                    f"{mismatches} of {expected.size} elements ({d})")
        if len(ref_out) != len(oct_out):
            st["errors"].append(f"{case.label}: {len(ref_out)} TFLite outputs, {len(oct_out)} octet outputs")
            continue
        for r, o in zip(ref_out, oct_out):
            if r.shape != o.shape or r.dtype != o.dtype:
                st["errors"].append(f"{case.label}: TFLite {r.dtype}{list(r.shape)} vs octet {o.dtype}{list(o.shape)}")
                continue
            diff = np.abs(r.astype(np.int64) - o.astype(np.int64))
            st["total"] += diff.size
            st["equal"] += int((diff == 0).sum())
            m = int(diff.max()) if diff.size else 0
            if r.dtype != np.int8 and m:
                st["errors"].append(f"{case.label}: index outputs differ (max {m})")
            if m > st["max_diff"]:
                st["max_diff"], st["worst"] = m, f"{case.label} ({d})"
    summary = {op: dict(total=s["total"], equal=s["equal"], max_diff=s["max_diff"], errors=s["errors"][:5],
                        nodes=dict(s["nodes"]), worst=s["worst"], emulated=s["emulated"]) for op, s in per_op.items()}
    report = os.environ.get("OCTET_INT8_REPORT")
    if report:
        with open(report, "w") as f:
            json.dump(summary, f, indent=1)
    return summary


OPS = ("ADD SUB ADD_BUILTIN SUB_BUILTIN MUL MAXIMUM MINIMUM LOGISTIC TANH HARD_SWISH GELU LEAKY_RELU RELU RELU6 RELU_N1_TO_1 PRELU SOFTMAX LOG_SOFTMAX "
       "CONCATENATION PACK SPLIT SPLIT_V SLICE STRIDED_SLICE GATHER PAD PADV2 TRANSPOSE RESHAPE SQUEEZE EXPAND_DIMS "
       "TILE REDUCE_MAX ARG_MAX ARG_MIN RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR").split()


@pytest.mark.parametrize("op", OPS)
def test_int8_op_matches_tflite(results, op):
    s = results.get(op)
    assert s is not None, f"no cases for {op}"
    assert not s["errors"], f"{op}: {s['errors']}"
    assert s["total"] > 0
    fraction = s["equal"] / s["total"]
    if op in EXACT_OPS:
        assert s["equal"] == s["total"], (
            f"{op}: {s['total'] - s['equal']} of {s['total']} elements differ from TFLite; worst {s['worst']}")
    assert s["max_diff"] <= MAX_ABS_DIFF, f"{op}: max |diff| {s['max_diff']} in {s['worst']}"
    if op in XNNPACK_RULES:
        assert set(s["nodes"]) == {"TfLiteXNNPackDelegate"}, f"{op}: TFLite ran {s['nodes']}, expected XNNPACK"
        assert s["emulated"] == s["total"], f"{op}: every case needs the emulated XNNPACK rule"
    assert fraction >= MIN_EQUAL_FRACTION, (
        f"{op}: {fraction:.5f} of {s['total']} elements equal (TFLite ran {s['nodes']}); worst {s['worst']}")
