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
  # e2e.run, e2e.demo, e2e.serve and api.install (they drive or install the release binaries)
  # and the conversion suites (hundreds of models, e2e.convert*) run in the
  # release build only: under the sanitizers they would take most of CI's
  # time. The sanitizers still run every unit test (the importer, passes,
  # kernels, writer and reader on malformed input) and the prepare and TFLite
  # writer end-to-end suites.
  exclude=()
  [ "$preset" = asan ] && exclude=(-E 'e2e\.(convert|int8|run|demo|serve)|api\.install')
  ctest --preset "$preset" -j"$(nproc)" "${exclude[@]}"
done
