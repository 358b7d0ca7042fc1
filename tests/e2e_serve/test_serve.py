"""`octet serve` over real HTTP on loopback: the FP32 and INT8 flows (results
run in the real TFLite interpreter against ONNX Runtime), upload limits (413),
bad inputs, cancellation, restart persistence and concurrent clients."""
import concurrent.futures
import io
import json
import os
import signal
import subprocess
import tarfile
import time
import zipfile

import cv2
import numpy as np
import pytest

import serve_helpers as S

FP32_SQNR_DB = 80     # float32 conversion: only rounding-order differences
INT8_SQNR_DB = 20     # tiny conv net, int8 against float (ONNX Runtime)
CONCURRENT_CLIENTS = 8


def quant_of(job):
    """((input scale, zero point), (output scale, zero point)) from the job's inspect result."""
    ins = job["result"]["inspect"]["inputs"][0]["quantization_parameters"]
    outs = job["result"]["inspect"]["outputs"][0]["quantization_parameters"]
    return (ins["scales"][0], ins["zero_points"][0]), (outs["scales"][0], outs["zero_points"][0])


def cli_error(octet_bin, *args):
    """The one-line error the CLI prints for the same input (without its 'octet: error: ' prefix)."""
    proc = subprocess.run([octet_bin, *map(str, args)], capture_output=True, text=True)
    assert proc.returncode != 0, proc
    line = proc.stderr.strip().splitlines()[0]
    assert line.startswith("octet: error: ")
    return line[len("octet: error: "):]


# ------------------------------------------------------------------------ page and metadata
def test_page_and_options(server, models):
    status, body, res = server.request("GET", "/")
    assert status == 200 and res.getheader("Content-Type").startswith("text/html")
    assert b"app.js" in body
    for asset in ("/app.js", "/style.css"):
        assert server.request("GET", asset)[0] == 200
    opts = server.json("GET", "/api/options")
    assert opts["precisions"] == ["float32", "float16", "int8"]
    assert opts["limits"]["calibration_bytes"] == 16_000_000
    listed = server.json("GET", "/api/models")["models"]
    assert [m["name"] for m in listed] == ["tiny_classifier.onnx"]
    assert server.json("GET", "/api/nope", expect=404)["error"]


# ------------------------------------------------------------------------ FP32 and INT8 flows
def test_fp32_flow(server, models, oracle, tmp_path):
    up = server.upload("model", models["conv"])
    assert up["name"] == "conv.onnx" and up["bytes"] == os.path.getsize(models["conv"])
    job = server.submit({"model": {"upload": up["id"]}, "precision": "float32"})
    assert job["status"] in ("queued", "running") and job["settings"]["device"] == "generic-cpu"
    job = server.wait(job["id"])
    assert job["status"] == "succeeded", job["error"]
    res = job["result"]
    assert res["artifact"]["file"] == "conv.tflite"
    assert res["inspect"]["inputs"][0]["shape"] == [1, 16, 16, 3]
    assert res["inspect"]["inputs"][0]["dtype"] == "float32"
    assert res["report"]["ops"]["CONV_2D"] == 1
    assert "conv.tflite" in res["snippets"]["python"] and "octet::Model::load" in res["snippets"]["cpp"]
    path = tmp_path / "conv.tflite"
    r = server.download(job["id"], path)
    assert 'filename="conv.tflite"' in r.getheader("Content-Disposition")
    assert os.path.getsize(path) == res["artifact"]["bytes"]
    x = np.random.default_rng(5).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["conv"], str(path), x, str(tmp_path / "run"))
    assert S.sqnr_db(ref, got) > FP32_SQNR_DB
    report = server.json("GET", f"/api/jobs/{job['id']}/report")
    assert report["options"]["dtype"] == "float32"


def test_example_model_fp16(server, models, oracle, tmp_path):
    job = server.convert({"model": {"example": "tiny_classifier.onnx"}, "precision": "float16"})
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["artifact"]["file"] == "tiny_classifier_fp16.tflite"
    path = tmp_path / "m.tflite"
    server.download(job["id"], path)
    x = np.random.default_rng(6).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["example"], str(path), x, str(tmp_path / "run"))
    assert S.sqnr_db(ref, got) > 40  # float16 weights


