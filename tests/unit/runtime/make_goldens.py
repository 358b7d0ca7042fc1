#!/usr/bin/python3
"""Prints the golden values used by the reference-kernel unit tests.

Run with Debian's python3 (numpy, scipy, cv2): /usr/bin/python3 make_goldens.py
Each case is computed independently of octet's C++ loops: convolutions by
explicit zero padding (TensorFlow's SAME/VALID padding: total =
max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), the smaller half
before) and a numpy dot over each window; transpose convolution as the full
scatter of every input pixel cropped to the output window; pooling over the
padded image with NaN/-inf marking the padding; resizes with OpenCV (whose
INTER_LINEAR is TF's half_pixel_centers bilinear and INTER_NEAREST TF's legacy
nearest) or the align_corners
formula; strided slices with numpy's own slicing; GELU with scipy's erf.
"""
import math

import numpy as np
from scipy.special import erf

try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None


def literal(v):
    if not math.isfinite(v):
        return "NAN"
    text = f"{v:.9g}"
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "F"


def fmt(a):
    # A C++ braced list of float literals, wrapped at about 100 columns.
    items = [literal(v) for v in np.asarray(a, dtype=np.float64).ravel()]
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) > 96:
            lines.append(line.rstrip())
            line = ""
        line += item + ", "
    lines.append(line.rstrip().rstrip(","))
    return "{" + "\n    ".join(lines) + "}"


_seed = [0]


