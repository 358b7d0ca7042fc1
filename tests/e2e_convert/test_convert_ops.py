"""`octet convert` on one tiny ONNX model per feature (make_models.py --tiny).

Each model is converted (float32; float16 for a subset), run in the real
TFLite interpreter, and compared with ONNX Runtime on the same random input
(NCHW for ONNX Runtime, transposed to NHWC where the converted input is NHWC):
max |error| <= 1e-4 * max(1, range of the reference) for float32 and
1e-2 * max(1, range) for float16. octet's own interpreter is held to the same
bar, on the .tflite (`octet run MODEL.tflite`) and, for float32, on octet's IR
of the ONNX model before writing (`octet run MODEL.onnx`, which imports with
the same flags and runs the same pass pipeline as convert). Also: I/O names and shapes, errors,
determinism, the float16 size, the report and the metadata.
"""
import hashlib
import json
import os

import numpy as np
import pytest

import ec_helpers as H
from ec_helpers import assert_error, assert_ok, describe

MODELS_DIR, _MANIFEST = H.ensure_tiny(H.cache_dir())
MANIFEST = {m["name"]: m for m in _MANIFEST}
CASES = [(n, "float32") for n in sorted(MANIFEST)] + \
        [(n, "float16") for n in sorted(MANIFEST) if MANIFEST[n]["fp16"]]
REL_TOL = {"float32": 1e-4, "float16": 1e-2}


def model_path(name):
    return os.path.join(MODELS_DIR, name + ".onnx")


def becomes_nhwc(spec, inp):
    return (len(inp["shape"]) == 4 and inp["dtype"] == "float32"
            and "--keep-input-layout" not in spec["convert_args"])


def expected_input_shape(spec, inp):
    s = list(inp["shape"])
    return [s[0], s[2], s[3], s[1]] if becomes_nhwc(spec, inp) else s


def check_io(info, spec, refs, where):
    """I/O tensor names, shapes and dtypes of the .tflite against the ONNX model."""
    tensors = info["tensors"]
    got_in = [(tensors[i]["name"], tensors[i]["shape"], tensors[i]["dtype"]) for i in info["inputs"]]
    want_in = [(i["name"], expected_input_shape(spec, i), i["dtype"]) for i in spec["inputs"]]
    assert got_in == want_in, f"{where}: inputs (name, shape, dtype) differ:\n  got  {got_in}\n  want {want_in}"
    got_out = [(tensors[i]["name"], tensors[i]["shape"], tensors[i]["dtype"]) for i in info["outputs"]]
    want_out = [(n, list(a.shape), a.dtype.name) for n, a in refs]
    assert got_out == want_out, f"{where}: outputs (name, shape, dtype) differ:\n  got  {got_out}\n  want {want_out}"


def run_converted(oracle, tflite_path, spec, in_files, work):
    feeds = []
    for i, inp in enumerate(spec["inputs"]):
        a = np.load(in_files[inp["name"]])
        if becomes_nhwc(spec, inp):
            a = H.nchw_to_nhwc(a)
        p = os.path.join(work, f"feed{i}.npy")
        np.save(p, a)
        feeds.append((inp["name"], p))
    return oracle.tflite(tflite_path, feeds, os.path.join(work, "tflite_out"))


def feed_arrays(spec, name):
    """{input name: the array octet's file is fed} (the reference input, NHWC where the input becomes NHWC)."""
    feeds = {}
    for inp in spec["inputs"]:
        a = H.make_input(inp, name)
        feeds[inp["name"]] = H.nchw_to_nhwc(a) if becomes_nhwc(spec, inp) else a
    return feeds


def convert_tiny(octet, name, dtype, out_dir):
    """Converts, then runs octet's interpreter on the .tflite and (float32) on the ONNX model's IR.
    -> (convert proc, .tflite path, {"tflite"|"ir": (run proc, outputs or None)})."""
    spec = MANIFEST[name]
    out = out_dir / f"{name}.{dtype}.tflite"
    proc = octet.convert(model_path(name), out, "--dtype", dtype, *spec["convert_args"])
    runs = {}
    if proc.returncode != 0:
        return proc, out, runs
    feeds = []
    for i, (k, a) in enumerate(feed_arrays(spec, name).items()):
        feeds.append(out_dir / f"{name}.{dtype}.in{i}.npy")
        np.save(feeds[-1], a)
    runs["tflite"] = H.octet_run_outputs(octet, out, feeds, out_dir / f"{name}.{dtype}.run_tflite")
    if dtype == "float32":
        runs["ir"] = H.octet_run_outputs(octet, model_path(name), feeds, out_dir / f"{name}.{dtype}.run_ir",
                                         *spec["convert_args"])
    return proc, out, runs


