"""`octet convert` on torchvision models exported with Debian's torch.

Random weights, BatchNorm statistics re-estimated on real photos (see
make_models.py), input: a real photo, ImageNet-normalised. Each model is
converted, run in the real TFLite interpreter on the NHWC photo and compared
with ONNX Runtime on the NCHW one: max |error| <= 1e-4 * max(1, range) for
float32; float16 conversions within 1e-3 * max(1, range) of ONNX Runtime on
the model with float16-rounded weights, and 2e-2 of the float32 reference
(see test_torchvision_model for why). octet's own interpreter is held to
the same bars on the .tflite (`octet run MODEL.tflite`) and, for float32, on
octet's IR of the ONNX model before writing (`octet run MODEL.onnx`).
Nothing is skipped: a model
octet cannot convert fails with octet's message. Big models are marked
`slow` (ctest runs them as e2e.convert_slow).
"""
import os
import subprocess

import numpy as np
import pytest

import ec_helpers as H
from ec_helpers import assert_ok, describe

VARIANTS = H.torchvision_variants()
SLOW = {v for v, slow in VARIANTS if slow}
FP16 = ["mobilenet_v2_opset13", "resnet18_opset17", "mobilenet_v3_small_opset13"]
NO_TRANSPOSE = ["mobilenet_v2_opset13", "mobilenet_v2_opset17", "resnet18_opset13", "resnet18_opset17"]
REL_TOL = {"float32": 1e-4}


def _param(variant, *rest):
    marks = [pytest.mark.slow] if variant in SLOW else []
    return pytest.param(variant, *rest, marks=marks, id="-".join([variant, *rest]))


class Exports:
    """Exports a missing variant; the first time a fast one is missing, all missing fast ones
    at once (one torch import instead of one per model)."""

    def __init__(self, cache):
        self.cache = cache
        self.batched = False

    def have(self, variant):
        return os.path.isfile(os.path.join(self.cache, "tv", variant, "meta.json"))

    def get(self, variant):
        if not self.have(variant):
            want = [variant]
            if variant not in SLOW and not self.batched:
                self.batched = True
                want = [v for v, slow in VARIANTS if not slow and not self.have(v)]
            proc = subprocess.run([H.PYTHON, os.path.join(H.HERE, "make_models.py"), self.cache,
                                   "--torchvision", *want], capture_output=True, text=True, timeout=1800)
            if proc.returncode != 0:
                pytest.fail(f"make_models.py --torchvision {' '.join(want)} failed:\n{proc.stdout}\n{proc.stderr[-4000:]}")
        return H.ensure_torchvision(self.cache, variant)


