"""Shared helpers for octet's end-to-end tests."""
import io
import json
import os
import re
import shlex
import subprocess

import numpy as np

ERROR_PREFIX = "octet: error: "
NPY_RE = re.compile(r"^(\d+)x(\d+)x(\d+)\.npy$")


class OctetRunner:
    def __init__(self, binary):
        self.binary = binary

    def __call__(self, *args, timeout=300, env=None, cwd=None):
        cmd = [self.binary] + [str(a) for a in args]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=cwd,
                              stdin=subprocess.DEVNULL)
        proc.stdout = proc.stdout.decode("utf-8", "replace")
        proc.stderr = proc.stderr.decode("utf-8", "replace")
        proc.cmdline = " ".join(shlex.quote(c) for c in cmd)
        return proc

    def prepare(self, image_dir, out_dir, size, *extra, timeout=300, cwd=None):
        return self("prepare", image_dir, "-o", out_dir, "--size", size, *extra, timeout=timeout, cwd=cwd)


def describe(proc):
    """Text for assertion messages."""
    def cut(s, n=1500):
        return s if len(s) <= n else s[:n] + f"... [{len(s) - n} more chars]"
    return (f"\n  command: {proc.cmdline}\n  exit: {proc.returncode}"
            f"\n  stdout: {cut(proc.stdout)!r}\n  stderr: {cut(proc.stderr)!r}")


def assert_ok(proc):
    assert proc.returncode == 0, "octet failed" + describe(proc)


def assert_error(proc, code, *must_contain):
    """Exit `code`, stderr is exactly one line starting with 'octet: error: '."""
    assert proc.returncode == code, f"expected exit {code}" + describe(proc)
    lines = proc.stderr.rstrip("\n").split("\n")
    assert proc.stderr.strip(), "expected an error message on stderr" + describe(proc)
    assert lines[0].startswith(ERROR_PREFIX), \
        f"stderr must start with {ERROR_PREFIX!r}" + describe(proc)
    assert len(lines) == 1, f"error must be one line on stderr, got {len(lines)}" + describe(proc)
    for s in must_contain:
        assert s.lower() in proc.stderr.lower(), f"error message should mention {s!r}" + describe(proc)


def list_dir(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def find_outputs(out_dir):
    """-> (npy_name, json_name) of the single {N}x{W}x{H} pair in out_dir."""
    names = list_dir(out_dir)
    npys = [n for n in names if n.endswith(".npy")]
    assert len(npys) == 1, f"expected exactly one .npy in {out_dir}, found {names}"
    m = NPY_RE.match(npys[0])
    assert m, f"npy file name {npys[0]!r} is not {{N}}x{{W}}x{{H}}.npy"
    js = npys[0][:-4] + ".json"
    assert js in names, f"recipe {js} missing next to {npys[0]} in {out_dir}: {names}"
    return npys[0], js


def read_error_file(out_dir):
    path = os.path.join(out_dir, "error_files.txt")
    assert os.path.isfile(path), f"error_files.txt must always be written, missing in {out_dir}: {list_dir(out_dir)}"
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    if not text:
        return []
    assert text.endswith("\n"), f"error_files.txt should end with a newline: {text[-80:]!r}"
    out = []
    for line in text[:-1].split("\n"):
        assert "\t" in line, f"error_files.txt line without a TAB: {line!r}"
        path_part, reason = line.split("\t", 1)
        assert reason.strip(), f"error_files.txt line has an empty reason: {line!r}"
        out.append((path_part, reason))
    return out


def np_save_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def np_save_header(arr):
    """The header np.save writes for `arr` (everything before the raw data),
    without copying the data: np.save is header + arr.tobytes() for a C-order
    float32 array."""
    buf = io.BytesIO()
    fmt = np.lib.format
    d = fmt.header_data_from_array_1_0(arr)
    if hasattr(fmt, "_write_array_header"):
        fmt._write_array_header(buf, d, None)  # what np.save uses: picks format 1.0 when it fits
    else:  # pragma: no cover
        fmt.write_array_header_1_0(buf, d)
    return buf.getvalue()


def assert_npy_like_np_save(path, arr):
    """The file at `path` must be exactly what np.save(arr) writes, where arr
    is np.load(path): np.save writes its header then the raw C-order data, and
    np.load maps that data verbatim, so equal headers + equal sizes mean
    equal bytes."""
    header = np_save_header(arr)
    with open(path, "rb") as f:
        got = f.read(len(header) + 16)
    assert got[:len(header)] == header, (
        f"npy header differs from np.save's:\n  got:     {got!r}\n  np.save: {header!r}")
    size = os.path.getsize(path)
    assert size == len(header) + arr.nbytes, \
        f"npy size {size} != np.save header {len(header)} + data {arr.nbytes}"


class Outputs:
    def __init__(self, out_dir):
        self.dir = out_dir
        self.npy_name, self.json_name = find_outputs(out_dir)
        self.npy_path = os.path.join(out_dir, self.npy_name)
        self.json_path = os.path.join(out_dir, self.json_name)
        with open(self.json_path, "rb") as f:
            self.recipe_bytes = f.read()
        self.recipe = json.loads(self.recipe_bytes.decode("utf-8"))
        # memory-mapped: np.load parses the header and maps the data verbatim
        self.array = np.load(self.npy_path, mmap_mode="r", allow_pickle=False)
        self.errors = read_error_file(out_dir)
        with open(os.path.join(out_dir, "error_files.txt"), "rb") as f:
            self.errors_bytes = f.read()
        n, w, h = (int(v) for v in NPY_RE.match(self.npy_name).groups())
        self.n, self.w, self.h = n, w, h

    @property
    def npy_bytes(self):
        with open(self.npy_path, "rb") as f:
            return f.read()

    @property
    def files(self):
        return self.recipe["files"]

    @property
    def error_rel(self):
        return [e["file"] for e in self.recipe["errors"]]

    def all_bytes(self):
        return {"npy": self.npy_bytes, "json": self.recipe_bytes, "errors": self.errors_bytes,
                "names": tuple(list_dir(self.dir))}


def first_difference(got, want):
    """Human readable description of how two float32 arrays differ."""
    if got.shape != want.shape:
        return f"shape {got.shape} != expected {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != expected {want.dtype}"
    gb = got.view(np.uint32)
    wb = want.view(np.uint32)
    diff = gb != wb
    n = int(diff.sum())
    if n == 0:
        return "identical"
    idx = tuple(int(i) for i in np.argwhere(diff)[0])
    absdiff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    return (f"{n} of {got.size} values differ (max |diff| {absdiff.max():.6g}); "
            f"first at index {idx}: got {got[idx]!r}, expected {want[idx]!r}")
