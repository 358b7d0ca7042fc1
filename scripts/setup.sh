#!/usr/bin/env bash
# Installs everything octet needs to build, run and test, from Debian 12's apt
# repositories. Idempotent: when every package is present it only checks, in
# well under a second. Run as root, or as a user with sudo.
set -euo pipefail

# Build: compiler, CMake, and the libraries octet links.
build_packages=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev
  libonnx-dev libprotobuf-dev libflatbuffers-dev flatbuffers-compiler flatbuffers-compiler-dev
  libcpp-httplib-dev libsqlite3-dev libarchive-dev
  libxnnpack-dev libpthreadpool-dev
)
# Tests: GoogleTest, Google Benchmark, chromium (octet serve's page test), and the independent references the
# end-to-end tests compare against (numpy, OpenCV's Python binding, pytest).
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-opencv python3-pytest python3-skimage
  python3-onnx python3-flatbuffers python3-torch python3-torchvision
  chromium
)
# Node.js runs the oracles (tests/oracles): the machine's own if present,
# Debian's otherwise.
command -v node >/dev/null 2>&1 || test_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || test_packages+=(npm)

packages=("${build_packages[@]}" "${test_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages present"
else
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The test oracles' npm packages (ONNX Runtime, the real TFLite interpreter);
# a no-op in ~0.1 s when already installed.
bash "$(dirname "$0")/../tests/oracles/setup.sh"
