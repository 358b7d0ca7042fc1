"""The page end to end in Debian's chromium (playwright-core, tests/e2e_serve/browser):
upload -> INT8 settings -> calibration images -> convert -> download; the downloaded
.tflite runs in the real TFLite interpreter against ONNX Runtime. Screenshots of the
form and of the result are saved under the test's output (OCTET_SERVE_SCREENSHOTS,
default <build>/e2e_serve_screenshots or the test's tmp dir)."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import serve_helpers as S
from test_serve import INT8_SQNR_DB, cli_error, quant_of, write_image_zip

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER = os.path.join(HERE, "browser")
CHROMIUM = "/usr/bin/chromium"


def browser_setup():
    """npm ci --ignore-scripts into browser/node_modules (no-op when present)."""
    if os.path.isdir(os.path.join(BROWSER, "node_modules", "playwright-core")):
        return
    proc = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=BROWSER,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"npm ci failed in {BROWSER}:\n{proc.stdout}\n{proc.stderr}"


def test_page_int8_flow_in_chromium(server, models, oracle, octet_bin, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: scripts/setup.sh installs Debian's chromium")
    browser_setup()
    out = os.environ.get("OCTET_SERVE_SCREENSHOTS") or str(tmp_path / "screenshots")
    os.makedirs(out, exist_ok=True)
    zip_path = write_image_zip(str(tmp_path / "photos.zip"), 12)
    slow_calib = S.calibration(str(tmp_path / "slow_calib.npy"), 300, size=48)
    proc = subprocess.run(["node", os.path.join(BROWSER, "serve_flow.mjs"), f"http://127.0.0.1:{server.port}/",
                           models["conv"], zip_path, "16", "16", out, models["unsupported"],
                           models["slow"], slow_calib], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"browser flow failed:\n{proc.stdout}\n{proc.stderr}"
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["problems"] == [], res["problems"]
    # The failing model's message on the page is the CLI's, the file named as uploaded.
    unsupported = models["unsupported"]
    expected = cli_error(octet_bin, "convert", unsupported, "-o", tmp_path / "cli.tflite")
    assert res["failure"] == expected.replace(unsupported, os.path.basename(unsupported))
    assert res["form_error"] == ""
    # The slow job showed its calibration progress ("calibrating 12 / 270") and was cancelled from the page.
    assert res["progress_label"].startswith("calibrating") and "/" in res["progress_label"], res["progress_label"]
    assert res["cancelled"] == "cancelled by the user"
    # The page's Delete buttons removed the job and the upload, files included.
    assert res["deleted_job"] not in {j["id"] for j in server.json("GET", "/api/jobs")["jobs"]}
    assert not os.path.exists(os.path.join(server.data, "jobs", res["deleted_job"]))
    assert res["deleted_upload"] not in {u["id"] for u in server.json("GET", "/api/uploads")["uploads"]}
    assert not os.path.exists(os.path.join(server.data, "uploads", res["deleted_upload"]))
    assert res["file"] == "conv_int8.tflite" and res["code_mentions_model"]
    assert any("SQNR" in s for s in res["stats"]), res["stats"]
    for shot in res["screenshots"]:
        assert os.path.getsize(shot) > 10_000, shot
    # The job the page created, found through the API, describes the downloaded file.
    job = next(j for j in server.json("GET", "/api/jobs")["jobs"] if j["status"] == "succeeded"
               and j["summary"]["file"] == "conv_int8.tflite" and j["precision"] == "int8")
    job = server.json("GET", f"/api/jobs/{job['id']}")
    assert os.path.getsize(res["download"]) == job["result"]["artifact"]["bytes"]
    assert job["result"]["prepare"]["saved"] == 13
    x = np.random.default_rng(12).random((1, 16, 16, 3), dtype=np.float32)
    ref, got = S.run_converted(oracle, models["conv"], res["download"], x, str(tmp_path / "run"), quant=quant_of(job))
    assert S.sqnr_db(ref, got) > INT8_SQNR_DB - 5
