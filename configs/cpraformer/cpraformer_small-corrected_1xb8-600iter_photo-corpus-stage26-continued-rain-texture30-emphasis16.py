# Stage twenty-five's rain-weighted texture loss at emphasis 16
# (..._stage25-continued-rain-texture15-emphasis16.py) with the texture
# loss weighted 30 instead of 15. Stage twenty-four raised the segmenter's
# share on make demo's draw with each step of that weight (66.7 / 67.3 /
# 67.6 % at 2 / 6 / 15); does doubling it carry the rain-weighted loss's
# 68.9-69.8 % past the 70 %?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-rain-texture15-emphasis16.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage26-continued-rain-texture30-emphasis16'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(texture_loss=dict(loss_weight=30.0))
