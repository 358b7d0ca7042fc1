#!/usr/bin/env python3
"""Conversion speed and memory of `octet convert` on torchvision networks.

Exports resnet50 and mobilenet_v2 (random weights, 224x224, opset 13) with
Debian's torch once (cached in bench/.data/models/), then converts each to
FP32 and FP16 TFLite several times and reports the median wall time and the
peak RSS next to the model's file size. Bars (issue #3): resnet50 FP32
conversion under 5 s, peak RSS under 3x the model file.

    /usr/bin/python3 bench/convert_bench.py [--runs 3] [--json]
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data" / "models"
OCTET = pathlib.Path(os.environ.get("OCTET_BIN", ROOT / "build" / "octet"))
MODELS = ["resnet50", "mobilenet_v2"]
TIME_BAR_SECONDS = {"resnet50": 5.0}
RSS_BAR_FACTOR = 3.0


def export(name: str) -> pathlib.Path:
    path = DATA / f"{name}_224_op13.onnx"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    code = (
        "import torch, torchvision, sys\n"
        "torch.manual_seed(0)\n"
        f"m = torchvision.models.{name}().eval()\n"
        f"torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=13)\n"
    )
    subprocess.run(["/usr/bin/python3", "-c", code, str(path)], check=True, stderr=subprocess.DEVNULL)
    return path


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS bytes)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd], check=True,
                       stdout=subprocess.DEVNULL)
        seconds, kilobytes = t.read().split()[-2:]
    return float(seconds), int(kilobytes) * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as out:
        for name in MODELS:
            model = export(name)
            size = model.stat().st_size
            for dtype in ("float32", "float16"):
                runs = [timed([str(OCTET), "convert", str(model), "-o", f"{out}/{name}.tflite", "--dtype", dtype])
                        for _ in range(args.runs)]
                seconds = statistics.median(r[0] for r in runs)
                rss = max(r[1] for r in runs)
                bar = TIME_BAR_SECONDS.get(name) if dtype == "float32" else None
                rows.append({
                    "model": name, "dtype": dtype, "onnx_bytes": size,
                    "tflite_bytes": pathlib.Path(f"{out}/{name}.tflite").stat().st_size,
                    "seconds": seconds, "peak_rss_bytes": rss, "rss_over_model": rss / size,
                    "time_bar_seconds": bar,
                    "pass": (bar is None or seconds < bar) and rss / size < RSS_BAR_FACTOR,
                })
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'model':<14}{'dtype':<9}{'onnx MB':>9}{'tflite MB':>11}{'time s':>8}{'RSS MB':>8}{'RSS/model':>10}  bar")
        for r in rows:
            bar = f"time < {r['time_bar_seconds']} s, " if r["time_bar_seconds"] else ""
            print(f"{r['model']:<14}{r['dtype']:<9}{r['onnx_bytes'] / 1e6:>9.1f}{r['tflite_bytes'] / 1e6:>11.1f}"
                  f"{r['seconds']:>8.2f}{r['peak_rss_bytes'] / 1e6:>8.0f}{r['rss_over_model']:>10.2f}  "
                  f"{bar}RSS < {RSS_BAR_FACTOR}x: {'PASS' if r['pass'] else 'FAIL'}")
    return 0 if all(r["pass"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
