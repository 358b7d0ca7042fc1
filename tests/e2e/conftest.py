"""Fixtures for octet's end-to-end tests.

OCTET_BIN selects the binary (default: <repo>/build/octet).  The image sets
are generated once per session into pytest's tmp dir by make_images.py.
"""
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import make_images  # noqa: E402
from helpers import OctetRunner  # noqa: E402

DEFAULT_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "build", "octet"))


@pytest.fixture(scope="session")
def octet_bin(tmp_path_factory):
    path = os.environ.get("OCTET_BIN", DEFAULT_BIN)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"octet binary not found or not executable: {path!r} "
                    f"(build it, or point OCTET_BIN at it)")
    # run a private copy, so that a rebuild during the session cannot mix two
    # binaries (or catch one half-written)
    copy = tmp_path_factory.mktemp("bin") / "octet"
    shutil.copy2(path, copy)
    return str(copy)


@pytest.fixture(scope="session")
def octet(octet_bin):
    """Callable runner: octet(*args, timeout=..) -> CompletedProcess (text)."""
    return OctetRunner(octet_bin)


@pytest.fixture(scope="session")
def image_set(tmp_path_factory):
    """The full edge-case set: manifest dict (see make_images.make_images)."""
    root = tmp_path_factory.mktemp("image_set") / "images"
    return make_images.make_images(str(root))


@pytest.fixture(scope="session")
def image_subset(tmp_path_factory):
    """A smaller set for the expensive sizes (640x640)."""
    root = tmp_path_factory.mktemp("image_subset") / "images"
    return make_images.make_images(str(root), subset=True)


@pytest.fixture(scope="session")
def bulk_images(tmp_path_factory):
    """400 600x600 JPEGs for the signal tests (only built if a test asks)."""
    root = tmp_path_factory.mktemp("bulk") / "images"
    make_images.make_bulk(str(root), n=400, size=600)
    return str(root)
