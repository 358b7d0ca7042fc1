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
  # The torchvision-scale conversions (e2e.convert_slow) run in the release
  # build only: under the sanitizers they would take most of CI's time.
  exclude=()
  [ "$preset" = asan ] && exclude=(-E 'e2e\.convert_slow')
  ctest --preset "$preset" -j"$(nproc)" "${exclude[@]}"
done
