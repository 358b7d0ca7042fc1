"""Fixtures for the end-to-end tests of octet inspect, run, bench and the API
example (tests/e2e_run). OCTET_BIN: the octet binary (default
<repo>/build/octet); OCTET_EXAMPLE: examples/inference.cpp's binary (default
<repo>/build/examples/octet_inference). Models are built here with
tests/oracles/tflite_builder.py (python3-flatbuffers, the official schema's
field ids), not by octet, and every value is checked against the real TFLite
interpreter (tests/oracles/tflite_run.mjs).
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
for p in (HERE, os.path.join(REPO, "tests", "e2e_convert"), os.path.join(REPO, "tests", "oracles")):
    if p not in sys.path:
        sys.path.insert(0, p)

import ec_helpers as H  # noqa: E402


@pytest.fixture(scope="session")
def octet():
    path = os.environ.get("OCTET_BIN", os.path.join(REPO, "build", "octet"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"octet binary not found: {path!r} (build it, or set OCTET_BIN)")
    return H.OctetRunner(path)


@pytest.fixture(scope="session")
def example_bin():
    path = os.environ.get("OCTET_EXAMPLE", os.path.join(REPO, "build", "examples", "octet_inference"))
    if not os.path.isfile(path):
        pytest.fail(f"example binary not found: {path!r} (build it, or set OCTET_EXAMPLE)")
    return path


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    import run_models
    d = tmp_path_factory.mktemp("models")
    return run_models.build_all(str(d))
