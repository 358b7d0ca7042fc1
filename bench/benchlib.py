#!/usr/bin/python3
"""Helpers shared by the bench/ scripts: the Node oracle runners, QDQ ONNX models built from
calibration ranges (ONNX Runtime's INT8 peer), and timing a command with its peak RSS.

* batch_run: tests/e2e_int8/batch_run.mjs (one Node process over every row of a .npy).
* activation_ranges / build_qdq: per-tensor min/max of every float activation over calibration
  rows in ONNX Runtime, then a QuantizeLinear/DequantizeLinear model (per-tensor asymmetric
  activations, uint8 or int8; per-channel symmetric int8 weights; int32 biases), built with
  python3-onnx and numpy (ONNX Runtime's Python quantization tools are not in Debian).
* timed_json: runs a command that prints JSON under /usr/bin/time; returns the JSON, the wall
  time and GNU time's peak RSS.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BATCH_RUN = os.path.join(REPO, "tests", "e2e_int8", "batch_run.mjs")


class CommandError(RuntimeError):
    """A benchmarked command exited non-zero."""


def timed_json(cmd, cpu=None):
    """Runs cmd (which prints one JSON object, possibly after other lines, last) under
    /usr/bin/time, pinned to CPU `cpu` if given. Returns (parsed JSON, wall seconds, peak RSS
    bytes). /usr/bin/time forks the command from a tiny process, so the peak RSS is the command's
    own, not the harness's."""
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        t0 = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *cmd], capture_output=True, text=True,
                           preexec_fn=pin)
        wall = time.monotonic() - t0
        if p.returncode != 0:
            raise CommandError(f"{' '.join(cmd)}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-1500:]}")
        rss = int(t.read().split()[-1]) * 1024
    text = p.stdout.strip()
    start = text.find("{")
    if start < 0:
        raise CommandError(f"{' '.join(cmd)}: no JSON on stdout")
    return json.loads(text[start:]), wall, rss


