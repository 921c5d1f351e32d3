# A thirteenth stage for the built-in derainer: stage twelve with emphasis 12
# (cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py)
# continued for 400 iterations at lr 1e-4 with its rain-weighted pixel loss
# reduced per sample (CharbonnierLoss sample_wise=True: each sample's
# weighted mean, then the mean over the batch) and the hard dry source drawn
# twice as often. Reduced over the whole batch, the weighted loss gives a
# dry sample (all weights 1) a far smaller share of the gradient than a
# rainy one (weights up to 13), and stage twelve alters dry photographs more
# than stage eleven did; per sample, every crop counts as much as under the
# plain mean. Shares: broad rain 21 %, hard dry 17 %, plain rain 41 %,
# painted 21 %.
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-400iter_photo-corpus-stage13-rain-emphasis-per-sample.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_400.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py']

experiment_name = 'cpraformer_small-corrected_1xb8-400iter_photo-corpus-stage13-rain-emphasis-per-sample'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.pth'

model = dict(pixel_loss=dict(sample_wise=True))

broad_photos, hard_dry_photos, plain_rain_photos, _, painted = \
    _base_.train_dataloader.dataset.datasets
train_dataloader = dict(
    dataset=dict(datasets=[
        broad_photos,
        hard_dry_photos,
        hard_dry_photos,
        plain_rain_photos,
        plain_rain_photos,
        painted,
    ]))

max_iters = 400
warmup_iters = 50
train_cfg = dict(max_iters=max_iters, val_interval=200)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
default_hooks = dict(checkpoint=dict(interval=100))
