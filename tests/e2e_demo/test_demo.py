"""scripts/demo_flow.sh (the job of scripts/demo.sh after setup and build) end to
end, checked against independent references:

    OCTET_BIN=build/octet /usr/bin/python3 -m pytest tests/e2e_demo -q -s

* the flow runs (prepare, convert FP32 and INT8, inspect, run, score) in under a
  minute and prints every step;
* the reference inputs are the bundled digit PNGs decoded here with OpenCV's
  Python binding and divided by 255 (what `octet prepare`/`octet run` must do),
  quantized for the INT8 model with TFLite's rule and the input scale and zero
  point read from the file by the TFLite oracle;
* FP32: `octet run` on those inputs equals the real TFLite interpreter (wasm)
  within float rounding, and classifies every digit as ONNX Runtime does on the
  source .onnx;
* INT8: `octet run` on the quantized inputs is within 1 of TFLite on every
  output element (the fraction of exact matches is printed: octet follows
  TFLite's builtin rounding, the wasm TFLite's XNNPACK rounds once where the
  builtin kernels round twice: docs/int8_kernels.md), and `octet run` on the
  PNGs themselves gives the same int8 outputs as on the quantized inputs;
* INT8 accuracy on the 100 digits is within MAX_INT8_DROP points of FP32 and at
  least MIN_INT8_ACCURACY, from the flow's own `octet run --json` output, and the
  flow printed those numbers.
"""
import glob
import json
import os
import re
import subprocess
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FLOW = os.path.join(REPO, "scripts", "demo_flow.sh")
DIGITS = os.path.join(REPO, "examples", "digits")
ONNX = os.path.join(REPO, "examples", "models", "digits_cnn.onnx")
ORACLES = os.path.join(REPO, "tests", "oracles")
BATCH_RUN = os.path.join(REPO, "tests", "e2e_int8", "batch_run.mjs")

MAX_SECONDS = 60.0        # issue #5: the demo's job finishes in under a minute
MAX_INT8_DROP = 2.0       # accuracy points INT8 may lose against FP32 on the 100 digits
MIN_INT8_ACCURACY = 90.0  # percent, absolute
MIN_EXACT = 0.9           # share of int8 output elements equal to TFLite (the rest within 1)
FLOAT_RTOL = 1e-5         # FP32 logits, relative to the largest |logit|: float summation order
LABEL = re.compile(r"_label(\d)\.png$")
PIXEL_MAX = 255.0


