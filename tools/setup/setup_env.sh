#!/usr/bin/env bash
# Build (or verify) the project's virtual environment in .venv/.
#
# Idempotent: when .venv/ already matches the pinned stack (a stamp holding the
# hash of this script and requirements/*.txt), it returns in seconds.
# The mmcv wheel with compiled ops is cached outside the repository, keyed by
# mmcv, torch and Python versions, so a fresh clone rebuilds it only once per
# machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
VENV="$ROOT/.venv"
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
CACHE_DIR="${CPRA_MM_CACHE:-$HOME/.cache/cpra_mm}"

stamp_of() {
  cat "$ROOT/tools/setup/setup_env.sh" "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1
}
STAMP="$(stamp_of)"
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
PIP=("$PY" -m pip install --quiet --disable-pip-version-check -c "$ROOT/requirements/lock.txt")

echo "[setup] torch $TORCH_VERSION, torchvision $TORCHVISION_VERSION and build tools"
"${PIP[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" \
  "setuptools<81" wheel ninja psutil packaging

PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
WHEEL_DIR="$CACHE_DIR/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PY_TAG"
if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
  echo "[setup] building mmcv $MMCV_VERSION with ops against torch $TORCH_VERSION (about 10 minutes on 2 cores)"
  BUILD="$(mktemp -d)"
  trap 'rm -rf "$BUILD"' EXIT
  "$PY" -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation \
    -d "$BUILD" "mmcv==$MMCV_VERSION"
  tar -xzf "$BUILD"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD"
  # torch >= 2.10 headers require C++20 ("C++20 or later compatible compiler is required").
  sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
  (cd "$BUILD/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
    "$PY" -m pip wheel --no-build-isolation --no-deps -w "$BUILD/dist" .)
  mkdir -p "$WHEEL_DIR"
  cp "$BUILD"/dist/mmcv-*.whl "$WHEEL_DIR/"
fi
echo "[setup] OpenMMLab stack, with mmcv from $WHEEL_DIR"
"${PIP[@]}" "$WHEEL_DIR"/mmcv-*.whl -r requirements/stack.txt
# mmagic's declared dependencies (mediapipe, face-alignment, controlnet-aux, ...)
# are not needed by the modules this project imports; requirements/stack.txt
# lists what its imports do need.
"${PIP[@]}" --no-deps "mmagic==1.2.0"
"${PIP[@]}" --no-deps -e .

"$PY" - <<'PY'
import mmcv, mmdet, mmseg, mmagic, torch
from mmcv.ops import nms
print(f"[setup] torch {torch.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, "
      f"mmseg {mmseg.__version__}, mmagic {mmagic.__version__}")
PY
echo "$STAMP" > "$VENV/.cpra_mm_stamp"
echo "[setup] done in $(( $(date +%s) - start )) s"
