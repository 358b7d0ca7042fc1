#!/usr/bin/python3
"""Build a deterministic set of real photographs for benchmarking `octet prepare`.

    /usr/bin/python3 bench/make_photo_set.py OUT_DIR [--count 300] [--megapixels 0.8]

The photographs come from Debian packages (install them with bench/setup.sh):

  * lomiri-wallpapers-16.04     13 photographs (Ubuntu Touch 16.04 wallpapers)
  * lomiri-wallpapers-20.04      1 photograph  (Kleiber)
  * mate-backgrounds            12 photographs (/usr/share/backgrounds/mate/nature)
  * plasma-workspace-wallpapers 11 photographs (the photographic KDE wallpapers)

Only real photographs were picked (by looking at every image these packages and
gnome-backgrounds / ukui-wallpapers / sway-backgrounds / python3-skimage ship);
vector art, renders and paintings were left out, and the skimage photographs are
all below 0.4 MP so they would need upscaling.

Each output image is a distinct region of one source photograph: a random aspect
ratio (landscape, square and portrait), a random position and a random
downscale factor (never upscaled), resized with INTER_AREA to about
--megapixels (+-5%).  Sources are used round-robin, so 300 outputs take about
8 regions from each of the 37 sources.  Every 10th image (about 10%) is written
as PNG, the rest as JPEG quality 90.  The output is deterministic for a given
--seed (random.Random with a string seed, and the same libjpeg/libpng/OpenCV).

A hidden manifest OUT_DIR/.photo_set.json records the parameters and a sha256
per file; running the script again with the same parameters reuses the set
(octet skips hidden files and the seed script only globs image extensions).
"""
import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys

GENERATOR_VERSION = 1
MANIFEST = ".photo_set.json"

PLASMA = "/usr/share/wallpapers/{}/contents/images/2560x1600.jpg"
# (package, path) of every source photograph, in a fixed order.
SOURCES = (
    [("lomiri-wallpapers-16.04", "/usr/share/backgrounds/" + name) for name in (
        "Bridge_by_Sander_Klootwijk.jpg",
        "Dragonfly_by_Bolly.jpg",
        "Picture_0B_by_freespace.jpg",
        "Picture_1A_by_freespace.jpg",
        "Wine_by_Jakkub_Mede.jpg",
        "aitzgorri_by_Aitzol_Berasategi.jpg",
        "free_by_Peter_Nerlich.jpg",
        "friends_by_Aitzol_Berasategi.jpg",
        "greentock_by_Peter_Nerlich.jpg",
        "life_by_Aitzol_Berasategi.jpg",
        "picosdeeuropa_by_Aitzol_Berasategi.jpg",
        "seeding_by_Clements_Engelhardt.jpg",
        "sunset_by_Aitzol_Berasategi.jpg",
    )]
    + [("lomiri-wallpapers-20.04", "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg")]
    + [("mate-backgrounds", "/usr/share/backgrounds/mate/nature/" + name) for name in (
        "Aqua.jpg", "Blinds.jpg", "Dune.jpg", "FreshFlower.jpg", "Garden.jpg",
        "GreenMeadow.jpg", "LadyBird.jpg", "RainDrops.jpg", "Storm.jpg",
        "TwoWings.jpg", "Wood.jpg", "YellowFlower.jpg",
    )]
    + [("plasma-workspace-wallpapers", PLASMA.format(name)) for name in (
        "BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow",
        "FallenLeaf", "Grey", "Kite", "OneStandsOut", "Path", "summer_1am",
    )]
)
PACKAGES = sorted({package for package, _ in SOURCES})

# width:height ratios, landscape, square and portrait (phone and camera shapes)
ASPECTS = [(4, 3), (3, 2), (16, 9), (5, 4), (1, 1), (3, 4), (2, 3), (9, 16), (4, 5), (2, 1)]


def die(message):
    sys.stderr.write(f"make_photo_set: {message}\n")
    sys.exit(2)


def check_sources():
    """Fail with a clear message when a source package or file is missing."""
    missing = [path for _, path in SOURCES if not os.path.isfile(path)]
    if missing:
        packages = sorted({package for package, path in SOURCES if path in missing})
        die("missing source photographs from Debian package(s) "
            + " ".join(packages) + f" ({len(missing)} files, e.g. {missing[0]}).\n"
            "Install them with:  bash bench/setup.sh\n"
            "(or: apt-get install --no-install-recommends " + " ".join(PACKAGES) + ")")


def import_cv():
    try:
        import cv2
        import numpy as np
    except ImportError as exc:
        die(f"{exc}: install python3-opencv and python3-numpy (bash bench/setup.sh)")
    return cv2, np


def package_versions():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\n"] + PACKAGES,
                             capture_output=True, text=True, check=False).stdout
        return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    except OSError:
        return {}


def output_size(rng, megapixels, aspect):
    aw, ah = aspect
    pixels = megapixels * 1e6 * rng.uniform(0.95, 1.05)
    width = int(round(math.sqrt(pixels * aw / ah)))
    height = int(round(pixels / width))
    return width, height