@pytest.fixture(scope="session")
def exports(cache):
    return Exports(cache)


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Conversions shared by the tests of this module: {(variant, dtype): (proc, path, dir, meta)}."""
    return {"_dir": tmp_path_factory.mktemp("torchvision")}


def convert(octet, exports, converted, variant, dtype):
    key = (variant, dtype)
    if key not in converted:
        d, meta = exports.get(variant)
        out = converted["_dir"] / f"{variant}.{dtype}.tflite"
        proc = octet.convert(os.path.join(d, "model.onnx"), out, "--dtype", dtype, timeout=1800)
        converted[key] = (proc, out, d, meta)
    proc, out, d, meta = converted[key]
    assert_ok(proc)
    assert out.is_file(), "no output file" + describe(proc)
    return proc, out, d, meta


@pytest.mark.parametrize("variant,dtype", [_param(v, "float32") for v, _ in VARIANTS] +
                         [_param(v, "float16") for v in FP16])
def test_torchvision_model(variant, dtype, octet, oracle, cache, exports, converted, tmp_path):
    proc, out, d, meta = convert(octet, exports, converted, variant, dtype)
    x = np.load(os.path.join(d, "input.npy"))
    in_files, refs = H.reference(oracle, cache, "tv", variant, os.path.join(d, "model.onnx"), {"input": x})
    info = H.read_tflite(str(out))
    t = info["tensors"]
    n, c, h, w = x.shape
    got_in = [(t[i]["name"], t[i]["shape"], t[i]["dtype"]) for i in info["inputs"]]
    assert got_in == [("input", [n, h, w, c], "float32")], f"{variant}: inputs {got_in}"
    got_out = [(t[i]["name"], t[i]["shape"], t[i]["dtype"]) for i in info["outputs"]]
    want_out = [(name, list(a.shape), a.dtype.name) for name, a in refs]
    assert got_out == want_out, f"{variant}: outputs {got_out}, want {want_out}"
    feed = tmp_path / "x_nhwc.npy"
    np.save(feed, H.nchw_to_nhwc(x))
    ans = oracle.tflite(out, [("input", feed)], tmp_path / "out", timeout=1800)
    ref = refs[0][1]
    where = f"\n  command: {proc.cmdline}\n  TFLite ops: {H.op_counts(info)}"
    runs = [("TFLite", np.load(ans["outputs"][0]["file"]), where)]
    # octet's own interpreter on the .tflite, and on its IR of the ONNX model (float32: the same graph)
    sources = [("octet's interpreter on the .tflite", out)]
    if dtype == "float32":
        sources.append(("octet's interpreter on its IR", os.path.join(d, "model.onnx")))
    for k, (label, model) in enumerate(sources):
        run_proc, outputs = H.octet_run_outputs(octet, model, [feed], tmp_path / f"octet_run{k}")
        assert outputs is not None, f"{variant} ({dtype}): octet run failed ({label})" + describe(run_proc)
        assert [(n, list(a.shape)) for n, a in outputs] == [(n, list(a.shape)) for n, a in refs], \
            f"{variant} ({dtype}): {label}: outputs differ" + describe(run_proc)
        runs.append((label, outputs[0][1], f"\n  command: {run_proc.cmdline}"))
    sim_ref16 = None
    for label, got, where in runs:
        if dtype == "float16" and sim_ref16 is None:
            sim = tmp_path / "fp16_rounded.onnx"
            H.fp16_rounded_model(os.path.join(d, "model.onnx"), str(sim))
            sim_out = oracle.ort(sim, [("input", in_files["input"])], tmp_path / "ort16")
            sim_ref16 = np.load(sim_out["outputs"][0]["file"])
        check_agreement(variant, dtype, meta, label, ref, sim_ref16, got, where)


def check_agreement(variant, dtype, meta, label, ref, ref16, got, where):
    """`got` (TFLite's or octet's output 0) against ONNX Runtime (ref16: on the float16-rounded weights)."""
    def agreement(ref):
        if meta["segmentation"]:
            return f"per-pixel argmax agreement {float(np.mean(ref.argmax(1) == got.argmax(1))):.4f}"
        return f"top-1 {int(ref.argmax())} vs {int(got.argmax())}"
    if dtype == "float16":
        # float16 weights alone move a deep random-weight network by about 1% of its output range
        # (mobilenet_v2: 1.1%), so the close check is against ONNX Runtime on the same model with
        # its weights rounded to float16, at 1e-3 of the range; the float32 reference only
        # bounds the total (2e-2 of the range).
        ok, err, tol, rng = H.compare(ref16, got, 1e-3)
        assert ok, (f"{variant} (float16): {label} differs from ONNX Runtime on the float16-rounded weights: max abs "
                    f"error {err:.3g} > tolerance {tol:.3g} (range {rng:.3g}), {agreement(ref16)}" + where)
        ok, err, tol, rng = H.compare(ref, got, 2e-2)
        assert ok, (f"{variant} (float16): {label} differs from the float32 ONNX Runtime reference: max abs error "
                    f"{err:.3g} > tolerance {tol:.3g} (range {rng:.3g}), {agreement(ref)}" + where)
        return
    ok, err, tol, rng = H.compare(ref, got, REL_TOL[dtype])
    assert ok, (f"{variant} ({dtype}): {label} differs from ONNX Runtime: max abs error {err:.3g} > tolerance "
                f"{tol:.3g} (reference range {rng:.3g}), {agreement(ref)}" + where)


@pytest.mark.parametrize("variant", [_param(v) for v in NO_TRANSPOSE])
def test_plain_cnn_has_no_transpose(variant, octet, exports, converted):
    proc, out, _, _ = convert(octet, exports, converted, variant, "float32")
    ops = H.op_counts(H.read_tflite(str(out)))
    assert "TRANSPOSE" not in ops, f"{variant}: NHWC-input conversion contains TRANSPOSE ops: {ops}"


def _fusable_hard_sigmoids(onnx_path):
    """(HardSigmoid nodes, those that are x * HardSigmoid(x, 1/6, 0.5): PyTorch's pre-opset-14 Hardswish)
    counted on the ONNX graph itself."""
    import onnx
    g = onnx.load(onnx_path).graph
    total = fusable = 0
    for n in g.node:
        if n.op_type != "HardSigmoid":
            continue
        total += 1
        at = {a.name: a.f for a in n.attribute}
        if abs(at.get("alpha", 0.2) - 1 / 6) > 1e-6 or abs(at.get("beta", 0.5) - 0.5) > 1e-6:
            continue
        users = [u for u in g.node if n.output[0] in u.input]
        if len(users) == 1 and users[0].op_type == "Mul" and sorted(users[0].input) == sorted([n.input[0], n.output[0]]):
            fusable += 1
    return total, fusable


@pytest.mark.parametrize("variant", [_param("mobilenet_v3_small_opset13")])
def test_opset13_hardswish_becomes_hard_swish(variant, octet, exports, converted):
    # opset 13 has no HardSwish: PyTorch writes x * HardSigmoid(x); each must become one HARD_SWISH, while
    # the squeeze-excitation gates (HardSigmoid of another tensor) stay MUL, ADD, MAXIMUM, MINIMUM
    proc, out, d, _ = convert(octet, exports, converted, variant, "float32")
    total, fusable = _fusable_hard_sigmoids(os.path.join(d, "model.onnx"))
    assert fusable > 0, f"{variant}: the export has no x * HardSigmoid(x) (HardSigmoid nodes: {total})"
    ops = H.op_counts(H.read_tflite(str(out)))
    assert ops.get("HARD_SWISH", 0) == fusable, f"{variant}: {fusable} HardSwish patterns, TFLite ops {ops}"
    assert ops.get("MINIMUM", 0) == total - fusable and ops.get("MAXIMUM", 0) == total - fusable, \
        f"{variant}: {total - fusable} HardSigmoid gates should be left, TFLite ops {ops}"
