#!/usr/bin/env bash
# What deraining buys downstream, end to end on a CPU: evaluate the shipped
# shapes detector and segmenter on clean, rainy (AddRain, seed 0) and
# derained (the built-in CPRAformer) validation images, and print both
# tables. Creates the demo data first when it is missing. About 1.5-3
# minutes on 2 CPU cores (128 validation images per model).
#
# Prints one progress line per model and the two tables. Everything the
# evaluations print (Runner logs, config dumps, evaluator summaries, warnings)
# goes to $OUT_DIR/{det,seg}/eval_downstream.log, beside the Runner's own
# log files under $OUT_DIR/{det,seg}/<mode>/; a failing evaluation shows the
# end of its log.
#
#   bash tools/demo.sh                 # outputs under outputs/demo/{det,seg}
#
#   RAIN_SEED="0 1 2" bash tools/demo.sh   # three rain draws, means and
#                                          # each draw's recovered share
#
# Environment: PYTHON (default .venv/bin/python, else python), OUT_DIR
# (default outputs/demo), RAIN_SEED (default 0; several space-separated
# seeds evaluate the rainy and derained images once per rain draw, which
# takes about twice as long for three draws), DERAINER (default the built-in
# derainer, cpra_mm.apis.BUILTIN_CHECKPOINT), DERAIN_FLIP_ENSEMBLE (1: the
# derainer's mirror ensemble, the mean of its passes on each image and on its
# left-right mirror, instead of one pass, as the figures measured from
# 2026-12-01 20:00 UTC to 2026-12-03 11:00 UTC were).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
OUT_DIR=${OUT_DIR:-outputs/demo}
RAIN_SEED=${RAIN_SEED:-0}
DATA=data/demo_shapes
WEIGHTS=cpra_mm/weights
DERAINER=${DERAINER:-$("$PYTHON" -c 'from cpra_mm.apis import BUILTIN_CHECKPOINT as c; print(c)')}
PASSES=()
if [[ "${DERAIN_FLIP_ENSEMBLE:-0}" == 1 ]]; then PASSES=(--derain-flip-ensemble); fi
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
    log="$OUT_DIR/$task/eval_downstream.log"
    mkdir -p "$OUT_DIR/$task"
    echo "== $model: clean / rainy / derained (log: $log)"
    model_start=$(date +%s)
    if ! "$PYTHON" tools/eval_downstream.py "configs/demo/$model.py" "$WEIGHTS/$model.pth" \
        --derainer-checkpoint "$DERAINER" --rain-seed $RAIN_SEED "${PASSES[@]}" \
        --out-dir "$OUT_DIR/$task" --num-vis 4 >"$log" 2>&1; then
        echo "tools/demo.sh: the $model evaluation failed; the end of $log:" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
    echo "   done in $(( $(date +%s) - model_start )) s"
done

echo
echo "== results ($(( $(date +%s) - start )) s); charts and samples under $OUT_DIR/{det,seg}/"
cat "$OUT_DIR/det/downstream_results.txt"
echo
cat "$OUT_DIR/seg/downstream_results.txt"
