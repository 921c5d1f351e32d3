# Stage twenty-three (..._stage23-continued.py: the built-in derainer
# continued for 600 iterations) with over-removed rain pixels weighted up to
# six times instead of three (over_removal=5 instead of 2). Where a streak
# crossed a bright outline, the built-in derainer leaves a faint dark trace
# along it (make demo's 000124.png, the rim of a white cup, where the
# segmenter then paints a square): an L1-like loss weighted 1 : 3 still
# takes out a little too much a quarter of the time. Does making
# over-removal costlier still remove those traces, and what does it leave?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued-over-removal5'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(over_removal=5.0))
