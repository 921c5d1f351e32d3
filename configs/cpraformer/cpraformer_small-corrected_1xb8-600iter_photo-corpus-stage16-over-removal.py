# A sixteenth stage for the built-in derainer: stage fifteen with
# local-mean weight 4 (..._stage15-rain-emphasis-local-mean4.py: stage
# eleven continued for 600 iterations at lr 1e-4, pixel loss weighted toward
# the rain with emphasis 12, plus LocalMeanLoss on 8 x 8 blocks) with the
# rain-covered pixels it predicts darker than the target weighted up to
# three times more (rain_weighting's over_removal=2). Stage fifteen still
# leaves faint dark traces along the streaks it removes, on which the demo's
# clean-trained segmenter paints shapes that are not there; a streak removed
# a little too little leaves faint bright residue instead, which that
# segmenter tolerates (configs/demo/README.md, "Which images deraining
# hurts").
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage16-over-removal.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean4.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage16-over-removal'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(rain_weighting=dict(emphasis=12.0, saturation=0.1, over_removal=2.0))
