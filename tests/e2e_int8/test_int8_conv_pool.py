"""Differential tests of octet's int8 conv/pool reference kernels against the
real TFLite interpreter (tests/oracles: TF 2.12 in wasm, XNNPACK always on).

For CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED,
AVERAGE_POOL_2D, MAX_POOL_2D, MEAN and integer QUANTIZE, a grid of odd shapes
and parameters (channels 1, 3, 7, 16, 17; strides; paddings; dilations; fused
activations; zero points; per-tensor and per-channel weights) becomes one
single-op int8 model each (tests/oracles/tflite_builder.py) with seeded random
int8 inputs. All models run in one Node process (tests/e2e_convert/
oracle_server.mjs) and in octet (`$OCTET_TFLITE_TOOL run`). Per op, outputs
must be equal on >= 99.9% of the elements and never differ by more than 1.

Each case also states which TFLite path computes it (the XNNPACK delegate or
a builtin kernel, checked against the nodes TFLite reports) and carries a
numpy model of that path's arithmetic, written here independently of octet:
XNNPACK's fp32 requantization (float32 scale, one rounding half to even),
XNNPACK's 8-bit multiplier for int8 -> int8 QUANTIZE, ruy's single rounding
for TFLite's optimized per-channel FULLY_CONNECTED, TFLite's reference double
rounding elsewhere. octet must equal that model on every element.

    OCTET_TFLITE_TOOL=build/tests/octet_tflite_tool python3 -m pytest -q tests/e2e_int8/test_int8_conv_pool.py
"""
import json
import os
import select
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "oracles"))

from tflite_builder import TFLiteBuilder  # noqa: E402

SERVER = os.path.join(REPO, "tests", "e2e_convert", "oracle_server.mjs")
DEFAULT_TOOL = os.path.join(REPO, "build", "tests", "octet_tflite_tool")
SEED = 20240611
CHANNELS = [1, 3, 7, 16, 17]
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
MIN_EQUAL_FRACTION = 0.999
MAX_ABS_DIFF = 1
# Typical |x - zero point| * |w| of uniform int8 data: the spread of one product.
PRODUCT_SPREAD = 74.0 * 73.0


# ---------------------------------------------------------------- case builders

XNN, BUILTIN = "xnnpack", "builtin"


class Case:
    """One single-op model. `ref(x)` returns (exact, model): the exact real
    result in output units before rounding and clamping, and the integer result
    of the TFLite path `path` (XNN or BUILTIN; None where either gives the same
    bytes), both computed here in numpy independently of octet (None for ops
    without rescaling)."""

    def __init__(self, op, name, model, inputs, ref=None, path=None):
        self.op, self.name, self.model, self.inputs, self.ref, self.path = op, name, model, inputs, ref, path


# ---------------------------------------------------------------- numpy model of TFLite's integer arithmetic

Q31 = 1 << 31


def quantize_multiplier(m):
    """TFLite's QuantizeMultiplier: (Q31 mantissa, shift)."""
    mantissa, shift = np.frexp(m)
    q = int(np.round(mantissa * Q31))  # halves never occur for these scales
    if q == Q31:
        q, shift = q // 2, shift + 1
    return q, int(shift)


