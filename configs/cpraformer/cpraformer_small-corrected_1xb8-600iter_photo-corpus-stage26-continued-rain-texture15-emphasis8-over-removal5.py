# Stage twenty-five's rain-weighted texture loss at emphasis 8
# (..._stage25-continued-rain-texture15-emphasis8.py: 71.7 % of the
# segmenter's gap on make demo's draw as one pass, but two held-out
# photographs under their rainy input that way) with over-removal weighted
# 5 instead of 2, the lever that kept every held-out photograph above its
# rainy input in one pass (..._stage25-continued-texture15-over-removal5.py).
# Can one pass, without the mirror ensemble, meet every target?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-rain-texture15-emphasis8.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage26-continued-rain-texture15-emphasis8-over-removal5'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(over_removal=5.0))
