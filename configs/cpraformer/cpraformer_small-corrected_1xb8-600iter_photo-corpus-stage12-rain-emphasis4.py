# A twelfth stage for the built-in derainer: stage eleven
# (cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage11-more-plain-rain.py)
# continued for 600 iterations at lr 1e-4 on the same samples, its pixel
# loss weighted toward the pixels the rain changed
# (DerainRestorer's rain_weighting: weight 1 + 4 * min(1, change / 0.1),
# change = the largest channel difference between rainy input and target).
# What stage eleven leaves under the demo's dense rain is faint streak
# residue and darkened streak traces: small errors per pixel, which a plain
# mean weighs like those of the pixels no rain touched. Dry samples
# (input = target) keep uniform weights.
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis4.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage11-more-plain-rain.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis4'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage11-more-plain-rain.pth'

model = dict(rain_weighting=dict(emphasis=4.0, saturation=0.1))

max_iters = 600
warmup_iters = 50
train_cfg = dict(max_iters=max_iters, val_interval=300)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
