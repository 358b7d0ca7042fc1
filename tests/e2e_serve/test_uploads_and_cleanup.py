"""`octet serve`: uploads are listed and deleted (refused while a queued or running job uses
them), deleting jobs and uploads leaves no file behind, leftovers of a killed server are swept at
start, and the example models are found next to an installed binary."""
import os
import shutil
import subprocess

import serve_helpers as S
from test_serve import slow_job, write_image_zip


def test_uploads_listed_and_deleted(server, models, tmp_path):
    job = slow_job(server, models, tmp_path, samples=300)
    model_id, calib_id = job["settings"]["model"]["upload"], job["settings"]["calibration"]["upload"]
    listed = {u["id"]: u for u in server.json("GET", "/api/uploads")["uploads"]}
    assert listed[model_id]["kind"] == "model" and listed[model_id]["name"] == "slow.onnx"
    assert listed[calib_id]["kind"] == "calibration" and listed[calib_id]["bytes"] > 0
    assert listed[calib_id]["active_jobs"] == [job["id"]]
    # In use by a queued or running job: refused, nothing removed.
    err = server.json("DELETE", f"/api/uploads/{calib_id}", expect=409)["error"]
    assert err == (f"upload '{calib_id}' (slow300.npy): in use by job {job['id']} (queued or running); "
                   "cancel it or wait until it finishes")
    assert os.path.isdir(os.path.join(server.data, "uploads", calib_id))
    server.json("POST", f"/api/jobs/{job['id']}/cancel")
    assert server.wait(job["id"], timeout=60)["status"] == "cancelled"
    # Finished: the upload and its folder go; the finished job stays.
    assert server.json("DELETE", f"/api/uploads/{calib_id}") == {"deleted": calib_id}
    assert not os.path.exists(os.path.join(server.data, "uploads", calib_id))
    assert calib_id not in {u["id"] for u in server.json("GET", "/api/uploads")["uploads"]}
    assert server.json("DELETE", f"/api/uploads/{calib_id}", expect=404)["error"] == \
        f"upload '{calib_id}': no such upload"
    assert server.json("GET", f"/api/jobs/{job['id']}")["status"] == "cancelled"
    err = server.json("POST", "/api/jobs", S.int8_body(model_id, calib_id), expect=400)["error"]
    assert err == f"calibration.upload: no upload '{calib_id}' (POST /api/uploads first)"
    server.json("DELETE", f"/api/uploads/{model_id}")
    server.json("DELETE", f"/api/jobs/{job['id']}")


def test_deleting_everything_leaves_no_files(octet_bin, models, tmp_path):
    """Jobs of every outcome and their uploads, deleted through the API: the data folder keeps only
    the database. Folders a killed server left behind are removed at the next start."""
    data = tmp_path / "data"
    srv = S.Server(octet_bin, str(data), models["dir"], "--workers", "1")
    try:
        up = srv.upload("model", models["conv"])
        images = srv.upload("images", write_image_zip(str(tmp_path / "images.zip"), 6))
        bad = srv.upload("model", models["unsupported"])
        done = [srv.convert({"model": {"upload": up["id"]}}),
                srv.convert(S.int8_body(up["id"], images["id"], prepare={"width": 16, "height": 16})),
                srv.convert({"model": {"upload": bad["id"]}})]
        assert [j["status"] for j in done] == ["succeeded", "succeeded", "failed"]
        running = slow_job(srv, models, tmp_path, samples=300)
        queued = srv.submit({"model": {"upload": up["id"]}})
        for j in (queued, running):
            srv.json("POST", f"/api/jobs/{j['id']}/cancel")
            assert srv.wait(j["id"], timeout=60)["status"] == "cancelled"
        for j in srv.json("GET", "/api/jobs")["jobs"]:
            srv.json("DELETE", f"/api/jobs/{j['id']}")
        for u in srv.json("GET", "/api/uploads")["uploads"]:
            srv.json("DELETE", f"/api/uploads/{u['id']}")
        assert os.listdir(data / "jobs") == [] and os.listdir(data / "uploads") == []
        # As a server killed mid-upload or mid-delete leaves them: folders without a record.
        (data / "uploads" / "0123456789abcdef").mkdir()
        (data / "uploads" / "0123456789abcdef" / "big.npy.part").write_bytes(b"\x93NUMPY")
        (data / "jobs" / "fedcba9876543210").mkdir()
        (data / "jobs" / "not-an-id").mkdir()  # not the server's: left alone
        srv.restart()
        assert "2 leftover folder(s) removed" in srv.banner[-1]
        assert os.listdir(data / "uploads") == [] and os.listdir(data / "jobs") == ["not-an-id"]
    finally:
        srv.stop()


def test_example_models_found_next_to_the_installed_binary(octet_bin, tmp_path):
    """`cmake --install` puts examples/models in share/octet/models, where the installed binary
    finds them without --models; a binary in the build tree finds the source tree's."""
    build = os.path.dirname(os.path.abspath(octet_bin))
    prefix = tmp_path / "prefix"
    proc = subprocess.run([shutil.which("cmake") or "cmake", "--install", build, "--prefix", str(prefix)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed_models = prefix / "share" / "octet" / "models"
    assert sorted(os.listdir(installed_models)) == ["digits_cnn.onnx"]
    for i, (binary, where) in enumerate(((str(prefix / "bin" / "octet"), str(installed_models)),
                          (octet_bin, os.path.join(S.REPO, "examples", "models")))):
        srv = S.Server(binary, str(tmp_path / f"data{i}"), None)
        try:
            assert f"octet serve: example models from {where}\n" in srv.banner
            assert [m["name"] for m in srv.json("GET", "/api/models")["models"]] == ["digits_cnn.onnx"]
            job = srv.convert({"model": {"example": "digits_cnn.onnx"}})
            assert job["status"] == "succeeded", job["error"]
        finally:
            srv.stop()
    missing = subprocess.run([octet_bin, "serve", "--port", "0", "--data", str(tmp_path / "d"),
                              "--models", str(tmp_path / "nope")], capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0
    assert missing.stderr.strip() == f"octet: error: --models {tmp_path / 'nope'}: not a folder"
