"""Fixtures for `octet serve`'s API tests (tests/e2e_serve): real HTTP on
loopback against the octet binary (OCTET_BIN, default <repo>/build/octet).
Models are written here with the onnx package; converted models are checked
in the real TFLite interpreter against ONNX Runtime (tests/oracles)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
for p in (HERE, os.path.join(REPO, "tests", "e2e_convert")):
    if p not in sys.path:
        sys.path.insert(0, p)

from ec_helpers import oracle  # noqa: E402,F401  (the shared session fixture)
import serve_helpers as S  # noqa: E402


@pytest.fixture(scope="session")
def octet_bin():
    path = os.environ.get("OCTET_BIN", os.path.join(REPO, "build", "octet"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"octet binary not found: {path!r} (build it, or set OCTET_BIN)")
    return path


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """The example-models folder the servers offer, and the test models."""
    d = tmp_path_factory.mktemp("models")
    return S.write_models(str(d))


@pytest.fixture(scope="module")
def server(octet_bin, models, tmp_path_factory):
    """A server with small limits (so 413s are cheap) and two workers."""
    srv = S.Server(octet_bin, str(tmp_path_factory.mktemp("data")), models["dir"],
                   "--workers", "2", "--max-model-size", "4MB", "--max-calib-size", "16MB",
                   "--max-images-size", "8MB")
    yield srv
    srv.stop()
