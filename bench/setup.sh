#!/usr/bin/env bash
# Install what bench/make_photo_set.py, bench/prepare_vs_seed.py and bench/real_models.py need:
# the Debian packages that ship the source photographs, plus python3 numpy and
# OpenCV for the seed script.  Idempotent: does nothing (and no apt-get update)
# when every package is already installed.
set -euo pipefail

PACKAGES=(
  lomiri-wallpapers-16.04      # 13 photographs
  lomiri-wallpapers-20.04      # 1 photograph
  mate-backgrounds             # 12 photographs (nature/)
  plasma-workspace-wallpapers  # 11 photographs
  python3-numpy
  python3-opencv
  time                         # /usr/bin/time: per-process peak RSS
  python3-pil                  # real_models.py: text drawn on photos for the OCR models
  fonts-dejavu-core            # real_models.py: the fonts of that text
  python3-flatbuffers          # real_models.py: float32 copy of a float16 .tflite
  flatbuffers-compiler         # real_models.py: flatc --python on octet's schema
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "bench/setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
echo "bench/setup.sh: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