def test_int8_flow_npy(server, models, oracle, tmp_path):
    up = server.upload("model", models["conv"])
    calib = server.upload("calibration", S.calibration(str(tmp_path / "calib.npy"), 40))
    job = server.submit(S.int8_body(up["id"], calib["id"], calib_method="percentile"))
    assert job["settings"]["int8"]["input_type"] == "int8"
    job = server.wait(job["id"])
    assert job["status"] == "succeeded", job["error"]
    res = job["result"]
    assert res["artifact"]["file"] == "conv_int8.tflite"
    assert res["report"]["calibration"]["method"] == "percentile"
    assert res["report"]["accuracy"]["held_out"] is True
    assert job["summary"]["sqnr_db_median"][0] > INT8_SQNR_DB
    assert res["inspect"]["inputs"][0]["dtype"] == "int8" and res["inspect"]["full_integer"] is True
    path = tmp_path / "int8.tflite"
    server.download(job["id"], path)
    x = np.random.default_rng(7).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["conv"], str(path), x, str(tmp_path / "run"), quant=quant_of(job))
    assert S.sqnr_db(ref, got) > INT8_SQNR_DB


def write_image_zip(path, count):
    rng = np.random.default_rng(11)
    with zipfile.ZipFile(path, "w") as z:
        for i in range(count):
            img = (rng.random((20 + i, 24, 3)) * 255).astype(np.uint8)
            ok, png = cv2.imencode(".png", img)
            assert ok
            z.writestr(f"photos/img_{i:02d}.png", png.tobytes())
        z.writestr("photos/notes.jpg", b"not an image")   # lands in error_files.txt
        z.writestr("../../escape.png", png.tobytes())      # a hostile path: unpacked inside, renamed
    return path


def test_int8_flow_image_archive(server, models, oracle, tmp_path):
    up = server.upload("model", models["conv"])
    images = server.upload("images", write_image_zip(str(tmp_path / "images.zip"), 12))
    job = server.convert(S.int8_body(up["id"], images["id"], prepare={"width": 16, "height": 16, "color": "rgb"}))
    assert job["status"] == "succeeded", job["error"]
    prep = job["result"]["prepare"]
    assert prep["saved"] == 13 and prep["failed"] == 1 and prep["shape"] == [13, 16, 16, 3]
    assert len(prep["error_files"]) == 1 and prep["error_files"][0].startswith("000012_notes.jpg\t")
    assert not os.path.exists(os.path.join(server.data, "..", "escape.png"))
    assert not os.path.exists(os.path.join(os.path.dirname(server.data), "escape.png"))
    assert job["result"]["report"]["calibration"]["data"][0]["recipe"]["preprocess"]["color"] == "rgb"
    path = tmp_path / "img_int8.tflite"
    server.download(job["id"], path)
    x = np.random.default_rng(8).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["conv"], str(path), x, str(tmp_path / "run"), quant=quant_of(job))
    assert S.sqnr_db(ref, got) > INT8_SQNR_DB - 5  # 12 random images calibrate less well than 40 samples


# ------------------------------------------------------------------------ limits (413)
def test_413_declared_length(server):
    """A Content-Length over the limit is refused before the body is sent."""
    status, body = server.declared_upload("calibration", "big.npy", 600_000_000)
    assert status == 413
    assert "big.npy" in body["error"] and "limit" in body["error"]


def test_413_while_streaming(server):
    """A chunked body (no declared length) is cut at the limit as it arrives; nothing is kept."""
    import http.client
    before = set(os.listdir(os.path.join(server.data, "uploads")))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.putrequest("POST", "/api/uploads?kind=calibration&name=stream.npy")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"\x93NUMPY" + b"\0" * (1024 * 1024 - 6)
    for _ in range(17):  # 17 MiB > the 16 MB limit
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    res = conn.getresponse()
    body = json.loads(res.read())
    conn.close()
    assert res.status == 413, body
    assert "limit of 16.0 MB (16000000 bytes)" in body["error"]
    assert set(os.listdir(os.path.join(server.data, "uploads"))) == before


