# Stage twenty-five's rain-weighted texture loss
# (..._stage25-continued-rain-texture15.py) with a rain-covered cell
# counted up to 13 times a dry one: between emphasis 8 (detector's share
# on make demo's draw 76.7 %, segmenter's 68.9 %) and emphasis 16
# (74.4 %, 69.8 %).
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-rain-texture15.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage26-continued-rain-texture15-emphasis12'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(texture_weighting=dict(emphasis=12.0))
