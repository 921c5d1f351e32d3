# A fifteenth stage for the built-in derainer: stage twelve with emphasis 12
# (cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py:
# stage eleven continued for 600 iterations at lr 1e-4, pixel loss weighted
# toward the rain) plus an unweighted LocalMeanLoss on 8 x 8 block averages.
# Stage twelve's outputs are darker than the truth where rain and dry
# texture alike: the weighted pixel loss finds it cheap to remove a little
# too much between the streaks, and bright specks of dry texture go with
# them. A term on local averages, blind to the weighting, prices that
# darkening without penalising streaks removed exactly.
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(local_mean_loss=dict(type='LocalMeanLoss', block=8, loss_weight=1.0))
