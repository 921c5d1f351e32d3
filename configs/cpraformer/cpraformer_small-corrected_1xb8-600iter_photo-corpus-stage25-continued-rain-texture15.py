# Stage twenty-four's texture energy loss weighted 15
# (..._stage24-continued-texture15.py) with its cells weighted toward the
# rain: each 8 x 8 cell counts the mean of the pixel loss's rain weight
# (1 + 36 x coverage, saturation 0.3) over its pixels. The unweighted loss
# spreads over the many dry cells, where the derainer already keeps the
# texture (the demo segmenter recovers 97.5 % of its gap when only the
# dry pixels are derained, 68.3 % when only the rain-covered ones are);
# this one spends itself under the streaks.
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage24-continued-texture15.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage25-continued-rain-texture15'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(texture_weighting=dict(emphasis=36.0, saturation=0.3))
