#!/usr/bin/python3
"""Generate octet's deterministic edge-case image set.

usage: make_images.py DIR [--subset] [--bulk N]

Writes images into DIR (created; must be empty or missing) and prints a JSON
manifest on stdout:
  candidates          relative paths octet must consider (its listing rules)
  unreadable          candidates cv2.imread() returns None for
  intended_unreadable files written to be broken (some of them, e.g. a JPEG
                      truncated to 40% of its bytes, still decode in OpenCV,
                      which then pads the missing part: the seed keeps those,
                      so octet must too)
  skipped             files present on disk that octet must NOT pick up

Sources are the photographs shipped with Debian's python3-skimage
(/usr/lib/python3/dist-packages/skimage/data), re-encoded with OpenCV, plus a
few files written byte by byte (EXIF JPEG, palette / gray+alpha PNG, garbage).

--subset writes a smaller set (used for the 640x640 parity runs);
--bulk N writes N 600x600 JPEGs instead (used by the SIGINT/SIGTERM tests).
"""
import json
import os
import struct
import sys
import zlib

import cv2
import numpy as np

SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"

_cache = {}


def photo(name, flags=cv2.IMREAD_COLOR):
    key = (name, flags)
    if key not in _cache:
        img = cv2.imread(os.path.join(SKIMAGE_DATA, name), flags)
        if img is None:
            raise SystemExit(f"cannot read {name} from {SKIMAGE_DATA}")
        _cache[key] = img
    return _cache[key]


def resized(name, w, h, flags=cv2.IMREAD_COLOR):
    img = photo(name, flags)
    if img.shape[1] == w and img.shape[0] == h:
        return img.copy()
    interp = cv2.INTER_AREA if w * h < img.shape[0] * img.shape[1] else cv2.INTER_CUBIC
    return cv2.resize(img, (w, h), interpolation=interp)


def imwrite(path, img, params=()):
    """cv2.imwrite picks the encoder from the extension; go through imencode
    with an explicit lower-case one so upper-case / fake extensions work."""
    ext = os.path.splitext(path)[1].lower()
    ok, buf = cv2.imencode(ext, img, list(params))
    if not ok:
        raise SystemExit(f"cannot encode {path}")
    write_bytes(path, buf.tobytes())


def encode(ext, img, params=()):
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok, ext
    return buf.tobytes()


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def png_bytes(width, height, bit_depth, color_type, raw_rows, plte=None, trns=None):
    """Minimal PNG writer (filter type 0 on every row)."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in raw_rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if plte is not None:
        out += chunk(b"PLTE", plte)
    if trns is not None:
        out += chunk(b"tRNS", trns)
    return out + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def jpeg_with_exif_orientation(jpeg, orientation):
    """Insert an EXIF APP1 segment (big-endian TIFF, IFD0 with one entry:
    0x0112 Orientation, SHORT, count 1) right after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    tiff = (b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
            + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0))
    payload = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + app1 + jpeg[2:]


# Letterbox rounding cases (width, height), found by brute force over
# 40..800 px: the seed does r = min(H/h, W/w) and int(round(w*r)) in Python
# doubles, i.e. round-half-to-even.  "tie" = the double product is exactly
# x.5 with x even (std::round / floor(v+0.5) would give x+1); "fp" = the
# exact rational value is a tie but the double product is not (integer
# arithmetic would round differently); "f32" = float32 arithmetic would
# round differently.
ROUNDING_CASES = [
    # (w, h, why)
    (41, 64, "tie at 32x32: 20.5 -> 20"),
    (91, 448, "f32 at 32x32: 6.5"),
    (43, 64, "tie at 224x224: 150.5 -> 150"),
    (42, 384, "tie at 224x224: 24.5 -> 24"),
    (45, 320, "fp at 224x224: 31.499999999999996 -> 31 (exact 31.5 -> 32)"),
    (51, 192, "f32 at 224x224: 59.50000000000001 -> 60"),
    (45, 256, "tie at 640x640: 112.5 -> 112"),
    (42, 512, "tie at 640x640: 52.5 -> 52"),
    (43, 128, "tie at --size 320x192 (H=192, W=320): 64.5 -> 64"),
    (95, 640, "f32 at --size 320x192: 28.5"),
    (42, 256, "tie at --size 192x320 (H=320, W=192): 52.5 -> 52"),
    (640, 95, "f32 at --size 192x320: 28.5"),
]
SUBSET_ROUNDING = {(45, 256), (42, 512)}  # the 640x640 cases


