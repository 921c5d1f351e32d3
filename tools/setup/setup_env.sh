#!/usr/bin/env bash
# Build (or verify) the project's virtual environment in .venv/.
#
# Idempotent: when .venv/ already matches the pinned stack and the packaging
# files (a stamp holding the hash of this script, requirements/*.txt,
# setup.py and pyproject.toml) it returns at once.
#
# Two caches outside the repository, under ${CPRA_MM_CACHE:-~/.cache/cpra_mm}:
# - the mmcv wheel with compiled ops, keyed by mmcv, torch and Python
#   versions (a wheel built against another torch is never reused);
# - a snapshot of the finished site-packages, keyed by the hash of this
#   script and requirements/*.txt. A fresh
#   clone hard-links it into its new .venv (seconds, no extra disk) instead of
#   reinstalling 6 GB of packages. Hard links are safe here because pip
#   replaces files (unlink + create) rather than writing into them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
VENV="$ROOT/.venv"
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
CACHE_DIR="${CPRA_MM_CACHE:-$HOME/.cache/cpra_mm}"

ENV_STAMP="$(cat "$ROOT/tools/setup/setup_env.sh" "$ROOT"/requirements/*.txt | sha256sum | cut -c1-16)"
# The editable install of cpra_mm itself also depends on its packaging files.
STAMP="$( (echo "$ENV_STAMP"; cat "$ROOT/setup.py" "$ROOT/pyproject.toml") | sha256sum | cut -c1-16)"
if [[ -f "$VENV/.cpra_mm_stamp" && "$(cat "$VENV/.cpra_mm_stamp")" == "$STAMP" ]]; then
  echo "[setup] .venv is up to date"
  exit 0
fi

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "[setup] creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
SITE="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
SNAPSHOT="$CACHE_DIR/site-packages-$PY_TAG-$ENV_STAMP"
PIP=("$PY" -m pip install --quiet --disable-pip-version-check -c "$ROOT/requirements/lock.txt")

if [[ -f "$SNAPSHOT/.complete" ]] && rm -rf "$SITE" && mkdir -p "$SITE" \
    && cp -al "$SNAPSHOT/." "$SITE/" 2>/dev/null; then
  echo "[setup] linked the cached environment $SNAPSHOT"
  rm -f "$SITE/.complete"
else
  echo "[setup] torch $TORCH_VERSION, torchvision $TORCHVISION_VERSION and build tools"
  "${PIP[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" \
    "setuptools<81" wheel ninja psutil packaging

  WHEEL_DIR="$CACHE_DIR/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PY_TAG"
  if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
    echo "[setup] building mmcv $MMCV_VERSION with ops against torch $TORCH_VERSION" \
      "(about 10 minutes on 2 cores)"
    BUILD="$(mktemp -d)"
    trap 'rm -rf "$BUILD"' EXIT
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation \
      -d "$BUILD" "mmcv==$MMCV_VERSION"
    tar -xzf "$BUILD/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
    # torch >= 2.10 headers require C++20 ("C++20 or later compatible compiler is required").
    sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
    (cd "$BUILD/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
      "$PY" -m pip wheel --quiet --no-build-isolation --no-deps -w "$BUILD/dist" .)
    mkdir -p "$WHEEL_DIR"
    cp "$BUILD"/dist/mmcv-*.whl "$WHEEL_DIR/"
  fi

  echo "[setup] OpenMMLab stack, with mmcv from $WHEEL_DIR"
  "${PIP[@]}" "$WHEEL_DIR"/mmcv-*.whl -r requirements/stack.txt
  # mmagic's declared dependencies (mediapipe, face-alignment, controlnet-aux,
  # ...) are not needed by the modules this project imports;
  # requirements/stack.txt lists what its imports do need.
  "${PIP[@]}" --no-deps "mmagic==1.2.0" "openmim==0.3.9"

  echo "[setup] caching the environment in $SNAPSHOT"
  rm -rf "$SNAPSHOT.tmp"
  mkdir -p "$SNAPSHOT.tmp"
  cp -al "$SITE/." "$SNAPSHOT.tmp/" \
    && rm -rf "$SNAPSHOT.tmp"/__editable__*cpra_mm* "$SNAPSHOT.tmp"/cpra_mm-*.dist-info \
    && touch "$SNAPSHOT.tmp/.complete" \
    && rm -rf "$SNAPSHOT" && mv "$SNAPSHOT.tmp" "$SNAPSHOT" \
    || { echo "[setup] (could not cache the environment; continuing)"; rm -rf "$SNAPSHOT.tmp"; }
fi

"${PIP[@]}" --no-deps --no-build-isolation -e .

"$PY" - <<'PY'
import mmcv, mmdet, mmseg, mmagic, torch
from mmcv.ops import nms
print(f"[setup] torch {torch.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, "
      f"mmseg {mmseg.__version__}, mmagic {mmagic.__version__}")
PY
echo "$STAMP" > "$VENV/.cpra_mm_stamp"
echo "[setup] done in $(( $(date +%s) - start )) s"
