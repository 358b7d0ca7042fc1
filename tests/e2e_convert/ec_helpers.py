"""Helpers for octet's conversion end-to-end tests (tests/e2e_convert).

- OctetRunner: runs the binary, captures text output.
- OracleServer: one long-lived `node oracle_server.mjs` driving ONNX Runtime
  and the real TFLite interpreter (tests/oracles), restarted if it dies.
- read_tflite(): a tiny read-only .tflite reader (python3-flatbuffers' Table,
  the official field ids of the TFLite schema) for operator lists, tensors
  and metadata; no generated code.
- model cache: make_models.py output, keyed by a hash of the generator.
"""
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
ORACLES = os.path.join(REPO, "tests", "oracles")
PYTHON = sys.executable or "/usr/bin/python3"
ERROR_PREFIX = "octet: error: "


# --------------------------------------------------------------------------- octet
class OctetRunner:
    def __init__(self, binary):
        self.binary = binary

    def __call__(self, *args, timeout=600, env=None, cwd=None):
        cmd = [self.binary] + [str(a) for a in args]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=cwd,
                              stdin=subprocess.DEVNULL)
        proc.seconds = time.monotonic() - t0
        proc.stdout = proc.stdout.decode("utf-8", "replace")
        proc.stderr = proc.stderr.decode("utf-8", "replace")
        proc.cmdline = " ".join(shlex.quote(c) for c in cmd)
        return proc

    def convert(self, model, out, *extra, timeout=600):
        return self("convert", model, "-o", out, *extra, timeout=timeout)


def octet_run_outputs(octet, model, feeds, out_dir, *extra, timeout=1800):
    """`octet run MODEL FEED... --out OUT_DIR --json EXTRA...` (octet's own interpreter; MODEL a .tflite, or an
    .onnx run as octet's IR). -> (proc, [(output name, float32 array)] in the model's output order, or None
    when the run failed)."""
    proc = octet("run", model, *feeds, "--out", out_dir, "--json", *extra, timeout=timeout)
    if proc.returncode != 0:
        return proc, None
    runs = json.loads(proc.stdout)["runs"]
    assert len(runs) == 1, f"one run expected, got {len(runs)}" + describe(proc)
    return proc, [(o["name"], np.load(o["files"]["dequantized"])) for o in runs[0]["outputs"]]


def compare_outputs(refs, outputs, rel):
    """refs, outputs: [(name, array)] in the same order. -> list of failure texts (empty: all agree)."""
    failures = []
    got_names = [n for n, _ in outputs]
    want_names = [n for n, _ in refs]
    if got_names != want_names:
        return [f"outputs {got_names}, want {want_names}"]
    for (name, ref), (_, got) in zip(refs, outputs):
        if list(got.shape) != list(ref.shape):
            failures.append(f"output {name!r}: shape {list(got.shape)} != {list(ref.shape)}")
            continue
        ok, err, tol, rng = compare(ref, got, rel)
        if not ok:
            failures.append(f"output {name!r}: max abs error {err:.3g} > tolerance {tol:.3g} (reference range {rng:.3g})")
    return failures


def describe(proc):
    def cut(s, n=2000):
        return s if len(s) <= n else s[:n] + f"... [{len(s) - n} more chars]"
    return (f"\n  command: {proc.cmdline}\n  exit: {proc.returncode}"
            f"\n  stdout: {cut(proc.stdout)!r}\n  stderr: {cut(proc.stderr)!r}")


def assert_ok(proc):
    assert proc.returncode == 0, "octet failed" + describe(proc)


def assert_error(proc, code, *must_contain):
    """Exit `code`; stderr is exactly one line starting with 'octet: error: '."""
    assert proc.returncode == code, f"expected exit {code}" + describe(proc)
    assert proc.stderr.strip(), "expected an error message on stderr" + describe(proc)
    lines = proc.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith(ERROR_PREFIX), f"stderr must start with {ERROR_PREFIX!r}" + describe(proc)
    assert len(lines) == 1, f"error must be one line on stderr, got {len(lines)}" + describe(proc)
    for s in must_contain:
        assert s.lower() in proc.stderr.lower(), f"error message should mention {s!r}" + describe(proc)