# ------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("query,fragment", [
    ("kind=weights&name=m.onnx", "kind 'weights'"),
    ("kind=model&name=m.pt", "must end in .onnx, .tflite"),
    ("kind=calibration&name=c.csv", "must end in .npy"),
    ("kind=model", "name: required"),
])
def test_bad_upload_requests(server, query, fragment):
    err = server.json("POST", f"/api/uploads?{query}", b"x", expect=400)["error"]
    assert fragment in err


def test_bad_upload_contents(server, tmp_path):
    p = tmp_path / "c.npy"
    p.write_bytes(b"PK\3\4 not numpy")
    assert "not a NumPy .npy" in server.upload("calibration", str(p), expect=400)["error"]
    q = tmp_path / "m.tflite"
    q.write_bytes(b"\0" * 64)
    assert "not a TFLite model" in server.upload("model", str(q), expect=400)["error"]


def test_upload_names_are_sanitised(server, models):
    up = server.upload("model", models["conv"], name="../../../etc/evil name$.onnx")
    assert up["name"] == "evil_name_.onnx"
    stored = os.path.join(server.data, "uploads", up["id"], "evil_name_.onnx")
    assert os.path.isfile(stored)


def test_bad_job_requests(server, models, tmp_path):
    up = server.upload("model", models["conv"])
    calib = server.upload("calibration", S.calibration(str(tmp_path / "c.npy"), 4))
    cases = [
        (b"{not json", "not valid JSON"),
        ({"model": {"upload": up["id"]}, "precison": "int8"}, "unknown field 'precison'"),
        ({"model": {"upload": up["id"]}, "precision": "int4"}, "precision"),
        ({"model": {"upload": up["id"]}, "precision": "int8"}, "calibration: required"),
        ({"model": {"upload": "0123456789abcdef"}}, "no upload '0123456789abcdef'"),
        ({"model": {"example": "nope.onnx"}}, "no example model 'nope.onnx'"),
        ({"model": {"upload": calib["id"]}}, "is a calibration upload, expected model"),
        ({"model": {"upload": up["id"]}, "calibration": {"upload": calib["id"]}}, "only with \"precision\": \"int8\""),
        ({"model": {"upload": up["id"]}, "precision": "int8", "calibration": {"upload": calib["id"]},
          "int8": {"calib_method": "magic"}}, "int8.calib_method"),
        ({"model": {"upload": up["id"]}, "input_shapes": ["input:1xAx3"]}, "input"),
    ]
    for body, fragment in cases:
        err = server.json("POST", "/api/jobs", body, expect=400)["error"]
        assert fragment in err, (body, err)
        assert "\n" not in err


def bad_calibration(path, case):
    """A calibration .npy the CLI refuses: the wrong input size, the wrong dtype, a cut-off file."""
    if case == "calibration_shape":
        return S.calibration(path, 4, size=12)
    S.calibration(path, 4)
    if case == "calibration_dtype":
        np.save(path, np.load(path).astype(np.int64))
    elif case == "calibration_truncated":
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
    return path


@pytest.mark.parametrize("case", ["malformed", "unsupported", "calibration_shape", "calibration_dtype",
                                  "calibration_truncated"])
def test_conversion_failures_match_cli(server, models, octet_bin, tmp_path, case):
    """A failure the CLI reports reaches the job record as the same message."""
    model = models[case if case in ("malformed", "unsupported") else "conv"]
    up = server.upload("model", model)
    body = {"model": {"upload": up["id"]}}
    cli = ["convert", model, "-o", tmp_path / "cli.tflite"]
    if case.startswith("calibration"):
        npy = bad_calibration(str(tmp_path / "bad.npy"), case)
        calib = server.upload("calibration", npy)
        body = S.int8_body(up["id"], calib["id"])
        cli += ["--int8", "--calib", npy]
    job = server.convert(body)
    assert job["status"] == "failed"
    # The CLI names a file as given (its path here); the job names it as uploaded (its file name).
    expected = cli_error(octet_bin, *cli).replace(str(model), os.path.basename(model))
    if case.startswith("calibration"):
        expected = expected.replace(npy, "bad.npy")
    assert job["error"] == expected
    assert server.json("GET", f"/api/jobs/{job['id']}/model", expect=409)["error"]


