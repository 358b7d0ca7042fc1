"""octet prepare: command-line behaviour other than pixel parity."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import cv2
import numpy as np
import pytest

from helpers import (Outputs, assert_error, assert_ok, describe, first_difference, list_dir,
                     read_error_file)
from seed_reference import octet_candidates, octet_expected

# --------------------------------------------------------------------- helpers


def write_img(path, w=24, h=16, seed=0):
    """A small deterministic image; encoder chosen by the (lower-cased) extension."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.RandomState(seed)
    img = rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8)
    ok, buf = cv2.imencode(os.path.splitext(path)[1].lower(), img)
    assert ok
    with open(path, "wb") as f:
        f.write(buf.tobytes())


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def make_dir(root, good=(), bad=()):
    """good: relative names of valid images; bad: relative names of unreadable files."""
    os.makedirs(root, exist_ok=True)
    for i, rel in enumerate(good):
        write_img(os.path.join(root, rel), seed=i + 1, w=20 + i, h=14 + (i % 5))
    for rel in bad:
        write_bytes(os.path.join(root, rel), b"")
    return str(root)


def npy_json_names(out):
    return [n for n in list_dir(out) if n.endswith(".npy") or n.endswith(".json")]


@pytest.fixture
def small_dir(tmp_path):
    """6 valid images, no failures."""
    return make_dir(tmp_path / "small", good=[f"img{i}.png" for i in range(6)])


# ------------------------------------------------------------ help / version


def test_help_exits_zero(octet):
    p = octet("--help")
    assert_ok(p)
    assert "prepare" in p.stdout, "top-level --help should list the prepare command" + describe(p)
    p = octet("prepare", "--help")
    assert_ok(p)
    missing = [o for o in ("--size", "-o", "--letterbox", "--stretch", "--color", "--normalize",
                           "--no-normalize", "--mean", "--std", "--layout", "--limit", "--seed",
                           "--no-shuffle", "--max-bytes", "--threads", "--json")
               if o not in p.stdout]
    assert not missing, f"prepare --help (stdout) does not mention {missing}" + describe(p)


def test_version(octet):
    p = octet("--version")
    assert_ok(p)
    assert re.search(r"\d+\.\d+\.\d+", p.stdout), "--version should print a x.y.z version" + describe(p)


# -------------------------------------------------------------- usage errors

USAGE_ERRORS = {
    "size-0x10": ["--size", "0x10"],
    "size-10x0": ["--size", "10x0"],
    "size-abc": ["--size", "abc"],
    "size-10x": ["--size", "10x"],
    "size-x10": ["--size", "x10"],
    "size-10x-5": ["--size", "10x-5"],
    "size-10x10x3": ["--size", "10x10x3"],
    "size-too-big": ["--size", "16385x10"],
    "size-empty": ["--size", ""],
    "size-missing": [],
    "color-bad": ["--size", "32x32", "--color", "xyz"],
    "layout-bad": ["--size", "32x32", "--layout", "chw"],
    "unknown-option": ["--size", "32x32", "--frobnicate"],
    "max-bytes-bad-unit": ["--size", "32x32", "--max-bytes", "12XB"],
    "max-bytes-abc": ["--size", "32x32", "--max-bytes", "abc"],
    "mean-two-values": ["--size", "32x32", "--mean", "1,2", "--std", "1,1,1"],
    "limit-abc": ["--size", "32x32", "--limit", "abc"],
    "limit-0": ["--size", "32x32", "--limit", "0"],
    "std-0": ["--size", "32x32", "--mean", "0.5,0.5,0.5", "--std", "1,0,1"],
    "seed-and-no-shuffle": ["--size", "32x32", "--seed", "3", "--no-shuffle"],
    "letterbox-and-stretch": ["--size", "32x32", "--letterbox", "--stretch"],
    "normalize-and-no-normalize": ["--size", "32x32", "--normalize", "--no-normalize"],
}


