#!/usr/bin/python3
"""Latency of octet's interpreter against ONNX Runtime and the real TFLite interpreter, in one run
(issue #6's bars).

    /usr/bin/python3 bench/latency.py [--quick] [--models NAME ...] [--threads 1 2] [--seconds S]
                                      [--octet PATH] [--workdir DIR] [--json]

For each torchvision network (mobilenet_v2, resnet18, resnet50, efficientnet_b0; random weights,
batch 1, 224x224, ONNX opset 13: bench/convert_bench.py's cached export) and each thread count:

* ORT FP32: onnxruntime-node on the original .onnx (intraOpNumThreads N, interOpNumThreads 1,
  graphOptimizationLevel 'all');
* ORT INT8 s8 / u8: QDQ models built by bench/benchlib.py from min/max ranges of every activation
  over the calibration photos (per-channel symmetric int8 weights, per-tensor activations, int8 or
  uint8 activations), run the same way; the faster is "best ORT INT8";
* octet FP32 / INT8: `octet convert` (INT8: `--int8 --calib` on the same photos, NHWC), then
  `octet bench --json --threads N --runs R`;
* TFLite FP32 / INT8: the real TFLite interpreter (@tensorflow/tfjs-tflite, wasm SIMD; the
  threaded wasm build with numThreads N when N > 1) on octet's .tflite files, timed in Node.

Every runner is a fresh process: untimed first run and WARMUP runs, then timed runs until
--max-runs or --seconds (at least 3); the median is reported. Runners of one network run
back to back in a rotating order. With --threads 1 every runner is pinned to one CPU (--cpu,
default the last): on a shared virtual machine the two CPUs can differ a lot in speed at a given
moment (here one ran AVX-512 code 1.6x slower than the other, and which one was slow changed over
minutes, as a neighbour's load on the host came and went); an unpinned process lands on either,
a pinned one at least shares its CPU's state with the runners next to it. Peak RSS is GNU time's %M of the process (Node's own
runtime, about 45 MB, is in the Node runners' figure).

Then the calibration bar: bench/calibration_speed.py (mobilenet_v2, 300 samples against 300 octet
FP32 forward passes, 1 thread).

Bars (ratios of medians measured in this run, per network and thread count):
  octet INT8 / best ORT INT8 <= 1.0 (target 0.8); octet FP32 / ORT FP32 <= 1.0;
  octet FP32 / octet INT8 >= 1.8; TFLite-wasm INT8 / octet INT8 >= 2;
  calibration / forward passes <= 1.3.
Exit status 0 only if every bar passes.
"""
import argparse
import hashlib
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import convert_bench  # noqa: E402  (export: the cached torchvision ONNX models)
import make_photo_set  # noqa: E402

MODELS = ["mobilenet_v2", "resnet18", "resnet50", "efficientnet_b0"]
THREADS = [1, 2]
RUNNERS = ["ort_fp32", "ort_s8", "ort_u8", "octet_fp32", "octet_int8", "tflite_fp32", "tflite_int8"]
LABELS = {"ort_fp32": "ORT FP32", "ort_s8": "ORT s8", "ort_u8": "ORT u8", "octet_fp32": "octet FP32",
          "octet_int8": "octet INT8", "tflite_fp32": "TFL FP32", "tflite_int8": "TFL INT8"}
NODE_RUN = HERE / "latency_run.mjs"
CALIB_ROWS = 16            # photos calibrating octet INT8 and the QDQ ranges (latency does not depend on it)
QUICK_CALIB_ROWS = 4
SECONDS = 8.0              # timed seconds per runner
QUICK_SECONDS = 1.5
MAX_RUNS = 200
WARMUP = 2
MIN_RUNS = 3
CALIBRATION_SAMPLES = 300
QUICK_CALIBRATION_SAMPLES = 30
# the bars: (key, label, comparison, bar, target)
BARS = [("int8_vs_ort", "octet INT8 / best ORT INT8", "<=", 1.0, 0.8),
        ("fp32_vs_ort", "octet FP32 / ORT FP32", "<=", 1.0, None),
        ("fp32_over_int8", "octet FP32 / octet INT8", ">=", 1.8, None),
        ("tflite_over_int8", "TFLite-wasm INT8 / octet INT8", ">=", 2.0, None)]
