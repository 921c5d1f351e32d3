# Stage twenty-five's rain-weighted texture loss at emphasis 16
# (..._stage25-continued-rain-texture15-emphasis16.py: the segmenter's
# share on make demo's draw 69.8 %, two held-out photographs under their
# rainy input in one pass) with stage twenty-three's costlier over-removal
# (over_removal=5 instead of 2), the lever that kept every held-out
# photograph above its rainy input.
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-rain-texture15-emphasis16.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage26-continued-rain-texture15-emphasis16-over-removal5'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(over_removal=5.0))
