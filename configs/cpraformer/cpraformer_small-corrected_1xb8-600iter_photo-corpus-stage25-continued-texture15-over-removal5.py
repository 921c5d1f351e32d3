# Stage twenty-four's texture energy loss weighted 15
# (..._stage24-continued-texture15.py, the first recipe whose derainer took
# make demo's detector draw past 75 % of its rainy-clean gap, but left one
# held-out photograph a hair under its rainy input) together with stage
# twenty-three's costlier over-removal (over_removal=5 instead of 2, from
# ..._stage23-continued-over-removal5.py, which left no held-out photograph
# worse). Do the two levers add up?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage24-continued-texture15.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-texture15-over-removal5'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(over_removal=5.0))