# ------------------------------------------------------------------------ cancel, delete
def slow_job(server, models, tmp_path, samples=300):
    up = server.upload("model", models["slow"])
    calib = server.upload("calibration", S.calibration(str(tmp_path / f"slow{samples}.npy"), samples, size=48))
    return server.submit(S.int8_body(up["id"], calib["id"]))


def test_cancel_running_and_queued(server, models, tmp_path):
    jobs = [slow_job(server, models, tmp_path) for _ in range(3)]  # two workers: the third waits
    running = server.wait(jobs[0]["id"], until=("running",), timeout=30)
    queued = server.json("GET", f"/api/jobs/{jobs[2]['id']}")
    assert queued["status"] == "queued"
    assert server.json("POST", f"/api/jobs/{jobs[2]['id']}/cancel")["status"] == "cancelled"
    # Wait until calibration is under way, then cancel.
    deadline = time.monotonic() + 60
    while server.json("GET", f"/api/jobs/{running['id']}")["stage"] != "calibrating":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.json("POST", f"/api/jobs/{jobs[0]['id']}/cancel")
    done = server.wait(jobs[0]["id"], timeout=30)
    assert done["status"] == "cancelled" and done["error"] == "cancelled by the user"
    assert server.json("POST", f"/api/jobs/{jobs[0]['id']}/cancel", expect=409)["error"]
    # A running job cannot be deleted; a finished one can, with its artifacts.
    assert "cancel it first" in server.json("DELETE", f"/api/jobs/{jobs[1]['id']}", expect=409)["error"]
    server.json("POST", f"/api/jobs/{jobs[1]['id']}/cancel")
    server.wait(jobs[1]["id"], timeout=30)
    for j in jobs:
        server.json("DELETE", f"/api/jobs/{j['id']}")
        server.json("GET", f"/api/jobs/{j['id']}", expect=404)
        assert not os.path.exists(os.path.join(server.data, "jobs", j["id"]))


# ------------------------------------------------------------------------ restart persistence
def test_restart_keeps_finished_jobs_and_fails_interrupted(octet_bin, models, tmp_path):
    srv = S.Server(octet_bin, str(tmp_path / "data"), models["dir"], "--workers", "1")
    try:
        # The default limit is LaunchX's 500 MB, refused from the declared length.
        status, body = srv.declared_upload("calibration", "huge.npy", 500_000_001)
        assert status == 413 and "500.0 MB (500000000 bytes)" in body["error"]

        up = srv.upload("model", models["conv"])
        done = srv.convert({"model": {"upload": up["id"]}})
        assert done["status"] == "succeeded"
        before = srv.request("GET", f"/api/jobs/{done['id']}/model")[1]
        slow = slow_job(srv, models, tmp_path, samples=400)
        srv.wait(slow["id"], until=("running",), timeout=30)
        srv.stop(signal.SIGKILL)  # no chance to clean up
        srv.start()
        assert "1 interrupted job(s) marked failed" in srv.banner[-1]
        again = srv.json("GET", f"/api/jobs/{done['id']}")
        assert again["status"] == "succeeded" and again["result"] == done["result"]
        assert srv.request("GET", f"/api/jobs/{done['id']}/model")[1] == before
        interrupted = srv.json("GET", f"/api/jobs/{slow['id']}")
        assert interrupted["status"] == "failed" and interrupted["error"].startswith("interrupted")
        listed = {j["id"]: j["status"] for j in srv.json("GET", "/api/jobs")["jobs"]}
        assert listed == {done["id"]: "succeeded", slow["id"]: "failed"}
        # A graceful stop (SIGTERM) fails the running job itself, with the same reason.
        slow2 = slow_job(srv, models, tmp_path, samples=400)
        srv.wait(slow2["id"], until=("running",), timeout=30)
        srv.restart()
        j = srv.json("GET", f"/api/jobs/{slow2['id']}")
        assert j["status"] == "failed" and j["error"].startswith("interrupted")
    finally:
        srv.stop()


