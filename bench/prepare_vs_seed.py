#!/usr/bin/python3
"""`octet prepare` versus the seed script, side by side, on ~300 real photographs.

    bash bench/setup.sh                                  # source photos, numpy, cv2
    /usr/bin/python3 bench/prepare_vs_seed.py [--repeat 3] [--with-640] [--json]

One run does:
  1. builds (or reuses) the photo set with bench/make_photo_set.py
     (default /tmp/octet-bench/photos: 300 photos of ~0.8 MP, 90% JPEG q90, 10% PNG);
  2. times the seed script (bench/seed_prepare_npy.py, a faithful copy run as a
     program) and `octet prepare DIR -o OUT --size SxS --threads 1` and
     `--threads 2` (defaults: letterbox, bgr, normalize), --repeat times each,
     interleaved, and takes the median wall time (sizes 224x224, and 640x640 with
     --with-640, where octet gets --max-bytes because that array is 1.47 GB);
  3. checks identical output: every row of octet's array, looked up through its
     recipe's "files" list, must be bit-identical to the seed's own functions
     (DataPreprocessor._preprocess(cv2.imread(f))) on that file, and the seed
     run's shuffled array must hold exactly the same rows (row hashes, as a
     multiset); repeated octet runs must write byte-identical .npy files;
  4. measures each process's peak RSS (GNU time's %M: that child's own rusage) and
     its CPU time, plus the CPU time the rest of the machine used meanwhile
     (from /proc/stat) to flag runs disturbed by other work;
  5. memory test: the same photos at the largest square size whose array stays
     below octet's 500 MB limit (300 photos: 372x372, 498.2 MB); bar: peak RSS
     of octet < 300 MB;
  6. prints a table (or JSON with --json) with pass/fail against the bars:
     --threads 2 at least 1.8x faster than the seed, --threads 1 no slower,
     output identical, peak RSS < 300 MB.  Exit status 0 only if all pass.

The octet binary: --octet, else $OCTET_BIN, else /work/main/build/octet.
"""
import argparse
import collections
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ from importing the helpers

import make_photo_set  # noqa: E402

SEED_SCRIPT = os.path.join(HERE, "seed_prepare_npy.py")
PYTHON = "/usr/bin/python3"
GNU_TIME = "/usr/bin/time"
SPEEDUP_BAR_T2 = 1.8
SPEEDUP_BAR_T1 = 1.0
RSS_BAR_MB = 300.0
DISTURBED_CORES = 0.25  # other work on the machine above this during a run = disturbed
MAX_BYTES_LIMIT = 500_000_000  # octet's default --max-bytes (LaunchX's 500 MB)


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# ------------------------------------------------------------------ processes

