"""`octet convert --int8` end to end on make_models.py's tiny per-op models.

For every tiny model with float inputs (those octet converts in float):
  * a calibration set of 20 seeded samples (NHWC where the converted input is NHWC),
  * `octet convert --int8 --calib ... --allow-float-fallback`,
  * the same int8 input (the float test input quantized with the model's input
    scale and zero point, rounding half away from zero) run in the real TFLite
    interpreter (wasm) and in octet's interpreter on the .tflite read back:
    equal on >= 99.9% of elements and never more than 1 apart (the INT8 issue's rule),
  * the dequantized TFLite output against ONNX Runtime's float output: SQNR
    (10 log10(sum y^2 / sum (y - yq)^2)) above a floor that catches broken
    quantization (wrong scale, zero point, layout) while allowing 8-bit noise.
Also: CLI errors, determinism, the report.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e_convert"))
import ec_helpers as H  # noqa: E402
from ec_helpers import oracle  # noqa: E402,F401  (the shared session fixture)
from ec_helpers import assert_error, assert_ok, describe  # noqa: E402

MODELS_DIR, _MANIFEST = H.ensure_tiny(H.cache_dir())
MANIFEST = {m["name"]: m for m in _MANIFEST}
CALIB_SAMPLES = 20
# 8-bit quantization of a random tiny model keeps ~20-45 dB; a wrong scale,
# zero point or layout gives < 5 dB.
SQNR_FLOOR_DB = 12.0
AGREEMENT = 0.999
# octet's int8 kernels follow the arithmetic of TFLite's default CPU path op by
# op (docs/int8_kernels.md: XNNPACK's rules where the delegate runs the op, the
# builtin kernels' elsewhere), so every model's outputs must equal TFLite's on
# AGREEMENT of the elements (all 299 are at 100%) and never differ by more than 1.


def _float_gaps():
    path = os.path.join(HERE, "..", "e2e_convert", "known_failures.txt")
    with open(path, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    prefix = "test_convert_ops.py::test_tiny_model["
    return {i[len(prefix):-len("-float32]")] for i in ids if i.startswith(prefix) and i.endswith("-float32]")}


FLOAT_GAPS = _float_gaps()
CASES = sorted(n for n, m in MANIFEST.items()
               if not m.get("documented_unsupported") and n not in FLOAT_GAPS
               and m["inputs"] and all(i["dtype"] == "float32" for i in m["inputs"]))


@pytest.fixture(scope="session")
def octet():
    path = os.environ.get("OCTET_BIN", os.path.join(H.REPO, "build", "octet"))
    return H.OctetRunner(path)


@pytest.fixture(scope="session")
def tool():
    return os.environ.get("OCTET_TFLITE_TOOL", os.path.join(H.REPO, "build", "tests", "octet_tflite_tool"))


@pytest.fixture(scope="session")
def cache():
    return H.cache_dir()


def becomes_nhwc(spec, inp):
    return len(inp["shape"]) == 4 and "--keep-input-layout" not in spec["convert_args"]


def to_model_layout(spec, inp, a):
    return H.nchw_to_nhwc(a) if becomes_nhwc(spec, inp) else a


def calibration_args(spec, name, work):
    """The test input itself (so that the ranges cover it: this checks the conversion, not how
    ranges generalise) and CALIB_SAMPLES - 1 other seeded samples of the same distribution."""
    args = []
    for inp in spec["inputs"]:
        keys = [name] + [f"{name}/calib{i}" for i in range(1, CALIB_SAMPLES)]
        samples = [to_model_layout(spec, inp, H.make_input(inp, k)) for k in keys]
        path = os.path.join(work, f"calib_{len(args)}.npy")
        # N samples: N x (shape without its batch of 1), or N x shape when the first dimension is not 1
        stacked = np.concatenate(samples, axis=0) if samples[0].shape[:1] == (1,) else np.stack(samples)
        np.save(path, stacked.astype(np.float32))
        args += ["--calib", f"{inp['name']}={path}" if len(spec["inputs"]) > 1 else path]
    return args


def quantize(x, scale, zero_point, dtype):
    info = np.iinfo(dtype)
    v = np.asarray(x, np.float64) / scale
    v = np.sign(v) * np.floor(np.abs(v) + 0.5) + zero_point   # round half away from zero, as TFLite
    return np.clip(v, info.min, info.max).astype(dtype)


def dequantize(q, scale, zero_point):
    return (q.astype(np.float64) - zero_point) * scale


def sqnr_db(y, yq):
    y = np.asarray(y, np.float64).ravel()
    noise = np.sum((y - np.asarray(yq, np.float64).ravel()) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(y * y) / noise)


def inspect_io(model):
    """-> (inputs, outputs) as [(name, dtype, scale, zero point)], read by the real TFLite (tflite_run.mjs --inspect)."""
    proc = subprocess.run(["node", os.path.join(H.ORACLES, "tflite_run.mjs"), str(model), "--inspect"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"tflite_run --inspect failed: {proc.stderr}"
    info = json.loads(proc.stdout)

    def rows(tensors):
        out = []
        for t in tensors:
            q = t.get("quantization") or {}
            out.append((t["name"], t["dtype"], (q.get("scale") or [None])[0], (q.get("zero_point") or [None])[0]))
        return out
    return rows(info["inputs"]), rows(info["outputs"])


@pytest.mark.parametrize("name", CASES)
def test_int8_tiny_model(name, octet, tool, oracle, cache, tmp_path):
    spec = MANIFEST[name]
    path = os.path.join(MODELS_DIR, name + ".onnx")
    work = str(tmp_path)
    out = tmp_path / "m.int8.tflite"
    report = tmp_path / "r.json"
    proc = octet.convert(path, out, "--int8", *calibration_args(spec, name, work), "--allow-float-fallback",
                         "--no-progress", "--report", report, *spec["convert_args"])
    assert_ok(proc)
    rep = json.loads(report.read_text())
    ins, outs = inspect_io(out)
    # Float inputs quantized for the int8 model (the interface is int8 unless the input feeds only float ops).
    inputs = {i["name"]: H.make_input(i, name) for i in spec["inputs"]}
    in_files, refs = H.reference(oracle, cache, "tiny", name, path, inputs)
    feeds = []
    for k, inp in enumerate(spec["inputs"]):
        x = to_model_layout(spec, inp, np.load(in_files[inp["name"]]))
        tname, dtype, scale, zp = ins[k]
        assert tname == inp["name"], f"{name}: input {k} is {tname!r}, expected {inp['name']!r}"
        assert dtype == "int8", f"{name}: input {tname!r} is {dtype}, expected int8 by default"
        p = os.path.join(work, f"in{k}.npy")
        np.save(p, quantize(x, scale, zp, np.int8))
        feeds.append(p)
    ans = oracle.tflite(str(out), [(i, f) for i, f in enumerate(feeds)], os.path.join(work, "tflite"))
    mine = subprocess.run([tool, "run", str(out), "--out", os.path.join(work, "octet"), *feeds],
                          capture_output=True, text=True)
    assert mine.returncode == 0, f"{name}: octet_tflite_tool failed: {mine.stderr}"
    ops = set(H.read_tflite(str(out))["ops"])
    bar = AGREEMENT
    problems = []
    for k, ((rname, ref), o) in enumerate(zip(refs, ans["outputs"])):
        theirs = np.load(o["file"])
        ours = np.load(os.path.join(work, "octet", f"output_{k}.npy"))
        assert theirs.dtype == ours.dtype and theirs.shape == ours.shape
        diff = np.abs(theirs.astype(np.int64) - ours.astype(np.int64))
        equal = float(np.mean(diff == 0)) if diff.size else 1.0
        print(f"\n{name} output {rname!r}: {100 * equal:.3f}% of {diff.size} equal, max diff "
              f"{diff.max() if diff.size else 0}; ops {sorted(ops)}", end="")
        if diff.size and (diff.max() > 1 or equal < bar):
            problems.append(f"output {rname!r}: octet vs TFLite max diff {diff.max()}, {100 * equal:.3f}% equal "
                            f"(bar {100 * bar}%; ops {sorted(ops)})")
        tname, dtype, scale, zp = outs[k]
        real = dequantize(theirs, scale, zp) if dtype in ("int8", "uint8") else theirs
        if np.abs(ref).max() > 1e-3 and ref.size > 1:
            s = sqnr_db(ref, real)
            if s < SQNR_FLOOR_DB:
                problems.append(f"output {rname!r}: SQNR {s:.1f} dB against ONNX Runtime < {SQNR_FLOOR_DB} dB")
    assert not problems, f"{name} ({proc.cmdline}):\n  " + "\n  ".join(problems) + \
        f"\n  ops: {rep.get('op_dtypes')}"


def test_int8_hard_swish_pattern_is_one_int8_hard_swish(octet, tmp_path):
    # x * HardSigmoid(x, 1/6, 0.5) (PyTorch's opset-13 Hardswish) is fused before quantization: one int8
    # HARD_SWISH, no float fallback (its numbers against TFLite: test_int8_tiny_model[hardswish_decomposed])
    name = "hardswish_decomposed"
    spec = MANIFEST[name]
    out = tmp_path / "m.int8.tflite"
    proc = octet.convert(os.path.join(MODELS_DIR, name + ".onnx"), out, "--int8",
                         *calibration_args(spec, name, str(tmp_path)), "--no-progress", "--json")
    assert_ok(proc)
    ops = H.op_counts(H.read_tflite(str(out)))
    assert ops.get("HARD_SWISH") == 1 and not {"MAXIMUM", "MINIMUM", "MUL", "ADD"} & set(ops), ops
    op_dtypes = json.loads(proc.stdout)["op_dtypes"]
    assert [o["dtype"] for o in op_dtypes if o["type"] == "HARD_SWISH"] == ["int8"], op_dtypes


# ----------------------------------------------------------------------------- CLI behaviour
def _conv_model():
    name = "conv_basic" if "conv_basic" in MANIFEST else next(n for n in CASES if n.startswith("conv"))
    return name, MANIFEST[name], os.path.join(MODELS_DIR, name + ".onnx")


def test_report_and_determinism(octet, tmp_path):
    name, spec, path = _conv_model()
    args = calibration_args(spec, name, str(tmp_path))
    a, b = tmp_path / "a.tflite", tmp_path / "b.tflite"
    assert_ok(octet.convert(path, a, "--int8", *args, "--no-progress", "--report", tmp_path / "r.json"))
    assert_ok(octet.convert(path, b, "--int8", *args, "--no-progress"))
    assert a.read_bytes() == b.read_bytes(), "same inputs must give byte-identical files"
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["options"]["dtype"] == "int8"
    assert rep["calibration"]["held_out"] == 2 and rep["calibration"]["samples"] == CALIB_SAMPLES - 2
    assert all(o["dtype"] == "int8" for o in rep["op_dtypes"])
    for t in rep["tensors"]:
        assert t["scale"] > 0 and -128 <= t["zero_point"] <= 127, t
    for o in rep["accuracy"]["outputs"]:
        assert o["sqnr_db_median"] is None or o["sqnr_db_median"] > SQNR_FLOOR_DB, o
    meta = json.loads(H.read_tflite(str(a))["metadata"]["octet_conversion"])
    assert meta["options"]["int8"]["calib_method"] == "percentile"  # the default


@pytest.mark.parametrize("interface", ["uint8", "float32"])
def test_interface_types(interface, octet, oracle, tmp_path):
    name, spec, path = _conv_model()
    out = tmp_path / "m.tflite"
    assert_ok(octet.convert(path, out, "--int8", *calibration_args(spec, name, str(tmp_path)), "--no-progress",
                            "--input-type", interface, "--output-type", interface))
    ins, outs = inspect_io(out)
    for name, dtype, _, _ in ins + outs:
        assert dtype == interface, f"{name} is {dtype}"


def test_errors(octet, tmp_path):
    name, spec, path = _conv_model()
    out = tmp_path / "m.tflite"
    assert_error(octet.convert(path, out, "--int8"), 2, "--calib")
    assert_error(octet.convert(path, out, "--int8", "--calib", tmp_path / "missing.npy"), 1, "missing.npy")
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((2, 3, 5, 7), np.float32))
    assert_error(octet.convert(path, out, "--int8", "--calib", wrong), 1, "wrong.npy", "shape")
    ints = tmp_path / "ints.npy"
    np.save(ints, np.zeros((2, 3), np.int32))
    assert_error(octet.convert(path, out, "--int8", "--calib", ints), 1, "float32")
    assert_error(octet.convert(path, out, "--calib", ints), 2, "--int8")
    assert not out.exists()


def test_threads_give_the_same_ranges(octet, tmp_path):
    """Calibrating on 2 threads gives the 1-thread ranges (to float32 rounding: the fast kernels' sums)."""
    name, spec, path = _conv_model()
    args = calibration_args(spec, name, str(tmp_path))
    reports = []
    for threads in ("1", "2"):
        report = tmp_path / f"r{threads}.json"
        assert_ok(octet.convert(path, tmp_path / f"t{threads}.tflite", "--int8", *args, "--no-progress", "--threads",
                                threads, "--report", report))
        reports.append(json.loads(report.read_text()))
    one, two = reports
    assert [t["name"] for t in two["tensors"]] == [t["name"] for t in one["tensors"]]
    for t1, t2 in zip(one["tensors"], two["tensors"]):
        np.testing.assert_allclose(t2["scale"], t1["scale"], rtol=1e-5)
    assert_error(octet.convert(path, tmp_path / "t0.tflite", "--int8", *args, "--threads", "0"), 2, "--threads")