def seq(key, n, scale=0.5, offset=0.0, mod=7):
    # Seeded random multiples of `scale` in [-(mod//2), mod//2] (exact in
    # float32); each call uses the next seed. Printed as input `key`.
    _seed[0] += 1
    v = np.random.default_rng(_seed[0]).integers(-(mod // 2), mod // 2 + 1, n) * scale + offset
    print(f"{key} = {fmt(v)}")
    return v.astype(np.float64)


def same_or_valid(padding, n, k, s, d):
    eff = (k - 1) * d + 1
    out = (n + s - 1) // s if padding == "SAME" else (n + s - eff) // s
    total = max((out - 1) * s + eff - n, 0)
    return out, total // 2, total - total // 2


def conv2d(x, w, b, stride, dil, padding):  # x NHWC, w OHWI (I = C / groups)
    n, h, wd, c = x.shape
    o, kh, kw, ci = w.shape
    groups = c // ci
    oh, pt, pb = same_or_valid(padding, h, kh, stride[0], dil[0])
    ow, pl, pr = same_or_valid(padding, wd, kw, stride[1], dil[1])
    xp = np.pad(x, ((0, 0), (pt, pb + 8), (pl, pr + 8), (0, 0)))
    out = np.zeros((n, oh, ow, o))
    per = o // groups
    for oc in range(o):
        g = oc // per
        for y in range(oh):
            for xx in range(ow):
                win = xp[:, y * stride[0]: y * stride[0] + (kh - 1) * dil[0] + 1: dil[0],
                         xx * stride[1]: xx * stride[1] + (kw - 1) * dil[1] + 1: dil[1], g * ci:(g + 1) * ci]
                out[:, y, xx, oc] = np.tensordot(win, w[oc], axes=([1, 2, 3], [0, 1, 2]))
    return out + (b if b is not None else 0)


def depthwise(x, w, b, mult, stride, dil, padding):  # w 1HW(C*M)
    n, h, wd, c = x.shape
    _, kh, kw, oc = w.shape
    # As a grouped conv with C groups: output channel c*M+m sees input channel c.
    wg = np.transpose(w, (3, 1, 2, 0))  # (C*M, kh, kw, 1)
    return conv2d(x, wg, b, stride, dil, padding)


def transpose_conv(x, w, b, out_shape, stride, padding):  # w OHWI
    n, h, wd, c = x.shape
    o, kh, kw, _ = w.shape
    _, OH, OW, _ = out_shape
    # Full output of the scatter, then crop at TFLite's padding.
    full = np.zeros((n, (h - 1) * stride[0] + kh, (wd - 1) * stride[1] + kw, o))
    for y in range(h):
        for xx in range(wd):
            full[:, y * stride[0]: y * stride[0] + kh, xx * stride[1]: xx * stride[1] + kw, :] += np.einsum(
                "nc,ohwc->nhwo", x[:, y, xx, :], w)
    _, pt, _ = same_or_valid(padding, OH, kh, stride[0], 1)
    _, pl, _ = same_or_valid(padding, OW, kw, stride[1], 1)
    full = np.pad(full, ((0, 0), (0, OH + 8), (0, OW + 8), (0, 0)))
    return full[:, pt:pt + OH, pl:pl + OW, :] + (b if b is not None else 0)


def pool(x, k, stride, padding, kind):
    n, h, wd, c = x.shape
    oh, pt, pb = same_or_valid(padding, h, k[0], stride[0], 1)
    ow, pl, pr = same_or_valid(padding, wd, k[1], stride[1], 1)
    xp = np.pad(x, ((0, 0), (pt, pb + 8), (pl, pr + 8), (0, 0)), constant_values=np.nan)
    out = np.zeros((n, oh, ow, c))
    for y in range(oh):
        for xx in range(ow):
            win = xp[:, y * stride[0]: y * stride[0] + k[0], xx * stride[1]: xx * stride[1] + k[1], :]
            out[:, y, xx, :] = np.nanmax(win, axis=(1, 2)) if kind == "max" else np.nanmean(win, axis=(1, 2))
    return out


def case(key, values):
    print(f"{key} = {fmt(values)}")


def main():
    # ---- CONV_2D (x NHWC, w OHWI)
    x = seq("conv1_x", 1 * 4 * 4 * 2).reshape(1, 4, 4, 2)  # VALID, stride 1, bias
    w = seq("conv1_w", 3 * 3 * 3 * 2, 0.25, mod=5).reshape(3, 3, 3, 2)
    b = np.array([0.5, -1.0, 0.25])
    out = conv2d(x, w, b, (1, 1), (1, 1), "VALID")
    case("conv1_out", out)
    case("conv1_relu6_out", np.clip(out * 4, 0, 6))  # the same conv with w*4, then RELU6
    case("conv1_n1to1_out", np.clip(out, -1, 1))
    case("conv1_tanh_out", np.tanh(out))
    case("conv1_relu_out", np.maximum(out, 0))
    x = seq("conv2_x", 25, 1.0, mod=11).reshape(1, 5, 5, 1)  # SAME, stride 2
    w = seq("conv2_w", 2 * 3 * 3 * 1, 0.5, mod=5).reshape(2, 3, 3, 1)
    case("conv2_out", conv2d(x, w, None, (2, 2), (1, 1), "SAME"))
    x = seq("conv3_x", 50, 0.5, mod=9).reshape(1, 5, 5, 2)  # SAME, dilation 2
    w = seq("conv3_w", 2 * 3 * 3 * 2, 0.5, mod=5).reshape(2, 3, 3, 2)
    case("conv3_out", conv2d(x, w, None, (1, 1), (2, 2), "SAME"))
    x = seq("conv4_x", 42, 1.0, mod=13).reshape(1, 7, 6, 1)  # VALID, stride 2, dilation 2
    w = seq("conv4_w", 4, 1.0, mod=3).reshape(1, 2, 2, 1)
    case("conv4_out", conv2d(x, w, None, (2, 2), (2, 2), "VALID"))
    x = seq("conv5_x", 6 * 6, 1.0, mod=7).reshape(1, 6, 6, 1)  # SAME stride 2, odd total padding
    case("conv5_out", conv2d(x, np.ones((1, 3, 3, 1)), None, (2, 2), (1, 1), "SAME"))
    x = seq("conv6_x", 1 * 3 * 3 * 4, 0.5, mod=9).reshape(1, 3, 3, 4)  # 2 groups, VALID
    w = seq("conv6_w", 4 * 2 * 2 * 2, 0.5, mod=5).reshape(4, 2, 2, 2)
    case("conv6_out", conv2d(x, w, None, (1, 1), (1, 1), "VALID"))

    # ---- DEPTHWISE_CONV_2D (w 1HW(C*M))
    x = seq("dw1_x", 18, 0.5, mod=9).reshape(1, 3, 3, 2)  # M=2, SAME, bias
    w = seq("dw1_w", 36, 0.5, mod=5).reshape(1, 3, 3, 4)
    case("dw1_out", depthwise(x, w, np.array([1.0, -1.0, 0.5, 0.0]), 2, (1, 1), (1, 1), "SAME"))
    x = seq("dw2_x", 2 * 5 * 5 * 3, 0.5, mod=11).reshape(2, 5, 5, 3)  # M=1, VALID, stride 2, 2 batches
    w = seq("dw2_w", 2 * 2 * 3, 1.0, mod=3).reshape(1, 2, 2, 3)
    case("dw2_out", depthwise(x, w, None, 1, (2, 2), (1, 1), "VALID"))
    x = seq("dw3_x", 25, 1.0, mod=7).reshape(1, 5, 5, 1)  # M=3, SAME, dilation 2
    w = seq("dw3_w", 9 * 3, 0.5, mod=5).reshape(1, 3, 3, 3)
    case("dw3_out", depthwise(x, w, None, 3, (1, 1), (2, 2), "SAME"))

    # ---- TRANSPOSE_CONV (w OHWI)
    x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1)
    w = np.arange(1, 10, dtype=np.float64).reshape(1, 3, 3, 1)
    case("tc1_out", transpose_conv(x, w, None, (1, 4, 4, 1), (2, 2), "SAME"))  # x=1..4, w=1..9
    x = seq("tc2_x", 12, 0.5, mod=7).reshape(1, 2, 2, 3)  # VALID stride 2, bias, out 1x5x5x2
    w = seq("tc2_w", 2 * 3 * 3 * 3, 0.5, mod=5).reshape(2, 3, 3, 3)
    case("tc2_out", transpose_conv(x, w, np.array([0.5, -0.5]), (1, 5, 5, 2), (2, 2), "VALID"))
    x = seq("tc3_x", 9, 1.0, mod=5).reshape(1, 3, 3, 1)  # SAME stride 2, out 1x6x5x2
    w = seq("tc3_w", 2 * 2 * 2, 1.0, mod=3).reshape(2, 2, 2, 1)
    case("tc3_out", transpose_conv(x, w, None, (1, 6, 5, 2), (2, 2), "SAME"))

    # ---- pooling
    x = seq("pool_x", 1 * 5 * 5 * 2, 1.0, mod=13).reshape(1, 5, 5, 2)
    case("avg_same_out", pool(x, (3, 3), (2, 2), "SAME", "avg"))  # 3x3 stride 2
    case("max_same_out", pool(x, (3, 3), (2, 2), "SAME", "max"))  # 3x3 stride 2
    case("max_valid_out", pool(x, (2, 2), (1, 1), "VALID", "max"))  # 2x2 stride 1
    case("avg_valid_out", pool(x, (2, 3), (2, 1), "VALID", "avg"))  # 2x3 stride (2,1)

    # ---- BATCH_MATMUL
    a = seq("bmm1_a", 2 * 1 * 2 * 3, 0.5, mod=7).reshape(2, 1, 2, 3)
    bm = seq("bmm1_b", 3 * 3 * 2, 0.5, mod=5).reshape(3, 3, 2)
    case("bmm1_out", a @ bm)  # batch dims 2x1 and 3 broadcast to 2x3
    a2 = seq("bmm2_a", 2 * 3 * 2, 0.5, mod=7).reshape(2, 3, 2)
    b2 = seq("bmm2_b", 4 * 3, 0.5, mod=5).reshape(4, 3)
    case("bmm2_out", np.swapaxes(a2, -1, -2) @ b2.T)  # adj_x, adj_y

    # ---- GELU on [-4, -1.5, -0.5, 0, 0.5, 1, 2.5, 7]
    g = np.array([-4.0, -1.5, -0.5, 0.0, 0.5, 1.0, 2.5, 7.0])
    case("gelu_exact_out", 0.5 * g * (1 + erf(g / math.sqrt(2))))
    case("gelu_tanh_out", 0.5 * g * (1 + np.tanh(math.sqrt(2 / math.pi) * (g + 0.044715 * g ** 3))))

    # ---- softmax on [[1, 2, 3, 4], [-1, 0, 0.5, 10]]
    sm = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 0.5, 10.0]])
    e = np.exp(0.5 * (sm - sm.max(axis=1, keepdims=True)))
    case("softmax_beta_half_out", e / e.sum(axis=1, keepdims=True))
    m = sm.max(axis=1, keepdims=True)
    case("log_softmax_out", sm - m - np.log(np.exp(sm - m).sum(axis=1, keepdims=True)))

    # ---- resize of the 2x3 image [[0, 1, 4], [2, 8, 3]] (cv2 dsize is width, height)
    r = np.array([[0.0, 1.0, 4.0], [2.0, 8.0, 3.0]], dtype=np.float32)
    case("bilinear_half_pixel_out", cv2.resize(r, (5, 3), interpolation=cv2.INTER_LINEAR))
    case("bilinear_half_pixel_down_out", cv2.resize(r, (2, 1), interpolation=cv2.INTER_LINEAR))
    case("nearest_legacy_out", cv2.resize(r, (5, 3), interpolation=cv2.INTER_NEAREST))
    # (Not INTER_NEAREST_EXACT for half_pixel_centers: its fixed point rounds an
    # exact integer source coordinate down, where TF's floor((d + .5) * s) does not.)

    def bilinear_ref(img, oh, ow, src_of):
        h, w = img.shape
        out = np.zeros((oh, ow))
        for y in range(oh):
            for xx in range(ow):
                sy, sx = src_of(y, h, oh), src_of(xx, w, ow)
                y0, x0 = int(math.floor(sy)), int(math.floor(sx))
                y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
                dy, dx = sy - y0, sx - x0
                out[y, xx] = (img[y0, x0] * (1 - dy) * (1 - dx) + img[y1, x0] * dy * (1 - dx) +
                              img[y0, x1] * (1 - dy) * dx + img[y1, x1] * dy * dx)
        return out

    case("bilinear_align_corners_out", bilinear_ref(r.astype(np.float64), 3, 5, lambda d, i, o: d * (i - 1) / (o - 1)))
    case("bilinear_legacy_out", bilinear_ref(r.astype(np.float64), 3, 5, lambda d, i, o: d * i / o))

    # ---- FULLY_CONNECTED: y = x W^T + b
    fx = seq("fc_x", 6, 0.5, mod=7).reshape(2, 3)
    fw = seq("fc_w", 12, 0.5, mod=5).reshape(4, 3)
    case("fc_out", fx @ fw.T + np.array([1.0, -1.0, 0.5, 0.0]))

    # ---- broadcast binary ops: a 2x3x1 with b 1x4 -> 2x3x4
    ba = seq("bin_a", 6, 0.5, mod=9).reshape(2, 3, 1)
    bb = seq("bin_b", 4, 0.5, mod=5, offset=0.25).reshape(1, 4)  # never zero
    case("add_out", ba + bb)
    case("sub_out", ba - bb)
    case("mul_out", ba * bb)
    case("div_out", ba / bb)
    case("max_out", np.maximum(ba, bb))
    case("min_out", np.minimum(ba, bb))
    case("sqdiff_out", (ba - bb) ** 2)
    case("pow_out", np.power(np.abs(ba) + 0.5, bb))  # base |a| + 0.5 > 0

    # ---- reductions of x 2x3x4
    rx = seq("red_x", 24, 0.5, mod=9).reshape(2, 3, 4)
    case("mean_12_keep_out", rx.mean(axis=(1, 2), keepdims=True))
    case("sum_last_out", rx.sum(axis=-1))
    case("max_0_out", rx.max(axis=0))
    case("min_1_keep_out", rx.min(axis=1, keepdims=True))

    # ---- a small CNN run by the Interpreter: conv 3x3 SAME + RELU, max pool 2x2,
    # mean over H and W, fully connected, softmax.
    cx = seq("cnn_x", 32, 0.5, mod=9).reshape(1, 4, 4, 2)
    cw = seq("cnn_w", 3 * 3 * 3 * 2, 0.25, mod=5).reshape(3, 3, 3, 2)
    conv_out = np.maximum(conv2d(cx, cw, np.array([0.25, -0.5, 0.75]), (1, 1), (1, 1), "SAME"), 0)
    case("cnn_conv_out", conv_out)
    pooled = conv_out.reshape(1, 2, 2, 2, 2, 3).max(axis=(2, 4))
    mean = pooled.mean(axis=(1, 2))
    fcw = seq("cnn_fc_w", 6, 0.5, mod=5).reshape(2, 3)
    logits = mean @ fcw.T + np.array([0.5, -0.5])
    e = np.exp(logits - logits.max())
    case("cnn_out", e / e.sum())

    # ---- STRIDED_SLICE: numpy slicing of t = arange(60) as 3x4x5
    t = np.arange(60).reshape(3, 4, 5)
    for key, v in [("ss1", t[1:-1, ::2]), ("ss2", t[::-1, 3:0:-2]), ("ss3", t[1, :, 2]), ("ss4", t[..., 1:4:2]),
                   ("ss5", t[:, None, 1]), ("ss6", t[-10:10, -1:, -7:-3]), ("ss7", t[2:0:-1, ..., ::-3])]:
        print(f"// {key} shape {v.shape}")
        case(key + "_out", v)


if __name__ == "__main__":
    main()
