# Stage twenty (..._stage20-multi-scale.py: stage sixteen continued for 600
# iterations on crops taken at random scales) with its rain weighting
# stretched toward strong streaks: the weight still rises by 120 per unit
# of rain (12 per 0.1) but saturates at a change of 0.3 instead of 0.1, so
# a pixel the rain moved by 0.3 or more counts 37 times a dry one, three
# times more than under stage sixteen's weighting, whose weight is flat
# above 0.1. The over-removal factor (2) now ramps up over the same 0.3.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(emphasis=36.0, saturation=0.3, over_removal=2.0))