@pytest.mark.parametrize("extra", list(USAGE_ERRORS.values()), ids=list(USAGE_ERRORS))
def test_usage_errors_exit_2(octet, small_dir, tmp_path, extra):
    out = tmp_path / "out"
    p = octet("prepare", small_dir, "-o", out, *extra)
    assert_error(p, 2)
    assert not out.exists(), f"a usage error must not create OUT_DIR ({list_dir(out)})" + describe(p)


def test_missing_output_option_exit_2(octet, small_dir):
    p = octet("prepare", small_dir, "--size", "32x32")
    assert_error(p, 2)


def test_missing_image_dir_argument_exit_2(octet, tmp_path):
    p = octet("prepare", "-o", tmp_path / "out", "--size", "32x32")
    assert_error(p, 2)


def test_unknown_command_exit_2(octet):
    p = octet("frobnicate")
    assert_error(p, 2)


# ------------------------------------------------------------- input errors


def test_missing_dir(octet, tmp_path):
    out = tmp_path / "out"
    p = octet.prepare(tmp_path / "does-not-exist", out, "32x32")
    assert_error(p, 1)
    assert not npy_json_names(out), list_dir(out)


def test_image_dir_is_a_file(octet, tmp_path):
    f = tmp_path / "file.png"
    write_img(str(f))
    p = octet.prepare(f, tmp_path / "out", "32x32")
    assert_error(p, 1)
    assert not npy_json_names(tmp_path / "out")


