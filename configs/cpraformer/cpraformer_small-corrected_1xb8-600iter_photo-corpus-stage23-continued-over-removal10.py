# Stage twenty-three with over-removal (..._stage23-continued-over-removal5.py:
# over-removed rain pixels weighted up to six times) taken further: up to
# eleven times (over_removal=10), so an L1-like loss takes out too much
# only one time in twelve on a fully rain-covered pixel. Over-removal 5
# raised make demo's seed-0 segmenter share; does more raise it further,
# and what does the streak residue it trades for cost?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued-over-removal10'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(over_removal=10.0))