@pytest.fixture(scope="session")
def octet():
    path = os.environ.get("OCTET_BIN", os.path.join(REPO, "build", "octet"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"octet binary not found: {path!r} (build it, or set OCTET_BIN)")
    if not os.path.isdir(os.path.join(ORACLES, "node_modules", "@tensorflow")):
        pytest.fail("tests/oracles/node_modules missing: run tests/oracles/setup.sh")
    return path


@pytest.fixture(scope="session")
def demo(octet, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("demo"))
    t0 = time.monotonic()
    p = subprocess.run(["bash", FLOW, octet, out], capture_output=True, text=True, timeout=10 * MAX_SECONDS)
    seconds = time.monotonic() - t0
    assert p.returncode == 0, f"demo_flow.sh exited {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return {"out": out, "stdout": p.stdout, "seconds": seconds}


@pytest.fixture(scope="session")
def digits():
    """(file names, true labels, float32 images N x 28 x 28 x 3 BGR / 255), decoded here with OpenCV."""
    import cv2
    files = sorted(glob.glob(os.path.join(DIGITS, "*.png")))
    assert len(files) == 100, f"expected the 100 bundled digits, found {len(files)}"
    labels = np.array([int(LABEL.search(f).group(1)) for f in files])
    images = np.stack([cv2.imread(f, cv2.IMREAD_COLOR) for f in files]).astype(np.float32) / np.float32(PIXEL_MAX)
    return [os.path.basename(f) for f in files], labels, images


def oracle_inspect(model):
    p = subprocess.run(["node", os.path.join(ORACLES, "tflite_run.mjs"), model, "--inspect"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def batch(kind, model, x, work):
    """Every row of x through TFLite (wasm) or ONNX Runtime in one Node process -> N x output shape."""
    x_path = os.path.join(work, f"{kind}_x.npy")
    np.save(x_path, x)
    p = subprocess.run(["node", BATCH_RUN, kind, model, x_path, "--out", os.path.join(work, kind)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return np.load(json.loads(p.stdout.strip().splitlines()[-1])["outputs"][0]["file"])


def octet_run(octet, model, inputs, out):
    """`octet run MODEL INPUT... --out OUT --json`: the raw first output of every run, stacked."""
    p = subprocess.run([octet, "run", model, *inputs, "--out", out, "--json"], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    runs = json.loads(p.stdout)["runs"]
    assert len(runs) == len(inputs)
    return np.stack([np.load(r["outputs"][0]["files"]["raw"]) for r in runs])


def quantize(x, scale, zero_point):
    """TFLite's input quantization: round half away from zero, add the zero point, saturate to int8."""
    q = np.trunc(x / np.float32(scale) + np.copysign(np.float32(0.5), x)).astype(np.int64) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def save_rows(x, work):
    d = os.path.join(work, "rows")
    os.makedirs(d, exist_ok=True)
    files = []
    for i, row in enumerate(x):
        files.append(os.path.join(d, f"row{i:03d}.npy"))
        np.save(files[-1], row[None])
    return files


def run_predictions(path):
    """{image file name: top-1 class} from an `octet run --top-k 1 --json` output."""
    with open(path) as f:
        runs = json.load(f)["runs"]
    return {os.path.basename(r["inputs"][0]["file"]): r["outputs"][0]["top_k"][0]["class"] for r in runs}


def test_demo_flow_prints_every_step_in_under_a_minute(demo):
    print(f"demo flow: {demo['seconds']:.1f} s")
    for step in range(1, 7):
        assert f"\n== {step}. " in demo["stdout"], f"step {step} header missing"
    assert "Done in" in demo["stdout"]
    assert demo["seconds"] < MAX_SECONDS, f"the demo flow took {demo['seconds']:.1f} s"


def test_fp32_run_matches_tflite_and_onnx_runtime(octet, demo, digits, tmp_path):
    names, labels, images = digits
    model = os.path.join(demo["out"], "digits_fp32.tflite")
    info = oracle_inspect(model)["inputs"][0]
    assert info["dtype"] == "float32" and info["shape"] == [1, 28, 28, 3], info
    mine = octet_run(octet, model, save_rows(images, str(tmp_path)), str(tmp_path / "octet")).reshape(len(images), -1)
    tflite = batch("tflite", model, images, str(tmp_path)).reshape(len(images), -1)
    ort = batch("ort", ONNX, np.ascontiguousarray(images.transpose(0, 3, 1, 2)), str(tmp_path)).reshape(len(images), -1)
    tol = FLOAT_RTOL * float(np.abs(ort).max())
    diff = float(np.abs(mine - tflite).max())
    print(f"FP32: octet vs TFLite max |diff| {diff:.2e}, vs ONNX Runtime {float(np.abs(mine - ort).max()):.2e} "
          f"(bar {tol:.2e})")
    assert diff <= tol
    assert np.abs(mine - ort).max() <= tol
    assert np.array_equal(mine.argmax(1), ort.argmax(1))
    # the flow's own FP32 run on the PNGs (preprocessing from flags) picks the same classes
    flow = run_predictions(os.path.join(demo["out"], "run_fp32.json"))
    assert [flow[n] for n in names] == ort.argmax(1).tolist()


def test_int8_run_matches_tflite(octet, demo, digits, tmp_path):
    names, labels, images = digits
    model = os.path.join(demo["out"], "digits_int8.tflite")
    info = oracle_inspect(model)["inputs"][0]
    assert info["dtype"] == "int8" and info["shape"] == [1, 28, 28, 3], info
    q = info["quantization"]
    xq = quantize(images, q["scale"][0], q["zero_point"][0])
    mine = octet_run(octet, model, save_rows(xq, str(tmp_path)), str(tmp_path / "octet")).reshape(len(images), -1)
    tflite = batch("tflite", model, xq, str(tmp_path)).reshape(len(images), -1)
    assert mine.dtype == tflite.dtype == np.int8
    diff = np.abs(mine.astype(np.int32) - tflite.astype(np.int32))
    exact = float((diff == 0).mean())
    print(f"INT8: octet run == TFLite on {exact * 100:.2f}% of {diff.size} output elements, max |diff| {diff.max()}; "
          f"top-1 equal on {int((mine.argmax(1) == tflite.argmax(1)).sum())} / {len(images)} digits")
    assert diff.max() <= 1, f"octet differs from TFLite by {diff.max()} at {np.argwhere(diff > 1)[:5].tolist()}"
    assert exact >= MIN_EXACT
    # `octet run` on the PNGs (the model's calibration recipe + its own quantization) feeds the same int8 input
    pngs = octet_run(octet, model, [os.path.join(DIGITS, n) for n in names], str(tmp_path / "octet_png"))
    assert np.array_equal(pngs.reshape(len(images), -1), mine)


def test_int8_accuracy_close_to_fp32(demo, digits):
    names, labels, _ = digits
    truth = dict(zip(names, labels.tolist()))
    acc = {}
    for model in ("fp32", "int8"):
        pred = run_predictions(os.path.join(demo["out"], f"run_{model}.json"))
        assert sorted(pred) == sorted(names)
        correct = sum(pred[n] == truth[n] for n in names)
        acc[model] = 100.0 * correct / len(names)
        assert re.search(rf"{model.upper()}\s+{correct} / {len(names)} correct", demo["stdout"]), \
            f"the flow did not print {model.upper()}'s {correct} / {len(names)}"
    print(f"accuracy on the bundled digits: FP32 {acc['fp32']:.1f}%, INT8 {acc['int8']:.1f}%")
    assert acc["int8"] >= acc["fp32"] - MAX_INT8_DROP
    assert acc["int8"] >= MIN_INT8_ACCURACY


def test_int8_run_on_images_when_calibrated_from_an_nchw_array(octet, demo, digits, tmp_path):
    """prepare --layout nchw: convert transposes the array to the NHWC input, and `octet run` must then make
    the images NHWC (not the recipe's NCHW): the same int8 outputs as the demo's NHWC-calibrated model."""
    names, _, _ = digits
    calib = tmp_path / "calib"
    p = subprocess.run([octet, "prepare", DIGITS, "-o", str(calib), "--size", "28x28", "--layout", "nchw"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    model = str(tmp_path / "nchw_calibrated.tflite")
    p = subprocess.run([octet, "convert", ONNX, "-o", model, "--int8", "--calib", str(calib / "100x28x28.npy")],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    meta = json.loads(subprocess.run([octet, "inspect", model, "--json"], capture_output=True, text=True,
                                     check=True).stdout)["octet"]["calibration"]["data"][0]
    assert meta["layout"] == "NCHW transposed to NHWC" and meta["recipe"]["preprocess"]["layout"] == "nchw", meta
    pngs = [os.path.join(DIGITS, n) for n in names]
    mine = octet_run(octet, model, pngs, str(tmp_path / "nchw"))
    demo_model = octet_run(octet, os.path.join(demo["out"], "digits_int8.tflite"), pngs, str(tmp_path / "nhwc"))
    assert np.array_equal(mine, demo_model)
