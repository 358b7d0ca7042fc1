#!/usr/bin/env bash
# The newcomer's first command: installs what octet needs, builds it, and runs
# octet's main job on the example images shipped in examples/images.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release

out=out/demo
echo
echo "== octet prepare: examples/images -> $out (224x224 letterbox, BGR, /255, NHWC float32)"
build/octet prepare examples/images -o "$out" --size 224x224
echo
echo "== $out"
ls -l "$out"
