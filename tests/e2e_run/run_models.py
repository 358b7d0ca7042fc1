"""Small .tflite models for the inspect/run/bench tests, written with
tests/oracles/tflite_builder.py (not by octet)."""
import os

import numpy as np

from tflite_builder import TFLiteBuilder


def classifier(path):
    """image [1,8,8,3] float -> CONV_2D 3x3 (4 ch, RELU) -> MEAN(1,2) -> FC 5 -> SOFTMAX."""
    rng = np.random.default_rng(1)
    b = TFLiteBuilder()
    x = b.tensor("image", [1, 8, 8, 3], "float32")
    w = b.tensor("conv/w", [4, 3, 3, 3], "float32", data=rng.uniform(-1, 1, (4, 3, 3, 3)).astype(np.float32))
    cb = b.tensor("conv/b", [4], "float32", data=rng.uniform(-0.1, 0.1, 4).astype(np.float32))
    c = b.tensor("conv", [1, 8, 8, 4], "float32")
    b.op("CONV_2D", [x, w, cb], [c], padding="SAME", activation="RELU")
    axes = b.tensor("axes", [2], "int32", data=np.array([1, 2], np.int32))
    m = b.tensor("pool", [1, 4], "float32")
    b.op("MEAN", [c, axes], [m])
    fw = b.tensor("fc/w", [5, 4], "float32", data=rng.uniform(-1, 1, (5, 4)).astype(np.float32))
    fb = b.tensor("fc/b", [5], "float32", data=rng.uniform(-0.1, 0.1, 5).astype(np.float32))
    f = b.tensor("logits", [1, 5], "float32")
    b.op("FULLY_CONNECTED", [m, fw, fb], [f])
    y = b.tensor("probs", [1, 5], "float32")
    b.op("SOFTMAX", [f], [y], beta=1.0)
    with open(path, "wb") as fh:
        fh.write(b.finish(inputs=[x], outputs=[y, f]))


def int8_io(path):
    """q [1,4,4,3] int8 (0.02, -3) -> DEQUANTIZE -> FC 6 (float, RELU) -> QUANTIZE int8 (0.05, -128),
    plus a per-channel int8 weight tensor (for inspect)."""
    rng = np.random.default_rng(2)
    b = TFLiteBuilder()
    q = b.tensor("q_in", [1, 4, 4, 3], "int8", scale=[0.02], zero_point=[-3])
    f = b.tensor("f", [1, 4, 4, 3], "float32")
    b.op("DEQUANTIZE", [q], [f])
    wq = b.tensor("w_q", [6, 48], "int8", data=rng.integers(-127, 128, (6, 48)).astype(np.int8),
                  scale=list(np.linspace(0.001, 0.006, 6).astype(np.float32)), zero_point=[0] * 6,
                  quantized_dimension=0)
    w = b.tensor("w", [6, 48], "float32")
    b.op("DEQUANTIZE", [wq], [w])
    h = b.tensor("h", [1, 6], "float32")
    b.op("FULLY_CONNECTED", [f, w, -1], [h], activation="RELU")
    y = b.tensor("q_out", [1, 6], "int8", scale=[0.05], zero_point=[-128])
    b.op("QUANTIZE", [h], [y])
    with open(path, "wb") as fh:
        fh.write(b.finish(inputs=[q], outputs=[y]))


def nchw_two_inputs(path):
    """a [1,3,4,4] + b [1,3,4,4] -> ADD -> sum (float; two inputs, the NCHW heuristic)."""
    b = TFLiteBuilder()
    x = b.tensor("a", [1, 3, 4, 4], "float32")
    y = b.tensor("b", [1, 3, 4, 4], "float32")
    s = b.tensor("sum", [1, 3, 4, 4], "float32")
    b.op("ADD", [x, y], [s])
    with open(path, "wb") as fh:
        fh.write(b.finish(inputs=[x, y], outputs=[s]))


def build_all(d):
    out = {}
    for name, fn in (("classifier", classifier), ("int8_io", int8_io), ("two_inputs", nchw_two_inputs)):
        p = os.path.join(d, name + ".tflite")
        fn(p)
        out[name] = p
    return out