def test_empty_dir(octet, tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    out = tmp_path / "out"
    p = octet.prepare(d, out, "32x32")
    assert_error(p, 1)
    assert not npy_json_names(out), list_dir(out)


def test_dir_with_no_images(octet, tmp_path):
    """Only skipped things: other extensions, hidden files, hidden dirs, and a
    symlinked directory full of images (not descended)."""
    elsewhere = make_dir(tmp_path / "elsewhere", good=["a.png", "b.jpg"])
    d = tmp_path / "noimg"
    make_dir(d, good=[".hidden.png", ".hid/inside.jpg", "sub/.x.png"])
    write_bytes(str(d / "notes.txt"), b"hello\n")
    write_bytes(str(d / "anim.gif"), b"GIF89a")
    write_bytes(str(d / "jpg"), b"")
    os.symlink(elsewhere, d / "linked_dir")
    out = tmp_path / "out"
    p = octet.prepare(d, out, "32x32")
    assert_error(p, 1)
    assert not npy_json_names(out), list_dir(out)


def test_all_unreadable(octet, tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    write_bytes(str(d / "zero.jpg"), b"")
    write_bytes(str(d / "text.png"), b"plain text\n")
    write_bytes(str(d / "sub" / "garbage.bmp"), bytes(range(256)) * 8)
    out = tmp_path / "out"
    p = octet.prepare(d, out, "32x32", "--no-shuffle")
    assert_error(p, 1)
    assert not npy_json_names(out), f"no .npy/.json when every image fails: {list_dir(out)}"
    lines = read_error_file(str(out))
    want = [os.path.join(str(d), r) for r in ("sub/garbage.bmp", "text.png", "zero.jpg")]
    assert sorted(p for p, _ in lines) == sorted(want), f"error_files.txt: {lines}"


def test_out_dir_under_regular_file(octet, small_dir, tmp_path):
    f = tmp_path / "regular_file"
    f.write_text("x")
    p = octet.prepare(small_dir, f / "out", "32x32")
    assert_error(p, 1)
    assert f.read_text() == "x"


def test_out_dir_is_regular_file(octet, small_dir, tmp_path):
    f = tmp_path / "regular_file"
    f.write_text("x")
    p = octet.prepare(small_dir, f, "32x32")
    assert_error(p, 1)
    assert f.read_text() == "x", "octet must not overwrite a file given as OUT_DIR"


def test_out_dir_is_created(octet, small_dir, tmp_path):
    out = tmp_path / "new_out"
    p = octet.prepare(small_dir, out, "32x32")
    assert_ok(p)
    assert sorted(list_dir(out)) == ["6x32x32.json", "6x32x32.npy", "error_files.txt"], list_dir(out)


def test_error_file_empty_without_failures(octet, small_dir, tmp_path):
    out = tmp_path / "out"
    assert_ok(octet.prepare(small_dir, out, "32x32"))
    o = Outputs(str(out))
    assert o.errors_bytes == b"", f"error_files.txt should be empty: {o.errors_bytes[:200]!r}"
    assert o.recipe["errors"] == []


# ------------------------------------------------------------------ max-bytes


def _refused(p, out, fit):
    assert_error(p, 1, "--limit")
    assert re.search(rf"(?<![\d.]){fit}(?![\d.])", p.stderr), \
        f"the message should say that {fit} image(s) fit" + describe(p)
    assert not list_dir(out), f"nothing may be written when refusing: {list_dir(out)}"


# (size, n_images, max-bytes, limit or None, refused?, images that fit)
MAX_BYTES_CASES = {
    # 100x100x3x4 = 120000 bytes per image
    "B-refuse": ("100x100", 3, "240000B", None, True, 2),
    "B-fits": ("100x100", 3, "360000B", None, False, None),
    "B-limit-fits": ("100x100", 3, "240000B", 2, False, None),
    "KB-refuse": ("100x100", 3, "119KB", None, True, 0),
    "KB-fits-limit": ("100x100", 3, "120KB", 1, False, None),
    # 64x64x3x4 = 49152 bytes = 48 KiB
    "KiB-fits": ("64x64", 2, "96KiB", None, False, None),
    "KiB-refuse": ("64x64", 2, "95KiB", None, True, 1),
    "KB-vs-KiB": ("64x64", 2, "98KB", None, True, 1),
    # 512x512x3x4 = 3 MiB
    "MiB-refuse": ("512x512", 3, "3MiB", None, True, 1),
    "MiB-limit": ("512x512", 3, "3MiB", 1, False, None),
    "MB-refuse": ("512x512", 3, "9MB", None, True, 2),
    "GB-fits": ("512x512", 3, "1GB", None, False, None),
    "GiB-fits": ("512x512", 3, "1GiB", None, False, None),
    "limit-above-candidates": ("100x100", 3, "360000B", 50, False, None),
}


@pytest.mark.parametrize("case", list(MAX_BYTES_CASES.values()), ids=list(MAX_BYTES_CASES))
def test_max_bytes(octet, tmp_path, case):
    size, n, max_bytes, limit, refused, fit = case
    d = make_dir(tmp_path / "imgs", good=[f"i{k}.png" for k in range(n)])
    out = tmp_path / "out"
    extra = ["--max-bytes", max_bytes] + (["--limit", limit] if limit else [])
    p = octet.prepare(d, out, size, *extra)
    if refused:
        _refused(p, out, fit)
    else:
        assert_ok(p)
        saved = min(n, limit or n)
        w, h = size.split("x")
        assert f"{saved}x{w}x{h}.npy" in list_dir(out), list_dir(out)


def test_max_bytes_default_is_500_decimal_megabytes(octet, tmp_path):
    """640x640x3x4 = 4,915,200 bytes: 101 images fit in 500,000,000 bytes
    (106 would fit in 500 MiB).  102 tiny images must be refused before any
    decoding; --limit 2 makes them fit."""
    d = tmp_path / "tiny"
    d.mkdir()
    ok, buf = cv2.imencode(".png", np.full((1, 1, 3), 77, np.uint8))
    for k in range(102):
        write_bytes(str(d / f"t{k:03d}.png"), buf.tobytes())
    out = tmp_path / "out"
    _refused(octet.prepare(d, out, "640x640"), out, 101)
    _refused(octet.prepare(d, out, "640x640", "--max-bytes", "500MB"), out, 101)
    p = octet.prepare(d, out, "640x640", "--limit", "2")
    assert_ok(p)
    assert "2x640x640.npy" in list_dir(out), list_dir(out)


def test_max_bytes_checked_before_decoding(octet, tmp_path):
    """Too big AND all unreadable: the size refusal comes first, so not even
    error_files.txt is written."""
    d = tmp_path / "bad"
    d.mkdir()
    for k in range(3):
        write_bytes(str(d / f"b{k}.jpg"), b"")
    out = tmp_path / "out"
    p = octet.prepare(d, out, "100x100", "--max-bytes", "200000B")
    _refused(p, out, 1)
    assert "error_files.txt" not in list_dir(out)


# ------------------------------------------------------------ limit / order


def test_limit_replaces_unreadable_with_next(octet, tmp_path):
    d = tmp_path / "mix"
    make_dir(d, good=["a_ok.png", "c_ok.png", "e_ok.png", "f_ok.png"], bad=["b_bad.jpg", "d_bad.png"])
    out = tmp_path / "out"
    p = octet.prepare(d, out, "32x32", "--no-shuffle", "--limit", "3")
    assert_ok(p)
    o = Outputs(str(out))
    assert o.npy_name == "3x32x32.npy", o.npy_name
    assert o.files == ["a_ok.png", "c_ok.png", "e_ok.png"], f"--limit 3 in sorted order: {o.files}"
    assert o.error_rel == ["b_bad.jpg", "d_bad.png"], f"errors met before the limit was reached: {o.error_rel}"
    assert [p_ for p_, _ in o.errors] == [os.path.join(str(d), "b_bad.jpg"), os.path.join(str(d), "d_bad.png")], o.errors
    assert o.recipe["selection"]["limit"] == 3, o.recipe["selection"]
    assert o.recipe["selection"]["candidates"] == 6, o.recipe["selection"]

    out2 = tmp_path / "out2"
    assert_ok(octet.prepare(d, out2, "32x32", "--no-shuffle", "--limit", "10"))
    o2 = Outputs(str(out2))
    assert o2.npy_name == "4x32x32.npy" and o2.files == ["a_ok.png", "c_ok.png", "e_ok.png", "f_ok.png"], \
        (o2.npy_name, o2.files)


def test_limit_takes_prefix_of_shuffled_order(octet, image_set, tmp_path):
    root = image_set["root"]
    full, lim = tmp_path / "full", tmp_path / "lim"
    assert_ok(octet.prepare(root, full, "32x32", "--stretch", "--seed", "5"))
    assert_ok(octet.prepare(root, lim, "32x32", "--stretch", "--seed", "5", "--limit", "7"))
    a, b = Outputs(str(full)), Outputs(str(lim))
    assert b.n == 7 and b.files == a.files[:7], \
        f"--limit 7 must keep the first 7 saved images of the same shuffled order:\n{b.files}\n{a.files[:7]}"
    assert b.array.tobytes() == a.array[:7].tobytes()


def test_no_shuffle_is_sorted_order(octet, image_set, tmp_path):
    root = image_set["root"]
    out = tmp_path / "out"
    assert_ok(octet.prepare(root, out, "32x32", "--stretch", "--no-shuffle"))
    o = Outputs(str(out))
    want = [c for c in image_set["candidates"] if c not in image_set["unreadable"]]
    assert o.files == want, "--no-shuffle must keep bytewise-sorted relative-path order" \
        f"\n got: {o.files}\nwant: {want}"
    assert o.error_rel == image_set["unreadable"], (o.error_rel, image_set["unreadable"])
    assert o.recipe["selection"]["order"] == "sorted", o.recipe["selection"]


def test_seed_controls_order(octet, image_set, tmp_path):
    root = image_set["root"]
    runs = {}
    for name, extra in [("default", []), ("seed0", ["--seed", "0"]), ("seed1", ["--seed", "1"]),
                        ("seed1b", ["--seed", "1"])]:
        out = tmp_path / name
        assert_ok(octet.prepare(root, out, "32x32", "--stretch", *extra))
        runs[name] = Outputs(str(out))
    want_set = sorted(c for c in image_set["candidates"] if c not in image_set["unreadable"])
    sorted_order = want_set
    for name, o in runs.items():
        assert sorted(o.files) == want_set, f"{name}: saved set differs from the readable candidates"
        assert o.recipe["selection"]["order"] == "shuffled", o.recipe["selection"]
    assert runs["default"].files != sorted_order, "default order should be shuffled, got sorted order"
    assert runs["default"].all_bytes() == runs["seed0"].all_bytes(), "default must equal --seed 0"
    assert runs["seed1"].all_bytes() == runs["seed1b"].all_bytes(), "same seed must give identical output"
    assert runs["seed0"].files != runs["seed1"].files, "--seed 1 should give another order than --seed 0"
    assert runs["seed0"].recipe["selection"]["seed"] == 0, runs["seed0"].recipe["selection"]
    assert runs["seed1"].recipe["selection"]["seed"] == 1, runs["seed1"].recipe["selection"]


def test_deterministic_and_thread_independent(octet, image_set, tmp_path):
    root = image_set["root"]
    out = tmp_path / "out"
    results = []
    for extra in ([], [], ["--threads", "1"], ["--threads", "2"], ["--threads", "7"]):
        if out.exists():
            shutil.rmtree(out)
        p = octet.prepare(root, out, "224x224", "--color", "rgb", *extra)
        assert_ok(p)
        results.append((extra, Outputs(str(out)).all_bytes()))
    base_extra, base = results[0]
    for extra, r in results[1:]:
        for k in base:
            assert r[k] == base[k], f"{k} differs between a default run and a run with {extra}"


def test_json_summary(octet, image_set, tmp_path):
    root = image_set["root"]
    out = tmp_path / "out"
    p = octet.prepare(root, out, "320x192", "--json")
    assert_ok(p)
    try:
        summary = json.loads(p.stdout)
    except ValueError as e:
        raise AssertionError(f"--json stdout is not one JSON object: {e}" + describe(p))
    assert isinstance(summary, dict), summary
    need = {"output", "recipe", "errors_file", "shape", "saved", "failed", "bytes", "seconds"}
    assert need <= set(summary), f"--json lacks {sorted(need - set(summary))}: {summary}"
    assert "\r" not in p.stderr and "\r" not in p.stdout, "no progress bar with --json" + describe(p)
    o = Outputs(str(out))
    assert os.path.samefile(summary["output"], o.npy_path), summary["output"]
    assert os.path.samefile(summary["recipe"], o.json_path), summary["recipe"]
    assert os.path.samefile(summary["errors_file"], os.path.join(str(out), "error_files.txt"))
    assert list(summary["shape"]) == list(o.array.shape) == [o.n, 192, 320, 3], (summary["shape"], o.array.shape)
    assert summary["saved"] == o.n == len(o.files), summary
    assert summary["failed"] == len(o.errors) == len(image_set["unreadable"]), summary
    assert summary["bytes"] in (os.path.getsize(o.npy_path), o.array.nbytes), \
        f"bytes {summary['bytes']} is neither the file size nor the array size"
    assert isinstance(summary["seconds"], (int, float)) and summary["seconds"] >= 0, summary


# ---------------------------------------------------------- listing rules


def test_listing_rules(octet, tmp_path):
    d = tmp_path / "rules"
    target_dir = make_dir(tmp_path / "outside", good=["far.png", "far2.jpg"])
    make_dir(d, good=["top.jpg", "UP.JPG", "Mixed.Png", "x.JpEg", "y.TIFF", "z.WebP", "w.Bmp",
                      "deep/er/still.tif", "deep/.h/no.png", ".no.png", ".hdir/no.jpg"])
    ok, buf = cv2.imencode(".png", np.zeros((5, 7, 3), np.uint8))
    write_bytes(str(d / "tiff_as.DnG"), buf.tobytes())  # PNG bytes: OpenCV decodes by content
    write_bytes(str(d / "no_ext"), b"")
    write_bytes(str(d / "a.gif"), b"GIF89a")
    write_bytes(str(d / "b.jpg.txt"), b"")
    os.symlink(os.path.join(target_dir, "far.png"), d / "link_file.png")
    os.symlink(target_dir, d / "link_dir")
    os.symlink("top.jpg", d / "rel_link.jpeg")
    out = tmp_path / "out"
    p = octet.prepare(d, out, "16x16", "--no-shuffle")
    assert_ok(p)
    o = Outputs(str(out))
    want = sorted(["top.jpg", "UP.JPG", "Mixed.Png", "x.JpEg", "y.TIFF", "z.WebP", "w.Bmp", "tiff_as.DnG",
                   "deep/er/still.tif", "link_file.png", "rel_link.jpeg"], key=str.encode)
    assert want == octet_candidates(str(d)), "test bug: reference listing disagrees"
    assert o.files == want, f"candidates (sorted bytewise)\n got: {o.files}\nwant: {want}"
    assert o.recipe["selection"]["candidates"] == len(want)
    assert o.errors == [], o.errors


def test_n_counts_only_saved_images(octet, tmp_path):
    """The seed names the file after len(img_list), errors included; octet
    names it after the images actually saved."""
    d = make_dir(tmp_path / "mix", good=["g1.png", "g2.png", "g3.jpg"], bad=["b1.jpg", "b2.png"])
    out = tmp_path / "out"
    p = octet.prepare(d, out, "32x32")
    assert_ok(p)
    names = list_dir(out)
    assert "3x32x32.npy" in names and "3x32x32.json" in names, \
        f"N must count saved images only (3 of 5 candidates): {names}"
    o = Outputs(str(out))
    assert o.array.shape == (3, 32, 32, 3) and len(o.errors) == 2


def test_size_is_width_by_height(octet, small_dir, tmp_path):
    out = tmp_path / "out"
    assert_ok(octet.prepare(small_dir, out, "48x16", "--layout", "nchw"))
    o = Outputs(str(out))
    assert o.npy_name == "6x48x16.npy" and o.array.shape == (6, 3, 16, 48), (o.npy_name, o.array.shape)


def test_size_single_number_is_square(octet, small_dir, tmp_path):
    """docs/prepare.md: `--size 224` means 224x224."""
    out = tmp_path / "out"
    assert_ok(octet.prepare(small_dir, out, "40"))
    o = Outputs(str(out))
    assert o.npy_name == "6x40x40.npy" and o.array.shape == (6, 40, 40, 3), (o.npy_name, o.array.shape)


def test_mean_std_single_number_and_defaults(octet, tmp_path):
    """docs/prepare.md: one number applies to all three channels; --mean alone
    keeps std 1,1,1 (and --std alone mean 0,0,0)."""
    d = make_dir(tmp_path / "d", good=["a.png", "b.jpg"])
    for extra, mean, std in [(["--mean", "0.5", "--std", "0.25"], (0.5,) * 3, (0.25,) * 3),
                             (["--mean", "0.1,0.2,0.3"], (0.1, 0.2, 0.3), None),
                             (["--std", "2,3,4"], None, (2.0, 3.0, 4.0))]:
        out = tmp_path / ("out" + "_".join(extra))
        p = octet.prepare(d, out, "20x12", "--no-shuffle", "--color", "rgb", *extra)
        assert_ok(p)
        o = Outputs(str(out))
        for i, rel in enumerate(o.files):
            want = octet_expected(os.path.join(d, rel), 20, 12, "letterbox", "rgb", True, mean, std)
            assert o.array[i].tobytes() == want.tobytes(), \
                f"{extra} {rel}: {first_difference(np.asarray(o.array[i]), want)}"
        assert np.array_equal(np.float32(o.recipe["preprocess"]["mean"]), np.float32(mean or (0, 0, 0)))
        assert np.array_equal(np.float32(o.recipe["preprocess"]["std"]), np.float32(std or (1, 1, 1)))


def test_rerun_overwrites_outputs(octet, tmp_path):
    d = make_dir(tmp_path / "d", good=["a.png", "b.png"], bad=["c.jpg"])
    out = tmp_path / "out"
    assert_ok(octet.prepare(d, out, "16x16"))
    first = Outputs(str(out)).all_bytes()
    os.remove(os.path.join(d, "c.jpg"))
    assert_ok(octet.prepare(d, out, "16x16"))
    assert read_error_file(str(out)) == [], "a re-run must rewrite error_files.txt (now empty)"
    write_bytes(os.path.join(d, "c.jpg"), b"")
    assert_ok(octet.prepare(d, out, "16x16"))
    assert Outputs(str(out)).all_bytes() == first, "re-running into the same OUT_DIR must give the same bytes"


def test_relative_image_dir_in_error_file(octet, tmp_path):
    """error_files.txt paths are IMAGE_DIR (as given) joined with the relative path."""
    make_dir(tmp_path / "imgs", good=["a.png"], bad=["sub/bad.jpg"])
    for given, want in [("imgs", "imgs/sub/bad.jpg"), ("imgs/", "imgs/sub/bad.jpg"),
                        ("./imgs", "./imgs/sub/bad.jpg")]:
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        p = octet.prepare(given, "out", "16x16", cwd=str(tmp_path))
        assert_ok(p)
        lines = read_error_file(str(tmp_path / "out"))
        assert [l[0] for l in lines] == [want], f"IMAGE_DIR {given!r}: {lines}"


def test_broken_symlink_is_listed_unreadable(octet, tmp_path):
    d = make_dir(tmp_path / "d", good=["ok.png"])
    os.symlink("missing.jpg", os.path.join(d, "broken.jpg"))
    out = tmp_path / "out"
    assert_ok(octet.prepare(d, out, "16x16"))
    o = Outputs(str(out))
    assert o.files == ["ok.png"] and o.error_rel == ["broken.jpg"], (o.files, o.error_rel)
    assert o.recipe["selection"]["candidates"] == 2


# ----------------------------------------------------------------- signals


def _run_and_signal(octet_bin, src, out, sig, delay):
    cmd = [octet_bin, "prepare", src, "-o", str(out), "--size", "640x640", "--threads", "1",
           "--max-bytes", "4GB", "--no-shuffle"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    if p.poll() is not None:
        p.communicate()
        return None
    p.send_signal(sig)
    t0 = time.monotonic()
    try:
        stdout, stderr = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError(f"octet did not stop within 30 s of {sig.name}")
    return p.returncode, time.monotonic() - t0, stderr.decode("utf-8", "replace")


def test_interrupt_leaves_no_output(octet_bin, bulk_images, tmp_path):
    """400 600x600 JPEGs -> 640x640 on one thread runs for several seconds
    (~2 GB of output); a signal at any point must leave OUT_DIR without
    .npy/.json/temporary files (error_files.txt alone would be tolerated)."""
    for sig, delay in [(signal.SIGINT, 0.4), (signal.SIGTERM, 1.2), (signal.SIGINT, 2.5)]:
        work = tmp_path / f"{sig.name}_{delay}"
        work.mkdir()
        out = work / "out"
        r = None
        for d in (delay, delay / 2, delay / 4):
            if out.exists():
                shutil.rmtree(out)
            r = _run_and_signal(octet_bin, bulk_images, out, sig, d)
            if r is not None:
                break
        assert r is not None, f"octet finished before {sig.name} could be sent ({delay}s)"
        rc, stop_s, stderr = r
        assert rc != 0, f"{sig.name} after {d}s: exit must be non-zero, got {rc}; stderr {stderr[-300:]!r}"
        left = [n for n in list_dir(out) if n != "error_files.txt"]
        assert not left, f"{sig.name} after {d}s left files in OUT_DIR: {left}"
        assert list_dir(work) in ([], ["out"]), f"files left next to OUT_DIR: {list_dir(work)}"
        assert stop_s < 10, f"octet took {stop_s:.1f}s to stop after {sig.name}"
        shutil.rmtree(work)