# ------------------------------------------------------------------------ token
def test_token_required_when_set(octet_bin, models, tmp_path):
    srv = S.Server(octet_bin, str(tmp_path / "data"), models["dir"], "--token", "s3cret")
    try:
        status, body, _ = srv.request("GET", "/api/jobs", headers={"Authorization": "Bearer wrong"})
        assert status == 401 and "token" in json.loads(body)["error"]
        assert srv.request("GET", "/api/jobs?token=s3cret", headers={"Authorization": "x"})[0] == 200
        assert srv.json("GET", "/api/jobs")["jobs"] == []
        assert srv.request("GET", "/", headers={"Authorization": "x"})[0] == 200  # the page itself holds no data
    finally:
        srv.stop()
    # Any address other than loopback gets a generated token, printed with the URL the page reads it from.
    srv = S.Server(octet_bin, str(tmp_path / "data2"), models["dir"], host="0.0.0.0")
    try:
        assert srv.token and len(srv.token) == 32 and f"/#token={srv.token}" in srv.banner[-1]
        assert srv.request("GET", "/api/health", headers={"Authorization": ""})[0] == 401
        assert srv.json("GET", "/api/health")["ok"] is True
    finally:
        srv.stop()


# ------------------------------------------------------------------------ concurrency
def test_eight_concurrent_clients(server, models, oracle, tmp_path):
    """8 clients upload distinct models (and calibration), convert FP32 or INT8 at once; every result is theirs."""
    def client(i):
        d = tmp_path / f"client{i}"
        d.mkdir()
        model = S.conv_model(str(d / f"net{i}.onnx"), seed=100 + i)
        up = server.upload("model", model)
        body = {"model": {"upload": up["id"]}}
        if i % 2:
            calib = server.upload("calibration", S.calibration(str(d / "calib.npy"), 20, seed=i))
            body.update({"precision": "int8", "calibration": {"upload": calib["id"]}})
        job = server.convert(body, timeout=180)
        assert job["status"] == "succeeded", job["error"]
        out = d / "out.tflite"
        server.download(job["id"], out)
        return i, model, str(out), job

    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        results = list(pool.map(client, range(CONCURRENT_CLIENTS)))
    assert len({r[3]["id"] for r in results}) == CONCURRENT_CLIENTS
    x = np.random.default_rng(9).random((1, 16, 16, 3), dtype=np.float32)
    for i, model, out, job in results:
        assert job["result"]["report"]["source"]["file"] == f"net{i}.onnx"
        quant = quant_of(job) if i % 2 else None
        ref, got = S.run_converted(oracle, model, out, x, str(tmp_path / f"run{i}"), quant=quant)
        assert S.sqnr_db(ref, got) > (INT8_SQNR_DB if i % 2 else FP32_SQNR_DB), f"client {i}"


def test_too_large_prepared_dataset_matches_cli(server, models, octet_bin, tmp_path):
    """Images whose prepared array would pass --max-calib-size fail before any work, as `octet prepare` does."""
    zip_path = write_image_zip(str(tmp_path / "images.zip"), 12)
    up = server.upload("model", models["conv"])
    images = server.upload("images", zip_path)
    job = server.convert(S.int8_body(up["id"], images["id"], prepare={"width": 640, "height": 640}))
    assert job["status"] == "failed"
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(unpacked)   # zipfile drops the '..' components
    expected = cli_error(octet_bin, "prepare", unpacked, "-o", tmp_path / "out", "--size", "640x640",
                         "--max-bytes", "16MB")
    strip = lambda s: s.split(": ", 1)[1]   # the folder's path differs
    assert strip(job["error"]) == strip(expected)
    assert "over the 16.0 MB limit" in job["error"]
    assert job["error"].startswith("images.zip: ")   # the archive, as the user named it


