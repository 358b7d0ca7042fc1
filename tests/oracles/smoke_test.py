"""Smoke test of the test oracles themselves: npy.mjs, onnx_run.mjs and
tflite_run.mjs on tiny models built here, checked against numpy.

Run:  /usr/bin/python3 -m pytest tests/oracles/smoke_test.py -q
(tests/oracles/setup.sh is run once first; it is a no-op when installed.)
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tflite_builder import TFLiteBuilder  # noqa: E402

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

NODE = shutil.which("node")


@pytest.fixture(scope="session", autouse=True)
def oracles_installed():
    if NODE is None:
        pytest.fail("node is not on PATH")
    r = subprocess.run(["bash", str(HERE / "setup.sh")], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"tests/oracles/setup.sh failed:\n{r.stdout}\n{r.stderr}")


def node(script, *args, check=True):
    r = subprocess.run([NODE, str(HERE / script), *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"{script} {' '.join(map(str, args))} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def node_json(script, *args):
    return json.loads(node(script, *args).stdout)


# ---------------------------------------------------------------- numpy refs
def conv2d_nchw(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, o, h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + out.shape[2], j:j + out.shape[3]]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out + b[None, :, None, None]


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def tiny_cnn_reference_nchw(x, W, B, G, GB):
    r = np.maximum(conv2d_nchw(x.astype(np.float64), W, B, 1), 0)
    g = r.mean(axis=(2, 3))
    logits = g @ G.T + GB
    return softmax(logits), logits


def tiny_cnn_weights(seed=0):
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((4, 3, 3, 3)) * 0.5).astype(np.float32)   # OIHW
    B = (rng.standard_normal(4) * 0.1).astype(np.float32)
    G = rng.standard_normal((3, 4)).astype(np.float32)
    GB = rng.standard_normal(3).astype(np.float32)
    return W, B, G, GB


# ---------------------------------------------------------------- npy.mjs
NPY_CASES = {
    "f32": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    "f16": np.array([0.5, -2.25, 65504, 1e-7, np.inf], np.float16),
    "i8": np.array([[-128, 0], [5, 127]], np.int8),
    "u8": np.arange(7, dtype=np.uint8),
    "i32": np.array([-(2**31), 2**31 - 1, 0], np.int32),
    "i64": np.array([-(2**63), 2**63 - 1, 42], np.int64),
    "bool": np.array([[True, False, True]]),
    "scalar": np.float32(3.5),
    "empty": np.zeros((0, 3), np.float32),
    "long_axis": np.zeros((123456,), np.uint8),
}

NPY_ROUNDTRIP_JS = """
import { readNpy, writeNpy, formatNpy } from %s;
import { readFileSync } from 'node:fs';
const out = {};
for (const f of process.argv.slice(2)) {
  let r;
  try {
    const a = readNpy(f);
    const same = formatNpy(a).equals(readFileSync(f));
    writeNpy(f + '.js.npy', a);
    r = { dtype: a.dtype, shape: a.shape, byte_identical: same };
  } catch (e) { r = { error: e.message }; }
  out[f] = r;
}
console.log(JSON.stringify(out));
"""


def test_npy_roundtrip_is_byte_identical_to_numpy(tmp_path):
    files = []
    for name, arr in NPY_CASES.items():
        p = tmp_path / f"{name}.npy"
        np.save(p, arr)
        files.append(p)
    with open(tmp_path / "v2.npy", "wb") as fh:
        np.lib.format.write_array(fh, np.arange(6, dtype=np.int32).reshape(2, 3), version=(2, 0))
    bad = {
        "fortran": np.asfortranarray(np.zeros((2, 3), np.float32)),
        "bigendian": np.zeros(3, ">f4"),
        "float64": np.zeros(3, np.float64),
        "int16": np.zeros(3, np.int16),
    }
    for name, arr in bad.items():
        np.save(tmp_path / f"{name}.npy", arr)
    raw = (tmp_path / "f32.npy").read_bytes()
    (tmp_path / "truncated.npy").write_bytes(raw[:-1])
    (tmp_path / "trailing.npy").write_bytes(raw + b"\0")
    (tmp_path / "notnpy.npy").write_bytes(b"hello world, not a numpy file")
    script = tmp_path / "rt.mjs"
    script.write_text(NPY_ROUNDTRIP_JS % json.dumps((HERE / "npy.mjs").as_uri()))
    names = [*NPY_CASES, "v2", *bad, "truncated", "trailing", "notnpy"]
    r = subprocess.run([NODE, str(script), *[str(tmp_path / f"{n}.npy") for n in names]],
                       capture_output=True, text=True, check=True)
    res = json.loads(r.stdout)
    for name, arr in NPY_CASES.items():
        got = res[str(tmp_path / f"{name}.npy")]
        assert "error" not in got, (name, got)
        assert got["byte_identical"], name
        assert got["shape"] == list(np.shape(arr)), name
        back = np.load(tmp_path / f"{name}.npy.js.npy")
        assert back.dtype == np.asarray(arr).dtype and np.array_equal(back, arr, equal_nan=True), name
    assert res[str(tmp_path / "v2.npy")]["shape"] == [2, 3]
    assert np.array_equal(np.load(tmp_path / "v2.npy.js.npy"), np.arange(6, dtype=np.int32).reshape(2, 3))
    for name in [*bad, "truncated", "trailing", "notnpy"]:
        assert "error" in res[str(tmp_path / f"{name}.npy")], f"{name} should be rejected"


# ---------------------------------------------------------------- onnx_run.mjs
def make_onnx_cnn(path, W, B, G, GB):
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "G", "GB"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["prob:0"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("prob:0", TensorProto.FLOAT, ["N", 3]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B"),
         numpy_helper.from_array(G, "G"), numpy_helper.from_array(GB, "GB")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def test_onnx_cnn_matches_numpy(tmp_path):
    W, B, G, GB = tiny_cnn_weights()
    make_onnx_cnn(tmp_path / "cnn.onnx", W, B, G, GB)
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    ref_p, ref_l = tiny_cnn_reference_nchw(x, W, B, G, GB)
    for how in (["--input", f"x={tmp_path / 'x.npy'}"], [tmp_path / "x.npy"]):
        out = tmp_path / f"out{len(how)}"
        s = node_json("onnx_run.mjs", tmp_path / "cnn.onnx", *how, "--out", out, "--json")
        assert s["runtime"] == "onnxruntime-node" and s["provider"] == "cpu"
        assert [(o["name"], o["dtype"], o["shape"]) for o in s["outputs"]] == [
            ("prob:0", "float32", [2, 3]), ("logits", "float32", [2, 3])]
        assert Path(s["outputs"][0]["file"]).name == "prob_0.npy"   # sanitised name
        np.testing.assert_allclose(np.load(out / "prob_0.npy"), ref_p, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.load(out / "logits.npy"), ref_l, rtol=1e-5, atol=1e-5)


def test_onnx_dtypes_round_trip(tmp_path):
    cases = [("f16", TensorProto.FLOAT16, np.float16), ("i8", TensorProto.INT8, np.int8),
             ("u8", TensorProto.UINT8, np.uint8), ("i32", TensorProto.INT32, np.int32),
             ("i64", TensorProto.INT64, np.int64), ("b", TensorProto.BOOL, np.bool_)]
    nodes, ins, outs = [], [], []
    rng = np.random.default_rng(2)
    files = {}
    for name, et, dt in cases:
        op = "Not" if dt is np.bool_ else "Identity"
        nodes.append(helper.make_node(op, [name], [f"{name}_out"]))
        ins.append(helper.make_tensor_value_info(name, et, [2, 3]))
        outs.append(helper.make_tensor_value_info(f"{name}_out", et, [2, 3]))
        if dt is np.bool_:
            arr = rng.integers(0, 2, (2, 3)).astype(bool)
        elif dt is np.float16:
            arr = rng.standard_normal((2, 3)).astype(np.float16)
        else:
            info = np.iinfo(dt)
            arr = rng.integers(info.min, info.max, (2, 3), dtype=dt, endpoint=True)
        files[name] = arr
        np.save(tmp_path / f"{name}.npy", arr)
    graph = helper.make_graph(nodes, "dtypes", ins, outs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(tmp_path / "dtypes.onnx"))
    # Mix named and positional inputs: named ones first, the rest fill in model order.
    args = ["--input", f"i64={tmp_path / 'i64.npy'}", "--input", f"f16={tmp_path / 'f16.npy'}"]
    args += [tmp_path / f"{n}.npy" for n, *_ in cases if n not in ("i64", "f16")]
    s = node_json("onnx_run.mjs", tmp_path / "dtypes.onnx", *args, "--out", tmp_path / "out", "--json")
    assert [o["dtype"] for o in s["outputs"]] == ["float16", "int8", "uint8", "int32", "int64", "bool"]
    for name, _, dt in cases:
        got = np.load(tmp_path / "out" / f"{name}_out.npy")
        want = ~files[name] if dt is np.bool_ else files[name]
        assert got.dtype == np.dtype(dt) and np.array_equal(got, want), name


def test_onnx_rejects_wrong_dtype_and_missing_input(tmp_path):
    W, B, G, GB = tiny_cnn_weights()
    make_onnx_cnn(tmp_path / "cnn.onnx", W, B, G, GB)
    np.save(tmp_path / "xi.npy", np.zeros((1, 3, 8, 8), np.int32))
    r = node("onnx_run.mjs", tmp_path / "cnn.onnx", tmp_path / "xi.npy", "--out", tmp_path / "o", check=False)
    assert r.returncode == 1 and "float32" in r.stderr and "int32" in r.stderr
    r = node("onnx_run.mjs", tmp_path / "cnn.onnx", "--out", tmp_path / "o", check=False)
    assert r.returncode == 2 and "no data for model input" in r.stderr
    np.save(tmp_path / "xs.npy", np.zeros((1, 3, 9, 8), np.float32))
    r = node("onnx_run.mjs", tmp_path / "cnn.onnx", tmp_path / "xs.npy", "--out", tmp_path / "o", check=False)
    assert r.returncode == 1 and "shape" in r.stderr


# ---------------------------------------------------------------- tflite_run.mjs
def make_tflite_cnn(path, W, B, G, GB):
    b = TFLiteBuilder()
    x = b.tensor("input_image", [1, 8, 8, 3], "float32")
    w = b.tensor("conv/w", [4, 3, 3, 3], "float32", data=W.transpose(0, 2, 3, 1))  # OIHW -> OHWI
    bb = b.tensor("conv/b", [4], "float32", data=B)
    c = b.tensor("conv/out", [1, 8, 8, 4], "float32")
    b.op("CONV_2D", [x, w, bb], [c], activation="RELU", padding="SAME")
    axes = b.tensor("mean/axes", [2], "int32", data=np.array([1, 2], np.int32))
    m = b.tensor("mean/out", [1, 4], "float32")
    b.op("MEAN", [c, axes], [m])
    g = b.tensor("fc/w", [3, 4], "float32", data=G)
    gb = b.tensor("fc/b", [3], "float32", data=GB)
    logits = b.tensor("logits", [1, 3], "float32")
    b.op("FULLY_CONNECTED", [m, g, gb], [logits])
    probs = b.tensor("probs:0", [1, 3], "float32")
    b.op("SOFTMAX", [logits], [probs], beta=1.0)
    path.write_bytes(b.finish([x], [probs, logits]))


def test_tflite_float_cnn_matches_numpy_and_onnx(tmp_path):
    W, B, G, GB = tiny_cnn_weights()
    make_tflite_cnn(tmp_path / "cnn.tflite", W, B, G, GB)
    make_onnx_cnn(tmp_path / "cnn.onnx", W, B, G, GB)
    x_nhwc = np.random.default_rng(3).standard_normal((1, 8, 8, 3)).astype(np.float32)
    np.save(tmp_path / "x_nhwc.npy", x_nhwc)
    np.save(tmp_path / "x_nchw.npy", np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2)))
    ref_p, ref_l = tiny_cnn_reference_nchw(x_nhwc.transpose(0, 3, 1, 2), W, B, G, GB)

    s = node_json("tflite_run.mjs", tmp_path / "cnn.tflite", "--input", f"0={tmp_path / 'x_nhwc.npy'}",
                  "--out", tmp_path / "tfl", "--json")
    assert s["runtime"]["package"] == "@tensorflow/tfjs-tflite"
    assert s["runtime"]["variant"] in ("tflite_web_api_cc_simd", "tflite_web_api_cc")
    assert s["executed_nodes"] == {"TfLiteXNNPackDelegate": 1}   # XNNPACK took the whole float graph
    assert [(o["name"], o["dtype"], o["shape"]) for o in s["outputs"]] == [
        ("probs:0", "float32", [1, 3]), ("logits", "float32", [1, 3])]
    p_tfl = np.load(tmp_path / "tfl" / "probs_0.npy")
    np.testing.assert_allclose(p_tfl, ref_p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "tfl" / "logits.npy"), ref_l, rtol=1e-5, atol=1e-5)

    # Both oracles agree with each other (same weights, NCHW vs NHWC).
    node("onnx_run.mjs", tmp_path / "cnn.onnx", tmp_path / "x_nchw.npy", "--out", tmp_path / "ort")
    np.testing.assert_allclose(np.load(tmp_path / "ort" / "prob_0.npy"), p_tfl, rtol=1e-5, atol=1e-6)

    # Same answer from the non-SIMD build, by input name.
    node("tflite_run.mjs", tmp_path / "cnn.tflite", "--input", f"input_image={tmp_path / 'x_nhwc.npy'}",
         "--no-simd", "--out", tmp_path / "nosimd")
    np.testing.assert_allclose(np.load(tmp_path / "nosimd" / "probs_0.npy"), p_tfl, rtol=1e-5, atol=1e-6)


def test_tflite_threads_use_threaded_build(tmp_path):
    W, B, G, GB = tiny_cnn_weights()
    make_tflite_cnn(tmp_path / "cnn.tflite", W, B, G, GB)
    x = np.random.default_rng(4).standard_normal((1, 8, 8, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    s = node_json("tflite_run.mjs", tmp_path / "cnn.tflite", tmp_path / "x.npy", "--threads", 2,
                  "--out", tmp_path / "t2", "--json")
    assert s["runtime"]["threaded"] and s["runtime"]["variant"].endswith("_threaded")
    node("tflite_run.mjs", tmp_path / "cnn.tflite", tmp_path / "x.npy", "--out", tmp_path / "t1")
    np.testing.assert_allclose(np.load(tmp_path / "t2" / "probs_0.npy"), np.load(tmp_path / "t1" / "probs_0.npy"),
                               rtol=1e-6, atol=1e-7)


def make_int8_fc(path, x_scale, x_zp, Wq, w_scales, bq, y_scale, y_zp):
    b = TFLiteBuilder()
    k = Wq.shape[1]
    x = b.tensor("x_int8", [1, k], "int8", scale=x_scale, zero_point=x_zp)
    w = b.tensor("w", list(Wq.shape), "int8", data=Wq, scale=w_scales, zero_point=0, quantized_dimension=0)
    bias = b.tensor("bias", [Wq.shape[0]], "int32", data=bq, scale=x_scale * w_scales, zero_point=0)
    y = b.tensor("y_int8", [1, Wq.shape[0]], "int8", scale=y_scale, zero_point=y_zp)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    path.write_bytes(b.finish([x], [y]))


def test_tflite_int8_fc_input_settable_and_quant_params_readable(tmp_path):
    rng = np.random.default_rng(5)
    k, n = 16, 5
    x_scale, x_zp = np.float32(0.05), -3
    Wq = rng.integers(-127, 128, (n, k)).astype(np.int8)
    w_scales = rng.uniform(0.005, 0.02, n).astype(np.float32)
    bq = rng.integers(-2000, 2000, n).astype(np.int32)
    xq = rng.integers(-128, 128, (1, k)).astype(np.int8)
    acc = (xq.astype(np.int64) - x_zp) @ Wq.astype(np.int64).T + bq
    real = acc * (np.float64(x_scale) * w_scales.astype(np.float64))
    y_scale, y_zp = np.float32(np.abs(real).max() / 100), 7
    ref = np.clip(np.round(real / np.float64(y_scale)) + y_zp, -128, 127)

    make_int8_fc(tmp_path / "fc.tflite", x_scale, x_zp, Wq, w_scales, bq, y_scale, y_zp)
    np.save(tmp_path / "xq.npy", xq)
    s = node_json("tflite_run.mjs", tmp_path / "fc.tflite", "--inspect", "--input", f"x_int8={tmp_path / 'xq.npy'}",
                  "--out", tmp_path / "o")
    (inp,), (out,) = s["inputs"], s["outputs"]
    assert inp["dtype"] == "int8" and inp["io_supported"]
    assert inp["quantization"]["scale"] == [float(x_scale)] and inp["quantization"]["zero_point"] == [x_zp]
    assert out["quantization"]["scale"] == [float(y_scale)] and out["quantization"]["zero_point"] == [y_zp]
    got = np.load(tmp_path / "o" / "y_int8.npy")
    assert got.dtype == np.int8
    assert np.abs(got.astype(np.int64) - ref).max() <= 1, (got, ref)   # fixed-point requantisation


def test_tflite_quantize_dequantize_and_uint8(tmp_path):
    b = TFLiteBuilder()
    f = b.tensor("f", [2, 8], "float32")
    q = b.tensor("q", [2, 8], "int8", scale=0.1, zero_point=-4)
    b.op("QUANTIZE", [f], [q])
    u = b.tensor("u", [2, 8], "uint8", scale=0.5, zero_point=128)
    d = b.tensor("d", [2, 8], "float32")
    b.op("DEQUANTIZE", [u], [d])
    (tmp_path / "qd.tflite").write_bytes(b.finish([f, u], [q, d]))
    rng = np.random.default_rng(6)
    fx = (rng.uniform(-15, 15, (2, 8)) + 0.013).astype(np.float32)   # away from .5 ties
    ux = rng.integers(0, 256, (2, 8)).astype(np.uint8)
    np.save(tmp_path / "f.npy", fx)
    np.save(tmp_path / "u.npy", ux)
    node("tflite_run.mjs", tmp_path / "qd.tflite", "--input", f"1={tmp_path / 'u.npy'}", tmp_path / "f.npy",
         "--out", tmp_path / "o")
    qx = np.load(tmp_path / "o" / "q.npy")
    assert qx.dtype == np.int8
    np.testing.assert_array_equal(qx, np.clip(np.round(fx / np.float32(0.1)) - 4, -128, 127).astype(np.int8))
    np.testing.assert_allclose(np.load(tmp_path / "o" / "d.npy"), (ux.astype(np.float32) - 128) * 0.5)


def test_tflite_int32_and_bool(tmp_path):
    b = TFLiteBuilder()
    a = b.tensor("a", [3], "int32")
    c = b.tensor("c", [3], "int32", data=np.array([1, -2, 2**30], np.int32))
    o = b.tensor("o", [3], "int32")
    b.op("ADD", [a, c], [o])
    p = b.tensor("p", [2, 2], "bool")
    q = b.tensor("not p", [2, 2], "bool")
    b.op("LOGICAL_NOT", [p], [q])
    (tmp_path / "m.tflite").write_bytes(b.finish([a, p], [o, q]))
    np.save(tmp_path / "a.npy", np.array([5, 6, 7], np.int32))
    np.save(tmp_path / "p.npy", np.array([[True, False], [False, False]]))
    s = node_json("tflite_run.mjs", tmp_path / "m.tflite", tmp_path / "a.npy", tmp_path / "p.npy",
                  "--out", tmp_path / "o", "--json")
    assert [o["dtype"] for o in s["outputs"]] == ["int32", "bool"]
    np.testing.assert_array_equal(np.load(tmp_path / "o" / "o.npy"), np.array([6, 4, 2**30 + 7], np.int32))
    np.testing.assert_array_equal(np.load(tmp_path / "o" / "not_p.npy"), np.array([[False, True], [True, True]]))


def test_tflite_limits_are_reported(tmp_path):
    # int64 (and float16) tensors cannot cross the tfjs-tflite API: --inspect says so, a run refuses.
    b = TFLiteBuilder()
    a = b.tensor("a", [2], "int64")
    c = b.tensor("c", [2], "int64", data=np.array([1, 2], np.int64))
    o = b.tensor("o", [2], "int64")
    b.op("ADD", [a, c], [o])
    (tmp_path / "i64.tflite").write_bytes(b.finish([a], [o]))
    s = node_json("tflite_run.mjs", tmp_path / "i64.tflite", "--inspect")
    assert s["loadable"] and s["inputs"][0]["dtype"] == "unknown" and not s["inputs"][0]["io_supported"]
    assert s["inputs"][0]["flatbuffer_dtype"] == "int64"
    np.save(tmp_path / "a.npy", np.array([1, 2], np.int64))
    r = node("tflite_run.mjs", tmp_path / "i64.tflite", tmp_path / "a.npy", "--out", tmp_path / "o", check=False)
    assert r.returncode == 1 and "cannot set" in r.stderr
    r = node("tflite_run.mjs", tmp_path / "i64.tflite", "--inspect", "--no-xnnpack", check=False)
    assert r.returncode == 2 and "XNNPACK" in r.stderr
    # A model TFLite cannot load (unknown custom op) still inspects, with the reason.
    (tmp_path / "junk.tflite").write_bytes(b"not a model at all")
    r = node("tflite_run.mjs", tmp_path / "junk.tflite", "--inspect", check=False)
    s = json.loads(r.stdout)
    assert r.returncode == 0 and not s["loadable"] and s["load_error"] and s["model"]["flatbuffer_error"]


def test_tflite_int8_conv_runs_in_xnnpack_and_matches_reference(tmp_path):
    # Per-channel int8 CONV_2D with fused RELU: XNNPACK's QS8 path in this build.
    rng = np.random.default_rng(7)
    x_scale, x_zp, y_zp = np.float32(0.02), 3, -5
    Wq = rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)            # OHWI
    w_scales = rng.uniform(0.002, 0.01, 4).astype(np.float32)
    bq = rng.integers(-3000, 3000, 4).astype(np.int32)
    xq = rng.integers(-128, 128, (1, 8, 8, 3)).astype(np.int8)
    xc = np.pad(xq.astype(np.int64) - x_zp, ((0, 0), (1, 1), (1, 1), (0, 0)))   # SAME padding, zero in real terms
    acc = np.zeros((1, 8, 8, 4), np.int64)
    for i in range(3):
        for j in range(3):
            acc += np.einsum("nhwc,oc->nhwo", xc[:, i:i + 8, j:j + 8, :], Wq[:, i, j, :].astype(np.int64))
    real = (acc + bq) * (np.float64(x_scale) * w_scales.astype(np.float64))
    y_scale = np.float32(np.abs(real).max() / 120)
    ref = np.clip(np.round(real / np.float64(y_scale)) + y_zp, y_zp, 127)   # fused RELU clamps at the zero point

    b = TFLiteBuilder()
    x = b.tensor("x", [1, 8, 8, 3], "int8", scale=x_scale, zero_point=x_zp)
    w = b.tensor("w", [4, 3, 3, 3], "int8", data=Wq, scale=w_scales, zero_point=0, quantized_dimension=0)
    bias = b.tensor("b", [4], "int32", data=bq, scale=x_scale * w_scales, zero_point=0)
    y = b.tensor("y", [1, 8, 8, 4], "int8", scale=y_scale, zero_point=y_zp)
    b.op("CONV_2D", [x, w, bias], [y], activation="RELU", padding="SAME")
    (tmp_path / "conv.tflite").write_bytes(b.finish([x], [y]))
    np.save(tmp_path / "xq.npy", xq)
    s = node_json("tflite_run.mjs", tmp_path / "conv.tflite", tmp_path / "xq.npy", "--out", tmp_path / "o", "--json")
    assert s["executed_nodes"] == {"TfLiteXNNPackDelegate": 1}
    got = np.load(tmp_path / "o" / "y.npy").astype(np.int64)
    assert np.abs(got - ref).max() <= 1
    assert (got != ref).mean() < 0.05