def plan(count, megapixels, seed, sizes):
    """Deterministic list of (index, source index, crop box, output size, ext)."""
    rng = random.Random(f"octet-photo-set/{seed}")
    jobs = []
    for index in range(count):
        source = index % len(SOURCES)
        sw, sh = sizes[source]
        order = ASPECTS[:]
        rng.shuffle(order)
        for aspect in order:
            ow, oh = output_size(rng, megapixels, aspect)
            kmax = min(sw / ow, sh / oh)
            if kmax >= 1.0:
                break
        else:
            die(f"{SOURCES[source][1]} ({sw}x{sh}) is too small for {megapixels} MP")
        # downscale factor, log-uniform in [1, kmax]: from native-resolution
        # detail crops to nearly the whole photograph
        k = math.exp(rng.uniform(0.0, math.log(kmax)))
        cw = min(sw, max(ow, int(round(ow * k))))
        ch = min(sh, max(oh, int(round(oh * k))))
        x = rng.randint(0, sw - cw)
        y = rng.randint(0, sh - ch)
        ext = "png" if index % 10 == 9 else "jpg"
        jobs.append((index, source, (x, y, cw, ch), (ow, oh), ext))
    return jobs


def read_manifest(out_dir):
    try:
        with open(os.path.join(out_dir, MANIFEST)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def manifest_matches(manifest, params, out_dir):
    if not manifest or manifest.get("params") != params:
        return False
    files = manifest.get("files", {})
    on_disk = sorted(name for name in os.listdir(out_dir) if not name.startswith("."))
    if on_disk != sorted(files):
        return False
    return all(os.path.getsize(os.path.join(out_dir, name)) == info["bytes"]
               for name, info in files.items())


def build(out_dir, count=300, megapixels=0.8, seed=0, quality=90, force=False, quiet=False):
    """Build (or reuse) the set; returns the manifest dict."""
    params = {"generator": GENERATOR_VERSION, "count": count, "megapixels": megapixels,
              "seed": seed, "jpeg_quality": quality}
    if not force and os.path.isdir(out_dir):
        manifest = read_manifest(out_dir)
        if manifest_matches(manifest, params, out_dir):
            if not quiet:
                print(f"make_photo_set: reusing {len(manifest['files'])} photos in {out_dir}")
            return manifest
    check_sources()
    cv2, np = import_cv()

    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)

    sources = []
    for _, path in SOURCES:
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            die(f"cannot decode {path}")
        sources.append(image)
    sizes = [(image.shape[1], image.shape[0]) for image in sources]

    files = {}
    digests = set()
    for index, source, (x, y, cw, ch), (ow, oh), ext in plan(count, megapixels, seed, sizes):
        region = sources[source][y:y + ch, x:x + cw]
        if (cw, ch) != (ow, oh):
            region = cv2.resize(region, (ow, oh), interpolation=cv2.INTER_AREA)
        name = f"photo_{index:04d}.{ext}"
        params_write = ([cv2.IMWRITE_JPEG_QUALITY, quality] if ext == "jpg"
                        else [cv2.IMWRITE_PNG_COMPRESSION, 3])
        ok, encoded = cv2.imencode("." + ext, region, params_write)
        if not ok:
            die(f"cannot encode {name}")
        data = encoded.tobytes()
        pixel_digest = hashlib.sha256(np.ascontiguousarray(region).tobytes()).hexdigest()
        if pixel_digest in digests:
            die(f"{name} duplicates an earlier image; change --seed")
        digests.add(pixel_digest)
        with open(os.path.join(out_dir, name), "wb") as handle:
            handle.write(data)
        files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                       "width": ow, "height": oh, "source": SOURCES[source][1],
                       "crop": [x, y, cw, ch]}

    total_pixels = sum(info["width"] * info["height"] for info in files.values())
    manifest = {
        "params": params,
        "packages": package_versions(),
        "opencv": cv2.__version__,
        "summary": {
            "images": len(files),
            "jpeg": sum(name.endswith(".jpg") for name in files),
            "png": sum(name.endswith(".png") for name in files),
            "sources": len(SOURCES),
            "mean_megapixels": round(total_pixels / len(files) / 1e6, 3),
            "total_bytes": sum(info["bytes"] for info in files.values()),
        },
        "files": files,
    }
    with open(os.path.join(out_dir, MANIFEST), "w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    if not quiet:
        s = manifest["summary"]
        print(f"make_photo_set: wrote {s['images']} photos ({s['jpeg']} JPEG q{quality}, "
              f"{s['png']} PNG, mean {s['mean_megapixels']} MP, "
              f"{s['total_bytes'] / 1e6:.1f} MB) from {s['sources']} source photographs "
              f"to {out_dir}")
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--megapixels", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality")
    parser.add_argument("--force", action="store_true", help="rebuild even if the set exists")
    args = parser.parse_args()
    if args.count < 1 or args.megapixels <= 0:
        parser.error("--count and --megapixels must be positive")
    build(args.out_dir, args.count, args.megapixels, args.seed, args.quality, args.force)


if __name__ == "__main__":
    main()
