#!/usr/bin/env bash
# What deraining buys downstream, end to end on a CPU: evaluate the shipped
# shapes detector and segmenter on clean, rainy (AddRain, seed 0) and
# derained (shipped CPRAformer small) validation images, and print both
# tables. Creates the demo data first when it is missing. About 1.5-3
# minutes on 2 CPU cores (128 validation images per model).
#
#   bash tools/demo.sh                 # outputs under outputs/demo/{det,seg}
#
# Environment: PYTHON (default .venv/bin/python, else python), OUT_DIR
# (default outputs/demo), RAIN_SEED (default 0), DERAINER (default the
# shipped cpra_mm/weights/cpraformer_small_photos.pth).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
OUT_DIR=${OUT_DIR:-outputs/demo}
RAIN_SEED=${RAIN_SEED:-0}
DATA=data/demo_shapes
WEIGHTS=cpra_mm/weights
DERAINER=${DERAINER:-$WEIGHTS/cpraformer_small_photos.pth}
# One thread per process: on a shared 2-core machine OpenMP threads of
# several processes otherwise contend and everything slows down severalfold.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

for file in "$DERAINER" "$WEIGHTS/shapes_detector.pth" "$WEIGHTS/shapes_segmenter.pth"; do
    if [[ ! -f "$file" ]]; then
        echo "tools/demo.sh: missing $file (see configs/demo/README.md)" >&2
        exit 1
    fi
done

if [[ ! -f "$DATA/annotations/instances_val.json" || ! -d "$DATA/masks/val" ]]; then
    echo "== creating the demo data in $DATA"
    "$PYTHON" tools/make_demo_data.py --out "$DATA"
fi

start=$(date +%s)
for task in det seg; do
    if [[ $task == det ]]; then model=shapes_detector; else model=shapes_segmenter; fi
    echo "== $model: clean / rainy / derained"
    "$PYTHON" tools/eval_downstream.py "configs/demo/$model.py" "$WEIGHTS/$model.pth" \
        --derainer-checkpoint "$DERAINER" --rain-seed "$RAIN_SEED" \
        --out-dir "$OUT_DIR/$task" --num-vis 4
done

echo
echo "== results ($(( $(date +%s) - start )) s); charts and samples under $OUT_DIR/{det,seg}/"
cat "$OUT_DIR/det/downstream_results.txt"
echo
cat "$OUT_DIR/seg/downstream_results.txt"