# --------------------------------------------------------------------------- oracles
class OracleError(RuntimeError):
    pass


class OracleServer:
    """Sends JSON requests to oracle_server.mjs, one line each way."""

    def __init__(self):
        self.proc = None
        self.stderr_path = None

    def _start(self):
        self.stderr_file = open(os.devnull, "w")
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "oracle_server.mjs")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, cwd=HERE)

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def request(self, req, timeout=600):
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            self.proc.stdin.write((json.dumps(req) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.proc = None
            raise OracleError("oracle server died before the request")
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                raise OracleError(f"oracle server timed out after {timeout}s on {req}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    code = self.proc.wait()
                    self.proc = None
                    raise OracleError(f"oracle server died (exit {code}) on {req}")
                buf += chunk
        ans = json.loads(buf.decode())
        if ans.get("fatal"):   # the server exits after such an answer: start afresh next time
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        return ans

    def tflite(self, model, inputs, out, timeout=600):
        """inputs: list of (name_or_index, npy path). -> answer dict (raises on failure)."""
        ans = self.request({"kind": "tflite", "model": os.path.abspath(model),
                            "inputs": [[k, os.path.abspath(v)] for k, v in inputs], "out": os.path.abspath(out)},
                           timeout)
        if not ans["ok"]:
            raise OracleError(f"TFLite: {ans['error']}")
        return ans

    def ort(self, model, inputs, out, timeout=600):
        ans = self.request({"kind": "ort", "model": os.path.abspath(model),
                            "inputs": [[k, os.path.abspath(v)] for k, v in inputs], "out": os.path.abspath(out)},
                           timeout)
        if not ans["ok"]:
            raise OracleError(f"ONNX Runtime: {ans['error']}")
        return ans

    def inspect(self, model, timeout=120):
        ans = self.request({"kind": "inspect", "model": os.path.abspath(model)}, timeout)
        if not ans["ok"]:
            raise OracleError(f"TFLite: {ans['error']}")
        return ans


def oracle_setup():
    """tests/oracles/setup.sh (idempotent, fast when installed)."""
    proc = subprocess.run(["bash", os.path.join(ORACLES, "setup.sh")], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"tests/oracles/setup.sh failed:\n{proc.stdout}\n{proc.stderr}")


@pytest.fixture(scope="session")
def oracle():
    """The session's OracleServer (set up once, closed at the end). A suite uses it with
    `from ec_helpers import oracle` in its conftest.py or test module."""
    oracle_setup()
    srv = OracleServer()
    yield srv
    srv.close()


# --------------------------------------------------------------------------- .tflite reading
_OP_NAMES = None


def builtin_op_names():
    """BuiltinOperator code -> name, from the TFLite schema in the repo."""
    global _OP_NAMES
    if _OP_NAMES is None:
        with open(os.path.join(REPO, "src", "tflite", "schema", "tflite.fbs")) as f:
            text = f.read()
        body = text[text.index("enum BuiltinOperator"):]
        body = body[body.index("{") + 1:body.index("}")]
        _OP_NAMES = {int(v): k for k, v in re.findall(r"([A-Z0-9_]+)\s*=\s*(-?\d+)", body)}
    return _OP_NAMES


TENSOR_TYPES = ["float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16", "complex64",
                "int8", "float64", "complex128", "uint64", "resource", "variant", "uint32", "uint16", "int4"]


def read_tflite(path_or_bytes):
    """-> dict(ops=[name per operator of subgraph 0], opcodes=[...], tensors=[{name,dtype,shape}],
    inputs=[tensor idx], outputs=[tensor idx], metadata={name: bytes}, subgraphs=N).

    Field ids (schema.fbs): Model{version 0, operator_codes 1, subgraphs 2, description 3,
    buffers 4, metadata_buffer 5, metadata 6}; OperatorCode{deprecated_builtin_code 0,
    custom_code 1, version 2, builtin_code 3}; SubGraph{tensors 0, inputs 1, outputs 2,
    operators 3, name 4}; Operator{opcode_index 0}; Tensor{shape 0, type 1, buffer 2, name 3};
    Buffer{data 0, offset 1, size 2}; Metadata{name 0, buffer 1}. A tensor's "bytes" is the size of
    its constant data (0 for activations).
    """
    import flatbuffers
    from flatbuffers import number_types as N
    from flatbuffers.table import Table

    if isinstance(path_or_bytes, (bytes, bytearray)):
        buf = bytes(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            buf = f.read()
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise ValueError("not a TFLite flatbuffer (no TFL3 identifier)")
    root = Table(buf, flatbuffers.encode.Get(N.UOffsetTFlags.packer_type, buf, 0))

    def off(t, field_id):
        return t.Offset(4 + 2 * field_id)

    def scalar(t, fid, flags, default):
        o = off(t, fid)
        return t.Get(flags, o + t.Pos) if o else default

    def string(t, fid):
        o = off(t, fid)
        return t.String(o + t.Pos).decode("utf-8", "replace") if o else None

    def tables(t, fid):
        o = off(t, fid)
        if not o:
            return []
        n = t.VectorLen(o)
        start = t.Vector(o)
        res = []
        for i in range(n):
            pos = t.Indirect(start + 4 * i)
            res.append(Table(buf, pos))
        return res

    def ints(t, fid):
        o = off(t, fid)
        if not o:
            return []
        n = t.VectorLen(o)
        start = t.Vector(o)
        return [t.Get(N.Int32Flags, start + 4 * i) for i in range(n)]

    def ubytes(t, fid):
        o = off(t, fid)
        if not o:
            return b""
        n = t.VectorLen(o)
        start = t.Vector(o)
        return bytes(buf[start:start + n])

    names = builtin_op_names()
    opcodes = []
    for oc in tables(root, 1):
        code = max(scalar(oc, 0, N.Int8Flags, 0), scalar(oc, 3, N.Int32Flags, 0))
        custom = string(oc, 1)
        opcodes.append(custom if code == 32 and custom else names.get(code, f"OP{code}"))
    subgraphs = tables(root, 2)
    sg = subgraphs[0]
    ops = [opcodes[scalar(op, 0, N.Uint32Flags, 0)] for op in tables(sg, 3)]
    buffers = tables(root, 4)

    def buffer_size(i):
        if i <= 0 or i >= len(buffers):
            return 0
        o = off(buffers[i], 0)
        return buffers[i].VectorLen(o) if o else scalar(buffers[i], 2, N.Uint64Flags, 0)

    tensors = []
    for t in tables(sg, 0):
        ty = scalar(t, 1, N.Int8Flags, 0)
        b = scalar(t, 2, N.Uint32Flags, 0)
        tensors.append({"name": string(t, 3), "dtype": TENSOR_TYPES[ty] if ty < len(TENSOR_TYPES) else f"type{ty}",
                        "shape": ints(t, 0), "buffer": b, "bytes": buffer_size(b)})
    metadata = {}
    for md in tables(root, 6):
        bi = scalar(md, 1, N.Uint32Flags, 0)
        metadata[string(md, 0)] = ubytes(buffers[bi], 0) if bi < len(buffers) else b""
    return {"ops": ops, "opcodes": opcodes, "tensors": tensors, "inputs": ints(sg, 1), "outputs": ints(sg, 2),
            "metadata": metadata, "subgraphs": len(subgraphs), "description": string(root, 3),
            "buffers": len(buffers)}


def op_counts(info):
    counts = {}
    for o in info["ops"]:
        counts[o] = counts.get(o, 0) + 1
    return counts


# --------------------------------------------------------------------------- data & comparison
def seed_of(text):
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def make_input(spec, key):
    """Random input for an input spec of make_models' manifest (fixed seed per model+input)."""
    rng = np.random.default_rng(seed_of(f"{key}/{spec['name']}"))
    shape = spec["shape"]
    kind = spec.get("data", "normal")
    dtype = np.dtype(spec["dtype"])
    if dtype.kind in "iu":
        return rng.integers(0, 4, size=shape).astype(dtype)
    if kind == "positive":
        a = rng.uniform(0.5, 2.0, size=shape)
    elif kind.startswith("unit"):
        k = float(kind[4:] or 1)
        a = rng.uniform(-k, k, size=shape)
    elif kind.startswith("normal"):
        k = float(kind[6:] or 1)
        a = rng.standard_normal(size=shape) * k
    else:
        raise ValueError(f"unknown data kind {kind!r}")
    return a.astype(dtype)


def compare(ref, got, rel):
    """-> (ok, max_abs_err, tolerance, range). tolerance = rel * max(1, range of ref)."""
    ref = np.asarray(ref)
    got = np.asarray(got)
    if ref.size == 0:
        return (got.size == 0), 0.0, 0.0, 0.0
    r = ref.astype(np.float64)
    g = got.astype(np.float64)
    finite = np.isfinite(r)
    rng = float(r[finite].max() - r[finite].min()) if finite.any() else 0.0
    tol = rel * max(1.0, rng)
    # non-finite reference values must be matched exactly (inf == inf, nan <-> nan)
    same_nonfinite = np.array_equal(np.isnan(r), np.isnan(g)) and np.array_equal(r[np.isinf(r)], g[np.isinf(r)])
    err = float(np.max(np.abs(r[finite] - g[finite]))) if finite.any() else 0.0
    if not np.isfinite(err):
        err = float("inf")
    return bool(same_nonfinite and err <= tol), err, tol, rng


def nchw_to_nhwc(a):
    return np.ascontiguousarray(np.transpose(a, (0, 2, 3, 1)))


# --------------------------------------------------------------------------- model cache
def generator_hash():
    h = hashlib.sha256()
    for name in ("make_models.py",):
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    try:
        import onnx
        h.update(onnx.__version__.encode())
    except Exception:
        pass
    lock = os.path.join(ORACLES, "package-lock.json")
    if os.path.isfile(lock):
        with open(lock, "rb") as f:
            h.update(f.read())   # the ONNX Runtime references depend on it too
    return h.hexdigest()[:16]


def cache_dir():
    root = os.environ.get("OCTET_E2E_CACHE") or os.path.join(REPO, "build", "e2e_convert_cache")
    d = os.path.join(root, generator_hash())
    if not os.path.isdir(d):
        # a new generator: drop the models of the old ones (~0.9 GB each with the torchvision exports)
        for old in (os.listdir(root) if os.path.isdir(root) else []):
            if re.fullmatch(r"[0-9a-f]{16}", old):
                shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    os.makedirs(d, exist_ok=True)
    return d


def ensure_tiny(cache):
    d = os.path.join(cache, "tiny")
    if not os.path.isfile(os.path.join(d, "manifest.json")):
        tmp = cache + f"/.tiny-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        proc = subprocess.run([PYTHON, os.path.join(HERE, "make_models.py"), tmp, "--tiny"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"make_models.py --tiny failed:\n{proc.stdout}\n{proc.stderr}")
        try:
            os.rename(os.path.join(tmp, "tiny"), d)
        except OSError:   # another run made it meanwhile
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(d, "manifest.json")) as f:
        return d, json.load(f)


def ensure_torchvision(cache, variant, timeout=1200):
    d = os.path.join(cache, "tv", variant)
    if not os.path.isfile(os.path.join(d, "meta.json")):
        proc = subprocess.run([PYTHON, os.path.join(HERE, "make_models.py"), cache, "--torchvision", variant],
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"make_models.py --torchvision {variant} failed:\n{proc.stdout}\n{proc.stderr[-4000:]}")
    with open(os.path.join(d, "meta.json")) as f:
        return d, json.load(f)


def torchvision_variants():
    """[(variant, slow)] without importing torch (parsed by make_models --list)."""
    sys.path.insert(0, HERE)
    import make_models
    return [(v[0], v[4]) for v in make_models.variants()]


def reference(oracle, cache, kind, name, model_path, inputs):
    """ONNX Runtime outputs for `inputs` ({onnx input name: array}), cached.

    -> (input files {name: path}, [(output name, array)]) in the model's output order."""
    d = os.path.join(cache, "ref", kind, name)
    done = os.path.join(d, "done.json")
    if not os.path.isfile(done):
        tmp = d + f".tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.join(tmp, "in"))
        files = {}
        for i, (k, v) in enumerate(inputs.items()):
            files[k] = os.path.join("in", f"{i}.npy")
            np.save(os.path.join(tmp, files[k]), v)
        ans = oracle.ort(model_path, [(k, os.path.join(tmp, f)) for k, f in files.items()], os.path.join(tmp, "out"))
        outs = [[o["name"], os.path.relpath(o["file"], tmp)] for o in ans["outputs"]]
        with open(os.path.join(tmp, "done.json"), "w") as f:
            json.dump({"inputs": files, "outputs": outs}, f)
        try:
            os.rename(tmp, d)
        except OSError:   # another run won the race: use its files
            shutil.rmtree(tmp, ignore_errors=True)
    with open(done) as f:
        meta = json.load(f)
    files = {k: os.path.join(d, v) for k, v in meta["inputs"].items()}
    return files, [(n, np.load(os.path.join(d, p))) for n, p in meta["outputs"]]


# --------------------------------------------------------------------------- conversions ahead of the tests
class Prefetcher:
    """Runs `fn(*args)` for the selected tests of a module ahead of them, on a few threads
    (octet's start-up dominates a tiny conversion; the oracle runs stay serial in the tests).
    get(key, *args) returns the result, computing it now if it was not submitted."""

    def __init__(self, fn, workers=None):
        from concurrent.futures import ThreadPoolExecutor
        self.fn = fn
        self.pool = ThreadPoolExecutor(max_workers=workers or max(2, os.cpu_count() or 2))
        self.futures = {}

    def submit(self, key, *args):
        if key not in self.futures:
            self.futures[key] = self.pool.submit(self.fn, *args)

    def get(self, key, *args):
        self.submit(key, *args)
        return self.futures.pop(key).result()

    def close(self):
        for f in self.futures.values():
            f.cancel()
        self.pool.shutdown(wait=True)


def selected_params(request, module_file, func_name):
    """callspec params of the selected tests `func_name` of `module_file`, in run order."""
    out = []
    for item in request.session.items:
        if getattr(item, "originalname", None) == func_name and str(item.fspath) == module_file \
                and hasattr(item, "callspec"):
            out.append(item.callspec.params)
    return out


def fp16_rounded_model(src, dst):
    """Copy of the ONNX model `src` whose float32 constants (initializers and Constant nodes,
    scalars excepted, as octet keeps them) are rounded to float16 and back: ONNX Runtime on it
    is the reference for what a float16-weights conversion can achieve."""
    import onnx
    from onnx import numpy_helper

    def rounded(t):
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32 and a.size > 1:
            t.CopyFrom(numpy_helper.from_array(a.astype(np.float16).astype(np.float32), t.name))

    m = onnx.load(src)
    for init in m.graph.initializer:
        rounded(init)
    for n in m.graph.node:
        if n.op_type == "Constant":
            for at in n.attribute:
                if at.name == "value":
                    rounded(at.t)
    onnx.save(m, dst)