CALIBRATION_BAR = 1.3


def log(msg):
    sys.stderr.write(f"[latency] {msg}\n")
    sys.stderr.flush()


def sha12(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def passes(value, op, bar):
    return value is not None and (value <= bar if op == "<=" else value >= bar)


# --------------------------------------------------------------------------- models
def calibration_data(args, workdir):
    """(NHWC .npy for octet, NCHW .npy for ONNX Runtime): the first CALIB_ROWS photographs of
    bench/make_photo_set.py's set through `octet prepare --size 224x224 --color rgb --no-shuffle`."""
    out = workdir / f"calib_{args.calib_rows}"
    nhwc, nchw = out / "calib_nhwc.npy", out / "calib_nchw.npy"
    if not (nhwc.exists() and nchw.exists()):
        photos = workdir / "photos"
        make_photo_set.build(str(photos), quiet=True)
        tmp = workdir / "prepare.tmp"
        report, _, _ = benchlib.timed_json([args.octet, "prepare", str(photos), "-o", str(tmp), "--size", "224x224",
                                            "--color", "rgb", "--no-shuffle", "--limit", str(args.calib_rows),
                                            "--json"])
        x = np.load(report["output"])
        out.mkdir(parents=True, exist_ok=True)
        np.save(nhwc, x)
        np.save(nchw, np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        shutil.rmtree(tmp)
    return nhwc, nchw


def qdq_models(name, onnx_path, calib_nchw, workdir):
    """{"s8": path, "u8": path}: QDQ models from min/max ranges over the calibration rows (cached)."""
    d = workdir / "qdq" / f"{name}_{sha12(onnx_path)}_{sha12(calib_nchw)}"
    out = {"s8": d / "model_s8.onnx", "u8": d / "model_u8.onnx"}
    if all(p.exists() for p in out.values()):
        return out
    d.mkdir(parents=True, exist_ok=True)
    ranges = benchlib.activation_ranges(str(onnx_path), str(calib_nchw), str(d))
    for key, act in (("s8", "int8"), ("u8", "uint8")):
        benchlib.build_qdq(str(onnx_path), ranges, act, str(out[key]) + ".tmp")
        os.replace(str(out[key]) + ".tmp", out[key])
    return out


def octet_models(args, name, onnx_path, calib_nhwc, workdir):
    """{"fp32": path or error string, "int8": ...}: octet's conversions (cached per binary and model)."""
    d = workdir / "octet" / f"{name}_{args.octet_sha}_{sha12(onnx_path)}_{sha12(calib_nhwc)}"
    d.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, extra in (("fp32", []), ("int8", ["--int8", "--calib", str(calib_nhwc)])):
        path = d / f"{kind}.tflite"
        if not path.exists():
            cmd = [args.octet, "convert", str(onnx_path), "-o", str(path) + ".tmp", *extra, *args.octet_arg]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                out[kind] = f"octet convert failed: {(p.stderr or p.stdout).strip().splitlines()[-1][:300]}"
                continue
            os.replace(str(path) + ".tmp", path)
        out[kind] = path
    return out


# --------------------------------------------------------------------------- runners
def loadavg():
    return os.getloadavg()[0]


def pinned_cpu(threads, args):
    """The CPU a one-thread runner is pinned to (None: not pinned)."""
    return args.cpu if threads == 1 else None


def run_node(kind, model, threads, args):
    report, _, rss = benchlib.timed_json(["node", str(NODE_RUN), kind, str(model), "--threads", str(threads),
                                          "--runs", str(args.max_runs), "--warmup", str(WARMUP),
                                          "--seconds", str(args.seconds)], pinned_cpu(threads, args))
    return {"median_ms": report["median_ms"], "runs": report["runs"], "min_ms": report["min_ms"],
            "max_ms": report["max_ms"], "first_ms": report["first_ms"], "load_ms": report["load_ms"],
            "threads_used": report["threads"], "runtime": report["runtime"], "peak_rss_bytes": rss}


def run_octet(model, threads, args):
    """octet bench, with a run count that fits --seconds (estimated from a one-run bench)."""
    probe, _, _ = benchlib.timed_json([args.octet, "bench", str(model), "--json", "--threads", str(threads),
                                       "--runs", "1", "--warmup", "0"], pinned_cpu(threads, args))
    per_run_s = max(probe["latency_ms"]["median"], probe["first_run_ms"] * 0.5) / 1000.0
    runs = int(min(args.max_runs, max(MIN_RUNS, args.seconds / per_run_s)))
    warmup = WARMUP if per_run_s * WARMUP <= args.seconds / 2 else 1   # slow kernels: one warm-up run
    report, _, rss = benchlib.timed_json([args.octet, "bench", str(model), "--json", "--threads", str(threads),
                                          "--runs", str(runs), "--warmup", str(warmup)], pinned_cpu(threads, args))
    lat = report["latency_ms"]
    return {"median_ms": lat["median"], "runs": report["runs"], "min_ms": lat["min"], "max_ms": lat["max"],
            "first_ms": report["first_run_ms"], "load_ms": report["load_ms"],
            "threads_used": report.get("threads"), "runtime": report.get("interpreter", "octet"),
            "peak_rss_bytes": rss}


def measure(runner, files, threads, args):
    """One runner on one model: a result dict, or {"error": ...}."""
    kind, _, variant = runner.partition("_")
    model = files[runner]
    if isinstance(model, str):
        return {"error": model}
    load_before = loadavg()
    try:
        r = run_octet(model, threads, args) if kind == "octet" else \
            run_node("ort" if kind == "ort" else "tflite", model, threads, args)
    except benchlib.CommandError as exc:
        return {"error": str(exc).splitlines()[-1][:300]}
    r["loadavg"] = [round(load_before, 2), round(loadavg(), 2)]
    return r


def ratios(row):
    def ms(key):
        r = row.get(key)
        return r["median_ms"] if r and "median_ms" in r else None

    best_ort = min((ms(k), k) for k in ("ort_s8", "ort_u8") if ms(k) is not None) \
        if any(ms(k) is not None for k in ("ort_s8", "ort_u8")) else (None, None)
    o8, o32 = ms("octet_int8"), ms("octet_fp32")

    def div(a, b):
        return a / b if a is not None and b else None
    return {"best_ort_int8": best_ort[1], "int8_vs_ort": div(o8, best_ort[0]), "fp32_vs_ort": div(o32, ms("ort_fp32")),
            "fp32_over_int8": div(o32, o8), "tflite_over_int8": div(ms("tflite_int8"), o8)}


# --------------------------------------------------------------------------- calibration bar
def calibration_bar(args, workdir):
    cmd = ["/usr/bin/python3", str(HERE / "calibration_speed.py"), "--samples", str(args.calibration_samples),
           "--octet", args.octet, "--workdir", str(workdir), "--json"]
    # both of its measurements (calibration, forward passes) on the one-thread runners' CPU
    p = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=lambda: os.sched_setaffinity(0, {args.cpu}))
    try:   # calibration_speed exits 1 when its own (issue #4) bar fails; its JSON is still complete
        r = json.loads(p.stdout)
    except json.JSONDecodeError:
        return {"error": f"calibration_speed.py: exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    default = r["methods"][0]
    return {"samples": default["samples"], "forward_passes": r["forward_passes"], "method": default["method"], "calibration_s": default["calibration_s"],
            "forward_s": r["forward_s"], "forward_mean_ms": r["forward_mean_ms"], "ratio": default["ratio"],
            "calibration_peak_rss_bytes": default["peak_rss_bytes"], "bench_peak_rss_bytes": r["bench_peak_rss_bytes"],
            "bar": CALIBRATION_BAR, "pass": default["ratio"] <= CALIBRATION_BAR}


# --------------------------------------------------------------------------- report
def fmt_ms(r):
    if r is None:
        return "-"
    return "error" if "error" in r else f"{r['median_ms']:.1f}"


def fmt_ratio(v):
    return "n/a" if v is None else f"{v:.2f}"


def report(results):
    lines = [f"octet latency vs ONNX Runtime and TFLite (wasm) -- {results['machine']}",
             f"octet {results['octet']['path']} (sha256 {results['octet']['sha256']}), "
             f"{results['date']}, load average {results['load_start']:.2f} at start, {results['load_end']:.2f} at end",
             f"median latency ms (batch 1, 224x224); each runner {results['seconds']:g} s or {results['max_runs']} runs"
             f"; --threads 1 runners pinned to CPU {results.get('cpu')}",
             ""]
    bars = []
    for threads in results["threads"]:
        lines.append(f"--threads {threads}")
        hdr = f"{'model':<16}" + "".join(f"{LABELS[k]:>11}" for k in RUNNERS) + \
            "".join(f"{h:>13}" for h in ("o8/bestORT8", "o32/ORT32", "o32/o8", "TFL8/o8"))
        lines.append(hdr)
        lines.append("-" * len(hdr))
        for name, row in results["rows"][str(threads)].items():
            rt = row["ratios"]
            cells = []
            for key, _, op, bar, _ in BARS:
                ok = passes(rt[key], op, bar)
                bars.append((f"{name} t{threads} {key}", ok))
                cells.append(f"{fmt_ratio(rt[key])} {'PASS' if ok else 'FAIL'}")
            lines.append(f"{name:<16}" + "".join(f"{fmt_ms(row.get(k)):>11}" for k in RUNNERS) +
                         "".join(f"{c:>13}" for c in cells))
            rss = [f"{row[k]['peak_rss_bytes'] / 1e6:.0f}" if "peak_rss_bytes" in row[k] else "-" for k in RUNNERS]
            lines.append(f"{'  peak RSS MB':<16}" + "".join(f"{c:>11}" for c in rss) +
                         f"   best ORT INT8: {rt['best_ort_int8'] or 'n/a'}")
            for k in RUNNERS:
                if row.get(k) and "error" in row[k]:
                    lines.append(f"    {LABELS[k]}: {row[k]['error']}")
            used = row.get("octet_int8", {}).get("threads_used")
            if used is not None and used != threads:
                lines.append(f"    note: octet ran on {used} thread(s) with --threads {threads}")
        lines.append("")
    runtimes = {}
    for th in results["threads"]:
        for row in results["rows"][str(th)].values():
            for k in RUNNERS:
                if "runtime" in row[k]:
                    runtimes.setdefault(f"{k.split('_')[0]} --threads {th}", set()).add(row[k]["runtime"])
    for k, v in runtimes.items():
        lines.append(f"runtime {k}: {', '.join(sorted(v))}")
    lines.append("bars: " + "; ".join(f"{label} {op} {bar:g}" + (f" (target {t:g})" if t else "")
                                      for _, label, op, bar, t in BARS))
    target_hits = [f"{name} t{th}" for th in results["threads"] for name, row in results["rows"][str(th)].items()
                   if passes(row["ratios"]["int8_vs_ort"], "<=", BARS[0][4])]
    lines.append(f"target octet INT8 <= 0.8x best ORT INT8 reached on: {', '.join(target_hits) or 'none'}")
    c = results.get("calibration")
    if c is not None:
        if "error" in c:
            lines.append(f"calibration bar: {c['error']}")
            bars.append(("calibration", False))
        else:
            lines.append(f"calibration (mobilenet_v2, {c['samples']} samples, {c['method']}, 1 thread): "
                         f"{c['calibration_s']:.2f} s vs {c['forward_passes']} octet FP32 forward passes {c['forward_s']:.2f} s "
                         f"(mean {c['forward_mean_ms']:.1f} ms): {c['ratio']:.2f}x <= {CALIBRATION_BAR} "
                         f"{'PASS' if c['pass'] else 'FAIL'}; peak RSS {c['calibration_peak_rss_bytes'] / 1e6:.0f} MB "
                         f"(bench {c['bench_peak_rss_bytes'] / 1e6:.0f} MB)")
            bars.append(("calibration", c["pass"]))
    passed = bool(bars) and all(ok for _, ok in bars)
    failed = [n for n, ok in bars if not ok]
    lines.append(f"overall: {'PASS' if passed else 'FAIL'} ({len(bars) - len(failed)}/{len(bars)} bars pass)")
    return "\n".join(lines), passed, bars


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu} x{os.cpu_count()}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: mobilenet_v2, {QUICK_SECONDS:g} s per runner, calibration bar on "
                         f"{QUICK_CALIBRATION_SAMPLES} samples")
    ap.add_argument("--models", nargs="+", choices=MODELS)
    ap.add_argument("--threads", nargs="+", type=int, choices=THREADS, default=THREADS)
    ap.add_argument("--seconds", type=float, help=f"timed seconds per runner (default {SECONDS:g})")
    ap.add_argument("--max-runs", type=int, default=MAX_RUNS)
    ap.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)),
                    help="CPU the --threads 1 runners are pinned to (default: the last one available)")
    ap.add_argument("--no-calibration", action="store_true", help="skip the calibration bar")
    ap.add_argument("--octet", default=os.environ.get("OCTET_BIN", "/work/main/build/octet"))
    ap.add_argument("--octet-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every `octet convert` (repeatable)")
    ap.add_argument("--workdir", default="/tmp/octet-latency-bench")
    ap.add_argument("--json", action="store_true", help="results as JSON on stdout (table on stderr)")
    args = ap.parse_args()
    args.models = args.models or (["mobilenet_v2"] if args.quick else MODELS)
    args.seconds = args.seconds or (QUICK_SECONDS if args.quick else SECONDS)
    if not args.seconds > 0 or args.max_runs < MIN_RUNS:
        ap.error(f"--seconds must be > 0 and --max-runs >= {MIN_RUNS}")
    args.calib_rows = QUICK_CALIB_ROWS if args.quick else CALIB_ROWS
    args.calibration_samples = QUICK_CALIBRATION_SAMPLES if args.quick else CALIBRATION_SAMPLES
    if not (os.path.isfile(args.octet) and os.access(args.octet, os.X_OK)):
        sys.exit(f"latency: octet binary {args.octet} not found (--octet or $OCTET_BIN)")
    args.octet_sha = sha12(args.octet)
    workdir = pathlib.Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    # a private copy: a rebuild of the given path during the run must not change the binary under test
    pinned = workdir / "bin" / f"octet-{args.octet_sha}"
    if not pinned.exists():
        pinned.parent.mkdir(exist_ok=True)
        shutil.copy2(args.octet, str(pinned) + ".tmp")
        os.replace(str(pinned) + ".tmp", pinned)
    octet_given, args.octet = args.octet, str(pinned)
    t0 = time.time()
    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "octet": {"path": octet_given, "copy": args.octet, "sha256": args.octet_sha,
                         "convert_args": args.octet_arg},
               "threads": args.threads, "seconds": args.seconds, "max_runs": args.max_runs, "cpu": args.cpu,
               "load_start": loadavg(), "rows": {str(t): {} for t in args.threads}}

    log("calibration photos")
    calib_nhwc, calib_nchw = calibration_data(args, workdir)
    files = {}
    for name in args.models:
        log(f"{name}: export, QDQ models, octet convert")
        onnx_path = convert_bench.export(name)
        qdq = qdq_models(name, onnx_path, calib_nchw, workdir)
        octet = octet_models(args, name, onnx_path, calib_nhwc, workdir)
        files[name] = {"ort_fp32": onnx_path, "ort_s8": qdq["s8"], "ort_u8": qdq["u8"],
                       "octet_fp32": octet["fp32"], "octet_int8": octet["int8"],
                       "tflite_fp32": octet["fp32"], "tflite_int8": octet["int8"]}
    for threads in args.threads:
        for i, name in enumerate(args.models):
            order = RUNNERS[i % len(RUNNERS):] + RUNNERS[:i % len(RUNNERS)]
            row = {}
            for runner in order:
                row[runner] = measure(runner, files[name], threads, args)
                log(f"{name} t{threads} {runner}: "
                    f"{row[runner].get('median_ms', row[runner].get('error'))}")
            row = {k: row[k] for k in RUNNERS}
            row["ratios"] = ratios(row)
            results["rows"][str(threads)][name] = row
    if not args.no_calibration:
        log(f"calibration bar ({args.calibration_samples} samples)")
        results["calibration"] = calibration_bar(args, workdir)
    results["load_end"] = loadavg()
    results["seconds_total"] = round(time.time() - t0, 1)
    text, passed, bars = report(results)
    results["bars"] = {n: ok for n, ok in bars}
    results["pass"] = passed
    if args.json:
        sys.stderr.write(text + "\n")
        print(json.dumps(results, indent=1, default=str))
    else:
        print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