# --------------------------------------------------------------------------- Node oracle runners
def batch_run(kind, model, x_path, out_dir, *extra):
    """tests/e2e_int8/batch_run.mjs: one Node process over every row of x_path."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    p = subprocess.run(["node", BATCH_RUN, kind, model, x_path, "--out", out_dir, *extra],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"batch_run {kind} {model}: {p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- QDQ ONNX models
QUANT_CONSUMERS = {"Conv", "Gemm", "MatMul", "Add", "Mul", "GlobalAveragePool", "AveragePool", "MaxPool",
                   "Concat", "HardSigmoid", "Sigmoid", "Flatten", "Reshape", "ReduceMean", "Softmax"}


def float_activations(model):
    import onnx
    from onnx import TensorProto, shape_inference
    inferred = shape_inference.infer_shapes(model)
    types = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        types[vi.name] = vi.type.tensor_type.elem_type
    inits = {i.name for i in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in inits]
    for node in model.graph.node:
        if node.op_type == "Constant":
            continue
        names += [o for o in node.output if o]
    return [n for n in names if types.get(n) == TensorProto.FLOAT], onnx


def activation_ranges(onnx_path, calib_nchw_path, work):
    """min/max of every float activation over the calibration rows (ONNX Runtime)."""
    import onnx
    from onnx import helper
    model = onnx.load(onnx_path)
    acts, _ = float_activations(model)
    have = {o.name for o in model.graph.output}
    for a in acts:
        if a not in have:
            model.graph.output.append(helper.make_empty_tensor_value_info(a))
    aug = os.path.join(work, "augmented.onnx")
    onnx.save(model, aug)
    res = batch_run("ort", aug, calib_nchw_path, os.path.join(work, "minmax"), "--minmax")
    ranges = json.load(open(res["minmax"]))
    os.remove(aug)
    return ranges


def inline_identity_initializers(graph):
    """Replaces each Identity whose input is an initializer by a copy of that initializer.
    torch.onnx.export shares equal constants (e.g. the all-zero conv biases of a network whose
    BatchNorm statistics are the defaults) through Identity nodes; a bias behind an Identity is
    not an initializer, so it would stay float and ONNX Runtime could not fuse the QDQ group."""
    from onnx import numpy_helper
    inits = {i.name: i for i in graph.initializer}
    keep = []
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(inits[node.input[0]]),
                                                             node.output[0]))
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)


def build_qdq(onnx_path, ranges, act_dtype, out_path):
    """Insert QuantizeLinear/DequantizeLinear: per-tensor activations (asymmetric, range
    widened to include 0, as ORT's min/max calibration), per-channel symmetric int8 weights
    of Conv/Gemm/MatMul, int32 biases (scale = input scale x weight scale)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    model = onnx.load(onnx_path)
    g = model.graph
    inline_identity_initializers(g)
    acts, _ = float_activations(model)
    consumers = {}
    for node in g.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    outputs = {o.name for o in g.output}
    graph_inputs = {i.name for i in g.input}
    qmin, qmax, np_t, onnx_t = ((0, 255, np.uint8, TensorProto.UINT8) if act_dtype == "uint8"
                                else (-128, 127, np.int8, TensorProto.INT8))
    inits = {i.name: i for i in g.initializer}
    new_nodes, new_inits = [], []
    act_scale = {}

    def qparams(lo, hi):
        lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
        scale = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
        zp = int(np.clip(round(qmin - lo / scale), qmin, qmax))
        return np.float32(scale), zp

    rename = {}
    for t in acts:
        if t not in ranges:
            continue
        cons = consumers.get(t, [])
        if not (t in outputs or any(c.op_type in QUANT_CONSUMERS for c in cons)):
            continue
        scale, zp = qparams(*ranges[t])
        act_scale[t] = float(scale)
        s_name, z_name = t + "_qscale", t + "_qzp"
        new_inits += [numpy_helper.from_array(np.array(scale, np.float32), s_name),
                      numpy_helper.from_array(np.array(zp, np_t), z_name)]
        if t in graph_inputs:
            src, dst = t, t + "_dq"
            for c in cons:
                for k, i in enumerate(c.input):
                    if i == t:
                        c.input[k] = dst
        else:
            src, dst = t + "_f", t
            rename[t] = src
        new_nodes.append((t, [helper.make_node("QuantizeLinear", [src, s_name, z_name], [t + "_q"], name=t + "_Q"),
                              helper.make_node("DequantizeLinear", [t + "_q", s_name, z_name], [dst],
                                               name=t + "_DQ")]))
    for node in g.node:
        for k, o in enumerate(node.output):
            if o in rename:
                node.output[k] = rename[o]

    # weights and biases
    def input_scale(node):
        x = node.input[0]
        if x in act_scale:
            return act_scale[x]
        return act_scale.get(x[:-3]) if x.endswith("_dq") else None

    for node in g.node:
        if node.op_type not in ("Conv", "Gemm", "MatMul") or len(node.input) < 2 or node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        if node.op_type == "Conv":
            axis = 0
        elif node.op_type == "Gemm":
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            axis = 0 if trans_b else 1
        else:
            axis = w.ndim - 1
        red = tuple(i for i in range(w.ndim) if i != axis)
        wmax = np.abs(w).max(axis=red)
        ws = np.where(wmax > 0, wmax / 127.0, 1.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        wq = np.clip(np.round(w / ws.reshape(shape)), -127, 127).astype(np.int8)
        base = node.name or node.output[0]
        wn = base + "_w"
        new_inits += [numpy_helper.from_array(wq, wn + "_q"), numpy_helper.from_array(ws, wn + "_s"),
                      numpy_helper.from_array(np.zeros(len(ws), np.int8), wn + "_z")]
        extra = [helper.make_node("DequantizeLinear", [wn + "_q", wn + "_s", wn + "_z"], [wn + "_dq"],
                                  axis=axis, name=wn + "_DQ")]
        node.input[1] = wn + "_dq"
        xs = input_scale(node)
        if len(node.input) > 2 and node.input[2] in inits and xs is not None:
            b = numpy_helper.to_array(inits[node.input[2]]).astype(np.float64)
            bs = (xs * ws.astype(np.float64)).astype(np.float32)
            bq = np.clip(np.round(b / bs), -2**31, 2**31 - 1).astype(np.int32)
            bn = base + "_b"
            new_inits += [numpy_helper.from_array(bq, bn + "_q"), numpy_helper.from_array(bs, bn + "_s"),
                          numpy_helper.from_array(np.zeros(len(bs), np.int32), bn + "_z")]
            extra.append(helper.make_node("DequantizeLinear", [bn + "_q", bn + "_s", bn + "_z"], [bn + "_dq"],
                                          axis=0, name=bn + "_DQ"))
            node.input[2] = bn + "_dq"
        new_nodes.append((None, extra))

    # rebuild the node list in a valid order: weight DQs first, activation Q/DQ right after producers
    head = [n for t, ns in new_nodes if t is None for n in ns]
    after = {}
    for t, ns in new_nodes:
        if t is not None:
            after[t] = ns
    order = []
    for gi in graph_inputs:
        order += after.get(gi, [])
    for node in g.node:
        order.append(node)
        for o in node.output:
            orig = o[:-2] if o.endswith("_f") and o[:-2] in after else o
            order += after.get(orig, [])
    del g.node[:]
    g.node.extend(head + order)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep + [i for i in new_inits if i.name in used])
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
