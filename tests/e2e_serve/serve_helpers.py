"""HTTP client, server process and model helpers for tests/e2e_serve."""
import http.client
import json
import os
import re
import signal
import subprocess
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
URL_LINE = re.compile(r"listening on http://([^:/]+):(\d+)/")
START_TIMEOUT_S = 30
JOB_TIMEOUT_S = 120


class Server:
    """`octet serve --port 0 ...` as a child process."""

    def __init__(self, binary, data, models_dir, *args, host="127.0.0.1"):
        self.binary, self.data, self.models_dir, self.args, self.host = binary, data, models_dir, args, host
        self.token = None
        self.start()

    def start(self):
        models = ["--models", self.models_dir] if self.models_dir is not None else []
        cmd = [self.binary, "serve", "--host", self.host, "--port", "0", "--data", self.data, *models, *self.args]
        self.log = open(self.data.rstrip("/") + ".stderr.log", "a")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        self.banner = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"octet serve exited: {self.proc.wait()} (stderr in {self.log.name})")
            self.banner.append(line)
            m = URL_LINE.search(line)
            if m:
                self.port = int(m.group(2))
                break
        else:
            raise RuntimeError("octet serve did not print its URL")
        if any(a == "--token" for a in self.args):
            self.token = self.args[list(self.args).index("--token") + 1]
        elif self.host not in ("127.0.0.1", "localhost", "::1"):
            # A token generated for a non-loopback address is printed after the URL.
            line = self.proc.stdout.readline()
            self.banner.append(line)
            m = re.match(r"token: ([0-9a-f]+) ", line)
            self.token = m.group(1) if m else None

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def restart(self):
        self.stop()
        self.start()

    # ------------------------------------------------------------------ HTTP
    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if self.token and "Authorization" not in h:
            h["Authorization"] = f"Bearer {self.token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=h)
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, data, res

    def json(self, method, path, body=None, expect=200, **kw):
        status, data, _ = self.request(method, path, body, **kw)
        payload = json.loads(data) if data else None
        assert status == expect, f"{method} {path}: HTTP {status} (expected {expect}): {data[:500]!r}"
        return payload

    def upload(self, kind, path, name=None, expect=201):
        with open(path, "rb") as f:
            data = f.read()
        from urllib.parse import quote
        return self.json("POST", f"/api/uploads?kind={kind}&name={quote(name or os.path.basename(path))}",
                         data, expect=expect, headers={"Content-Type": "application/octet-stream"})

    def declared_upload(self, kind, name, length):
        """An upload that declares `length` bytes and sends none: -> (status, JSON answer)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.putrequest("POST", f"/api/uploads?kind={kind}&name={name}")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        res = conn.getresponse()
        body = json.loads(res.read())
        conn.close()
        return res.status, body

    def submit(self, body, **kw):
        """POST /api/jobs (201) -> the new job."""
        return self.json("POST", "/api/jobs", body, expect=201, **kw)

    def convert(self, body, **kw):
        """Submits a job and waits until it finishes -> the finished job."""
        return self.wait(self.submit(body)["id"], **kw)

    def wait(self, job_id, timeout=JOB_TIMEOUT_S, until=("succeeded", "failed", "cancelled")):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.json("GET", f"/api/jobs/{job_id}")
            if job["status"] in until:
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} not finished after {timeout}s: {job}")

    def download(self, job_id, dest):
        status, data, res = self.request("GET", f"/api/jobs/{job_id}/model")
        assert status == 200, f"download: HTTP {status} {data[:300]!r}"
        with open(dest, "wb") as f:
            f.write(data)
        return res


def int8_body(model_id, calib_id, prepare=None, **int8):
    """A POST /api/jobs body: an uploaded model to INT8 with an uploaded calibration set."""
    body = {"model": {"upload": model_id}, "precision": "int8", "calibration": {"upload": calib_id}}
    if prepare is not None:
        body["calibration"]["prepare"] = prepare
    if int8:
        body["int8"] = int8
    return body


# ---------------------------------------------------------------------- models
def conv_model(path, seed, size=16, channels=8, classes=5, layers=1):
    """input [1,3,size,size] -> (Conv 3x3 + Relu) x layers -> GlobalAveragePool -> Flatten -> Gemm -> output [1,classes]."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    prev, cin = "input", 3
    for i in range(layers):
        w = (rng.standard_normal((channels, cin, 3, 3)) * (1.0 / np.sqrt(cin * 9))).astype(np.float32)
        b = (rng.standard_normal(channels) * 0.1).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Conv", [prev, f"w{i}", f"b{i}"], [f"c{i}"], pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"]))
        prev, cin = f"r{i}", channels
    fw = (rng.standard_normal((classes, channels)) * 0.5).astype(np.float32)
    fb = (rng.standard_normal(classes) * 0.1).astype(np.float32)
    inits += [numpy_helper.from_array(fw, "fw"), numpy_helper.from_array(fb, "fb")]
    nodes += [helper.make_node("GlobalAveragePool", [prev], ["gap"]),
              helper.make_node("Flatten", ["gap"], ["flat"]),
              helper.make_node("Gemm", ["flat", "fw", "fb"], ["output"], transB=1)]
    graph = helper.make_graph(nodes, "serve_test", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, classes])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def unsupported_model(path):
    """A model with an operator octet does not convert (Det)."""
    graph = helper.make_graph([helper.make_node("Det", ["input"], ["output"])], "unsupported",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 3, 3])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def write_models(d):
    ex = os.path.join(d, "examples")
    os.makedirs(ex)
    out = {"dir": ex, "example": conv_model(os.path.join(ex, "tiny_classifier.onnx"), seed=1)}
    out["conv"] = conv_model(os.path.join(d, "conv.onnx"), seed=2)
    # Slow enough (about 1 GFLOP per sample, 300 samples: seconds even on the fast kernels) that a page or a
    # client can see it calibrating and cancel it, and that a third job waits queued behind two.
    out["slow"] = conv_model(os.path.join(d, "slow.onnx"), seed=3, size=48, channels=128, layers=4)
    out["unsupported"] = unsupported_model(os.path.join(d, "unsupported.onnx"))
    with open(os.path.join(d, "malformed.onnx"), "wb") as f:
        f.write(b"this is not a protobuf model \xff\xfe")
    out["malformed"] = os.path.join(d, "malformed.onnx")
    return out


