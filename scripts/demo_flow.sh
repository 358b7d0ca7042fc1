#!/usr/bin/env bash
# octet's main job on bundled data, the LaunchX INT8 flow end to end (the part
# of scripts/demo.sh after setup and build; tests/e2e_demo runs it too):
#   1. prepare a calibration set from the example digits (examples/digits)
#   2. convert the bundled ONNX digit classifier (examples/models) to FP32 and INT8 TFLite
#   3. inspect the INT8 model
#   4. run it on a few digits, then classify all 100 digits with both models
#   5. prepare the example photos (examples/images) as a 224x224 calibration set
#
#   scripts/demo_flow.sh [OCTET_BINARY [OUT_DIR]]
# Runs in the repository root; relative paths are relative to it (defaults:
# build/octet, out/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
octet=${1:-build/octet}
out=${2:-out/demo}
digits=examples/digits
onnx=examples/models/digits_cnn.onnx
python=/usr/bin/python3   # Debian's, installed by scripts/setup.sh
[ -x "$octet" ] || { echo "demo: error: $octet: no octet binary (run scripts/build.sh release)" >&2; exit 1; }
mkdir -p "$out"
start=$EPOCHREALTIME

header() { printf '\n== %s\n' "$*"; }
# Prints a command as a newcomer would type it (the binary shown as `octet`), then runs it.
run() {
  local shown=("$@")
  [ "${shown[0]}" = "$octet" ] && shown[0]=octet
  printf '$ %s\n' "${shown[*]}"
  "$@"
}
# Prints the command line given first (for globs), then runs the rest.
run_as() {
  printf '$ %s\n' "$1"
  shift
  "$@"
}

header "1. octet prepare: 100 handwritten digits (examples/digits, 28x28 grey PNGs) -> calibration .npy"
echo "   The model's input is 28x28, so nothing is resized; images are decoded as BGR and divided by 255 (NHWC float32)."
run "$octet" prepare "$digits" -o "$out/calib" --size 28x28
calib=$out/calib/100x28x28.npy

header "2. octet convert: the bundled digit classifier (examples/models/digits_cnn.onnx, 38 KB) -> FP32 and INT8 TFLite"
run "$octet" convert "$onnx" -o "$out/digits_fp32.tflite"
echo
run "$octet" convert "$onnx" -o "$out/digits_int8.tflite" --int8 --calib "$calib" --report "$out/digits_int8.report.json"

header "3. octet inspect: the INT8 model (int8 input and output, their scale and zero point, the ops, the recipe)"
run "$octet" inspect "$out/digits_int8.tflite"

header "4. octet run: the INT8 model on three digits (the true class is in each file name)"
echo "   Images get the calibration recipe stored in the model (28x28, BGR, /255), then TFLite's int8 quantization."
echo "   The output is one score (logit) per digit 0-9, dequantized; top-3 lists the best three: class (score)."
run "$octet" run "$out/digits_int8.tflite" "$digits/0000_label7.png" "$digits/0001_label5.png" \
  "$digits/0002_label9.png" --top-k 3

header "5. octet run: all 100 digits, FP32 and INT8 (top-1 class vs the true class)"
echo "   The FP32 model stores no recipe, so its preprocessing is given as flags (--size 28x28)."
for model in fp32 int8; do
  flags=(--top-k 1 --json)
  [ "$model" = fp32 ] && flags=(--size 28x28 "${flags[@]}")
  printf '$ %s\n' "octet run $out/digits_$model.tflite $digits/*.png ${flags[*]} > $out/run_$model.json"
  "$octet" run "$out/digits_$model.tflite" "$digits"/*.png "${flags[@]}" >"$out/run_$model.json"
done
run_as "scripts/demo_score.py --first 5 FP32=$out/run_fp32.json INT8=$out/run_int8.json" \
  "$python" scripts/demo_score.py --first 5 "FP32=$out/run_fp32.json" "INT8=$out/run_int8.json"
echo "   (The INT8 ranges were calibrated on these same 100 digits; the model was trained on other ones.)"

header "6. octet prepare on photos: examples/images -> 224x224 letterbox calibration set (one file is not an image)"
run "$octet" prepare examples/images -o "$out/photos" --size 224x224

seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
header "Done in $seconds s. Outputs in $out: calib/, digits_fp32.tflite, digits_int8.tflite (+ report), run_*.json, photos/"
