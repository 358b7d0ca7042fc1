#!/usr/bin/env bash
# The newcomer's first command: installs what octet needs, builds it, and runs
# octet's main job on bundled data (scripts/demo_flow.sh): a calibration set
# from example digit images, a bundled ONNX digit classifier converted to FP32
# and INT8 TFLite, inspected, and run on the digits with its accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
scripts/demo_flow.sh build/octet out/demo
