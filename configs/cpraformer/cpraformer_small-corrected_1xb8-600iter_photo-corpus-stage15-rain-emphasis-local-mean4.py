# Stage fifteen with four times the local-mean term (loss_weight 4):
# ..._stage15-rain-emphasis-local-mean.py has the reasoning.
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean4.py
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(local_mean_loss=dict(loss_weight=4.0))