def cpu_busy_seconds():
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait_s, window_s=3.0, threshold_cores=0.15):
    """Wait until the machine's busy CPU over window_s is below threshold_cores.

    Returns the load seen last (cores).  Gives up after max_wait_s.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        busy0 = cpu_busy_seconds()
        time.sleep(window_s)
        load = (cpu_busy_seconds() - busy0) / window_s
        if load < threshold_cores or time.monotonic() >= deadline:
            return load


def run_measured(cmd, cwd, stdout_path):
    """Run cmd; return wall time, its peak RSS and CPU time, and the foreign CPU.

    The command runs under GNU time (/usr/bin/time), which forks it from a tiny
    process and reports that child's own rusage.  Forking it directly from this
    Python process would not do: Linux carries the pre-exec image's peak RSS (a
    copy of this process, hundreds of MB after the output checks) into the
    child's ru_maxrss.
    """
    rusage_path = stdout_path + ".rusage"
    timed = [GNU_TIME, "-f", "%M %U %S %x", "-o", rusage_path, "--"] + list(cmd)
    with open(stdout_path, "wb") as out, open(stdout_path + ".err", "wb") as err:
        busy0 = cpu_busy_seconds()
        start = time.perf_counter()
        proc = subprocess.run(timed, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        busy1 = cpu_busy_seconds()
    with open(rusage_path) as handle:
        last = handle.read().strip().splitlines()[-1].split()
    maxrss_kb, utime, stime, rc = int(last[0]), float(last[1]), float(last[2]), int(last[3])
    if proc.returncode != 0 and rc == 0:
        rc = proc.returncode
    cpu = utime + stime
    with open(stdout_path, "rb") as handle:
        stdout = handle.read().decode(errors="replace")
    with open(stdout_path + ".err", "rb") as handle:
        stderr = handle.read().decode(errors="replace")
    return {
        "cmd": list(cmd),
        "rc": rc,
        "wall_s": wall,
        "cpu_s": cpu,
        "user_s": utime,
        "sys_s": stime,
        "peak_rss_mb": maxrss_kb / 1024.0,  # GNU time %M: max RSS in KiB
        # CPU seconds used by everything else on the machine during the run,
        # averaged over the wall time (0 = quiet machine, 1 = one core busy)
        "foreign_cores": max(0.0, (busy1 - busy0) - cpu) / wall if wall > 0 else 0.0,
        "stdout": stdout,
        "stderr": stderr[-4000:],
    }


# ------------------------------------------------------------------ runners

def seed_cmd(photos, out_dir, size):
    return [PYTHON, SEED_SCRIPT, photos, out_dir, "--size", f"{size}x{size}"]


def octet_cmd(octet, photos, out_dir, size, threads, max_bytes=None):
    cmd = [octet, "prepare", photos, "-o", out_dir, "--size", f"{size}x{size}",
           "--threads", str(threads), "--json"]
    if max_bytes is not None:
        cmd += ["--max-bytes", str(max_bytes)]
    return cmd


def find_npy(out_dir):
    names = [n for n in os.listdir(out_dir) if n.endswith(".npy")]
    return os.path.join(out_dir, names[0]) if len(names) == 1 else None


def run_one(kind, args, photos, size, run_dir, threads=None, max_bytes=None):
    os.makedirs(run_dir)
    out_dir = os.path.join(run_dir, "out")
    os.makedirs(out_dir)
    if kind == "seed":
        cmd = seed_cmd(photos, out_dir, size)
    else:
        cmd = octet_cmd(args.octet, photos, out_dir, size, threads, max_bytes)
    result = run_measured(cmd, run_dir, os.path.join(run_dir, "stdout.txt"))
    result["kind"] = kind
    result["threads"] = threads
    result["size"] = size
    result["npy"] = find_npy(out_dir)
    result["recipe"] = None
    if kind == "octet":
        try:
            report = json.loads(result["stdout"].strip().splitlines()[-1])
            result["octet_json"] = report
            result["octet_seconds"] = report.get("seconds")
            result["recipe"] = report.get("recipe")
            if report.get("output"):
                result["npy"] = report["output"]
        except (ValueError, IndexError):
            result["octet_json"] = None
        if result["recipe"] is None and result["npy"]:
            candidate = result["npy"][:-4] + ".json"
            result["recipe"] = candidate if os.path.exists(candidate) else None
    ok = result["rc"] == 0 and result["npy"] and os.path.exists(result["npy"])
    result["ok"] = bool(ok)
    if not ok:
        log(f"  !! {kind} run failed (rc={result['rc']}): {' '.join(cmd)}\n"
            f"     stderr: {result['stderr'][-800:]}")
    return result


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------ checking

def row_digest(row):
    return hashlib.sha1(row.tobytes()).hexdigest()


def check_outputs(photos, size, octet_runs, seed_run):
    """Compare octet's arrays per file with the seed's functions, and the seed run.

    Returns a dict with "identical" (bool) and details.
    """
    import cv2
    import numpy as np
    import seed_prepare_npy as seed

    files = sorted(n for n in os.listdir(photos) if not n.startswith("."))
    n = len(files)
    shape = (n, size, size, 3)
    problems = []
    octets = []
    for run in octet_runs:
        label = f"octet --threads {run['threads']}"
        if not run["ok"]:
            problems.append(f"{label}: no output")
            continue
        array = np.load(run["npy"], mmap_mode="r")
        if array.dtype != np.float32 or array.shape != shape:
            problems.append(f"{label}: array {array.dtype} {array.shape}, expected float32 {shape}")
            continue
        with open(run["recipe"]) as handle:
            recipe = json.load(handle)
        listed = recipe.get("files", [])
        if sorted(listed) != files:
            problems.append(f"{label}: recipe lists {len(listed)} files, not the {n} photos")
            continue
        octets.append({"label": label, "array": array,
                       "index": {name: i for i, name in enumerate(listed)},
                       "order": listed, "mismatched": 0, "max_abs_diff": 0.0,
                       "first_mismatch": None})

    # the seed's own per-file computation: one iteration of its _load_dataset loop
    dp = seed.DataPreprocessor(photos, (size, size), "bgr", True, True)
    reference = collections.Counter()
    for name in files:
        ref = dp._preprocess(cv2.imread(os.path.join(photos, name)))[0]
        reference[row_digest(ref)] += 1
        for o in octets:
            row = np.asarray(o["array"][o["index"][name]])
            if row.tobytes() != ref.tobytes():
                o["mismatched"] += 1
                o["max_abs_diff"] = max(o["max_abs_diff"],
                                        float(np.max(np.abs(row.astype(np.float64) - ref))))
                if o["first_mismatch"] is None:
                    o["first_mismatch"] = name
    for o in octets:
        if o["mismatched"]:
            problems.append(f"{o['label']}: {o['mismatched']}/{n} images differ from the seed "
                            f"(max |diff| {o['max_abs_diff']:.3g}, e.g. {o['first_mismatch']})")
    orders_equal = len({tuple(o["order"]) for o in octets}) <= 1

    seed_rows_match = None
    if seed_run is not None:
        if not seed_run["ok"]:
            problems.append("seed run: no output")
        else:
            array = np.load(seed_run["npy"], mmap_mode="r")
            if array.shape != shape or array.dtype != np.float32:
                problems.append(f"seed run: array {array.dtype} {array.shape}, expected {shape}")
                seed_rows_match = False
            else:
                got = collections.Counter(row_digest(np.asarray(array[i])) for i in range(n))
                seed_rows_match = got == reference
                if not seed_rows_match:
                    problems.append("seed run's rows differ from the seed functions re-run here")
    return {
        "identical": not problems and len(octets) == len(octet_runs),
        "images": n,
        "shape": list(shape),
        "octet_mismatched": {o["label"]: o["mismatched"] for o in octets},
        "octet_max_abs_diff": {o["label"]: o["max_abs_diff"] for o in octets},
        "octet_orders_equal": orders_equal,
        "seed_run_rows_match": seed_rows_match,
        "problems": problems,
    }


# ------------------------------------------------------------------ benchmark

def summarize(runs):
    walls = [r["wall_s"] for r in runs if r["ok"]]
    if not walls:
        return None
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "walls_s": [round(w, 3) for w in walls],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs if r["ok"]),
        "cpu_s_median": statistics.median(r["cpu_s"] for r in runs if r["ok"]),
        "foreign_cores_max": max(r["foreign_cores"] for r in runs),
        "octet_seconds_median": (statistics.median(r["octet_seconds"] for r in runs
                                                   if r.get("octet_seconds") is not None)
                                 if any(r.get("octet_seconds") is not None for r in runs)
                                 else None),
    }


def bench_size(args, photos, size, n_images, work):
    """Timed, interleaved runs of seed / octet -t1 / octet -t2 at one size."""
    needed = n_images * size * size * 3 * 4
    max_bytes = needed + (1 << 20) if needed > MAX_BYTES_LIMIT else None
    kinds = [("seed", None)] + [("octet", t) for t in args.threads]
    runs = {k: [] for k in kinds}
    hashes = {}
    discarded = []
    for rep in range(args.repeat):
        order = kinds[rep % len(kinds):] + kinds[:rep % len(kinds)]
        for kind, threads in order:
            label = "seed" if kind == "seed" else f"t{threads}"
            run_dir = os.path.join(work, f"{size}", f"{label}-{rep}")
            for attempt in range(args.retry_disturbed + 1):
                if args.quiet_wait > 0:
                    wait_quiet(args.quiet_wait)
                result = run_one(kind, args, photos, size,
                                 run_dir + (f".retry{attempt}" if attempt else ""),
                                 threads, max_bytes)
                if result["foreign_cores"] <= DISTURBED_CORES or attempt == args.retry_disturbed:
                    break
                discarded.append({"kind": label, "size": size, "wall_s": result["wall_s"],
                                  "foreign_cores": result["foreign_cores"]})
                log(f"  {size}x{size} rep {rep + 1}/{args.repeat} {label:>4}: "
                    f"{result['wall_s']:6.2f} s discarded (other load "
                    f"{result['foreign_cores']:.2f} cores), running it again")
                if result["ok"]:
                    os.remove(result["npy"])
            runs[(kind, threads)].append(result)
            log(f"  {size}x{size} rep {rep + 1}/{args.repeat} {label:>4}: "
                f"{result['wall_s']:6.2f} s  cpu {result['cpu_s']:6.2f} s "
                f"(sys {result['sys_s']:5.2f})  "
                f"rss {result['peak_rss_mb']:7.1f} MB"
                + (f"  (other load {result['foreign_cores']:.2f} cores)"
                   if result["foreign_cores"] > 0.15 else ""))
            if kind == "octet" and result["ok"]:
                hashes.setdefault(threads, []).append(file_sha256(result["npy"]))
            # keep the first run of each kind for the output check, drop the rest
            if rep > 0 and result["ok"]:
                os.remove(result["npy"])

    log(f"  checking {size}x{size} outputs against the seed ...")
    check = check_outputs(photos, size,
                          [runs[("octet", t)][0] for t in args.threads],
                          runs[("seed", None)][0])
    all_hashes = [h for t in args.threads for h in hashes.get(t, [])]
    check["octet_runs_byte_identical"] = len(set(all_hashes)) == 1 if all_hashes else False
    if all_hashes and len(set(all_hashes)) != 1:
        check["problems"].append("repeated octet runs wrote different .npy files")
        check["identical"] = False
    for key in runs:
        for r in runs[key][:1]:
            if r["ok"] and os.path.exists(r["npy"]):
                os.remove(r["npy"])

    seed_summary = summarize(runs[("seed", None)])
    rows = {"seed": seed_summary}
    for t in args.threads:
        s = summarize(runs[("octet", t)])
        if s and seed_summary:
            s["speedup"] = seed_summary["median_s"] / s["median_s"]
        rows[f"octet_t{t}"] = s
    return {"size": size, "array_bytes": needed, "max_bytes_passed": max_bytes,
            "rows": rows, "check": check, "discarded_disturbed_runs": discarded,
            "runs": {("seed" if k[0] == "seed" else f"octet_t{k[1]}"):
                     [{key: r[key] for key in ("wall_s", "cpu_s", "user_s", "sys_s", "peak_rss_mb",
                                                "foreign_cores", "rc")}
                      for r in v] for k, v in runs.items()}}


def memory_test(args, photos, n_images, work):
    size = int(math.sqrt(499_000_000 / (12 * n_images)))
    needed = n_images * size * size * 12
    log(f"memory test: {n_images} photos at {size}x{size} -> {needed / 1e6:.1f} MB array")
    results = {}
    octet_runs = []
    for t in args.memory_threads:
        if args.quiet_wait > 0:
            wait_quiet(args.quiet_wait)
        r = run_one("octet", args, photos, size, os.path.join(work, "mem", f"t{t}"), t)
        log(f"  octet --threads {t}: {r['wall_s']:.2f} s, peak RSS {r['peak_rss_mb']:.1f} MB")
        results[f"octet_t{t}"] = {key: r[key] for key in ("wall_s", "cpu_s", "user_s", "sys_s",
                                                          "peak_rss_mb",
                                                          "foreign_cores", "rc", "ok")}
        if r["ok"]:
            results[f"octet_t{t}"]["npy_bytes"] = os.path.getsize(r["npy"])
        octet_runs.append(r)
    seed_run = None
    if args.memory_seed:
        if args.quiet_wait > 0:
            wait_quiet(args.quiet_wait)
        seed_run = run_one("seed", args, photos, size, os.path.join(work, "mem", "seed"))
        log(f"  seed: {seed_run['wall_s']:.2f} s, peak RSS {seed_run['peak_rss_mb']:.1f} MB")
        results["seed"] = {key: seed_run[key] for key in ("wall_s", "cpu_s", "user_s", "sys_s",
                                                          "peak_rss_mb",
                                                          "foreign_cores", "rc", "ok")}
    log(f"  checking {size}x{size} outputs against the seed ...")
    check = check_outputs(photos, size, octet_runs, seed_run)
    for r in octet_runs + ([seed_run] if seed_run else []):
        if r["ok"] and os.path.exists(r["npy"]):
            os.remove(r["npy"])
    peak = max((r["peak_rss_mb"] for r in octet_runs if r["ok"]), default=None)
    return {"size": size, "array_bytes": needed, "runs": results, "check": check,
            "octet_peak_rss_mb": peak,
            "pass": bool(peak is not None and peak < RSS_BAR_MB
                         and all(r["ok"] for r in octet_runs))}


def decode_only_seconds(photos):
    """In-process cv2.imread of every photo, once: the decode floor on one core."""
    import cv2
    files = sorted(n for n in os.listdir(photos) if not n.startswith("."))
    start = time.perf_counter()
    for name in files:
        cv2.imread(os.path.join(photos, name))
    return time.perf_counter() - start


def warm_page_cache(photos):
    total = 0
    for name in os.listdir(photos):
        with open(os.path.join(photos, name), "rb") as handle:
            total += len(handle.read())
    return total


# ------------------------------------------------------------------ report

def verdict(ok):
    return "PASS" if ok else "FAIL"


def render(report):
    lines = []
    env = report["environment"]
    ps = report["photo_set"]
    lines.append(f"octet prepare vs seed script -- {ps['images']} photos "
                 f"({ps['jpeg']} JPEG q90 + {ps['png']} PNG, mean {ps['mean_megapixels']} MP, "
                 f"{ps['total_bytes'] / 1e6:.1f} MB), median of {report['repeat']} runs")
    lines.append(f"machine: {env['cpu']} x{env['cores']}, OpenCV {env['opencv']}, "
                 f"numpy {env['numpy']}, {env['octet_version']} "
                 f"(binary sha256 {env['octet_sha256'][:12]})")
    lines.append(f"decode only (cv2.imread of all photos, 1 core, in-process): "
                 f"{report['decode_only_s']:.2f} s")
    lines.append("")
    header = (f"{'size':<9} {'runner':<17} {'median s':>8} {'min..max s':>13} {'cpu s':>6} "
              f"{'speedup':>8} {'peak RSS MB':>11} {'bar':>9} {'result':>6}")
    lines.append(header)
    lines.append("-" * len(header))
    for b in report["sizes"]:
        size = f"{b['size']}x{b['size']}"
        for key, row in b["rows"].items():
            if row is None:
                lines.append(f"{size:<9} {key:<17} {'failed':>8}")
                continue
            if key == "seed":
                name, bar, res, speed = "seed (python)", "", "", "1.00x"
            else:
                t = int(key.split("_t")[1])
                name = f"octet --threads {t}"
                need = SPEEDUP_BAR_T2 if t >= 2 else SPEEDUP_BAR_T1
                bar = f">= {need:.1f}x"
                speed = f"{row['speedup']:.2f}x"
                res = verdict(row["speedup"] >= need) if b["bars_apply"] else "(info)"
            lines.append(f"{size:<9} {name:<17} {row['median_s']:8.2f} "
                         f"{row['min_s']:6.2f}..{row['max_s']:<6.2f} {row['cpu_s_median']:6.2f} "
                         f"{speed:>8} {row['peak_rss_mb']:11.1f} {bar:>9} {res:>6}")
        c = b["check"]
        lines.append(f"{size:<9} {'output identical':<17} "
                     f"{'':>8} {'':>13} {'':>6} {'':>8} {'':>11} {'bitwise':>9} "
                     f"{verdict(c['identical']):>6}")
        for problem in c["problems"]:
            lines.append(f"          !! {problem}")
    m = report.get("memory")
    if m:
        size = f"{m['size']}x{m['size']}"
        lines.append("")
        lines.append(f"memory test: {report['photo_set']['images']} photos at {size} -> "
                     f"{m['array_bytes'] / 1e6:.1f} MB array")
        for key, r in m["runs"].items():
            name = "seed (python)" if key == "seed" else f"octet --threads {key.split('_t')[1]}"
            is_octet = key != "seed"
            lines.append(f"{size:<9} {name:<17} {r['wall_s']:8.2f} {'':>13} {r['cpu_s']:6.2f} "
                         f"{'':>8} {r['peak_rss_mb']:11.1f} "
                         f"{('< %d MB' % RSS_BAR_MB) if is_octet else '':>9} "
                         f"{verdict(r['ok'] and r['peak_rss_mb'] < RSS_BAR_MB) if is_octet else '':>6}")
        lines.append(f"{size:<9} {'output identical':<17} {'':>8} {'':>13} {'':>6} {'':>8} "
                     f"{'':>11} {'bitwise':>9} {verdict(m['check']['identical']):>6}")
        for problem in m["check"]["problems"]:
            lines.append(f"          !! {problem}")
    lines.append("")
    disturbed = report["max_foreign_cores"]
    lines.append(f"other load on the machine during the timed runs: up to "
                 f"{disturbed:.2f} cores (in the kept runs; {report['discarded_runs']} disturbed "
                 f"runs discarded and re-run)"
                 + ("  <-- DISTURBED, re-run the benchmark" if disturbed > DISTURBED_CORES
                    else ""))
    lines.append("bars: " + ", ".join(f"{k} {verdict(v)}" for k, v in report["bars"].items()))
    lines.append(f"overall: {verdict(report['pass'])}")
    return "\n".join(lines)


# ------------------------------------------------------------------ main

def main():
    parser = argparse.ArgumentParser(
        description="Time `octet prepare` against the seed script on real photographs.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--octet", default=os.environ.get("OCTET_BIN", "/work/main/build/octet"),
                        help="octet binary (default: $OCTET_BIN or /work/main/build/octet)")
    parser.add_argument("--workdir", default="/tmp/octet-bench",
                        help="photo set and run outputs (default /tmp/octet-bench)")
    parser.add_argument("--photos", help="photo folder (default WORKDIR/photos)")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--megapixels", type=float, default=0.8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="224", help="comma-separated square sizes (default 224)")
    parser.add_argument("--with-640", action="store_true", help="also time 640x640")
    parser.add_argument("--threads", default="1,2", help="octet thread counts (default 1,2)")
    parser.add_argument("--memory-threads", default="2,1",
                        help="octet thread counts for the memory test (default 2,1)")
    parser.add_argument("--no-memory", dest="memory", action="store_false",
                        help="skip the ~500 MB memory test")
    parser.add_argument("--no-memory-seed", dest="memory_seed", action="store_false",
                        help="do not run the seed in the memory test")
    parser.add_argument("--quiet-wait", type=float, default=60.0,
                        help="before each timed run wait up to this many seconds for the "
                             "machine to be idle (default 60; 0 = do not wait)")
    parser.add_argument("--retry-disturbed", type=int, default=2,
                        help="re-run a timed run up to N times when other work used more "
                             f"than {DISTURBED_CORES} cores meanwhile (default 2)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--json-out", help="also write the JSON report to this file")
    parser.add_argument("--keep", action="store_true", help="keep run folders (not the .npy)")
    args = parser.parse_args()
    args.threads = [int(t) for t in args.threads.split(",") if t]
    args.memory_threads = [int(t) for t in args.memory_threads.split(",") if t]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_640 and 640 not in sizes:
        sizes.append(640)
    photos = args.photos or os.path.join(args.workdir, "photos")

    if not os.access(GNU_TIME, os.X_OK):
        sys.exit("prepare_vs_seed: /usr/bin/time (Debian package 'time') is missing: bash bench/setup.sh")
    if not (os.path.isfile(args.octet) and os.access(args.octet, os.X_OK)):
        sys.exit(f"prepare_vs_seed: octet binary {args.octet} not found (build it, or set OCTET_BIN)")
    # time a private copy, so that a rebuild during the run cannot swap binaries
    os.makedirs(args.workdir, exist_ok=True)
    octet_source = os.path.abspath(args.octet)
    snapshot = os.path.join(args.workdir, "octet-under-test")
    shutil.copy2(octet_source, snapshot + ".tmp")
    os.replace(snapshot + ".tmp", snapshot)
    args.octet = snapshot
    helped = subprocess.run([args.octet, "prepare", "--help"], capture_output=True, text=True)
    if helped.returncode != 0:
        sys.exit(f"prepare_vs_seed: `{args.octet} prepare --help` failed: {helped.stderr}")
    version = subprocess.run([args.octet, "--version"], capture_output=True,
                             text=True).stdout.strip() or "octet (version unknown)"

    if args.photos:
        manifest = make_photo_set.read_manifest(photos) or {}
        files = [n for n in os.listdir(photos) if not n.startswith(".")]
        summary = manifest.get("summary") or {
            "images": len(files), "jpeg": sum(n.lower().endswith((".jpg", ".jpeg")) for n in files),
            "png": sum(n.lower().endswith(".png") for n in files), "mean_megapixels": "?",
            "total_bytes": sum(os.path.getsize(os.path.join(photos, n)) for n in files)}
    else:
        manifest = make_photo_set.build(photos, args.count, args.megapixels, quiet=False)
        summary = manifest["summary"]
    n_images = summary["images"]

    import cv2
    import numpy
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(l.split(":", 1)[1].strip() for l in handle if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    work = os.path.join(args.workdir, "runs")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # untimed warm-up: photos in the page cache, libraries loaded once
    warm_page_cache(photos)
    subprocess.run([PYTHON, "-c", "import cv2, numpy"], check=True)
    if args.quiet_wait > 0:
        wait_quiet(args.quiet_wait)
    decode_s = decode_only_seconds(photos)
    log(f"decode only: {decode_s:.2f} s for {n_images} photos")

    report = {
        "environment": {"cpu": cpu, "cores": os.cpu_count(), "opencv": cv2.__version__,
                        "numpy": numpy.__version__, "python": platform.python_version(),
                        "octet": octet_source, "octet_version": version,
                        "octet_sha256": file_sha256(args.octet),
                        "loadavg_start": open("/proc/loadavg").read().split()[:3]},
        "photo_set": {"dir": photos, **summary},
        "repeat": args.repeat,
        "decode_only_s": decode_s,
        "sizes": [],
    }
    for size in sizes:
        log(f"timing {size}x{size} ({args.repeat} runs each, interleaved) ...")
        b = bench_size(args, photos, size, n_images, work)
        # the speed bars are stated for the standard size; other sizes are information
        b["bars_apply"] = size == sizes[0]
        report["sizes"].append(b)
    if args.memory:
        report["memory"] = memory_test(args, photos, n_images, work)

    main_size = report["sizes"][0]
    rows = main_size["rows"]
    bars = collections.OrderedDict()
    if 2 in args.threads:
        r = rows.get("octet_t2")
        bars[f"threads2>={SPEEDUP_BAR_T2}x"] = bool(r and r["speedup"] >= SPEEDUP_BAR_T2)
    if 1 in args.threads:
        r = rows.get("octet_t1")
        bars[f"threads1>={SPEEDUP_BAR_T1}x"] = bool(r and r["speedup"] >= SPEEDUP_BAR_T1)
    bars["identical"] = all(b["check"]["identical"] for b in report["sizes"]) and (
        not args.memory or report["memory"]["check"]["identical"])
    if args.memory:
        bars[f"rss<{int(RSS_BAR_MB)}MB"] = report["memory"]["pass"]
    report["bars"] = bars
    report["pass"] = all(bars.values())
    foreign = [run["foreign_cores"] for b in report["sizes"] for runs in b["runs"].values()
               for run in runs]
    report["max_foreign_cores"] = max(foreign) if foreign else 0.0
    report["discarded_runs"] = sum(len(b["discarded_disturbed_runs"]) for b in report["sizes"])
    report["environment"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)

    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(report, handle, indent=1, default=str)
    if args.json:
        print(json.dumps(report, indent=1, default=str))
    else:
        print(render(report))
    sys.exit(0 if report["pass"] else 1)


if __name__ == "__main__":
    main()
