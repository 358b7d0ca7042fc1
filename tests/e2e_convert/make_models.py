#!/usr/bin/python3
"""Deterministic ONNX models for octet's conversion tests.

    make_models.py OUT_DIR [--tiny] [--torchvision [NAME ...]] [--list]

--tiny (the default when nothing is chosen) writes OUT_DIR/tiny/*.onnx, one
small model per feature (onnx.helper, weights from fixed seeds), and
OUT_DIR/tiny/manifest.json describing each: inputs (ONNX and concrete
shapes, how to draw random data), extra `octet convert` arguments, whether
the float16 conversion is also checked.

--torchvision exports torchvision classifiers and segmenters with Debian's
torch (random init; BatchNorm statistics re-estimated on real photos from
skimage.data in train mode with momentum=None, then model.eval()) to
OUT_DIR/tv/NAME_opsetN/model.onnx, with input.npy (a real photo, NCHW,
ImageNet-normalised) and meta.json. With no NAME, all of TORCHVISION.

Everything is a pure function of this file (and the torch/onnx versions), so
callers cache OUT_DIR by a hash of it.
"""
import argparse
import json
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64
I32 = TensorProto.INT32

NP_OF = {F32: np.float32, I64: np.int64, I32: np.int32, TensorProto.BOOL: np.bool_}


def seed_of(text):
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