def test_cross_origin_requests_refused(server):
    """Another web page cannot drive the API through the user's browser (CSRF, DNS rebinding)."""
    origin = f"http://127.0.0.1:{server.port}"
    status, body, _ = server.request("POST", "/api/jobs", {"model": {"example": "tiny_classifier.onnx"}},
                                     headers={"Origin": "http://evil.example"})
    assert status == 403 and "cross-origin request from 'http://evil.example' refused" in json.loads(body)["error"]
    status, body, _ = server.request("GET", "/api/jobs", headers={"Host": f"evil.example:{server.port}"})
    assert status == 403 and "loopback only" in json.loads(body)["error"]
    # The server's own page (same origin) is served.
    job = server.submit({"model": {"example": "tiny_classifier.onnx"}}, headers={"Origin": origin})
    assert server.wait(job["id"])["status"] == "succeeded"


def test_float_tflite_source_to_int8(server, models, oracle, tmp_path):
    """A float .tflite (here: the server's own FP32 result) is a model too, quantized to INT8."""
    up = server.upload("model", models["conv"])
    fp32 = server.convert({"model": {"upload": up["id"]}})
    path = tmp_path / "conv_float.tflite"
    server.download(fp32["id"], path)
    up2 = server.upload("model", str(path))
    calib = server.upload("calibration", S.calibration(str(tmp_path / "c.npy"), 30, seed=4))
    job = server.convert(S.int8_body(up2["id"], calib["id"]))
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["report"]["source"]["format"] == "tflite"
    assert job["result"]["artifact"]["file"] == "conv_float_int8.tflite"
    out = tmp_path / "int8.tflite"
    server.download(job["id"], out)
    x = np.random.default_rng(13).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["conv"], str(out), x, str(tmp_path / "run"), quant=quant_of(job))
    assert S.sqnr_db(ref, got) > INT8_SQNR_DB


def test_cpp_snippet_compiles_and_runs(server, models, oracle, tmp_path):
    """The C++ inference snippet of an INT8 job builds against octet's API and agrees with the real TFLite."""
    lib = os.path.abspath(os.environ.get("OCTET_API_LIB", os.path.join(os.path.dirname(server.binary), "liboctet_api.so")))
    if not os.path.isfile(lib):
        pytest.fail(f"{lib} not found (build the octet_api target, or set OCTET_API_LIB)")
    repo = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    up = server.upload("model", models["conv"])
    calib = server.upload("calibration", S.calibration(str(tmp_path / "c.npy"), 30, seed=5))
    job = server.convert(S.int8_body(up["id"], calib["id"]))
    assert job["status"] == "succeeded", job["error"]
    server.download(job["id"], tmp_path / "conv_int8.tflite")
    (tmp_path / "snippet.cpp").write_text(job["result"]["snippets"]["cpp"])
    build = subprocess.run(["c++", "-std=c++20", "-Wall", "-Werror", "-I", os.path.join(repo, "include"),
                            str(tmp_path / "snippet.cpp"), lib, f"-Wl,-rpath,{os.path.dirname(lib)}",
                            "-o", str(tmp_path / "snippet")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp_path / "snippet")], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    best = int(run.stdout.split()[1])
    # The same input (0.5 everywhere) in the real TFLite interpreter.
    (in_scale, in_zp), (out_scale, out_zp) = quant_of(job)
    x = np.clip(np.round(np.full((1, 16, 16, 3), 0.5) / in_scale) + in_zp, -128, 127).astype(np.int8)
    np.save(tmp_path / "x.npy", x)
    ans = oracle.tflite(str(tmp_path / "conv_int8.tflite"), [(0, str(tmp_path / "x.npy"))], str(tmp_path / "tfl"))
    y = (np.load(ans["outputs"][0]["file"]).astype(np.float32) - out_zp) * out_scale
    assert best == int(np.argmax(y)), (run.stdout, y)
    assert float(run.stdout.split("(")[1].rstrip(")\n")) == pytest.approx(float(y.max()), abs=1e-6)


def test_port_in_use_is_an_error(server, octet_bin, models, tmp_path):
    proc = subprocess.run([octet_bin, "serve", "--port", str(server.port), "--data", str(tmp_path / "d"),
                           "--models", models["dir"]], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"octet: error: cannot listen on 127.0.0.1:{server.port} (in use, or not an address of this machine)"