def calibration(path, count, size=16, seed=0):
    """NHWC float32 samples in [0, 1], as `octet prepare` writes them."""
    rng = np.random.default_rng(seed)
    np.save(path, rng.random((count, size, size, 3), dtype=np.float32))
    return path


# ---------------------------------------------------------------------- checks
def sqnr_db(ref, got):
    ref = ref.astype(np.float64).ravel()
    noise = ref - got.astype(np.float64).ravel()
    return float("inf") if not noise.any() else 10 * np.log10(np.sum(ref ** 2) / np.sum(noise ** 2))


def run_converted(oracle, onnx_path, tflite_path, x_nhwc, work, quant=None):
    """The .tflite in the real TFLite interpreter and the .onnx in ONNX Runtime on one input:
    -> (ort output, tflite output as float)."""
    os.makedirs(work, exist_ok=True)
    x_nchw = np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2))
    np.save(os.path.join(work, "x_nchw.npy"), x_nchw)
    ref = oracle.ort(onnx_path, [(0, os.path.join(work, "x_nchw.npy"))], os.path.join(work, "ort"))
    feed = x_nhwc
    info = oracle.inspect(tflite_path)
    in_dtype = info["inputs"][0]["dtype"]
    if quant is not None and in_dtype in ("int8", "uint8"):
        (scale, zp), _ = quant
        lo, hi = (-128, 127) if in_dtype == "int8" else (0, 255)
        feed = np.clip(np.round(x_nhwc / scale) + zp, lo, hi).astype(in_dtype)
    np.save(os.path.join(work, "x_tfl.npy"), feed)
    got = oracle.tflite(tflite_path, [(0, os.path.join(work, "x_tfl.npy"))], os.path.join(work, "tfl"))
    y = np.load(got["outputs"][0]["file"])
    if quant is not None and y.dtype in (np.int8, np.uint8):
        _, (scale, zp) = quant
        y = (y.astype(np.float32) - zp) * scale
    return np.load(ref["outputs"][0]["file"]), y