@pytest.fixture(scope="module")
def conversions(request, octet, tmp_path_factory):
    """test_tiny_model's conversions, started ahead of the tests."""
    out_dir = tmp_path_factory.mktemp("tiny_converted")
    pre = H.Prefetcher(lambda n, d: convert_tiny(octet, n, d, out_dir))
    for p in H.selected_params(request, __file__, "test_tiny_model"):
        if not MANIFEST[p["name"]].get("documented_unsupported"):
            pre.submit((p["name"], p["dtype"]), p["name"], p["dtype"])
    yield pre
    pre.close()


def convert_and_compare(conversions, oracle, cache, name, dtype, tmp_path):
    spec = MANIFEST[name]
    path = model_path(name)
    inputs = {i["name"]: H.make_input(i, name) for i in spec["inputs"]}
    in_files, refs = H.reference(oracle, cache, "tiny", name, path, inputs)
    proc, out, runs = conversions.get((name, dtype), name, dtype)
    assert_ok(proc)
    assert out.is_file(), "no output file" + describe(proc)
    info = H.read_tflite(str(out))
    where = f"{name} ({dtype}; {proc.cmdline})"
    check_io(info, spec, refs, where)
    ans = run_converted(oracle, str(out), spec, in_files, str(tmp_path))
    failures = []
    for (rname, ref), o in zip(refs, ans["outputs"]):
        got = np.load(o["file"])
        assert list(got.shape) == list(ref.shape), f"{where}: output {rname} shape {list(got.shape)} != {list(ref.shape)}"
        ok, err, tol, rng = H.compare(ref, got, REL_TOL[dtype])
        if not ok:
            failures.append(f"output {rname!r}: max abs error {err:.3g} > tolerance {tol:.3g} (reference range {rng:.3g})")
    assert not failures, f"{where}: TFLite differs from ONNX Runtime:\n  " + "\n  ".join(failures) + \
        f"\n  TFLite ops: {H.op_counts(info)}"
    # octet's own interpreter, fed the very values ONNX Runtime was
    for k, a in feed_arrays(spec, name).items():
        fed = np.load(in_files[k])
        inp = next(i for i in spec["inputs"] if i["name"] == k)
        assert np.array_equal(H.nchw_to_nhwc(fed) if becomes_nhwc(spec, inp) else fed, a), \
            f"{name}: input {k} fed to octet run differs from ONNX Runtime's"
    for what, label in (("tflite", "octet's interpreter on the .tflite"), ("ir", "octet's interpreter on its IR")):
        if what not in runs:
            continue
        run_proc, outputs = runs[what]
        assert outputs is not None, f"{where}: octet run failed ({label})" + describe(run_proc)
        failures = H.compare_outputs(refs, outputs, REL_TOL[dtype])
        assert not failures, f"{where}: {label} differs from ONNX Runtime:\n  " + "\n  ".join(failures) + \
            f"\n  command: {run_proc.cmdline}"
    return out, info, proc


@pytest.mark.parametrize("name,dtype", CASES, ids=[f"{n}-{d}" for n, d in CASES])
def test_tiny_model(name, dtype, octet, conversions, oracle, cache, tmp_path):
    refused = MANIFEST[name].get("documented_unsupported")
    if refused:   # outside docs/convert.md's constraints: must be a clean refusal
        proc = octet.convert(model_path(name), tmp_path / "m.tflite", "--dtype", dtype)
        assert_error(proc, 1, "unsupported", refused)
        assert not (tmp_path / "m.tflite").exists()
        return
    out, info, _ = convert_and_compare(conversions, oracle, cache, name, dtype, tmp_path)
    if dtype == "float16":
        ops = H.op_counts(info)
        # weights (anything but scalars such as an epsilon or a pad value) are float16
        f32_consts = [t["name"] for t in info["tensors"] if t["dtype"] == "float32" and t["bytes"] > 4]
        assert not f32_consts, f"{name}: float16 file keeps float32 weights: {f32_consts}"
        f16 = [t["name"] for t in info["tensors"] if t["dtype"] == "float16"]
        if f16:
            assert ops.get("DEQUANTIZE", 0) > 0, f"{name}: float16 constants without DEQUANTIZE ops: {ops}"
        for i in info["inputs"] + info["outputs"]:
            assert info["tensors"][i]["dtype"] != "float16", f"{name}: I/O tensor {info['tensors'][i]['name']} is float16"