class M:
    """A tiny graph builder: inputs, initializers, nodes, outputs."""

    def __init__(self, name, opset=13, group=""):
        self.name = name
        self.opset = opset
        self.group = group
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.in_specs = []
        self.rng = np.random.default_rng(seed_of(name))
        self.n = 0
        self.convert_args = []
        self.fp16 = False
        self.extra = {}

    def uid(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def inp(self, name, shape, dtype=F32, data="normal", concrete=None):
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        conc = concrete or [d if isinstance(d, int) else 1 for d in shape]
        self.in_specs.append({"name": name, "onnx_shape": list(shape), "shape": conc,
                              "dtype": np.dtype(NP_OF[dtype]).name, "data": data})
        return name

    def const(self, value, name=None, dtype=None):
        arr = np.asarray(value, dtype=dtype)
        name = name or self.uid("c")
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def i64(self, values, name=None):
        return self.const(np.asarray(values, np.int64), name)

    def f32(self, values, name=None):
        return self.const(np.asarray(values, np.float32), name)

    def w(self, shape, scale=None, name=None, positive=False):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        scale = scale if scale is not None else float(np.sqrt(2.0 / max(fan_in, 1)))
        arr = self.rng.standard_normal(shape).astype(np.float32) * scale
        if positive:
            arr = np.abs(arr) + 0.5
        return self.f32(arr, name or self.uid("w"))

    def node(self, op, inputs, n_out=1, name=None, outputs=None, **attrs):
        name = name or self.uid(op.lower())
        outs = outputs or [f"{name}_out{i}" if n_out > 1 else f"{name}_out" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return outs if n_out > 1 or outputs else outs[0]

    def out(self, value, name=None, dtype=F32, shape=None):
        """Mark `value` as a graph output (renamed through Identity-free rewiring)."""
        name = name or "y" if not self.outputs else name or f"y{len(self.outputs)}"
        if value != name:
            for nd in self.nodes:
                for i, o in enumerate(nd.output):
                    if o == value:
                        nd.output[i] = name
                for i, o in enumerate(nd.input):
                    if o == value:
                        nd.input[i] = name
        self.outputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def build(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  producer_name="octet-e2e-make_models")
        if self.opset < 9:
            model.ir_version = 4   # an old exporter's IR version (initializers need not be inputs)
        inferred = shape_inference.infer_shapes(model, strict_mode=True)
        # keep the declared outputs' inferred shapes, not the intermediate value_info
        declared = {o.name: o for o in model.graph.output if o.type.tensor_type.HasField("shape")}
        outs = [declared.get(o.name, o) for o in inferred.graph.output]
        del model.graph.output[:]
        model.graph.output.extend(outs)
        try:
            onnx.checker.check_model(model)
        except Exception as e:
            raise RuntimeError(f"model {self.name}: {e}") from e
        return model

    def spec(self):
        d = {"name": self.name, "group": self.group, "opset": self.opset,
             "inputs": self.in_specs, "convert_args": self.convert_args, "fp16": self.fp16}
        d.update(self.extra)
        return d


MODELS = []


def model(fn):
    MODELS.append(fn)
    return fn


def x4(m, c=4, h=8, w=8, name="x", data="normal"):
    return m.inp(name, [1, c, h, w], data=data)


# --------------------------------------------------------------------------- Conv
def conv(m, x, cin, cout, k, bias=True, group=1, wname=None, **attrs):
    kk = list(k) if isinstance(k, (list, tuple)) else [k, k]
    wt = m.w([cout, cin // group] + kk, name=wname)
    ins = [x, wt] + ([m.w([cout], scale=0.1)] if bias else [])
    if "kernel_shape" not in attrs:
        attrs["kernel_shape"] = kk
    return m.node("Conv", ins, group=group, **attrs)


@model
def conv_models():
    out = []
    def one(name, cin, hw, cout, k, opset=13, fp16=False, bias=True, group=1, **attrs):
        m = M(name, opset, "conv")
        x = x4(m, cin, hw[0], hw[1])
        m.out(conv(m, x, cin, cout, k, bias=bias, group=group, **attrs))
        m.fp16 = fp16
        out.append(m)
    one("conv_1x1", 4, (8, 8), 8, 1)
    one("conv_3x3_s2", 3, (9, 9), 8, 3, strides=[2, 2], pads=[1, 1, 1, 1], fp16=True)
    one("conv_3x3_s2_even", 3, (8, 8), 8, 3, strides=[2, 2], pads=[1, 1, 1, 1])
    one("conv_3x3_nobias", 4, (7, 7), 6, 3, bias=False, pads=[1, 1, 1, 1])
    one("conv_3x3_nopad", 4, (7, 7), 6, 3)
    one("conv_dilation2", 4, (10, 10), 6, 3, dilations=[2, 2], pads=[2, 2, 2, 2])
    one("conv_dilation2_nopad_s1", 4, (11, 9), 5, 3, dilations=[2, 2])
    one("conv_grouped_g2", 4, (8, 8), 6, 3, group=2, pads=[1, 1, 1, 1])
    one("conv_grouped_g4_1x1", 8, (6, 6), 8, 1, group=4)
    one("conv_depthwise_m1", 4, (8, 8), 4, 3, group=4, pads=[1, 1, 1, 1], fp16=True)
    one("conv_depthwise_m2", 4, (8, 8), 8, 3, group=4, pads=[1, 1, 1, 1], fp16=True)
    one("conv_depthwise_s2", 6, (9, 9), 6, 3, group=6, strides=[2, 2], pads=[1, 1, 1, 1])
    one("conv_depthwise_nobias_5x5", 4, (10, 10), 4, 5, group=4, bias=False, pads=[2, 2, 2, 2])
    one("conv_asym_pads", 4, (8, 8), 6, 3, pads=[1, 0, 2, 1])
    one("conv_asym_pads_s2", 3, (8, 8), 4, 3, strides=[2, 2], pads=[0, 0, 1, 1])
    one("conv_depthwise_asym_pads", 4, (8, 8), 4, 3, group=4, pads=[0, 1, 1, 2])
    one("conv_autopad_same_upper", 4, (8, 8), 6, 3, strides=[2, 2], auto_pad="SAME_UPPER")
    one("conv_autopad_same_lower", 4, (8, 8), 6, 3, strides=[2, 2], auto_pad="SAME_LOWER")
    one("conv_autopad_same_upper_k2", 4, (7, 7), 6, 2, auto_pad="SAME_UPPER")
    one("conv_autopad_same_lower_k2", 4, (7, 7), 6, 2, auto_pad="SAME_LOWER")
    one("conv_autopad_valid", 4, (8, 8), 6, 3, strides=[2, 2], auto_pad="VALID")
    one("conv_rect_kernel", 4, (8, 10), 6, [1, 3], strides=[1, 2], pads=[0, 1, 0, 1])
    one("conv_wide_16_32", 16, (8, 8), 32, 3, pads=[1, 1, 1, 1])
    one("conv_opset11", 4, (8, 8), 6, 3, opset=11, pads=[1, 1, 1, 1])
    one("conv_opset9_autopad_same_upper", 4, (8, 8), 6, 3, opset=9, strides=[2, 2], auto_pad="SAME_UPPER")
    one("conv_opset17", 4, (8, 8), 6, 3, opset=17, strides=[2, 2], pads=[1, 1, 1, 1])
    # weights given by Constant nodes instead of initializers (as some exporters do)
    m = M("conv_constant_node_weights", 13, "conv")
    x = x4(m, 4, 6, 6)
    wt = m.node("Constant", [], value=numpy_helper.from_array(
        (m.rng.standard_normal([5, 4, 3, 3]) * 0.3).astype(np.float32), "wv"))
    b = m.node("Constant", [], value=numpy_helper.from_array(
        (m.rng.standard_normal([5]) * 0.1).astype(np.float32), "bv"))
    m.out(m.node("Conv", [x, wt, b], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    out.append(m)
    # Conv1d
    for name, attrs in [("conv1d", dict(pads=[1, 1])), ("conv1d_s2_nobias", dict(strides=[2])),
                        ("conv1d_depthwise", dict(pads=[1, 1]))]:
        m = M(name, 13, "conv")
        x = m.inp("x", [1, 4, 16])
        dw = "depthwise" in name
        wt = m.w([4 if dw else 6, 1 if dw else 4, 3])
        ins = [x, wt] + ([] if "nobias" in name else [m.w([4 if dw else 6], scale=0.1)])
        m.out(m.node("Conv", ins, kernel_shape=[3], group=4 if dw else 1, **attrs))
        out.append(m)
    return out


@model
def conv_transpose_models():
    out = []
    def one(name, cin, hw, cout, k, bias=True, opset=13, fp16=False, **attrs):
        m = M(name, opset, "convtranspose")
        x = x4(m, cin, hw[0], hw[1])
        wt = m.w([cin, cout, k, k], scale=0.3)
        ins = [x, wt] + ([m.w([cout], scale=0.1)] if bias else [])
        m.out(m.node("ConvTranspose", ins, kernel_shape=[k, k], **attrs))
        m.fp16 = fp16
        out.append(m)
    one("convtranspose_s2_k2", 4, (5, 5), 3, 2, strides=[2, 2], fp16=True)
    one("convtranspose_s2_k3_pads_outpad", 4, (5, 6), 3, 3, strides=[2, 2], pads=[1, 1, 1, 1],
        output_padding=[1, 1])
    one("convtranspose_s2_k4_pads1", 4, (5, 5), 6, 4, strides=[2, 2], pads=[1, 1, 1, 1])
    one("convtranspose_s1_k3", 4, (6, 6), 5, 3, bias=False)
    one("convtranspose_s2_nobias", 4, (4, 4), 4, 3, bias=False, strides=[2, 2])
    one("convtranspose_opset11", 4, (5, 5), 3, 2, opset=11, strides=[2, 2])
    return out


@model
def batchnorm_models():
    out = []
    def bn_params(m, c):
        return [m.w([c], positive=True), m.w([c], scale=0.2), m.w([c], scale=0.3),
                m.f32(np.abs(m.rng.standard_normal(c)) + 0.3)]
    for name, opset, act in [("conv_bn", 13, None), ("conv_bn_relu", 13, "Relu"),
                             ("conv_bn_opset9", 9, None), ("conv_bn_opset15", 15, "Relu"),
                             ("conv_nobias_bn", 13, None)]:
        m = M(name, opset, "batchnorm")
        x = x4(m, 4, 8, 8)
        y = conv(m, x, 4, 6, 3, bias=name != "conv_nobias_bn", pads=[1, 1, 1, 1])
        y = m.node("BatchNormalization", [y] + bn_params(m, 6), epsilon=1e-3)
        if act:
            y = m.node(act, [y])
        m.out(y)
        m.fp16 = name == "conv_bn"
        out.append(m)
    m = M("conv_bn_opset7_spatial", 7, "batchnorm")
    x = x4(m, 4, 8, 8)
    y = conv(m, x, 4, 6, 3, pads=[1, 1, 1, 1])
    m.out(m.node("BatchNormalization", [y] + bn_params(m, 6), epsilon=1e-5, spatial=1), shape=[1, 6, 8, 8])
    out.append(m)
    # torch.onnx.export de-duplicates equal initializers and reads the copies through Identity
    # nodes (densenet121's BatchNorm weights, all ones): constants behind an Identity
    m = M("bn_params_via_identity", 13, "batchnorm")
    x = x4(m, 4, 6, 6)
    h = m.node("Concat", [x, m.node("Relu", [x])], axis=1)
    ones = m.f32(np.ones(8, np.float32))
    p = [m.node("Identity", [ones]), m.node("Identity", [m.f32(np.zeros(8, np.float32))]), m.w([8], scale=0.3),
         m.f32(np.abs(m.rng.standard_normal(8)) + 0.3)]
    m.out(m.node("BatchNormalization", [h] + p))
    out.append(m)
    m = M("conv_weight_via_identity", 13, "batchnorm")
    x = x4(m, 4, 6, 6)
    m.out(m.node("Conv", [x, m.node("Identity", [m.w([5, 4, 3, 3])]), m.node("Identity", [m.w([5], scale=0.1)])],
                 kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    out.append(m)
    m = M("bn_standalone", 13, "batchnorm")
    x = x4(m, 5, 6, 6)
    m.out(m.node("BatchNormalization", [x] + bn_params(m, 5)))
    out.append(m)
    m = M("convtranspose_bn", 13, "batchnorm")
    x = x4(m, 4, 5, 5)
    y = m.node("ConvTranspose", [x, m.w([4, 3, 2, 2], scale=0.3)], kernel_shape=[2, 2], strides=[2, 2])
    m.out(m.node("BatchNormalization", [y] + bn_params(m, 3)))
    out.append(m)
    return out


# --------------------------------------------------------------------------- activations
@model
def activation_models():
    out = []
    def one(name, op, opset=13, inputs_fn=None, data="normal3", fp16=False, **attrs):
        m = M(name, opset, "activation")
        x = x4(m, 4, 6, 6, data=data)
        extra = inputs_fn(m) if inputs_fn else []
        m.out(m.node(op, [x] + extra, **attrs))
        m.fp16 = fp16
        out.append(m)
    one("relu", "Relu")
    one("leakyrelu", "LeakyRelu", alpha=0.1)
    one("leakyrelu_default", "LeakyRelu")
    one("prelu_channel", "PRelu", inputs_fn=lambda m: [m.w([4, 1, 1], scale=0.3)], fp16=True)
    one("prelu_scalar", "PRelu", inputs_fn=lambda m: [m.f32([0.25])])
    one("clip_0_6", "Clip", inputs_fn=lambda m: [m.f32(0.0), m.f32(6.0)], data="normal6")
    one("clip_m1_1", "Clip", inputs_fn=lambda m: [m.f32(-1.0), m.f32(1.0)])
    one("clip_other", "Clip", inputs_fn=lambda m: [m.f32(-0.5), m.f32(2.5)])
    one("clip_min_only", "Clip", inputs_fn=lambda m: [m.f32(0.3)])
    one("clip_max_only", "Clip", inputs_fn=lambda m: ["", m.f32(0.7)])
    one("clip_opset11", "Clip", opset=11, inputs_fn=lambda m: [m.f32(0.0), m.f32(6.0)], data="normal6")
    one("clip_attr_opset9_0_6", "Clip", opset=9, min=0.0, max=6.0, data="normal6")
    one("clip_attr_opset9_other", "Clip", opset=9, min=-0.5, max=1.5)
    one("sigmoid", "Sigmoid")
    one("hardsigmoid", "HardSigmoid")
    one("hardsigmoid_torch", "HardSigmoid", alpha=1.0 / 6.0, beta=0.5)
    one("hardsigmoid_other", "HardSigmoid", alpha=0.3, beta=0.4)
    one("hardswish", "HardSwish", opset=14, data="normal6")
    one("hardswish_opset17", "HardSwish", opset=17, data="normal6")
    one("tanh", "Tanh")
    one("exp", "Exp", data="unit2")
    one("sqrt", "Sqrt", data="positive")
    # x * hardsigmoid(x): the pre-opset-14 HardSwish export
    m = M("hardswish_decomposed", 13, "activation")
    x = x4(m, 4, 6, 6, data="normal6")
    m.out(m.node("Mul", [x, m.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)]))
    out.append(m)
    # relu6 via Clip after conv (fused activation)
    m = M("conv_clip6", 13, "activation")
    x = x4(m, 4, 6, 6)
    m.out(m.node("Clip", [conv(m, x, 4, 6, 3, pads=[1, 1, 1, 1]), m.f32(0.0), m.f32(6.0)]))
    out.append(m)
    m = M("conv_leakyrelu", 13, "activation")
    x = x4(m, 4, 6, 6)
    m.out(m.node("LeakyRelu", [conv(m, x, 4, 6, 3, pads=[1, 1, 1, 1])], alpha=0.2))
    out.append(m)
    return out


@model
def softmax_models():
    out = []
    def one(name, op, shape, opset, **attrs):
        m = M(name, opset, "softmax")
        x = m.inp("x", shape, data="normal3")
        m.out(m.node(op, [x], **attrs))
        out.append(m)
    one("softmax_2d", "Softmax", [1, 10], 13)
    one("softmax_axis_last_4d", "Softmax", [1, 3, 4, 5], 13, axis=-1)
    one("softmax_axis1_4d", "Softmax", [1, 5, 3, 4], 13, axis=1)
    one("softmax_axis2_4d", "Softmax", [1, 3, 5, 4], 13, axis=2)
    one("softmax_axis1_3d", "Softmax", [2, 5, 4], 13, axis=1)
    one("softmax_opset11_coerced_axis1_4d", "Softmax", [1, 3, 4, 5], 11, axis=1)
    one("softmax_opset11_default_3d", "Softmax", [2, 3, 4], 11)
    one("softmax_opset11_axis2_4d", "Softmax", [1, 2, 3, 4], 11, axis=2)
    one("softmax_opset11_last", "Softmax", [2, 7], 11, axis=1)
    one("softmax_opset9_default", "Softmax", [3, 4, 2], 9)
    one("logsoftmax_2d", "LogSoftmax", [2, 10], 13, axis=-1)
    one("logsoftmax_axis1_4d", "LogSoftmax", [1, 5, 3, 4], 13, axis=1)
    one("logsoftmax_opset11_coerced", "LogSoftmax", [2, 3, 4], 11, axis=1)
    return out


# --------------------------------------------------------------------------- elementwise
@model
def binary_models():
    out = []
    def two(name, op, sa, sb, opset=13, data_b="normal"):
        m = M(name, opset, "binary")
        a = m.inp("a", sa)
        b = m.inp("b", sb, data=data_b)
        m.out(m.node(op, [a, b]))
        out.append(m)
    def cst(name, op, sx, sc, opset=13, data="normal", cdata=None, const_first=False):
        m = M(name, opset, "binary")
        x = m.inp("x", sx, data=data)
        c = m.f32(cdata if cdata is not None else m.rng.standard_normal(sc).astype(np.float32))
        m.out(m.node(op, [c, x] if const_first else [x, c]))
        out.append(m)
    for op in ["Add", "Sub", "Mul", "Div"]:
        lo = op.lower()
        db = "positive" if op == "Div" else "normal"
        two(f"{lo}_same_4d", op, [1, 4, 5, 6], [1, 4, 5, 6], data_b=db)
        two(f"{lo}_bcast_c11", op, [1, 4, 5, 6], [1, 4, 1, 1], data_b=db)
        two(f"{lo}_2d", op, [3, 7], [3, 7], data_b=db)
        cd = (np.abs(np.random.default_rng(seed_of(lo)).standard_normal([4, 1, 1])) + 0.5) if op == "Div" else None
        cst(f"{lo}_const_c11", op, [1, 4, 5, 6], [4, 1, 1], cdata=None if cd is None else cd.astype(np.float32))
    two("add_bcast_w", "Add", [1, 4, 5, 6], [6])
    two("add_bcast_h1", "Add", [1, 4, 5, 6], [5, 1])
    two("add_bcast_1hw", "Add", [1, 4, 5, 6], [1, 1, 5, 6])
    two("mul_bcast_3d_2d", "Mul", [2, 3, 4], [3, 4])
    two("sub_bcast_both", "Sub", [1, 4, 1, 6], [1, 1, 5, 1])
    cst("add_const_scalar", "Add", [1, 4, 5, 6], [], cdata=np.float32(0.75))
    cst("sub_const_first_c11", "Sub", [1, 4, 5, 6], [4, 1, 1], const_first=True)
    cst("div_const_first", "Div", [1, 4, 5, 6], [], data="positive", cdata=np.float32(2.0), const_first=True)
    cst("mul_const_chw", "Mul", [1, 3, 4, 5], [3, 4, 5])
    cst("add_const_w", "Add", [1, 3, 4, 5], [5])
    cst("mul_const_scalar_3d", "Mul", [2, 3, 4], [1], cdata=np.float32([1.5]))
    cst("add_opset7", "Add", [1, 4, 5, 6], [4, 1, 1], opset=7)
    cst("mul_opset9", "Mul", [1, 4, 5, 6], [4, 1, 1], opset=9)
    cst("pow_2", "Pow", [1, 4, 5, 6], [], cdata=np.float32(2.0))
    cst("pow_3", "Pow", [1, 4, 5, 6], [], cdata=np.float32(3.0))
    cst("pow_0_5", "Pow", [1, 4, 5, 6], [], data="positive", cdata=np.float32(0.5))
    cst("pow_1_5_c11", "Pow", [1, 4, 5, 6], [4, 1, 1], data="positive",
        cdata=np.float32([[[1.5]], [[2.0]], [[0.5]], [[1.0]]]))
    two("pow_tensor", "Pow", [1, 3, 4, 4], [1, 3, 4, 4], data_b="unit2")
    models_pos = out[-1]
    models_pos.in_specs[0]["data"] = "positive"
    two("max_2", "Max", [1, 4, 5, 6], [1, 4, 5, 6])
    two("min_bcast", "Min", [1, 4, 5, 6], [1, 4, 1, 1])
    cst("max_const_c11", "Max", [1, 4, 5, 6], [4, 1, 1])
    cst("min_const_scalar", "Min", [1, 4, 5, 6], [], cdata=np.float32(0.5))
    m = M("max_3_inputs", 13, "binary")
    a, b = m.inp("a", [1, 3, 4, 4]), m.inp("b", [1, 3, 4, 4])
    m.out(m.node("Max", [a, b, m.f32(m.rng.standard_normal([3, 1, 1]).astype(np.float32))]))
    out.append(m)
    m = M("min_3_inputs_2d", 13, "binary")
    a, b, c = m.inp("a", [2, 5]), m.inp("b", [2, 5]), m.inp("c", [5])
    m.out(m.node("Min", [a, b, c]))
    out.append(m)
    # two rank-4 inputs of different layouts mixed with a rank-2 one
    m = M("mixed_rank_inputs", 13, "binary")
    x = m.inp("x", [1, 4, 6, 6])
    v = m.inp("v", [1, 4])
    m.out(m.node("Mul", [x, m.node("Unsqueeze", [v, m.i64([2, 3])])]))
    out.append(m)
    return out


# --------------------------------------------------------------------------- matmul / gemm
@model
def matmul_models():
    out = []
    m = M("matmul_2d", 13, "matmul"); x = m.inp("x", [3, 8]); m.out(m.node("MatMul", [x, m.w([8, 5])])); m.fp16 = True; out.append(m)
    m = M("matmul_2d_vec", 13, "matmul"); x = m.inp("x", [1, 16]); m.out(m.node("MatMul", [x, m.w([16, 10])])); out.append(m)
    m = M("matmul_batched_const", 13, "matmul"); x = m.inp("x", [2, 3, 8]); m.out(m.node("MatMul", [x, m.w([8, 5])])); m.fp16 = True; out.append(m)
    m = M("matmul_batched_2in", 13, "matmul"); a = m.inp("a", [2, 3, 8]); b = m.inp("b", [2, 8, 4]); m.out(m.node("MatMul", [a, b])); out.append(m)
    m = M("matmul_batched_bcast", 13, "matmul"); a = m.inp("a", [2, 3, 8]); b = m.inp("b", [8, 4]); m.out(m.node("MatMul", [a, b])); out.append(m)
    m = M("matmul_4d_2in", 13, "matmul"); a = m.inp("a", [1, 2, 3, 8]); b = m.inp("b", [1, 2, 8, 4]); m.out(m.node("MatMul", [a, b])); out.append(m)
    m = M("matmul_4d_const", 13, "matmul"); a = m.inp("a", [1, 2, 3, 8]); m.out(m.node("MatMul", [a, m.w([8, 6])])); out.append(m)
    m = M("matmul_3d_const_3d", 13, "matmul"); a = m.inp("a", [2, 3, 8]); m.out(m.node("MatMul", [a, m.w([2, 8, 5])])); out.append(m)
    m = M("matmul_add_bias", 13, "matmul"); a = m.inp("a", [1, 5, 8]); m.out(m.node("Add", [m.node("MatMul", [a, m.w([8, 6])]), m.w([6], scale=0.1)])); out.append(m)
    def gemm(name, sa, sb, sc, opset=13, fp16=False, **attrs):
        m = M(name, opset, "gemm")
        a = m.inp("a", sa)
        ins = [a, m.w(sb, scale=0.3)] + ([m.w(sc, scale=0.5)] if sc is not None else [])
        m.out(m.node("Gemm", ins, **attrs))
        m.fp16 = fp16
        out.append(m)
    gemm("gemm_default", [2, 8], [8, 5], [5])
    gemm("gemm_transB", [2, 8], [5, 8], [5], transB=1, fp16=True)
    gemm("gemm_transA", [8, 2], [8, 5], [5], transA=1)
    gemm("gemm_transA_transB", [8, 3], [5, 8], [1, 5], transA=1, transB=1)
    gemm("gemm_alpha_beta", [2, 8], [8, 5], [1, 5], alpha=0.5, beta=2.0)
    gemm("gemm_c_scalar", [2, 8], [8, 5], [1], beta=1.5)
    gemm("gemm_c_full", [2, 8], [8, 5], [2, 5])
    gemm("gemm_c_column", [3, 8], [8, 5], [3, 1])
    gemm("gemm_no_c", [2, 8], [5, 8], None, transB=1)
    gemm("gemm_opset9", [1, 8], [5, 8], [5], opset=9, transB=1)
    gemm("gemm_opset11_no_c_alpha", [2, 8], [8, 4], None, opset=11, alpha=2.0)
    # A mean without keepdims (an int8 fallback in octet until MEAN handles it) feeding a biased
    # FULLY_CONNECTED: the bias's input scale must come from the source graph (was a crash).
    m = M("gemm_after_mean_nokeep", 13, "gemm")
    x = m.inp("x", [1, 4, 5, 6])
    pooled = m.node("ReduceMean", [x], axes=[2, 3], keepdims=0)
    m.out(m.node("Gemm", [pooled, m.w([4, 5], scale=0.3), m.w([5], scale=0.5)]))
    out.append(m)
    m = M("gemm_two_inputs", 13, "gemm")
    a, b = m.inp("a", [3, 6]), m.inp("b", [6, 4])
    m.out(m.node("Gemm", [a, b, m.w([4], scale=0.5)], alpha=1.25))
    out.append(m)
    return out


# --------------------------------------------------------------------------- shapes
@model
def shape_models():
    out = []
    def unary(name, shape, build, opset=13, group="shape", data="normal"):
        m = M(name, opset, group)
        x = m.inp("x", shape, data=data)
        r = build(m, x)
        for i, v in enumerate(r if isinstance(r, list) else [r]):
            m.out(v, name="y" if not isinstance(r, list) else f"y{i}")
        out.append(m)
        return m
    # Flatten
    unary("flatten_axis1", [1, 3, 4, 4], lambda m, x: m.node("Flatten", [x]))
    unary("flatten_axis2", [1, 3, 4, 4], lambda m, x: m.node("Flatten", [x], axis=2))
    unary("flatten_axis0", [1, 3, 4, 4], lambda m, x: m.node("Flatten", [x], axis=0))
    unary("flatten_axis_neg1", [2, 3, 4], lambda m, x: m.node("Flatten", [x], axis=-1))
    unary("flatten_gemm_head", [1, 4, 3, 3],
          lambda m, x: m.node("Gemm", [m.node("Flatten", [x]), m.w([10, 36]), m.w([10], scale=0.1)], transB=1))
    unary("flatten_opset9", [1, 3, 4, 4], lambda m, x: m.node("Flatten", [x]), opset=9)
    # Reshape
    unary("reshape_0_m1", [1, 3, 4, 4], lambda m, x: m.node("Reshape", [x, m.i64([0, -1])]))
    unary("reshape_0_3_m1", [1, 6, 4, 4], lambda m, x: m.node("Reshape", [x, m.i64([0, 3, -1])]))
    unary("reshape_to_4d", [1, 48], lambda m, x: m.node("Reshape", [x, m.i64([1, 3, 4, 4])]))
    unary("reshape_4d_to_4d", [1, 4, 6, 2], lambda m, x: m.node("Reshape", [x, m.i64([1, 2, 12, -1])]))
    unary("reshape_channel_shuffle", [1, 6, 4, 4], lambda m, x: m.node("Reshape", [
        m.node("Transpose", [m.node("Reshape", [x, m.i64([1, 2, 3, 4, 4])])], perm=[0, 2, 1, 3, 4]),
        m.i64([1, -1, 4, 4])]))
    unary("reshape_opset9", [1, 3, 4, 4], lambda m, x: m.node("Reshape", [x, m.i64([0, -1])]), opset=9)
    # Transpose
    unary("transpose_0231", [1, 3, 4, 5], lambda m, x: m.node("Transpose", [x], perm=[0, 2, 3, 1]))
    unary("transpose_0312", [1, 3, 4, 5], lambda m, x: m.node("Transpose", [x], perm=[0, 3, 1, 2]))
    unary("transpose_0213", [1, 3, 4, 5], lambda m, x: m.node("Transpose", [x], perm=[0, 2, 1, 3]))
    unary("transpose_2d", [3, 7], lambda m, x: m.node("Transpose", [x], perm=[1, 0]))
    unary("transpose_3d", [2, 3, 4], lambda m, x: m.node("Transpose", [x], perm=[2, 0, 1]))
    unary("transpose_default_perm", [2, 3, 4], lambda m, x: m.node("Transpose", [x]))
    # Squeeze / Unsqueeze
    unary("squeeze_axes_input", [1, 3, 1, 4], lambda m, x: m.node("Squeeze", [x, m.i64([2])]))
    unary("squeeze_no_axes", [1, 3, 1, 4], lambda m, x: m.node("Squeeze", [x]))
    unary("squeeze_neg_axis", [1, 3, 4, 1], lambda m, x: m.node("Squeeze", [x, m.i64([-1])]))
    unary("squeeze_attr_opset11", [1, 3, 1, 4], lambda m, x: m.node("Squeeze", [x], axes=[0, 2]), opset=11)
    unary("squeeze_after_gap", [1, 6, 5, 5], lambda m, x: m.node("Squeeze", [m.node("GlobalAveragePool", [x]), m.i64([2, 3])]))
    unary("unsqueeze_axes_input", [3, 4], lambda m, x: m.node("Unsqueeze", [x, m.i64([0, 3])]))
    unary("unsqueeze_neg_axes", [2, 3, 4], lambda m, x: m.node("Unsqueeze", [x, m.i64([-1])]))
    unary("unsqueeze_attr_opset11", [3, 4], lambda m, x: m.node("Unsqueeze", [x], axes=[0, 2]), opset=11)
    unary("unsqueeze_attr_opset9", [2, 5], lambda m, x: m.node("Unsqueeze", [x], axes=[1]), opset=9)
    unary("squeeze_attr_opset9", [1, 5, 1, 1], lambda m, x: m.node("Squeeze", [x], axes=[2, 3]), opset=9)
    # Concat
    m = M("concat_axis1_nchw", 13, "shape")
    a, b = m.inp("a", [1, 3, 4, 5]), m.inp("b", [1, 2, 4, 5])
    m.out(m.node("Concat", [a, b, m.f32(m.rng.standard_normal([1, 1, 4, 5]).astype(np.float32))], axis=1))
    out.append(m)
    unary("concat_axis_neg1", [1, 3, 4, 5], lambda m, x: m.node("Concat", [x, m.node("Relu", [x])], axis=-1))
    unary("concat_axis2_3d", [2, 3, 4], lambda m, x: m.node("Concat", [x, m.f32(np.ones([2, 3, 2], np.float32))], axis=2))
    unary("concat_conv_branches", [1, 4, 6, 6], lambda m, x: m.node("Concat", [
        conv(m, x, 4, 3, 1), conv(m, x, 4, 5, 3, pads=[1, 1, 1, 1])], axis=1))
    unary("concat_opset9", [1, 3, 4, 5], lambda m, x: m.node("Concat", [x, x], axis=1), opset=9)
    # Split
    unary("split_equal_axis1", [1, 6, 4, 4], lambda m, x: m.node("Split", [x], n_out=3, axis=1))
    unary("split_unequal_input", [1, 6, 4, 4], lambda m, x: m.node("Split", [x, m.i64([1, 2, 3])], n_out=3, axis=1))
    unary("split_unequal_attr_opset11", [2, 7], lambda m, x: m.node("Split", [x], n_out=2, axis=1, split=[3, 4]), opset=11)
    unary("split_last_axis", [1, 3, 4, 6], lambda m, x: m.node("Split", [x], n_out=2, axis=-1))
    unary("split_opset9_attr", [1, 6, 4, 4], lambda m, x: m.node("Split", [x], n_out=2, axis=1, split=[2, 4]), opset=9)
    # Slice
    big = 2**62
    def sl(m, x, starts, ends, axes=None, steps=None):
        ins = [x, m.i64(starts), m.i64(ends)]
        if axes is not None or steps is not None:
            ins.append(m.i64(axes) if axes is not None else "")
        if steps is not None:
            ins.append(m.i64(steps))
        return m.node("Slice", ins)
    unary("slice_hw", [1, 3, 8, 8], lambda m, x: sl(m, x, [1, 2], [7, 6], [2, 3]))
    unary("slice_channels", [1, 6, 4, 4], lambda m, x: sl(m, x, [1], [4], [1]))
    unary("slice_steps2", [1, 3, 9, 9], lambda m, x: sl(m, x, [0, 1], [9, 9], [2, 3], [2, 2]))
    unary("slice_negative_steps", [1, 3, 6, 6], lambda m, x: sl(m, x, [-1], [-big], [3], [-1]))
    unary("slice_negative_steps2_channels", [1, 6, 4, 4], lambda m, x: sl(m, x, [5], [0], [1], [-2]))
    unary("slice_neg_axes", [2, 5, 7], lambda m, x: sl(m, x, [1, -5], [big, -1], [-2, -1]))
    unary("slice_clamp", [2, 5, 7], lambda m, x: sl(m, x, [-100, 2], [100, 1000], [1, 2]))
    unary("slice_no_axes", [4, 6], lambda m, x: sl(m, x, [1, 0], [3, 5]))
    unary("slice_opset9_attr", [2, 5, 7], lambda m, x: m.node("Slice", [x], starts=[1, 2], ends=[4, 100], axes=[1, 2]), opset=9)
    unary("slice_opset11", [1, 4, 6, 6], lambda m, x: sl(m, x, [0, 2], [3, 6], [1, 3]), opset=11)
    # Gather
    unary("gather_scalar_axis1", [1, 5, 4], lambda m, x: m.node("Gather", [x, m.i64(2)], axis=1))
    unary("gather_1d_neg", [1, 5, 4], lambda m, x: m.node("Gather", [x, m.i64([0, 2, -1])], axis=1))
    unary("gather_axis0", [6, 3], lambda m, x: m.node("Gather", [x, m.i64([4, 0, -2, 1])], axis=0))
    unary("gather_4d_channels", [1, 5, 3, 3], lambda m, x: m.node("Gather", [x, m.i64([3, 1])], axis=1))
    unary("gather_4d_scalar_w", [1, 3, 4, 5], lambda m, x: m.node("Gather", [x, m.i64(-1)], axis=3))
    unary("gather_2d_indices", [5, 4], lambda m, x: m.node("Gather", [x, m.i64([[0, 1], [4, 3]])], axis=0))
    # Pad
    unary("pad_const0", [1, 3, 4, 5], lambda m, x: m.node("Pad", [x, m.i64([0, 0, 1, 2, 0, 0, 2, 1])]))
    unary("pad_const_value", [1, 3, 4, 5], lambda m, x: m.node("Pad", [x, m.i64([0, 0, 1, 1, 0, 0, 1, 1]), m.f32(1.5)]))
    unary("pad_channels", [1, 3, 4, 5], lambda m, x: m.node("Pad", [x, m.i64([0, 1, 0, 0, 0, 2, 0, 0])]))
    unary("pad_2d", [3, 4], lambda m, x: m.node("Pad", [x, m.i64([1, 0, 2, 3]), m.f32(-2.0)]))
    unary("pad_opset11", [1, 3, 4, 5], lambda m, x: m.node("Pad", [x, m.i64([0, 0, 2, 0, 0, 0, 0, 2])]), opset=11)
    unary("pad_attr_opset9", [1, 3, 4, 5], lambda m, x: m.node("Pad", [x], pads=[0, 0, 1, 1, 0, 0, 1, 1], value=0.5), opset=9)
    unary("pad_then_conv", [1, 3, 6, 6], lambda m, x: conv(m, m.node("Pad", [x, m.i64([0, 0, 1, 1, 0, 0, 1, 1])]), 3, 4, 3))
    # Cast / Identity / Dropout
    unary("cast_to_int32", [1, 3, 4, 4], lambda m, x: m.node("Cast", [x], to=I32), data="normal5")
    out[-1].outputs[0].type.tensor_type.elem_type = I32
    unary("cast_roundtrip", [2, 6], lambda m, x: m.node("Cast", [m.node("Cast", [x], to=I32)], to=F32), data="normal5")
    unary("cast_float_to_float", [2, 6], lambda m, x: m.node("Relu", [m.node("Cast", [x], to=F32)]))
    unary("identity", [1, 3, 4, 4], lambda m, x: m.node("Relu", [m.node("Identity", [x])]))
    unary("identity_only", [2, 5], lambda m, x: m.node("Identity", [x]))
    unary("dropout_opset13", [1, 3, 4, 4], lambda m, x: m.node("Relu", [m.node("Dropout", [x])]))
    unary("dropout_ratio_opset13", [2, 8], lambda m, x: m.node("Dropout", [x, m.f32(0.3)]))
    unary("dropout_opset7", [1, 3, 4, 4], lambda m, x: m.node("Relu", [m.node("Dropout", [x], ratio=0.5)]), opset=7)
    # ArgMax
    def argmax(m, x, **a):
        return m.node("Cast", [m.node("ArgMax", [x], **a)], to=F32)
    unary("argmax_axis1_keep", [1, 5, 3, 4], lambda m, x: argmax(m, x, axis=1))
    unary("argmax_last_nokeep", [2, 3, 7], lambda m, x: argmax(m, x, axis=-1, keepdims=0))
    unary("argmax_2d_int32", [3, 10], lambda m, x: m.node("Cast", [m.node("ArgMax", [x], axis=1, keepdims=0)], to=I32))
    out[-1].outputs[0].type.tensor_type.elem_type = I32
    return out


@model
def pool_reduce_models():
    out = []
    def unary(name, shape, build, opset=13, group="pool"):
        m = M(name, opset, group)
        x = m.inp("x", shape)
        m.out(build(m, x))
        out.append(m)
    unary("maxpool_2x2_s2", [1, 4, 8, 8], lambda m, x: m.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2]))
    unary("maxpool_3x3_s2_p1", [1, 4, 9, 9], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    unary("maxpool_3x3_s2_p1_even", [1, 4, 8, 8], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    unary("maxpool_ceil", [1, 4, 9, 9], lambda m, x: m.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1))
    unary("maxpool_ceil_3x3", [1, 3, 10, 10], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1))
    unary("maxpool_asym_pads", [1, 3, 7, 7], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], pads=[0, 1, 2, 1]))
    unary("maxpool_same_upper", [1, 3, 7, 7], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"))
    unary("maxpool_opset11", [1, 4, 8, 8], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]), opset=11)
    unary("maxpool_opset9", [1, 4, 8, 8], lambda m, x: m.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2]), opset=9)
    unary("maxpool_1d", [1, 4, 12], lambda m, x: m.node("MaxPool", [x], kernel_shape=[3], strides=[2], pads=[1, 1]))
    out[-1].extra["documented_unsupported"] = "2-D"   # docs/convert.md: pooling is 2-D only
    unary("avgpool_2x2_s2", [1, 4, 8, 8], lambda m, x: m.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2]))
    unary("avgpool_pads_cip0", [1, 4, 7, 7], lambda m, x: m.node("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0))
    unary("avgpool_pads_cip1", [1, 4, 7, 7], lambda m, x: m.node("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1))
    unary("avgpool_s1_pads_cip1", [1, 3, 6, 6], lambda m, x: m.node("AveragePool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1))
    unary("avgpool_ceil", [1, 4, 9, 9], lambda m, x: m.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1))
    unary("avgpool_ceil_3x3_cip0", [1, 3, 10, 10], lambda m, x: m.node("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1))
    unary("avgpool_opset9", [1, 4, 8, 8], lambda m, x: m.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2]), opset=9)
    unary("avgpool_opset7_cip1", [1, 4, 7, 7], lambda m, x: m.node("AveragePool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1), opset=7)
    unary("global_avgpool", [1, 6, 5, 7], lambda m, x: m.node("GlobalAveragePool", [x]))
    unary("global_avgpool_flatten", [1, 6, 5, 5], lambda m, x: m.node("Flatten", [m.node("GlobalAveragePool", [x])]))
    unary("global_maxpool", [1, 6, 5, 7], lambda m, x: m.node("GlobalMaxPool", [x]))
    # Reduce
    r = "reduce"
    unary("reducemean_hw_keep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[2, 3], keepdims=1), group=r)
    unary("reducemean_hw_nokeep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[2, 3], keepdims=0), group=r)
    unary("reducemean_c_keep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[1], keepdims=1), group=r)
    unary("reducemean_last_3d", [2, 3, 8], lambda m, x: m.node("ReduceMean", [x], axes=[-1]), group=r)
    unary("reducemean_all_default", [2, 3, 4], lambda m, x: m.node("ReduceMean", [x]), group=r)
    unary("reducemean_opset17", [1, 4, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[-1, -2], keepdims=0), opset=17, group=r)
    unary("reducemean_last_nokeep", [2, 3, 8], lambda m, x: m.node("ReduceMean", [x], axes=[-1], keepdims=0), group=r)
    unary("reducemean_axis1_3d", [2, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[1], keepdims=1), group=r)
    unary("reducemean_c_nokeep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMean", [x], axes=[1], keepdims=0), group=r)
    unary("reducemax_c_nokeep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMax", [x], axes=[1], keepdims=0), group=r)
    unary("reducemax_hw_keep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMax", [x], axes=[2, 3], keepdims=1), group=r)
    unary("reducemax_3d", [2, 5, 3], lambda m, x: m.node("ReduceMax", [x], axes=[1], keepdims=1), group=r)
    unary("reducesum_axes_input_keep", [1, 4, 5, 6], lambda m, x: m.node("ReduceSum", [x, m.i64([1])], keepdims=1), group=r)
    unary("reducesum_axes_input_nokeep", [1, 4, 5, 6], lambda m, x: m.node("ReduceSum", [x, m.i64([2, 3])], keepdims=0), group=r)
    unary("reducesum_2d", [3, 7], lambda m, x: m.node("ReduceSum", [x, m.i64([-1])], keepdims=0), group=r)
    unary("reducesum_opset11_attr", [1, 4, 5, 6], lambda m, x: m.node("ReduceSum", [x], axes=[1, 2], keepdims=1), opset=11, group=r)
    unary("reducemin_c_keep", [1, 4, 5, 6], lambda m, x: m.node("ReduceMin", [x], axes=[1], keepdims=1), group=r)
    return out


@model
def resize_models():
    out = []
    def rs13(name, shape, mode, ctm, scales=None, sizes=None, nearest_mode=None, opset=13, fp16=False):
        m = M(name, opset, "resize")
        x = m.inp("x", shape)
        attrs = dict(mode=mode, coordinate_transformation_mode=ctm)
        if nearest_mode:
            attrs["nearest_mode"] = nearest_mode
        if opset < 13:   # Resize-11: roi and scales are required inputs (empty when unused)
            roi = m.f32(np.zeros(0, np.float32))
            ins = [x, roi, m.f32(scales)] if scales is not None else [x, roi, m.f32(np.zeros(0, np.float32)), m.i64(sizes)]
        else:
            ins = [x, "", m.f32(scales)] if scales is not None else [x, "", "", m.i64(sizes)]
        m.out(m.node("Resize", ins, **attrs))
        m.fp16 = fp16
        out.append(m)
    rs13("resize_nearest_asym_floor_x2", [1, 3, 4, 5], "nearest", "asymmetric", scales=[1, 1, 2, 2], nearest_mode="floor")
    rs13("resize_nearest_asym_floor_sizes", [1, 3, 6, 6], "nearest", "asymmetric", sizes=[1, 3, 9, 10], nearest_mode="floor")
    rs13("resize_nearest_asym_floor_down", [1, 3, 8, 8], "nearest", "asymmetric", sizes=[1, 3, 4, 4], nearest_mode="floor")
    rs13("resize_linear_half_pixel_x2", [1, 3, 4, 5], "linear", "half_pixel", scales=[1, 1, 2, 2])
    rs13("resize_linear_half_pixel_sizes", [1, 3, 5, 5], "linear", "half_pixel", sizes=[1, 3, 8, 11])
    rs13("resize_linear_pytorch_half_pixel_x2", [1, 3, 4, 4], "linear", "pytorch_half_pixel", scales=[1, 1, 2, 2])
    rs13("resize_linear_align_corners_sizes", [1, 3, 7, 7], "linear", "align_corners", sizes=[1, 3, 13, 13])
    rs13("resize_linear_align_corners_x2", [1, 3, 4, 6], "linear", "align_corners", scales=[1, 1, 2, 2])
    rs13("resize_linear_asymmetric_x2", [1, 3, 4, 5], "linear", "asymmetric", scales=[1, 1, 2, 2])
    rs13("resize_linear_asymmetric_sizes", [1, 3, 5, 5], "linear", "asymmetric", sizes=[1, 3, 7, 12])
    # scales whose output size is rounded down: ONNX maps coordinates with 1/scale, not in/out
    rs13("resize_linear_half_pixel_scales_1_5_inexact", [1, 3, 5, 5], "linear", "half_pixel", scales=[1, 1, 1.5, 1.5])
    rs13("resize_linear_half_pixel_scales_0_6_inexact", [1, 3, 7, 7], "linear", "half_pixel", scales=[1, 1, 0.6, 0.6])
    rs13("resize_nearest_asym_floor_scales_1_5_inexact", [1, 3, 5, 5], "nearest", "asymmetric", scales=[1, 1, 1.5, 1.5],
         nearest_mode="floor")
    rs13("resize_nearest_half_pixel_prefer_ceil", [1, 3, 5, 6], "nearest", "half_pixel", sizes=[1, 3, 8, 13],
         nearest_mode="round_prefer_ceil")
    rs13("resize_nearest_align_corners_prefer_ceil", [1, 3, 5, 6], "nearest", "align_corners", sizes=[1, 3, 9, 11],
         nearest_mode="round_prefer_ceil")
    rs13("resize_nearest_opset11_scales", [1, 3, 4, 5], "nearest", "asymmetric", scales=[1, 1, 2, 2], nearest_mode="floor", opset=11)
    rs13("resize_linear_opset11_sizes", [1, 3, 5, 5], "linear", "half_pixel", sizes=[1, 3, 10, 10], opset=11)
    rs13("resize_nearest_opset17", [1, 3, 4, 5], "nearest", "asymmetric", scales=[1, 1, 3, 3], nearest_mode="floor", opset=17)
    # Resize-10: (X, scales), asymmetric semantics
    m = M("resize_opset10_nearest", 10, "resize")
    x = m.inp("x", [1, 3, 4, 5])
    m.out(m.node("Resize", [x, m.f32([1, 1, 2, 2])], mode="nearest"))
    out.append(m)
    # Upsample
    m = M("upsample_opset9_nearest", 9, "resize")
    x = m.inp("x", [1, 3, 4, 5])
    m.out(m.node("Upsample", [x, m.f32([1, 1, 2, 2])], mode="nearest"))
    out.append(m)
    m = M("upsample_opset9_linear", 9, "resize")
    x = m.inp("x", [1, 3, 4, 5])
    m.out(m.node("Upsample", [x, m.f32([1, 1, 2, 2])], mode="linear"))
    out.append(m)
    m = M("upsample_opset7_attr", 7, "resize")
    x = m.inp("x", [1, 3, 4, 5])
    m.out(m.node("Upsample", [x], mode="nearest", scales=[1.0, 1.0, 2.0, 2.0]), shape=[1, 3, 8, 10])
    out.append(m)
    # FPN-style: conv -> resize -> add
    m = M("fpn_upsample_add", 13, "resize")
    a, b = m.inp("a", [1, 4, 4, 4]), m.inp("b", [1, 4, 8, 8])
    up = m.node("Resize", [conv(m, a, 4, 4, 1), "", m.f32([1, 1, 2, 2])], mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    m.out(m.node("Add", [up, b]))
    out.append(m)
    return out


# --------------------------------------------------------------------------- patterns
@model
def pattern_models():
    out = []
    for name, opset, shape in [("layernorm_opset17", 17, [1, 5, 16]), ("layernorm_opset17_2x4x8", 17, [2, 4, 8])]:
        m = M(name, opset, "norm")
        x = m.inp("x", shape, data="normal3")
        c = shape[-1]
        m.out(m.node("LayerNormalization", [x, m.w([c], positive=True), m.w([c], scale=0.2)], axis=-1, epsilon=1e-5))
        m.fp16 = name == "layernorm_opset17"
        out.append(m)
    m = M("layernorm_opset17_no_bias", 17, "norm")
    x = m.inp("x", [1, 6, 12], data="normal3")
    m.out(m.node("LayerNormalization", [x, m.w([12], positive=True)], epsilon=1e-6))
    out.append(m)
    m = M("layernorm_opset17_axis_m2", 17, "norm")
    x = m.inp("x", [2, 3, 4, 5], data="normal3")
    m.out(m.node("LayerNormalization", [x, m.w([4, 5], positive=True), m.w([4, 5], scale=0.2)], axis=-2))
    out.append(m)

    def decomposed_ln(name, opset, shape, eps=1e-5):
        m = M(name, opset, "norm")
        x = m.inp("x", shape, data="normal3")
        c = shape[-1]
        mean = m.node("ReduceMean", [x], axes=[-1])
        d = m.node("Sub", [x, mean])
        var = m.node("ReduceMean", [m.node("Pow", [d, m.f32(2.0)])], axes=[-1])
        std = m.node("Sqrt", [m.node("Add", [var, m.f32(eps)])])
        y = m.node("Div", [d, std])
        y = m.node("Add", [m.node("Mul", [y, m.w([c], positive=True)]), m.w([c], scale=0.2)])
        m.out(y)
        out.append(m)
    decomposed_ln("layernorm_decomposed_opset13", 13, [1, 5, 16])
    decomposed_ln("layernorm_decomposed_opset11", 11, [2, 4, 8], eps=1e-12)

    def gelu(m, x, hf=False):
        if hf:   # 0.5 * x * (1 + erf(x / sqrt(2)))
            half = m.node("Mul", [x, m.f32(0.5)])
            e = m.node("Erf", [m.node("Div", [x, m.f32(1.4142135381698608)])])
            return m.node("Mul", [half, m.node("Add", [e, m.f32(1.0)])])
        e = m.node("Erf", [m.node("Div", [x, m.f32(1.4142135381698608)])])   # torch's F.gelu export
        return m.node("Mul", [m.node("Mul", [x, m.node("Add", [e, m.f32(1.0)])]), m.f32(0.5)])
    m = M("gelu_erf_torch", 13, "pattern")
    x = m.inp("x", [1, 5, 16], data="normal3")
    m.out(gelu(m, x))
    out.append(m)
    m = M("gelu_erf_hf_order", 13, "pattern")
    x = m.inp("x", [1, 5, 16], data="normal3")
    m.out(gelu(m, x, hf=True))
    out.append(m)
    m = M("mlp_gelu_opset17", 17, "pattern")
    x = m.inp("x", [1, 5, 16])
    h = m.node("Add", [m.node("MatMul", [x, m.w([16, 32])]), m.w([32], scale=0.1)])
    h = gelu(m, h)
    m.out(m.node("Add", [m.node("MatMul", [h, m.w([32, 16])]), m.w([16], scale=0.1)]))
    out.append(m)

    # PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape
    m = M("shape_gather_reshape_chain", 13, "pattern")
    x = m.inp("x", ["N", 4, 3, 3])
    y = m.node("Relu", [conv(m, x, 4, 6, 3, pads=[1, 1, 1, 1])])
    shp = m.node("Shape", [y])
    idx = m.node("Constant", [], value=numpy_helper.from_array(np.array(0, np.int64), "i0"))
    n = m.node("Gather", [shp, idx], axis=0)
    n = m.node("Unsqueeze", [n, m.node("Constant", [], value=numpy_helper.from_array(np.array([0], np.int64), "ax"))])
    minus1 = m.node("Constant", [], value=numpy_helper.from_array(np.array([-1], np.int64), "m1"))
    target = m.node("Concat", [n, minus1], axis=0)
    flat = m.node("Reshape", [y, target])
    m.out(m.node("Gemm", [flat, m.w([5, 54], scale=0.2), m.w([5], scale=0.1)], transB=1), shape=["N", 5])
    out.append(m)
    m = M("shape_chain_opset11", 11, "pattern")
    x = m.inp("x", ["N", 3, 4, 4])
    shp = m.node("Shape", [x])
    n = m.node("Unsqueeze", [m.node("Gather", [shp, m.i64(0)], axis=0)], axes=[0])
    c = m.node("Unsqueeze", [m.node("Gather", [shp, m.i64(1)], axis=0)], axes=[0])
    target = m.node("Concat", [n, c, m.i64([-1])], axis=0)
    m.out(m.node("Reshape", [x, target]), shape=["N", 3, 16])
    out.append(m)

    # squeeze-and-excitation block (channel attention)
    m = M("se_block", 13, "pattern")
    x = x4(m, 8, 6, 6)
    s = m.node("GlobalAveragePool", [x])
    s = m.node("Relu", [conv(m, s, 8, 4, 1)])
    s = m.node("HardSigmoid", [conv(m, s, 4, 8, 1)], alpha=1.0 / 6.0, beta=0.5)
    m.out(m.node("Mul", [x, s]))
    out.append(m)
    # residual block
    m = M("residual_block", 13, "pattern")
    x = x4(m, 6, 8, 8)
    h = m.node("Relu", [conv(m, x, 6, 6, 3, pads=[1, 1, 1, 1])])
    h = conv(m, h, 6, 6, 3, pads=[1, 1, 1, 1])
    m.out(m.node("Relu", [m.node("Add", [h, x])]))
    out.append(m)
    # a tiny CNN classifier: conv-bn-relu-maxpool-dw-conv-gap-flatten-gemm-softmax
    m = M("tiny_cnn_classifier", 13, "pattern")
    x = x4(m, 3, 16, 16)
    h = conv(m, x, 3, 8, 3, strides=[2, 2], pads=[1, 1, 1, 1])
    h = m.node("BatchNormalization", [h, m.w([8], positive=True), m.w([8], scale=0.2), m.w([8], scale=0.3),
                                      m.f32(np.abs(m.rng.standard_normal(8)) + 0.3)])
    h = m.node("Relu", [h])
    h = m.node("MaxPool", [h], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    h = m.node("Clip", [conv(m, h, 8, 8, 3, group=8, pads=[1, 1, 1, 1]), m.f32(0.0), m.f32(6.0)])
    h = conv(m, h, 8, 16, 1)
    h = m.node("Flatten", [m.node("GlobalAveragePool", [h])])
    h = m.node("Gemm", [h, m.w([10, 16]), m.w([10], scale=0.1)], transB=1)
    m.out(m.node("Softmax", [h], axis=1), name="probabilities")
    m.fp16 = True
    out.append(m)
    # segmentation-like output: NCHW output stays NCHW, two outputs with odd names
    m = M("two_outputs_nchw", 13, "pattern")
    x = x4(m, 3, 8, 8)
    h = m.node("Relu", [conv(m, x, 3, 6, 3, pads=[1, 1, 1, 1])])
    m.out(conv(m, h, 6, 2, 1), name="seg:0")
    m.out(m.node("Flatten", [m.node("GlobalAveragePool", [h])]), name="features/pooled")
    out.append(m)
    # dynamic batch
    m = M("dynamic_batch", 13, "dynamic")
    x = m.inp("x", ["batch", 3, 8, 8])
    h = m.node("Relu", [conv(m, x, 3, 6, 3, pads=[1, 1, 1, 1])])
    h = m.node("Flatten", [m.node("GlobalAveragePool", [h])])
    m.out(m.node("Gemm", [h, m.w([4, 6]), m.w([4], scale=0.1)], transB=1))
    out.append(m)
    # dynamic height: needs --input-shape
    m = M("dynamic_height", 13, "dynamic")
    x = m.inp("image", [1, 3, "height", 10], concrete=[1, 3, 12, 10])
    m.out(m.node("Relu", [conv(m, x, 3, 5, 3, pads=[1, 1, 1, 1])]))
    m.convert_args = ["--input-shape", "image:1x3x12x10"]
    m.extra["needs_input_shape"] = "image"
    out.append(m)
    # dynamic batch and size, fixed with --input-shape
    m = M("dynamic_all_input_shape", 13, "dynamic")
    x = m.inp("x", ["n", 3, "h", "w"], concrete=[1, 3, 6, 9])
    m.out(m.node("MaxPool", [conv(m, x, 3, 4, 3, pads=[1, 1, 1, 1])], kernel_shape=[2, 2], strides=[2, 2]))
    m.convert_args = ["--input-shape", "x:1x3x6x9"]
    m.extra["needs_input_shape"] = "x"
    out.append(m)
    # keep NCHW input layout
    m = M("keep_input_layout", 13, "layout")
    x = x4(m, 3, 6, 6)
    m.out(m.node("Relu", [conv(m, x, 3, 4, 3, pads=[1, 1, 1, 1])]))
    m.convert_args = ["--keep-input-layout"]
    out.append(m)
    # weights heavy enough for the float16 size check
    m = M("big_weights", 13, "pattern")
    x = x4(m, 32, 8, 8)
    h = m.node("Relu", [conv(m, x, 32, 64, 3, pads=[1, 1, 1, 1])])
    h = m.node("Relu", [conv(m, h, 64, 64, 3, pads=[1, 1, 1, 1])])
    h = m.node("Flatten", [m.node("GlobalAveragePool", [h])])
    m.out(m.node("Gemm", [h, m.w([256, 64]), m.w([256], scale=0.1)], transB=1))
    m.fp16 = True
    out.append(m)
    return out


def unsupported_model():
    """Two nodes octet cannot convert: an Einsum (not imported) and a cubic Resize."""
    m = M("unsupported_two_nodes", 13, "error")
    x = m.inp("x", [1, 3, 4, 4])
    r = m.node("Resize", [x, "", m.f32([1, 1, 2, 2])], name="resize_cubic", mode="cubic")
    e = m.node("Einsum", [r, r], name="einsum_node", equation="nchw,nchw->nhw")
    m.out(e)
    return m


def opset6_model():
    m = M("opset6_relu", 6, "error")
    x = m.inp("x", [1, 3, 4, 4])
    m.out(m.node("Relu", [x]))
    return m


def tiny_models():
    models = []
    for fn in MODELS:
        models.extend(fn())
    names = [m.name for m in models]
    assert len(names) == len(set(names)), "duplicate model names"
    return models


def write_tiny(out_dir):
    d = os.path.join(out_dir, "tiny")
    os.makedirs(d, exist_ok=True)
    manifest = []
    for m in tiny_models():
        onnx.save(m.build(), os.path.join(d, m.name + ".onnx"))
        spec = m.spec()
        spec["file"] = m.name + ".onnx"
        manifest.append(spec)
    for m in (unsupported_model(), opset6_model()):
        graph = helper.make_graph(m.nodes, m.name, m.inputs,
                                  [helper.make_tensor_value_info(o.name, F32, None) for o in m.outputs], m.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", m.opset)])
        if m.opset < 7:
            model.ir_version = 3
        onnx.save(model, os.path.join(d, m.name + ".onnx"))
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


# --------------------------------------------------------------------------- torchvision
# name -> (opsets, input size, slow?)
TORCHVISION = {
    "mobilenet_v2": ((13, 17), 96, False),
    "resnet18": ((13, 17), 64, False),
    "squeezenet1_0": ((13,), 64, False),
    "shufflenet_v2_x0_5": ((17,), 64, False),
    "mnasnet0_5": ((13,), 64, False),
    "efficientnet_b0": ((17,), 64, False),
    "mobilenet_v3_small": ((13, 17), 64, False),
    "googlenet": ((13,), 64, False),
    "densenet121": ((17,), 64, True),
    "regnet_y_400mf": ((13,), 64, False),
    "convnext_tiny": ((17,), 64, True),
    "vit_b_16": ((17,), 64, True),
    "deeplabv3_mobilenet_v3_large": ((13,), 96, False),
    "lraspp_mobilenet_v3_large": ((17,), 96, False),
    "fcn_resnet50": ((13,), 64, True),
}
SEGMENTATION = {"deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large", "fcn_resnet50"}
CALIBRATION_PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "camera", "colorwheel", "brick"]
TEST_PHOTO = "retina"
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def variants():
    """-> [(variant id, model name, opset, size, slow)]"""
    out = []
    for name, (opsets, size, slow) in TORCHVISION.items():
        for op in opsets:
            out.append((f"{name}_opset{op}", name, op, size, slow))
    return out


def photo(name, size):
    import cv2
    import skimage.data
    img = getattr(skimage.data, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, -1)
    img = img[..., :3]
    h, w = img.shape[:2]
    s = min(h, w)
    img = img[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    img = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return ((img - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)


def build_torchvision(name, size):
    import torch
    import torchvision
    torch.manual_seed(seed_of(name))
    if name in SEGMENTATION:
        ctor = getattr(torchvision.models.segmentation, name)
        kw = dict(weights=None, weights_backbone=None)
        if name != "lraspp_mobilenet_v3_large":
            kw["aux_loss"] = False
        model = ctor(**kw)
    elif name == "googlenet":
        model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    elif name == "vit_b_16":
        model = torchvision.models.vit_b_16(weights=None, image_size=size)
    else:
        model = getattr(torchvision.models, name)(weights=None)
    # realistic activations: BatchNorm statistics from real photos (cumulative average)
    bns = [mod for mod in model.modules() if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm)]
    batch = torch.from_numpy(np.concatenate([photo(p, size) for p in CALIBRATION_PHOTOS]))
    batch = torch.cat([batch, torch.flip(batch, dims=[3])])
    if bns:
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        with torch.no_grad():
            model(batch)
    model.eval()
    # classifiers: logits with a spread of a few units (ViT's head starts at zero, MobileNetV3's
    # at std 0.01), so that the comparison's 1e-4 * range tolerance means something
    linears = [mod for mod in model.modules() if isinstance(mod, torch.nn.Linear)]
    if name not in SEGMENTATION and linears:
        head = linears[-1]
        with torch.no_grad():
            if float(head.weight.abs().max()) == 0.0:
                torch.nn.init.normal_(head.weight, std=0.02)
            if head.bias is not None:
                head.bias.zero_()
            std = float(model(batch).std())
            if std > 0:
                head.weight.mul_(2.0 / std)
    return model


def export_torchvision(out_dir, variant):
    import torch
    vid, name, opset, size, slow = next(v for v in variants() if v[0] == variant)
    d = os.path.join(out_dir, "tv", vid)
    tmp = d + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    model = build_torchvision(name, size)
    if name in SEGMENTATION:
        inner = model

        class Wrap(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.m = inner

            def forward(self, x):
                return self.m(x)["out"]
        model = Wrap().eval()
    x = photo(TEST_PHOTO, size)
    path = os.path.join(tmp, "model.onnx")
    # not under no_grad(): that selects nn.MultiheadAttention's fused fast path, which does not export
    torch.onnx.export(model, torch.from_numpy(x), path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    np.save(os.path.join(tmp, "input.npy"), x)
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump({"variant": vid, "model": name, "opset": opset, "size": size, "slow": slow,
                   "segmentation": name in SEGMENTATION, "input": "input", "output": "output",
                   "input_shape": list(x.shape)}, f, indent=1)
    if os.path.isdir(d):
        import shutil
        shutil.rmtree(d)
    os.rename(tmp, d)
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--torchvision", nargs="*", metavar="VARIANT")
    ap.add_argument("--list", action="store_true", help="list torchvision variants and exit")
    a = ap.parse_args(argv)
    if a.list:
        for v in variants():
            print(v[0], "slow" if v[4] else "")
        return 0
    if not a.tiny and a.torchvision is None:
        a.tiny = True
    if a.tiny:
        manifest = write_tiny(a.out_dir)
        print(f"{len(manifest)} tiny models -> {os.path.join(a.out_dir, 'tiny')}")
    if a.torchvision is not None:
        import warnings
        warnings.filterwarnings("ignore")
        for v in a.torchvision or [v[0] for v in variants()]:
            print("exported", export_torchvision(a.out_dir, v), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