def build(root, subset=False):
    """Write the set; return (files, intended_unreadable, skipped)."""
    written = []          # every path created (relative), incl. non-candidates
    intended_bad = []
    skipped = []

    def P(rel):
        return os.path.join(root, rel)

    def put(rel, img, params=(), keep=True):
        if subset and not keep:
            return
        imwrite(P(rel), img, params)
        written.append(rel)

    def put_bytes(rel, data, keep=True):
        if subset and not keep:
            return
        write_bytes(P(rel), data)
        written.append(rel)

    # ---- real photographs in several formats / sizes
    put("formats/astronaut.jpg", photo("astronaut.png"), [cv2.IMWRITE_JPEG_QUALITY, 92])
    put("formats/coffee.png", photo("coffee.png"))
    put("formats/chelsea.bmp", photo("chelsea.png"), keep=False)
    put("formats/rocket.tif", photo("rocket.jpg"), keep=False)
    put("formats/motorcycle.webp", resized("motorcycle_left.png", 370, 250), [cv2.IMWRITE_WEBP_QUALITY, 80], keep=False)
    put("formats/astronaut_lossless.webp", resized("astronaut.png", 200, 200), [cv2.IMWRITE_WEBP_QUALITY, 101], keep=False)
    put("formats/hubble.jpg", resized("hubble_deep_field.jpg", 500, 436), [cv2.IMWRITE_JPEG_QUALITY, 85], keep=False)
    put("formats/retina_333x211.png", resized("retina.jpg", 333, 211))
    put("formats/coffee_progressive.jpg", resized("coffee.png", 300, 200),
        [cv2.IMWRITE_JPEG_PROGRESSIVE, 1, cv2.IMWRITE_JPEG_QUALITY, 90], keep=False)
    put("formats/chelsea_rst_optimized.jpg", photo("chelsea.png"),
        [cv2.IMWRITE_JPEG_QUALITY, 70, cv2.IMWRITE_JPEG_OPTIMIZE, 1, cv2.IMWRITE_JPEG_RST_INTERVAL, 4], keep=False)

    # ---- colour models / bit depths
    put("color_modes/camera_gray.png", photo("camera.png", cv2.IMREAD_GRAYSCALE))
    put("color_modes/moon_gray.jpg", resized("moon.png", 256, 200, cv2.IMREAD_GRAYSCALE), keep=False)
    put("color_modes/gray.bmp", resized("camera.png", 121, 97, cv2.IMREAD_GRAYSCALE), keep=False)
    coffee16 = (resized("coffee.png", 240, 160).astype(np.uint16) * 257
                + np.arange(240, dtype=np.uint16)[None, :, None] % 200)  # low byte differs per column
    put("color_modes/coffee_16bit.png", coffee16, keep=False)
    gray16 = (resized("camera.png", 150, 130, cv2.IMREAD_GRAYSCALE).astype(np.uint16) * 256 + 255)
    put("color_modes/camera_gray_16bit.png", gray16, keep=False)
    put("color_modes/rocket_16bit.tif", resized("rocket.jpg", 160, 107).astype(np.uint16) * 257, keep=False)
    put("color_modes/logo_rgba.png", resized("logo.png", 250, 250, cv2.IMREAD_UNCHANGED))
    put("color_modes/logo_rgba.webp", resized("logo.png", 120, 120, cv2.IMREAD_UNCHANGED), keep=False)
    flt = resized("chelsea.png", 64, 48).astype(np.float32) / 255.0
    put("color_modes/chelsea_float32.tif", flt, keep=False)
    # palette PNG (8-bit indices) written by hand
    pal_idx = resized("chelsea.png", 90, 60)
    pal_img = cv2.cvtColor(pal_idx, cv2.COLOR_BGR2GRAY) // 16           # 16 colours
    palette = b"".join(bytes((i * 16, 255 - i * 16, (i * 37) % 256)) for i in range(16))
    put_bytes("color_modes/palette8.png",
              png_bytes(90, 60, 8, 3, [bytes(r) for r in pal_img], plte=palette), keep=False)
    # palette PNG with 4-bit indices and a tRNS chunk
    rows4 = []
    for r in pal_img[:, :90]:
        vals = list(r) + [0]
        rows4.append(bytes((vals[i] << 4) | vals[i + 1] for i in range(0, 90, 2)))
    put_bytes("color_modes/palette4_trns.png",
              png_bytes(90, 60, 4, 3, rows4, plte=palette, trns=bytes(range(0, 256, 16))), keep=False)
    # gray + alpha PNG written by hand
    ga = resized("camera.png", 70, 50, cv2.IMREAD_GRAYSCALE)
    rows_ga = [bytes(v for px in row for v in (int(px), 255 - int(px))) for row in ga]
    put_bytes("color_modes/gray_alpha.png", png_bytes(70, 50, 8, 4, rows_ga), keep=False)

    # ---- EXIF orientation 6 (rotate 90 degrees clockwise on decode)
    put_bytes("exif/chelsea_orientation6.jpg",
              jpeg_with_exif_orientation(encode(".jpg", photo("chelsea.png"), [cv2.IMWRITE_JPEG_QUALITY, 90]), 6))
    put_bytes("exif/rocket_orientation3.jpg",
              jpeg_with_exif_orientation(encode(".jpg", resized("rocket.jpg", 200, 133)), 3), keep=False)

    # ---- extreme and odd sizes
    put("sizes/one_by_one.png", np.array([[[10, 200, 60]]], dtype=np.uint8))
    put("sizes/one_by_one.jpg", np.array([[[250, 5, 128]]], dtype=np.uint8), keep=False)
    put("sizes/wide_3000x17.png", resized("hubble_deep_field.jpg", 3000, 17))
    put("sizes/tall_17x3000.png", resized("retina.jpg", 17, 3000))
    put("sizes/odd_333x211.jpg", resized("astronaut.png", 333, 211), keep=False)
    put("sizes/odd_211x333.png", resized("coffee.png", 211, 333))
    put("sizes/odd_101x99.bmp", resized("chelsea.png", 101, 99), keep=False)
    put("sizes/two_by_three.png", resized("coffee.png", 2, 3), keep=False)
    put("sizes/exact_224x224.png", resized("astronaut.png", 224, 224), keep=False)
    put("sizes/exact_32x32.png", resized("astronaut.png", 32, 32), keep=False)
    for w, h, _why in ROUNDING_CASES:
        put(f"ties/w{w}_h{h}.png", resized("astronaut.png", w, h), keep=(w, h) in SUBSET_ROUNDING)

    # ---- names: case, fake extensions, nesting, unicode, spaces
    put("case/UPPER.JPG", resized("rocket.jpg", 160, 107))
    put("case/Mixed.Png", resized("coffee.png", 150, 100), keep=False)
    put("case/lower.jpeg", resized("chelsea.png", 120, 80), keep=False)
    put("case/SHOUT.JPEG", resized("chelsea.png", 80, 120), keep=False)
    put("case/Scan.TIFF", resized("motorcycle_left.png", 148, 100), keep=False)
    put("case/weird.WebP", resized("astronaut.png", 100, 100), keep=False)
    put("case/Bitmap.BMP", resized("retina.jpg", 90, 90), keep=False)
    put("case/mixed.Tif", resized("retina.jpg", 64, 80), keep=False)
    put_bytes("fake_ext/png_inside.jpg", encode(".png", resized("coffee.png", 130, 90)), keep=False)
    put_bytes("fake_ext/tiff_inside.dng", encode(".tif", resized("rocket.jpg", 110, 70)), keep=False)
    put_bytes("fake_ext/jpeg_inside.mpo", encode(".jpg", resized("astronaut.png", 96, 72)))
    put_bytes("fake_ext/jpeg_inside.MPO", encode(".jpg", resized("chelsea.png", 72, 96)), keep=False)
    put("nested/level1.jpg", resized("hubble_deep_field.jpg", 200, 174), keep=False)
    put("nested/a/b/c/deep.png", resized("astronaut.png", 77, 55), keep=False)
    put("nested/\u00fcn\u00efc\u00f6d\u00e9 photo.jpg", resized("coffee.png", 90, 60), keep=False)
    put("nested/space name.png", resized("chelsea.png", 66, 44), keep=False)
    put("B_upper_sorts_first.png", resized("rocket.jpg", 48, 32), keep=False)
    put("a_lower_sorts_after.png", resized("rocket.jpg", 32, 48), keep=False)

    # ---- must be skipped: hidden files and dirs, other extensions
    hidden = [
        (".hidden.jpg", resized("astronaut.png", 40, 40)),
        (".hiddendir/inside.png", resized("astronaut.png", 41, 41)),
        ("nested/.hidden_nested.png", resized("astronaut.png", 42, 42)),
        ("nested/.hiddendir2/deeper/x.jpg", resized("astronaut.png", 43, 43)),
        ("nested/.jpg", resized("astronaut.png", 44, 44)),
    ]
    for rel, img in hidden:
        ext = ".png" if rel.endswith(".png") else ".jpg"
        write_bytes(P(rel), encode(ext, img))
        written.append(rel)
        skipped.append(rel)
    for rel, data in [("notes.txt", b"not an image\n"),
                      ("photo.jpg.bak", encode(".jpg", resized("coffee.png", 30, 20))),
                      ("jpg", encode(".jpg", resized("coffee.png", 30, 20))),
                      ("nested/image.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
                      ("nested/noext", encode(".png", resized("coffee.png", 30, 20))),
                      ("nested/pic.jpe", encode(".jpg", resized("coffee.png", 30, 20))),
                      ("nested/pic.jp2x", b"xx")]:
        write_bytes(P(rel), data)
        written.append(rel)
        skipped.append(rel)

    # ---- symlinks: files are followed, directories are not descended
    os.makedirs(P("links"), exist_ok=True)
    os.symlink("../formats/astronaut.jpg", P("links/link_to_astronaut.jpg"))
    written.append("links/link_to_astronaut.jpg")
    os.symlink(os.path.join(SKIMAGE_DATA, "coffee.png"), P("links/outside_coffee.PNG"))
    written.append("links/outside_coffee.PNG")
    os.symlink("../nested", P("links/dir_link"))
    written.append("links/dir_link")
    skipped.append("links/dir_link/level1.jpg" if not subset else "links/dir_link/.hidden_nested.png")
    os.symlink("../does/not/exist.jpg", P("links/broken_link.jpg"))  # listed, unreadable
    written.append("links/broken_link.jpg")
    intended_bad.append("links/broken_link.jpg")
    if not subset:
        os.symlink("../notes.txt", P("links/text_target.jpg"))  # followed, but not an image
        written.append("links/text_target.jpg")
        intended_bad.append("links/text_target.jpg")

    # ---- unreadable (or meant to be)
    good_jpeg = encode(".jpg", photo("astronaut.png"), [cv2.IMWRITE_JPEG_QUALITY, 92])
    good_png = encode(".png", resized("coffee.png", 300, 200))
    rng = np.random.RandomState(1234)
    garbage = rng.randint(0, 256, size=4096).astype(np.uint8).tobytes()
    assert not garbage.startswith(b"BM")
    bad = [
        ("bad/zero_bytes.jpg", b"", True),
        ("bad/text_named.png", b"this is plain text, not a PNG\n" * 4, True),
        ("bad/truncated_40pct.jpg", good_jpeg[: int(len(good_jpeg) * 0.4)], True),
        ("bad/truncated_header.jpg", good_jpeg[:150], False),
        ("bad/garbage.bmp", garbage, True),
        ("bad/garbage.TIF", garbage[::-1], False),
        ("bad/truncated_40pct.png", good_png[: int(len(good_png) * 0.4)], False),
        ("bad/bm_header_garbage.bmp", b"BM" + garbage[:60], False),
    ]
    for rel, data, keep in bad:
        if subset and not keep:
            continue
        write_bytes(P(rel), data)
        written.append(rel)
        intended_bad.append(rel)
    return written, intended_bad, skipped


def make_images(root, subset=False):
    """Create the set in `root` and return the manifest dict."""
    root = os.path.abspath(root)
    if os.path.exists(root) and os.listdir(root):
        raise SystemExit(f"{root} exists and is not empty")
    os.makedirs(root, exist_ok=True)
    written, intended_bad, skipped = build(root, subset)

    # imported here so `make_images.py` also works when run from elsewhere
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from seed_reference import octet_candidates

    cands = octet_candidates(root)
    unreadable = [c for c in cands if cv2.imread(os.path.join(root, c)) is None]
    # the EXIF file is only useful if OpenCV applies the orientation (90 deg CW)
    exif = cv2.imread(os.path.join(root, "exif/chelsea_orientation6.jpg"))
    raw = cv2.imread(os.path.join(root, "exif/chelsea_orientation6.jpg"),
                     cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    assert exif.shape == (451, 300, 3) and raw.shape == (300, 451, 3), (exif.shape, raw.shape)
    assert np.array_equal(cv2.rotate(raw, cv2.ROTATE_90_CLOCKWISE), exif), "EXIF orientation 6 not applied"
    for s in skipped:
        assert s not in cands, f"{s} should be skipped by the listing rules"
    return {
        "root": root,
        "subset": subset,
        "written": sorted(written),
        "candidates": cands,
        "unreadable": unreadable,
        "intended_unreadable": sorted(intended_bad),
        "decoded_anyway": sorted(set(intended_bad) - set(unreadable)),
        "skipped": sorted(skipped),
        "rounding_cases": [{"w": w, "h": h, "why": why} for w, h, why in ROUNDING_CASES],
    }


def make_bulk(root, n=400, size=600):
    """n distinct size x size JPEGs (photo crops + noise) for the signal tests."""
    root = os.path.abspath(root)
    os.makedirs(root, exist_ok=True)
    base = resized("astronaut.png", size, size)
    rng = np.random.RandomState(7)
    noise = rng.randint(0, 48, size=(size, size, 3)).astype(np.uint8)
    names = []
    for i in range(n):
        img = cv2.add(np.roll(base, 7 * i, axis=1), np.roll(noise, 13 * i, axis=0))
        name = f"img_{i:04d}.jpg"
        write_bytes(os.path.join(root, name), encode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90]))
        names.append(name)
    return names


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="generate octet's edge-case image set")
    ap.add_argument("dir")
    ap.add_argument("--subset", action="store_true", help="smaller set (640x640 parity runs)")
    ap.add_argument("--bulk", type=int, metavar="N", help="write N 600x600 JPEGs instead")
    a = ap.parse_args(argv)
    if a.bulk:
        names = make_bulk(a.dir, a.bulk)
        print(json.dumps({"root": os.path.abspath(a.dir), "files": names}, indent=1))
        return 0
    manifest = make_images(a.dir, subset=a.subset)
    print(json.dumps(manifest, indent=1, ensure_ascii=False))
    print(f"expected unreadable ({len(manifest['unreadable'])}): {', '.join(manifest['unreadable'])}",
          file=sys.stderr)
    if manifest["decoded_anyway"]:
        print("written broken but decoded by cv2.imread (so the seed keeps them): "
              + ", ".join(manifest["decoded_anyway"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