# --------------------------------------------------------------------------- layout
@pytest.mark.parametrize("name", ["tiny_cnn_classifier", "global_avgpool_flatten", "big_weights"])
def test_plain_cnn_has_no_transpose(name, octet, tmp_path):
    # classifiers (their output is not a feature map, so no transpose back to NCHW either)
    out = tmp_path / "m.tflite"
    assert_ok(octet.convert(model_path(name), out))
    ops = H.op_counts(H.read_tflite(str(out)))
    assert "TRANSPOSE" not in ops, f"{name}: NHWC-input conversion of a plain CNN has TRANSPOSE ops: {ops}"


def test_keep_input_layout_keeps_nchw(octet, oracle, cache, tmp_path):
    # keep_input_layout's own manifest entry passes --keep-input-layout; here the same
    # model without it must get an NHWC input, with the same numbers
    spec = MANIFEST["keep_input_layout"]
    out = tmp_path / "nhwc.tflite"
    assert_ok(octet.convert(model_path("keep_input_layout"), out))
    info = H.read_tflite(str(out))
    t = info["tensors"][info["inputs"][0]]
    assert t["shape"] == [1, 6, 6, 3], f"default layout should be NHWC, got {t['shape']}"
    out2 = tmp_path / "nchw.tflite"
    assert_ok(octet.convert(model_path("keep_input_layout"), out2, "--keep-input-layout"))
    info2 = H.read_tflite(str(out2))
    assert info2["tensors"][info2["inputs"][0]]["shape"] == spec["inputs"][0]["shape"]
    # the output keeps the ONNX (NCHW) layout either way
    for i in (info, info2):
        assert i["tensors"][i["outputs"][0]]["shape"] == [1, 4, 6, 6]


# --------------------------------------------------------------------------- errors
def test_unsupported_nodes_listed_together(octet, tmp_path):
    out = tmp_path / "u.tflite"
    proc = octet.convert(model_path("unsupported_two_nodes"), out)
    assert_error(proc, 1, "'einsum_node' (Einsum)", "'resize_cubic' (Resize)")
    msg = proc.stderr.strip()
    assert "; " in msg, f"the unsupported nodes should be separated by '; ': {msg!r}"
    assert "cubic" in msg.lower(), f"the Resize reason should name the mode: {msg!r}"
    assert os.listdir(tmp_path) == [], f"no file may be written on failure: {os.listdir(tmp_path)}"


