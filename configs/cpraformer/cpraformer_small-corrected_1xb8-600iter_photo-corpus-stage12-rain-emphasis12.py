# Stage twelve with three times the emphasis: stage eleven continued for
# 600 iterations at lr 1e-4, pixel loss weight 1 + 12 * min(1, change / 0.1)
# (..._stage12-rain-emphasis4.py has the reasoning).
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis4.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(emphasis=12.0, saturation=0.1))