def _trunc_div(x, d):
    return np.where(x >= 0, x // d, -((-x) // d))


def mbqm(acc, q, shift):
    """MultiplyByQuantizedMultiplier (double rounding), vectorised over int64 accs."""
    acc = np.asarray(acc, np.int64) * (1 << max(shift, 0))
    ab = acc * np.int64(q)
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    x = _trunc_div(ab + nudge, Q31)
    right = max(-shift, 0)
    if right == 0:
        return x
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (x < 0)
    return (x >> right) + ((x & mask) > threshold)


def fp32_requant(acc, scale, zp, lo=-128, hi=127):
    """XNNPACK's fp32 requantization: float32(acc) * float32 scale, clamped to
    [lo - zp, hi - zp], rounded half to even, + zp."""
    x = np.asarray(acc, np.int64).astype(np.float32) * np.float32(scale)
    x = np.clip(x, np.float32(lo - zp), np.float32(hi - zp))
    return np.rint(x).astype(np.int64) + zp


def single_rounding(acc, q, shift):
    """ruy's MultiplyByQuantizedMultiplier: (acc * q + 2^(k-1)) >> k, k = 31 - shift."""
    k = 31 - shift
    return (np.asarray(acc, np.int64) * np.int64(q) + (np.int64(1) << (k - 1))) >> k


def xnn_scale(a, b, out):
    """XNNPACK's a * b / out, each step rounded to float32."""
    return np.float32(np.float32(a) * np.float32(b)) / np.float32(out)


def xnn_act_range(act, scale, zp, lo=-128, hi=127):
    """XNNPACK's xnn_qs8_quantize of the delegate's float activation bounds."""
    def q(v):
        r = np.float32(np.float32(v) / np.float32(scale)) + np.float32(zp)
        return int(np.rint(np.clip(r, np.float32(lo), np.float32(hi))))
    bounds = {"RELU": (0.0, None), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}.get(act, (None, None))
    return (lo if bounds[0] is None else q(bounds[0])), (hi if bounds[1] is None else q(bounds[1]))


def act_range(act, scale, zp, lo=-128, hi=127):
    def q(v):  # round half away from zero of a float32 quotient, as quant_math's quantize_value
        r = float(np.float32(v) / np.float32(scale))
        return zp + int(np.sign(r) * np.floor(abs(r) + 0.5))
    if act == "RELU":
        return max(lo, zp), hi
    if act == "RELU6":
        return max(lo, zp), min(hi, q(6.0))
    if act == "RELU_N1_TO_1":
        return max(lo, q(-1.0)), min(hi, q(1.0))
    return lo, hi


def requant_ref(acc, in_s, w_scales, out_s, out_z, act, rule):
    """(exact, model) of a conv-like op; acc [..., C] int64, w_scales [C]; rule
    "fp32" (XNNPACK), "single" (ruy) or "double" (TFLite's reference)."""
    w_scales = np.broadcast_to(np.asarray(w_scales, np.float32), (acc.shape[-1],))
    in_s, out_s = float(np.float32(in_s)), float(np.float32(out_s))  # the model stores float32
    real = [in_s * float(w) / out_s for w in w_scales]
    exact = acc * np.array(real) + out_z
    ref = np.empty_like(acc)
    if rule == "fp32":
        lo, hi = xnn_act_range(act, out_s, out_z)
        for c, w in enumerate(w_scales):
            ref[..., c] = fp32_requant(acc[..., c], xnn_scale(in_s, w, out_s), out_z, lo, hi)
        return exact, ref
    for c, m in enumerate(real):
        multiply = single_rounding if rule == "single" else mbqm
        ref[..., c] = multiply(acc[..., c], *quantize_multiplier(m))
    lo, hi = act_range(act, out_s, out_z)
    return exact, np.clip(ref + out_z, lo, hi)


def pad_amounts(padding, size, k, stride, dil, out):
    eff = (k - 1) * dil + 1
    return max((out - 1) * stride + eff - size, 0) // 2 if padding == "SAME" else 0


def conv_acc(x, zp, w, stride, dil, padding, oh, ow, depthwise=False, mult=1):
    """int64 accumulators of CONV_2D (w OHWI) or DEPTHWISE_CONV_2D (w 1HWC), no bias."""
    x = x.astype(np.int64) - zp
    n, h, wd, c = x.shape
    kh, kw = w.shape[1], w.shape[2]
    ph, pw = pad_amounts(padding, h, kh, stride, dil, oh), pad_amounts(padding, wd, kw, stride, dil, ow)
    cout = w.shape[3] if depthwise else w.shape[0]
    after_h = max(0, (oh - 1) * stride + (kh - 1) * dil + 1 - ph - h)
    after_w = max(0, (ow - 1) * stride + (kw - 1) * dil + 1 - pw - wd)
    xp = np.pad(x, ((0, 0), (ph, after_h), (pw, after_w), (0, 0)))  # centred: padding adds 0
    acc = np.zeros((n, oh, ow, cout), np.int64)
    for fy in range(kh):
        for fx in range(kw):
            patch = xp[:, fy * dil:fy * dil + (oh - 1) * stride + 1:stride, fx * dil:fx * dil + (ow - 1) * stride + 1:stride]
            if depthwise:
                acc += np.repeat(patch, mult, axis=3) * w[0, fy, fx].astype(np.int64)
            else:
                acc += patch @ w[:, fy, fx, :].astype(np.int64).T
    return acc


def transpose_conv_acc(x, zp, w, stride, padding, oh, ow):
    x = x.astype(np.int64) - zp
    n, h, wd, _ = x.shape
    cout, kh, kw, _ = w.shape
    ph = pad_amounts(padding, oh, kh, stride, 1, -(-oh // stride) if padding == "SAME" else (oh - kh) // stride + 1)
    pw = pad_amounts(padding, ow, kw, stride, 1, -(-ow // stride) if padding == "SAME" else (ow - kw) // stride + 1)
    full = np.zeros((n, (h - 1) * stride + kh, (wd - 1) * stride + kw, cout), np.int64)
    for fy in range(kh):
        for fx in range(kw):
            full[:, fy:fy + (h - 1) * stride + 1:stride, fx:fx + (wd - 1) * stride + 1:stride] += \
                x @ w[:, fy, fx, :].astype(np.int64).T
    out = np.zeros((n, oh, ow, cout), np.int64)
    hh, ww = min(oh, full.shape[1] - ph), min(ow, full.shape[2] - pw)
    out[:, :hh, :ww] = full[:, ph:ph + hh, pw:pw + ww]
    return out


def _act_q(rng):
    """Per-tensor activation parameters: a scale and a zero point."""
    return float(rng.uniform(0.005, 0.1)), int(rng.integers(-40, 41))


def _weights(rng, shape, channels, axis, per_channel):
    w = rng.integers(-127, 128, size=shape).astype(np.int8)
    if per_channel:
        scales = rng.uniform(0.002, 0.02, size=channels).astype(np.float32)
    else:
        scales = np.float32([rng.uniform(0.002, 0.02)])
    return w, scales


def _out_scale(rng, in_scale, w_scales, taps):
    """An output scale spreading the results over int8 (some saturate)."""
    real_spread = in_scale * float(np.mean(w_scales)) * np.sqrt(taps) * PRODUCT_SPREAD
    return float(real_spread * rng.uniform(1.0, 4.0) / 128.0)


def _bias(b, rng, in_scale, w_scales, channels, taps, with_bias, zero_if_absent=False):
    """An int32 bias tensor; -1 (absent) without bias, or zeros where TFLite
    needs the input (its CONV_2D and DEPTHWISE_CONV_2D refuse an absent bias:
    "Tensor at index 2 was optional but was expected")."""
    if not with_bias and not zero_if_absent:
        return -1, np.zeros(channels, np.int64)
    values = rng.integers(-1, 2, size=channels) * rng.integers(0, int(np.sqrt(taps) * PRODUCT_SPREAD) + 1,
                                                               size=channels)
    if not with_bias:
        values = np.zeros(channels, np.int32)
    scales = (np.float32(in_scale) * np.broadcast_to(w_scales, (channels,))).astype(np.float32)
    index = b.tensor("bias", [channels], "int32", data=values.astype(np.int32), scale=scales,
                     zero_point=np.zeros(channels, np.int64))
    return index, values.astype(np.int64)


def _input(rng, shape, dtype="int8"):
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    return rng.integers(-128, 128, size=shape).astype(np.int8)


def conv_cases(rng):
    cases = []
    for i in range(30):
        cin, cout = CHANNELS[i % 5], CHANNELS[(i * 3 + 1) % 5]
        h, w = int(rng.integers(5, 12)) | 1, int(rng.integers(4, 11)) | 1
        kh, kw = [(1, 1), (3, 3), (2, 3), (3, 1), (5, 5)][i % 5]
        stride = 1 + (i // 5) % 2
        dil = 2 if i % 7 == 3 else 1
        padding = ["SAME", "VALID"][(i // 2) % 2]
        act = ACTIVATIONS[i % 4]
        per_channel = i % 3 != 2
        with_bias = i % 4 != 3
        if padding == "VALID" and ((kh - 1) * dil + 1 > h or (kw - 1) * dil + 1 > w):
            padding = "SAME"
        in_s, in_z = _act_q(rng)
        wq, ws = _weights(rng, [cout, kh, kw, cin], cout, 0, per_channel)
        out_s, out_z = _out_scale(rng, in_s, ws, kh * kw * cin), int(rng.integers(-40, 41))
        if padding == "SAME":
            oh, ow = -(-h // stride), -(-w // stride)
        else:
            oh, ow = (h - (kh - 1) * dil - 1) // stride + 1, (w - (kw - 1) * dil - 1) // stride + 1
        b = TFLiteBuilder()
        x = b.tensor("x", [1, h, w, cin], "int8", scale=in_s, zero_point=in_z)
        wt = b.tensor("w", [cout, kh, kw, cin], "int8", data=wq, scale=ws, zero_point=np.zeros(ws.size, np.int64),
                      quantized_dimension=0)
        bias, bv = _bias(b, rng, in_s, ws, cout, kh * kw * cin, with_bias, zero_if_absent=True)
        y = b.tensor("y", [1, oh, ow, cout], "int8", scale=out_s, zero_point=out_z)
        b.op("CONV_2D", [x, wt, bias], [y], padding=padding, stride_h=stride, stride_w=stride,
             dilation_h=dil, dilation_w=dil, activation=act)
        name = (f"conv_{i}_{h}x{w}x{cin}_k{kh}x{kw}_o{cout}_s{stride}_d{dil}_{padding}_{act}"
                f"_{'pc' if per_channel else 'pt'}{'_b' if with_bias else '_b0'}")
        # The delegate takes per-channel weights (qc8), or per-tensor weights with a one-scale bias (qs8; the bias
        # here has one scale per channel); else TFLite's optimized builtin conv, which requantizes through ruy
        # (single rounding, the same bytes as fp32 but at exact ties). Which path TFLite picks for a one-channel
        # conv varies (seen both ways), so the path is not asserted for CONV_2D.
        rule = "fp32" if ws.size > 1 or cout == 1 else "single"
        def ref(xv, a=(in_z, wq, stride, dil, padding, oh, ow), bv=bv, q=(in_s, ws, out_s, out_z, act, rule)):
            return requant_ref(conv_acc(xv, *a) + bv, *q)
        cases.append(Case("CONV_2D", name, b.finish([x], [y]), [_input(rng, [1, h, w, cin])], ref))
    return cases


def depthwise_cases(rng):
    cases = []
    for i in range(25):
        c = CHANNELS[i % 5]
        mult = 1 + (i // 5) % 2
        h, w = int(rng.integers(5, 12)) | 1, int(rng.integers(4, 11)) | 1
        kh, kw = [(3, 3), (1, 1), (5, 3), (3, 3), (2, 2)][(i * 2) % 5]
        stride = 1 + (i // 3) % 2
        dil = 2 if i % 6 == 4 else 1
        padding = ["SAME", "VALID"][i % 2]
        act = ACTIVATIONS[(i // 2) % 4]
        per_channel = i % 4 != 1
        with_bias = i % 5 != 2
        if padding == "VALID" and ((kh - 1) * dil + 1 > h or (kw - 1) * dil + 1 > w):
            padding = "SAME"
        cout = c * mult
        in_s, in_z = _act_q(rng)
        wq, ws = _weights(rng, [1, kh, kw, cout], cout, 3, per_channel)
        out_s, out_z = _out_scale(rng, in_s, ws, kh * kw), int(rng.integers(-40, 41))
        if padding == "SAME":
            oh, ow = -(-h // stride), -(-w // stride)
        else:
            oh, ow = (h - (kh - 1) * dil - 1) // stride + 1, (w - (kw - 1) * dil - 1) // stride + 1
        b = TFLiteBuilder()
        x = b.tensor("x", [1, h, w, c], "int8", scale=in_s, zero_point=in_z)
        wt = b.tensor("w", [1, kh, kw, cout], "int8", data=wq, scale=ws, zero_point=np.zeros(ws.size, np.int64),
                      quantized_dimension=3)
        bias, bv = _bias(b, rng, in_s, ws, cout, kh * kw, with_bias, zero_if_absent=True)
        y = b.tensor("y", [1, oh, ow, cout], "int8", scale=out_s, zero_point=out_z)
        b.op("DEPTHWISE_CONV_2D", [x, wt, bias], [y], padding=padding, stride_h=stride, stride_w=stride,
             dilation_h=dil, dilation_w=dil, depth_multiplier=mult, activation=act)
        name = (f"dw_{i}_{h}x{w}x{c}_m{mult}_k{kh}x{kw}_s{stride}_d{dil}_{padding}_{act}"
                f"_{'pc' if per_channel else 'pt'}{'_b' if with_bias else '_b0'}")
        # The delegate takes per-channel weights (qc8), or per-tensor weights with a one-scale bias (qs8; the bias
        # here has one scale per channel); else TFLite's builtin depthwise kernel (double rounding).
        xnn = ws.size > 1 or cout == 1
        def ref(xv, a=(in_z, wq, stride, dil, padding, oh, ow, True, mult), bv=bv,
                q=(in_s, ws, out_s, out_z, act, "fp32" if xnn else "double")):
            return requant_ref(conv_acc(xv, *a) + bv, *q)
        cases.append(Case("DEPTHWISE_CONV_2D", name, b.finish([x], [y]), [_input(rng, [1, h, w, c])], ref,
                          XNN if xnn else BUILTIN))
    return cases


def transpose_conv_cases(rng):
    cases = []
    for i in range(20):
        cin, cout = CHANNELS[i % 5], CHANNELS[(i * 2 + 3) % 5]
        h, w = int(rng.integers(3, 8)) | 1, int(rng.integers(2, 7)) | 1
        kh, kw = [(3, 3), (2, 2), (1, 1), (3, 2), (4, 4)][(i // 2) % 5]
        stride = 1 + i % 2 + (1 if i % 5 == 4 else 0)
        padding = ["SAME", "VALID"][(i // 3) % 2]
        per_channel = i % 3 != 0
        with_bias = i % 4 != 1
        if padding == "SAME":
            oh, ow = h * stride, w * stride
        else:
            oh, ow = (h - 1) * stride + kh, (w - 1) * stride + kw
        in_s, in_z = _act_q(rng)
        wq, ws = _weights(rng, [cout, kh, kw, cin], cout, 0, per_channel)
        taps = max(1, (kh * kw) // (stride * stride)) * cin
        out_s, out_z = _out_scale(rng, in_s, ws, taps), int(rng.integers(-40, 41))
        b = TFLiteBuilder()
        shape = b.tensor("output_shape", [4], "int32", data=np.int32([1, oh, ow, cout]))
        wt = b.tensor("w", [cout, kh, kw, cin], "int8", data=wq, scale=ws, zero_point=np.zeros(ws.size, np.int64),
                      quantized_dimension=0)
        x = b.tensor("x", [1, h, w, cin], "int8", scale=in_s, zero_point=in_z)
        bias, bv = _bias(b, rng, in_s, ws, cout, taps, with_bias)
        y = b.tensor("y", [1, oh, ow, cout], "int8", scale=out_s, zero_point=out_z)
        inputs = [shape, wt, x] + ([bias] if with_bias else [])
        b.op("TRANSPOSE_CONV", inputs, [y], padding=padding, stride_h=stride, stride_w=stride)
        name = (f"tconv_{i}_{h}x{w}x{cin}_k{kh}x{kw}_o{cout}_s{stride}_{padding}"
                f"_{'pc' if per_channel else 'pt'}{'_b' if with_bias else ''}")
        # XNNPACK has a per-tensor (qs8) deconvolution only: one weight scale and a bias with one scale (the bias
        # here has one per channel), and with SAME padding only without a bias (as TF 2.12 behaves); else TFLite's
        # builtin kernel (double rounding).
        xnn = ws.size == 1 and (not with_bias or cout == 1) and (padding == "VALID" or not with_bias)
        def ref(xv, a=(in_z, wq, stride, padding, oh, ow), bv=bv,
                q=(in_s, ws, out_s, out_z, "NONE", "fp32" if xnn else "double")):
            return requant_ref(transpose_conv_acc(xv, *a) + bv, *q)
        cases.append(Case("TRANSPOSE_CONV", name, b.finish([x], [y]), [_input(rng, [1, h, w, cin])], ref,
                          XNN if xnn else BUILTIN))
    return cases


def fully_connected_cases(rng):
    cases = []
    for i in range(25):
        units = CHANNELS[i % 5]
        depth = [1, 3, 7, 16, 17, 64, 129][(i * 3) % 7]
        rows = [1, 9, 33][i % 3]
        keep = i % 4 == 3
        act = ACTIVATIONS[(i // 2) % 4]
        per_channel = i % 3 == 1
        with_bias = i % 5 != 4
        in_s, in_z = _act_q(rng)
        wq, ws = _weights(rng, [units, depth], units, 0, per_channel)
        out_s, out_z = _out_scale(rng, in_s, ws, depth), int(rng.integers(-40, 41))
        in_shape = [1, rows, depth] if keep else [rows, depth]
        out_shape = [1, rows, units] if keep else [rows, units]
        b = TFLiteBuilder()
        x = b.tensor("x", in_shape, "int8", scale=in_s, zero_point=in_z)
        wt = b.tensor("w", [units, depth], "int8", data=wq, scale=ws, zero_point=np.zeros(ws.size, np.int64),
                      quantized_dimension=0)
        bias, bv = _bias(b, rng, in_s, ws, units, depth, with_bias)
        y = b.tensor("y", out_shape, "int8", scale=out_s, zero_point=out_z)
        b.op("FULLY_CONNECTED", [x, wt, bias], [y], activation=act, keep_num_dims=keep)
        name = (f"fc_{i}_{'x'.join(map(str, in_shape))}_u{units}_{act}_{'pc' if per_channel else 'pt'}"
                f"{'_b' if with_bias else ''}{'_keep' if keep else ''}")
        # XNNPACK's fully connected is per tensor only (one weight scale, a bias with one scale: the bias here has
        # one per unit); else TFLite's optimized builtin kernel, which requantizes through ruy (single rounding).
        xnn = ws.size == 1 and (not with_bias or units == 1)
        def ref(xv, in_z=in_z, wq=wq, bv=bv, q=(in_s, ws, out_s, out_z, act, "fp32" if xnn else "single")):
            acc = (xv.astype(np.int64) - in_z) @ wq.astype(np.int64).T + bv
            return requant_ref(acc, *q)
        cases.append(Case("FULLY_CONNECTED", name, b.finish([x], [y]), [_input(rng, in_shape)], ref,
                          XNN if xnn else BUILTIN))
    return cases


def pool_cases(rng, op):
    cases = []
    for i in range(20):
        c = CHANNELS[i % 5]
        h, w = int(rng.integers(4, 13)) | 1, int(rng.integers(3, 12)) | 1
        fh, fw = [(2, 2), (3, 3), (3, 2), (1, 1), (5, 3)][(i // 2) % 5]
        stride = [1, 2, 3][i % 3]
        padding = ["SAME", "VALID"][(i // 3) % 2]
        act = ACTIVATIONS[(i // 4) % 4]
        if padding == "VALID" and (fh > h or fw > w):
            padding = "SAME"
        if padding == "SAME":
            oh, ow = -(-h // stride), -(-w // stride)
        else:
            oh, ow = (h - fh) // stride + 1, (w - fw) // stride + 1
        s, z = _act_q(rng)
        b = TFLiteBuilder()
        x = b.tensor("x", [1, h, w, c], "int8", scale=s, zero_point=z)
        y = b.tensor("y", [1, oh, ow, c], "int8", scale=s, zero_point=z)
        b.op(op, [x], [y], padding=padding, stride_h=stride, stride_w=stride, filter_h=fh, filter_w=fw,
             activation=act)
        name = f"{op.lower()}_{i}_{h}x{w}x{c}_f{fh}x{fw}_s{stride}_{padding}_{act}"
        cases.append(Case(op, name, b.finish([x], [y]), [_input(rng, [1, h, w, c])]))
    return cases


def mean_cases(rng):
    cases = []
    for i in range(30):
        c = CHANNELS[i % 5]
        n = 1 + i % 4
        h, w = int(rng.integers(1, 14)), int(rng.integers(1, 12))
        in_s, in_z = _act_q(rng)
        if i % 4 == 0:
            out_s, out_z = in_s, in_z  # same parameters
        else:
            out_s, out_z = in_s * float(rng.uniform(0.05, 1.5)), int(rng.integers(-60, 61))
        axes = [1, 2] if i % 3 else [2, 1]
        b = TFLiteBuilder()
        x = b.tensor("x", [n, h, w, c], "int8", scale=in_s, zero_point=in_z)
        ax = b.tensor("axes", [2], "int32", data=np.int32(axes))
        y = b.tensor("y", [n, 1, 1, c], "int8", scale=out_s, zero_point=out_z)
        b.op("MEAN", [x, ax], [y], keep_dims=True)
        name = f"mean_{i}_{n}x{h}x{w}x{c}_axes{axes[0]}{axes[1]}_ratio{in_s / out_s:.3f}"
        # XNNPACK's global average pooling: s_in / (s_out * H * W) in float32, fp32 requantization (the test's
        # ratios s_in / s_out stay within the [2^-8, 2^8) XNNPACK accepts).
        def ref(xv, in_s=in_s, in_z=in_z, out_s=out_s, out_z=out_z):
            acc = (xv.astype(np.int64) - in_z).sum(axis=(1, 2), keepdims=True)
            m = float(np.float32(in_s)) / float(np.float32(out_s))
            count = xv.shape[1] * xv.shape[2]
            scale = np.float32(in_s) / np.float32(np.float32(out_s) * np.float32(count))
            return acc * m / count + out_z, fp32_requant(acc, scale, out_z)
        cases.append(Case("MEAN", name, b.finish([x], [y]), [_input(rng, [n, h, w, c])], ref, XNN))
    return cases


# MEAN over other axes: (input shape, axes as written in the model, keep_dims). TFLite 2.12's delegate takes a 4-D
# input with axes exactly {2} or {1, 2} (as written: negative axes go to the builtin kernel), keep_dims either way.
GENERAL_MEANS = [([2, 5, 6, 7], [2], True), ([2, 5, 6, 7], [2], False), ([1, 5, 6, 17], [1, 2], False),
                 ([2, 5, 6, 7], [2, 1], False), ([2, 5, 6, 7], [3], True), ([2, 5, 6, 16], [3], False),
                 ([2, 5, 6, 7], [1], True), ([2, 5, 6, 7], [-1], False), ([2, 5, 6, 7], [-2], True),
                 ([2, 5, 6, 7], [-3, -2], True), ([2, 5, 6, 7], [1, 2, 3], False), ([3, 9, 10], [1], False),
                 ([3, 9, 10], [2], False), ([3, 9, 10], [-1], True), ([4, 12], [1], False), ([1, 8, 16], [2, 1], True)]
# s_in / s_out = 300 is outside XNNPACK's [2^-8, 2^8): the builtin kernels, including the 4-D spatial one.
FAR_RATIO = 300.0


def _xnn_mean_axes(rank, axes):
    return rank == 4 and (axes == [2] or sorted(axes) == [1, 2] and len(axes) == 2)


def general_mean_ref(x, axes, keep, in_s, in_z, out_s, out_z):
    """(exact, model, path): TFLite 2.12's MEAN of int8 x. XNNPACK: fp32 requantization of the centred sum by
    s_in / (s_out n); builtin over 4-D {1, 2} with keep_dims: reference_integer_ops::Mean (double rounding, then
    / n half away from zero); builtin elsewhere: reference_ops::Mean (raw sum / n truncated) when the output
    is quantized like the input, else QuantizedMeanOrSum in float32 (round half away from zero)."""
    ax = tuple(sorted({a % x.ndim for a in axes}))
    raw = x.astype(np.int64).sum(axis=ax, keepdims=keep)
    n = int(np.prod([x.shape[a] for a in ax]))
    acc = raw - n * in_z
    in32, out32 = np.float32(in_s), np.float32(out_s)
    exact = acc * (float(in32) / float(out32)) / n + out_z
    if _xnn_mean_axes(x.ndim, axes) and 2.0 ** -8 <= in32 / out32 < 2.0 ** 8:
        return exact, fp32_requant(acc, in32 / np.float32(out32 * np.float32(n)), out_z), XNN
    if x.ndim == 4 and keep and len(axes) == 2 and sorted(axes) == [1, 2]:
        scaled = mbqm(acc, *quantize_multiplier(float(in32) / float(out32)))
        half = n // 2
        div = np.where(scaled > 0, _trunc_div(scaled + half, n), _trunc_div(scaled - half, n))
        return exact, np.clip(div + out_z, -128, 127), BUILTIN
    if in32 == out32 and in_z == out_z:
        return exact, _trunc_div(raw, n), BUILTIN
    scale = np.float32(in32 / out32)
    bias = np.float32(np.float32(-in_z) * scale)
    r = np.float32(raw.astype(np.float32) / np.float32(n) * scale) + bias
    r = np.sign(r) * np.floor(np.abs(r) + np.float32(0.5))
    return exact, np.clip(r.astype(np.int64) + out_z, -128, 127), BUILTIN


def general_mean_cases(rng):
    cases = []
    for i, (shape, axes, keep) in enumerate(GENERAL_MEANS + [([1, 5, 6, 7], [1, 2], True), ([1, 5, 6, 7], [2, 1], False)]):
        for quant in ("same", "different", "far"):
            if quant == "far" and i % 2 and i < len(GENERAL_MEANS):
                continue
            in_s, in_z = _act_q(rng)
            if quant == "same":
                out_s, out_z = in_s, in_z
            else:
                ratio = FAR_RATIO if quant == "far" else float(rng.uniform(0.3, 3.0))
                out_s, out_z = in_s / ratio, int(rng.integers(-60, 61))
            ax_set = {a % len(shape) for a in axes}
            out_shape = [1 if d in ax_set else v for d, v in enumerate(shape)] if keep else \
                [v for d, v in enumerate(shape) if d not in ax_set]
            b = TFLiteBuilder()
            x = b.tensor("x", shape, "int8", scale=in_s, zero_point=in_z)
            ax = b.tensor("axes", [len(axes)], "int32", data=np.int32(axes))
            y = b.tensor("y", out_shape, "int8", scale=out_s, zero_point=out_z)
            b.op("MEAN", [x, ax], [y], keep_dims=keep)
            name = (f"mean_general_{i}_{'x'.join(map(str, shape))}_axes{'_'.join(map(str, axes))}"
                    f"_{'keep' if keep else 'nokeep'}_{quant}")
            xv = _input(rng, shape)
            if quant == "far":  # values next to the zero point, so that 300x finer outputs do not all saturate
                xv = (in_z + rng.integers(-1, 2, size=shape)).astype(np.int8)
            _, _, path = general_mean_ref(xv, axes, keep, in_s, in_z, out_s, out_z)
            def ref(v, axes=axes, keep=keep, q=(in_s, in_z, out_s, out_z)):
                exact, model, _ = general_mean_ref(v, axes, keep, *q)
                return exact, model
            cases.append(Case("MEAN", name, b.finish([x], [y]), [xv], ref, path))
    return cases


# BATCH_MATMUL: (lhs shape, rhs shape, adj_x, adj_y, rhs constant). TFLite 2.12 runs int8 BATCH_MATMUL in its
# optimized builtin kernel (cpu_backend_gemm, ruy's single rounding; XNNPACK takes none).
BATCH_MATMULS = [([2, 6, 8], [2, 8, 5], False, False, False), ([2, 8, 6], [2, 5, 8], True, True, False),
                 ([3, 6, 8], [3, 5, 8], False, True, False), ([2, 8, 6], [2, 8, 5], True, False, False),
                 ([3, 4, 6, 8], [4, 8, 5], False, False, False), ([3, 1, 6, 8], [1, 8, 5], False, False, False),
                 ([1, 7, 16], [16, 17], False, False, True), ([2, 5, 3], [2, 3, 7], False, False, True),
                 ([6, 8], [8, 5], False, False, False), ([2, 1, 5, 4], [1, 3, 4, 6], False, False, False)]


def batch_matmul_cases(rng):
    cases = []
    for i, (ls, rs, adj_x, adj_y, const_rhs) in enumerate(BATCH_MATMULS):
        for tie in (False, True):
            if tie:  # power-of-two scales: s_l s_r / s_out = 1/4 or 1/8, exact ties between the roundings
                sl, sr, so = 0.5, 0.5, float(rng.choice([1.0, 2.0]))
            else:
                sl, sr = _act_q(rng)[0], float(rng.uniform(0.005, 0.05))
                so = sl * sr * float(np.sqrt(ls[-2] if adj_x else ls[-1])) * PRODUCT_SPREAD / 128
            lz, rz, oz = int(rng.integers(-40, 41)), int(rng.integers(-40, 41)), int(rng.integers(-20, 21))
            rv = _input(rng, rs)
            m, n = (ls[-1] if adj_x else ls[-2]), (rs[-2] if adj_y else rs[-1])
            batch = list(np.broadcast_shapes(tuple(ls[:-2]), tuple(rs[:-2])))
            b = TFLiteBuilder()
            x = b.tensor("x", ls, "int8", scale=sl, zero_point=lz)
            y = b.tensor("y", rs, "int8", scale=sr, zero_point=rz, data=rv if const_rhs else None)
            o = b.tensor("o", batch + [m, n], "int8", scale=so, zero_point=oz)
            b.op("BATCH_MATMUL", [x, y], [o], adj_x=adj_x, adj_y=adj_y)
            name = (f"batch_matmul_{i}_{'x'.join(map(str, ls))}_{'x'.join(map(str, rs))}_adj{int(adj_x)}{int(adj_y)}"
                    f"{'_const' if const_rhs else ''}{'_tie' if tie else ''}")

            def ref(xv, rv=rv, q=(sl, sr, so, lz, rz, oz), adj=(adj_x, adj_y)):
                sl_, sr_, so_, lz_, rz_, oz_ = q
                a = xv.astype(np.int64) - lz_
                w = rv.astype(np.int64) - rz_
                if adj[0]:
                    a = np.swapaxes(a, -1, -2)
                if adj[1]:
                    w = np.swapaxes(w, -1, -2)
                acc = np.matmul(a, w)
                real = float(np.float32(sl_)) * float(np.float32(sr_)) / float(np.float32(so_))
                model = np.clip(single_rounding(acc, *quantize_multiplier(real)) + oz_, -128, 127)
                return acc * real + oz_, model
            inputs = [_input(rng, ls)] + ([] if const_rhs else [rv])
            cases.append(Case("BATCH_MATMUL", name, b.finish([x] if const_rhs else [x, y], [o]), inputs, ref, BUILTIN))
    return cases


def quantize_cases(rng):
    cases = []
    kinds = [("int8", "int8"), ("uint8", "int8"), ("int8", "uint8")]
    for i in range(18):
        src, dst = kinds[i % 3]
        shape = [1, int(rng.integers(3, 9)), int(rng.integers(3, 9)), CHANNELS[i % 5]]
        in_s = float(rng.uniform(0.005, 0.1))
        in_z = int(rng.integers(-40, 41)) + (128 if src == "uint8" else 0)
        ratio = float(rng.choice([rng.uniform(0.3, 3.0), 1.0]))
        out_s = in_s * ratio
        out_z = int(rng.integers(-40, 41)) + (128 if dst == "uint8" else 0)
        if i % 6 == 1:  # the plain uint8 <-> int8 shift by 128
            out_s, out_z = in_s, in_z - 128
        b = TFLiteBuilder()
        x = b.tensor("x", shape, src, scale=in_s, zero_point=in_z)
        y = b.tensor("y", shape, dst, scale=out_s, zero_point=out_z)
        b.op("QUANTIZE", [x], [y])
        name = f"quantize_{i}_{src}_to_{dst}_ratio{in_s / out_s:.3f}_z{in_z}_{out_z}"
        # int8 -> int8 runs in XNNPACK's qs8 convert (8-bit multiplier lrintf(256 s_in / s_out), the ratios here
        # stay within its [2^-8, 2^7]); the uint8 conversions in TFLite's builtin Requantize.
        xnn = src == dst == "int8"
        def ref(xv, in_s=in_s, in_z=in_z, out_s=out_s, out_z=out_z, dst=dst, xnn=xnn):
            acc = xv.astype(np.int64) - in_z
            m = float(np.float32(in_s)) / float(np.float32(out_s))
            lo, hi = (0, 255) if dst == "uint8" else (-128, 127)
            if xnn:
                mult = int(np.rint(np.float32(256.0) * np.float32(np.float32(in_s) / np.float32(out_s))))
                return acc * m + out_z, np.clip(((acc * mult + 128) >> 8) + out_z, lo, hi)
            return acc * m + out_z, np.clip(mbqm(acc, *quantize_multiplier(m)) + out_z, lo, hi)
        cases.append(Case("QUANTIZE", name, b.finish([x], [y]), [_input(rng, shape, src)], ref,
                          XNN if xnn else BUILTIN))
    return cases


def all_cases():
    rng = np.random.default_rng(SEED)
    return (conv_cases(rng) + depthwise_cases(rng) + transpose_conv_cases(rng) + fully_connected_cases(rng)
            + pool_cases(rng, "AVERAGE_POOL_2D") + pool_cases(rng, "MAX_POOL_2D") + mean_cases(rng)
            + quantize_cases(rng) + general_mean_cases(np.random.default_rng(SEED + 1))
            + batch_matmul_cases(np.random.default_rng(SEED + 2)))


# ---------------------------------------------------------------- runners

class Oracle:
    """One long-lived `node oracle_server.mjs` (restarted after a fatal answer)."""

    def __init__(self):
        self.proc = None

    def _start(self):
        self.proc = subprocess.Popen(["node", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=os.path.dirname(SERVER))

    def run(self, model, inputs, out, timeout=120):
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        req = {"kind": "tflite", "model": model, "inputs": [[i, f] for i, f in enumerate(inputs)], "out": out}
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.flush()
        buf, deadline, fd = b"", time.monotonic() + timeout, self.proc.stdout.fileno()
        while not buf.endswith(b"\n"):
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise RuntimeError(f"TFLite oracle timed out on {model}")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.proc = None
                raise RuntimeError(f"TFLite oracle died on {model}")
            buf += chunk
        answer = json.loads(buf.decode())
        if answer.get("fatal"):
            self.proc.wait()
            self.proc = None
        return answer

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tool = os.environ.get("OCTET_TFLITE_TOOL", DEFAULT_TOOL)
    if not os.access(tool, os.X_OK):
        pytest.fail(f"octet_tflite_tool not found: {tool!r} (build it or set OCTET_TFLITE_TOOL)")
    root = tmp_path_factory.mktemp("int8_conv_pool")
    cases = all_cases()
    for case in cases:   # write every model and input first
        d = root / case.name
        d.mkdir()
        (d / "model.tflite").write_bytes(case.model)
        for k, arr in enumerate(case.inputs):
            np.save(d / f"x{k}.npy", arr)
    oracle = Oracle()
    out = {}
    try:
        for case in cases:
            d = root / case.name
            inputs = [str(d / f"x{k}.npy") for k in range(len(case.inputs))]
            answer = oracle.run(str(d / "model.tflite"), inputs, str(d / "tflite"))
            run = subprocess.run([tool, "run", str(d / "model.tflite"), "--out", str(d / "octet")] + inputs,
                                 capture_output=True, text=True)
            result = {"tflite_error": None if answer.get("ok") else answer.get("error"),
                      "octet_error": run.stderr.strip() if run.returncode else None,
                      "nodes": answer.get("executed_nodes"), "path": case.path}
            if answer.get("ok") and run.returncode == 0:
                result["tflite"] = np.load(answer["outputs"][0]["file"])
                result["octet"] = np.load(d / "octet" / "output_0.npy")
            if case.ref is not None:
                result["exact"], result["reference"] = case.ref(case.inputs[0])
            out[case.name] = (case.op, result)
    finally:
        oracle.close()
    return out


OPS = ["CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
       "MEAN", "QUANTIZE", "BATCH_MATMUL"]


XNNPACK = "TfLiteXNNPackDelegate"


@pytest.mark.parametrize("op", OPS)
def test_matches_tflite(results, op):
    """octet vs TFLite, per op: equal on >= 99.9% of the elements, never more
    than 1 apart. TFLite must have run each case on the path the case states
    (XNNPACK or a builtin kernel), and octet must equal the numpy model of that
    path's arithmetic on every element. Where TFLite still differs, the
    mismatch must be a near-tie: TFLite within 1 of the exact real result."""
    n = e = worst = 0
    problems = []
    for name, (case_op, r) in results.items():
        if case_op != op:
            continue
        if r["tflite_error"] or r["octet_error"]:
            problems.append(f"{name}: tflite: {r['tflite_error']} | octet: {r['octet_error']}")
            continue
        a, b = r["octet"], r["tflite"]
        if a.shape != b.shape or a.dtype != b.dtype:
            problems.append(f"{name}: octet {a.dtype}{a.shape} vs tflite {b.dtype}{b.shape}")
            continue
        nodes = r["nodes"] or {}
        if r["path"] is not None and (XNNPACK in nodes) != (r["path"] == XNN):
            problems.append(f"{name}: expected TFLite's {r['path']} path, TFLite ran {sorted(nodes)}")
        ours, theirs = a.astype(np.int64), b.astype(np.int64)
        if "reference" in r and not np.array_equal(ours, r["reference"].reshape(ours.shape)):
            bad = np.argwhere(ours != r["reference"].reshape(ours.shape))
            problems.append(f"{name}: octet differs from the numpy model of TFLite's {r['path']} arithmetic at "
                            f"{len(bad)} elements, first {tuple(bad[0])}")
        diff = np.abs(ours - theirs)
        worst = max(worst, int(diff.max()) if diff.size else 0)
        if diff.size and diff.max() > MAX_ABS_DIFF:
            problems.append(f"{name}: max |diff| {diff.max()} at {np.unravel_index(diff.argmax(), diff.shape)}")
        n += diff.size
        e += int(np.count_nonzero(diff == 0))
        if diff.any():
            if "exact" not in r:
                problems.append(f"{name}: TFLite ({sorted(nodes)}) differs and there is no exact model to explain it")
                continue
            lo, hi = (0, 255) if b.dtype == np.uint8 else (-128, 127)
            exact = np.clip(r["exact"].reshape(ours.shape), lo, hi)
            unexplained = (diff != 0) & (np.abs(theirs - exact) >= 1)
            if unexplained.any():
                problems.append(f"{name}: TFLite ({sorted(nodes)}) is not within 1 of the exact result at "
                                f"{tuple(np.argwhere(unexplained)[0])}")
    print(f"\n{op}: {n} elements, {100 * e / max(n, 1):.3f}% equal; max |diff| {worst}", end="")
    assert not problems, "\n".join(problems)
    assert n > 0
    assert e / n >= MIN_EQUAL_FRACTION, f"{op}: only {100 * e / n:.3f}% of {n} outputs equal"
