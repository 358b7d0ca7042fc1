"""octet's TFLite writer, judged by the real TensorFlow Lite interpreter.

Sample IR graphs (tests/unit/tflite/tflite_sample_graphs.h) are written by
octet_tflite_tool with octet's writer. Each .tflite must load and run in the
real TFLite interpreter (tests/oracles/tflite_run.mjs: TFLite ~2.12 in wasm,
XNNPACK always on), and its outputs must match octet's own interpreter running
the same file read back with octet's reader: max |tflite - octet| <= 1e-4 of
the output's range for floats, exact for integers. `--inspect` must show the
names, dtypes, shapes and quantization octet wrote. Version probes (single
operators at versions above 1) must load and match too, except the few this
TFLite build does not register (NOT_IN_TFLITE_2_12), which must fail to load
naming exactly that operator version.

Environment: OCTET_TFLITE_TOOL (default <repo>/build/tests/octet_tflite_tool).
"""
import json
import os
import subprocess

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
ORACLES = os.path.join(REPO, "tests", "oracles")
DEFAULT_TOOL = os.path.join(REPO, "build", "tests", "octet_tflite_tool")

SAMPLES = ["cnn", "depthwise", "shapes", "slicing", "resize", "fp16_weights", "int32_ops", "elementwise",
           "matmul", "quantized"]

# Builtin operators each sample must contain (checked on octet's reader view).
EXPECTED_OPS = {
    "cnn": {"CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"},
    "depthwise": {"DEPTHWISE_CONV_2D", "ADD", "HARD_SWISH", "CONV_2D", "LOGISTIC", "TANH"},
    "shapes": {"PAD", "PADV2", "TRANSPOSE", "RESHAPE", "MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "SQUEEZE",
               "CONCATENATION"},
    "slicing": {"SLICE", "STRIDED_SLICE", "SPLIT", "SPLIT_V", "GATHER", "PACK", "TILE", "EXPAND_DIMS"},
    "resize": {"RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"},
    "fp16_weights": {"DEQUANTIZE", "CONV_2D", "MEAN", "FULLY_CONNECTED"},
    "int32_ops": {"ADD", "MUL", "SUB", "MAXIMUM", "MINIMUM", "CAST", "ARG_MAX", "ARG_MIN", "GATHER"},
    "elementwise": {"SUB", "MUL", "DIV", "POW", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "EXP", "LOG", "SQRT",
                    "RSQRT", "ABS", "NEG", "LEAKY_RELU", "PRELU", "GELU", "RELU", "RELU6", "RELU_N1_TO_1",
                    "LOG_SOFTMAX", "SOFTMAX", "ADD"},
    "matmul": {"BATCH_MATMUL", "FULLY_CONNECTED", "TRANSPOSE_CONV"},
    "quantized": {"QUANTIZE", "DEQUANTIZE", "RESHAPE", "FULLY_CONNECTED"},
}


# Version probes (tflite_samples::version_probes): operators whose version is
# above 1. Those the TFLite ~2.12 oracle does not register, with the
# operator/version it names; every other probe must load, run and match.
PROBES = ["probe_cast_int8", "probe_cast_fp16", "probe_6d_transpose", "probe_strided_slice_ellipsis",
          "probe_gather_batch_dims", "probe_5d_layout", "probe_5d_broadcast", "probe_quantize", "probe_grouped_conv",
          "probe_transpose_conv_relu"]
NOT_IN_TFLITE_2_12 = {
    "probe_cast_fp16": ("CAST", 5),                   # float16 <-> float32 CAST
    "probe_6d_transpose": ("TRANSPOSE", 6),           # rank > 5
    "probe_transpose_conv_relu": ("TRANSPOSE_CONV", 4),  # fused activation
}


def run(cmd, timeout=300):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise AssertionError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
                             f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
    return proc.stdout


@pytest.fixture(scope="session")
def tool():
    path = os.environ.get("OCTET_TFLITE_TOOL", DEFAULT_TOOL)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"octet_tflite_tool not found: {path!r} (build it, or set OCTET_TFLITE_TOOL)")
    return path


@pytest.fixture(scope="session")
def oracle():
    run(["bash", os.path.join(ORACLES, "setup.sh")], timeout=600)
    return os.path.join(ORACLES, "tflite_run.mjs")