def _bad_model(kind, tmp_path):
    p = tmp_path / f"{kind}.onnx"
    if kind == "missing":
        return tmp_path / "does_not_exist.onnx"
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "garbage":
        p.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    elif kind == "text":
        p.write_text("this is not an ONNX model\n")
    elif kind == "opset6":
        p.write_bytes(open(model_path("opset6_relu"), "rb").read())
    elif kind == "truncated":
        data = open(model_path("conv_wide_16_32"), "rb").read()
        p.write_bytes(data[: len(data) // 2])
    elif kind == "directory":
        p.mkdir()
    return p


@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "text", "opset6", "truncated", "directory"])
def test_bad_model_file(kind, octet, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    bad = _bad_model(kind, src)
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = octet.convert(bad, outdir / "m.tflite")
    must = ["opset"] if kind == "opset6" else []
    assert_error(proc, 1, *must)
    assert os.listdir(outdir) == [], f"{kind}: no output (or temporary) file may remain: {os.listdir(outdir)}"


def test_dynamic_dim_without_input_shape(octet, tmp_path):
    proc = octet.convert(model_path("dynamic_height"), tmp_path / "m.tflite")
    assert_error(proc, 1, "image")
    assert "--input-shape" in proc.stderr or "input-shape" in proc.stderr, \
        "the error should say how to fix it (--input-shape)" + describe(proc)
    assert os.listdir(tmp_path) == []


def test_dynamic_batch_becomes_1(octet, tmp_path):
    out = tmp_path / "m.tflite"
    assert_ok(octet.convert(model_path("dynamic_batch"), out))
    info = H.read_tflite(str(out))
    assert info["tensors"][info["inputs"][0]]["shape"] == [1, 8, 8, 3]
    assert info["tensors"][info["outputs"][0]]["shape"] == [1, 4]


@pytest.mark.parametrize("args", [
    [],                                        # no -o
    ["-o", "{out}", "--dtype", "int8"],
    ["-o", "{out}", "--dtype"],
    ["-o", "{out}", "--no-such-flag"],
])
def test_usage_errors(args, octet, tmp_path):
    out = str(tmp_path / "m.tflite")
    proc = octet("convert", model_path("relu"), *[a.format(out=out) for a in args])
    assert_error(proc, 2)
    assert not os.path.exists(out)


def test_unwritable_output(octet, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    proc = octet.convert(model_path("relu"), blocker / "m.tflite")
    assert_error(proc, 1)
    assert blocker.read_text() == "not a directory"


def test_help(octet):
    proc = octet("convert", "--help")
    assert proc.returncode == 0, describe(proc)
    for flag in ("--dtype", "--input-shape", "--keep-input-layout", "--report", "--json", "-o"):
        assert flag in proc.stdout, f"convert --help should document {flag}" + describe(proc)


# --------------------------------------------------------------------------- determinism, size, report
@pytest.mark.parametrize("name,dtype", [("tiny_cnn_classifier", "float32"), ("big_weights", "float16"),
                                        ("layernorm_opset17", "float32"), ("conv_depthwise_m2", "float16")])
def test_deterministic(name, dtype, octet, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert_ok(octet.convert(model_path(name), a / "m.tflite", "--dtype", dtype))
    assert_ok(octet.convert(model_path(name), b / "m.tflite", "--dtype", dtype, "--json"))
    da, db = (a / "m.tflite").read_bytes(), (b / "m.tflite").read_bytes()
    assert da == db, f"{name} {dtype}: two conversions differ ({len(da)} vs {len(db)} bytes)"


def test_float16_about_half(octet, tmp_path):
    f32, f16 = tmp_path / "f32.tflite", tmp_path / "f16.tflite"
    assert_ok(octet.convert(model_path("big_weights"), f32))
    assert_ok(octet.convert(model_path("big_weights"), f16, "--dtype", "float16"))
    s32, s16 = f32.stat().st_size, f16.stat().st_size
    assert s32 > 100_000
    assert 0.40 <= s16 / s32 <= 0.62, f"float16 file should be about half the float32 one: {s16} vs {s32}"


def test_json_report_and_metadata(octet, tmp_path):
    name = "tiny_cnn_classifier"
    src = model_path(name)
    out, rep = tmp_path / "m.tflite", tmp_path / "r.json"
    proc = octet.convert(src, out, "--json", "--report", rep)
    assert_ok(proc)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail("--json must print one JSON object on stdout" + describe(proc))
    for key in ("producer", "source", "options", "inputs", "outputs", "notes", "output", "ops", "passes", "seconds", "timing"):
        assert key in report, f"report lacks {key!r}: {sorted(report)}"
    for key in ("file", "sha256", "opset", "producer"):
        assert key in report["source"], f"report.source lacks {key!r}: {report['source']}"
    sha = hashlib.sha256(open(src, "rb").read()).hexdigest()
    assert report["source"]["sha256"] == sha
    assert report["source"]["opset"] == 13
    assert report["output"]["bytes"] == out.stat().st_size
    stages = ("import_seconds", "passes_seconds", "write_seconds")
    assert all(report["timing"][k] >= 0 for k in stages), report["timing"]
    assert sum(report["timing"][k] for k in stages) <= report["seconds"], report["timing"]
    info = H.read_tflite(str(out))
    assert report["ops"] == H.op_counts(info), "report.ops must count the operators in the file"
    assert [(i["name"], list(i["shape"]), i["dtype"]) for i in report["inputs"]] == [("x", [1, 16, 16, 3], "float32")]
    assert [(o["name"], list(o["shape"])) for o in report["outputs"]] == [("probabilities", [1, 10])]
    assert isinstance(report["passes"], list) and isinstance(report["notes"], list)
    with open(rep) as f:
        from_file = json.load(f)
    assert from_file == report, "--report file and --json output differ"
    # metadata
    assert "octet_conversion" in info["metadata"], f"metadata: {sorted(info['metadata'])}"
    meta = json.loads(info["metadata"]["octet_conversion"].decode("utf-8"))
    assert isinstance(meta, dict) and meta
    if isinstance(meta.get("source"), dict) and "sha256" in meta["source"]:
        assert meta["source"]["sha256"] == sha


def test_plain_summary_without_json(octet, tmp_path):
    proc = octet.convert(model_path("relu"), tmp_path / "m.tflite")
    assert_ok(proc)
    assert proc.stdout.strip(), "a plain conversion should print a summary"
    assert proc.stderr.strip() == "", "nothing on stderr on success" + describe(proc)


def test_input_shape_fixes_dynamic_dims(octet, tmp_path):
    out = tmp_path / "m.tflite"
    assert_ok(octet.convert(model_path("dynamic_height"), out, "--input-shape", "image:1x3x20x10"))
    info = H.read_tflite(str(out))
    assert info["tensors"][info["inputs"][0]]["shape"] == [1, 20, 10, 3]
    assert info["tensors"][info["outputs"][0]]["shape"] == [1, 5, 20, 10]
