#!/usr/bin/env bash
# The second README command: installs what the tests need, builds the release
# and the ASan+UBSan configurations, and runs every test in both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

for preset in release asan; do
  echo "== build: $preset"
  scripts/build.sh "$preset"
  echo "== test: $preset"
  ctest --preset "$preset" -j"$(nproc)"
done