@pytest.fixture(scope="session")
def models(tool, tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    return json.loads(run([tool, "write", out]))


@pytest.fixture(scope="session")
def probes(tool, tmp_path_factory):
    out = tmp_path_factory.mktemp("probes")
    return json.loads(run([tool, "write-probes", out]))


def make_inputs(spec, directory, seed):
    rng = np.random.default_rng(seed)
    files = []
    for i, t in enumerate(spec["inputs"]):
        shape = tuple(t["shape"])
        if t["dtype"] == "float32":
            data = rng.uniform(-2.0, 2.0, size=shape).astype(np.float32)
        elif t["dtype"] == "int8":
            data = rng.integers(-128, 128, size=shape, dtype=np.int8)
        elif t["dtype"] == "int32":
            data = rng.integers(-10, 10, size=shape, dtype=np.int32)
        else:
            raise AssertionError(f"no input generator for {t['dtype']}")
        path = os.path.join(directory, f"input_{i}.npy")
        np.save(path, data)
        files.append(path)
    return files


def test_tool_lists_the_samples(tool):
    assert run([tool, "list"]).split() == SAMPLES


def test_samples_cover_every_ir_operator(tool, models):
    table = set(run([tool, "ops"]).split())
    seen = set()
    for name in SAMPLES:
        seen |= {op["type"] for op in json.loads(run([tool, "inspect", models[name]["file"]]))["operators"]}
    assert table - seen == set(), "IR operators no sample writes"
    assert set().union(*EXPECTED_OPS.values()) == table


@pytest.mark.parametrize("name", SAMPLES)
def test_inspect_shows_what_octet_wrote(name, models, oracle):
    spec = models[name]
    report = json.loads(run(["node", oracle, spec["file"], "--inspect"]))
    assert report["loadable"], f"TFLite cannot load {name}: {report['load_error']}"
    assert report["model"]["subgraphs"] == 1
    assert report["model"]["custom_ops"] == []
    assert report["model"]["description"] == f"octet e2e sample {name}"
    for kind in ("inputs", "outputs"):
        got = report[kind]
        want = spec[kind]
        assert len(got) == len(want), kind
        for g, w in zip(got, want):
            assert g["name"] == w["name"], (kind, g, w)
            assert g["id"] == w["id"], (kind, g, w)
            assert g["dtype"] == w["dtype"], (kind, g, w)
            assert list(g["shape"]) == list(w["shape"]), (kind, g, w)
            assert "shape_signature" not in g
            if w["quantization"] is None:
                assert g["quantization"] is None, (kind, g)
            else:
                q = g["quantization"]
                assert np.array_equal(np.float32(q["scale"]), np.float32(w["quantization"]["scale"]))
                assert list(q["zero_point"]) == list(w["quantization"]["zero_point"])
                assert q["quantized_dimension"] == w["quantization"]["quantized_dimension"]


@pytest.mark.parametrize("name", SAMPLES)
def test_octet_reader_reads_what_it_wrote(name, models, tool):
    spec = models[name]
    seen = json.loads(run([tool, "inspect", spec["file"]]))
    for kind in ("inputs", "outputs"):
        assert [(t["name"], t["dtype"], t["shape"]) for t in seen[kind]] == \
            [(t["name"], t["dtype"], t["shape"]) for t in spec[kind]]
    assert EXPECTED_OPS[name] <= {op["type"] for op in seen["operators"]}
    assert seen["signatures"] and seen["signatures"][0]["key"] == "serving_default"
    assert [s["name"] for s in seen["signatures"][0]["inputs"]] == [t["name"] for t in spec["inputs"]]
    assert [s["name"] for s in seen["signatures"][0]["outputs"]] == [t["name"] for t in spec["outputs"]]


def run_and_compare(name, spec, tool, oracle, directory, seed):
    """Runs `spec`'s model in TFLite and in octet on the same inputs; returns failures."""
    inputs = make_inputs(spec, directory, seed)
    args = ["node", oracle, spec["file"], "--out", directory / "tflite", "--json"]
    for i, path in enumerate(inputs):
        args += ["--input", f"{i}={path}"]
    tflite = json.loads(run(args))
    octet = json.loads(run([tool, "run", spec["file"], "--out", directory / "octet", *inputs]))
    assert len(tflite["outputs"]) == len(octet["outputs"]) == len(spec["outputs"])
    failures = []
    for t, o, w in zip(tflite["outputs"], octet["outputs"], spec["outputs"]):
        assert t["name"] == o["name"] == w["name"]
        a = np.load(t["file"])
        b = np.load(o["file"])
        assert a.dtype == b.dtype and str(a.dtype) == w["dtype"], (w["name"], a.dtype, b.dtype)
        assert a.shape == b.shape == tuple(w["shape"]), (w["name"], a.shape, b.shape)
        if np.issubdtype(a.dtype, np.floating):
            assert np.all(np.isfinite(a)) and np.all(np.isfinite(b)), w["name"]
            err = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
            value_range = float(np.max(b) - np.min(b)) if b.size else 0.0
            tolerance = 1e-4 * max(value_range, 1e-3)
            if err > tolerance:
                failures.append(f"{w['name']}: max abs error {err:.3g} > {tolerance:.3g} (range {value_range:.3g})")
        elif not np.array_equal(a, b):
            failures.append(f"{w['name']}: {int(np.sum(a != b))} of {a.size} values differ")
    if failures:
        failures.insert(0, f"{name} (TFLite nodes: {tflite.get('executed_nodes')}):")
    return failures


@pytest.mark.parametrize("name", SAMPLES)
def test_tflite_runs_it_like_octet(name, models, tool, oracle, tmp_path):
    failures = run_and_compare(name, models[name], tool, oracle, tmp_path, seed=SAMPLES.index(name) + 1)
    assert not failures, "\n  ".join(failures)


def test_tool_lists_the_probes(probes):
    assert list(probes) == PROBES


@pytest.mark.parametrize("name", PROBES)
def test_version_probe(name, probes, tool, oracle, tmp_path):
    spec = probes[name]
    versions = {(op["type"], op["version"]) for op in spec["operators"]}
    assert max(v for _, v in versions) > 1, versions
    report = json.loads(run(["node", oracle, spec["file"], "--inspect"]))
    if name in NOT_IN_TFLITE_2_12:
        op, version = NOT_IN_TFLITE_2_12[name]
        assert (op, version) in versions
        assert not report["loadable"], f"{name} now loads: remove it from NOT_IN_TFLITE_2_12"
        assert f"Didn't find op for builtin opcode '{op}' version '{version}'" in report["load_error"], \
            report["load_error"]
        return
    assert report["loadable"], f"TFLite cannot load {name} {sorted(versions)}: {report['load_error']}"
    failures = run_and_compare(name, spec, tool, oracle, tmp_path, seed=100 + PROBES.index(name))
    assert not failures, "\n  ".join(failures)
